-- 工程进度 and 人员变更.
--
-- The roster becomes dated: a member is on it from `joined_on` up to the day
-- before `left_on` (Beijing calendar days). Members so far joined the day they
-- were added and left the day they were removed.
alter table roster_members add column joined_on text;
alter table roster_members add column left_on text;
update roster_members set joined_on = date(created_at / 1000, 'unixepoch', '+8 hours');
update roster_members set left_on = date(removed_at / 1000, 'unixepoch', '+8 hours') where removed_at is not null;

-- One progress record per project: the actual start and the site (an
-- address and a point, WGS-84). Edited in place, versioned, in the trail.
create table progress (
    id integer primary key autoincrement,
    filing_id bigint not null unique references filings (id),
    actual_start text,
    address text not null,
    site_lat double precision,
    site_lng double precision,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null
);

-- One update per project and month (a project record: draft, submitted with
-- its photos, corrections with a reason, void with a reason).
create table progress_months (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    status text not null check (status in ('draft', 'submitted', 'voided')),
    month text not null,
    percent bigint not null check (percent between 0 and 100),
    state text not null check (state in ('not_started', 'in_progress', 'stopped', 'completed')),
    work_done text not null,
    investment_fen bigint,
    drop_reason text,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null,
    submitted_at bigint,
    voided_at bigint,
    void_reason text
);
create unique index progress_months_once on progress_months (filing_id, month) where status <> 'voided';

-- 人员变更: one replacement of a roster member. On submission the member
-- leaves from `effective_on` and the successor joins that day
-- (`successor_id`).
create table personnel_changes (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    status text not null check (status in ('draft', 'submitted', 'voided')),
    member_id bigint not null references roster_members (id),
    role text not null,
    new_name text not null,
    new_id_number text not null,
    new_mobile text not null,
    new_cert_no text not null,
    successor_id bigint references roster_members (id),
    reason text not null check (reason in ('health', 'underperforming', 'work_done', 'stoppage', 'violation', 'transfer', 'other')),
    reason_text text,
    effective_on text not null,
    fine_fen bigint not null default 0 check (fine_fen >= 0),
    credit_points bigint not null default 0 check (credit_points >= 0),
    interview integer not null default 0,
    censure integer not null default 0,
    penalty_other text,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null,
    submitted_at bigint,
    voided_at bigint,
    void_reason text
);
create index personnel_changes_filing on personnel_changes (filing_id, status);
-- A member leaves once: one live replacement per member.
create unique index personnel_changes_member on personnel_changes (member_id) where status <> 'voided';
