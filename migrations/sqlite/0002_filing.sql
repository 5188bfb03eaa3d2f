-- Award data, contract filings, key personnel rosters, attachments, API tokens.
-- Units gain the kind 'supervisor_engineer' (监理单位). SQLite cannot alter a
-- check constraint, so units is rebuilt, and users (which references it) with
-- it: a rename with foreign keys on rewrites references, so the new tables
-- are built beside the old ones, the old ones dropped child first, and the
-- new ones renamed into place.
create table units_new (
    id integer primary key autoincrement,
    kind text not null check (kind in ('resource_office', 'sector_authority', 'owner', 'contractor', 'supervisor_engineer')),
    name text not null,
    credit_code text not null unique,
    sector text,
    created_at bigint not null,
    updated_at bigint not null
);
insert into units_new (id, kind, name, credit_code, sector, created_at, updated_at)
select id, kind, name, credit_code, sector, created_at, updated_at from units;

create table users_new (
    id integer primary key autoincrement,
    username text not null unique,
    display_name text not null,
    mobile text unique,
    role text not null check (role in ('admin', 'supervisor', 'owner', 'key_personnel')),
    unit_id bigint not null references units_new (id),
    password_hash text not null,
    must_change_password integer not null default 0,
    disabled integer not null default 0,
    failed_logins integer not null default 0,
    locked_until bigint,
    created_at bigint not null,
    updated_at bigint not null
);
insert into users_new (id, username, display_name, mobile, role, unit_id, password_hash,
    must_change_password, disabled, failed_logins, locked_until, created_at, updated_at)
select id, username, display_name, mobile, role, unit_id, password_hash,
    must_change_password, disabled, failed_logins, locked_until, created_at, updated_at from users;

drop table users;
drop table units;
alter table units_new rename to units;
alter table users_new rename to users;
create index users_unit on users (unit_id);

-- Awarded tender sections from the trading platform, keyed by
-- (project_code, section_code); a re-import updates, never duplicates.
create table awards (
    id integer primary key autoincrement,
    project_code text not null,
    section_code text not null,
    project_name text not null,
    section_name text not null,
    owner_unit_id bigint not null references units (id),
    contractor_unit_id bigint not null references units (id),
    award_price_fen bigint not null check (award_price_fen > 0),
    award_date text not null,
    tender_method text not null,
    sector text not null,
    source text not null check (source in ('import', 'api')),
    created_at bigint not null,
    updated_at bigint not null,
    unique (project_code, section_code)
);
create index awards_owner on awards (owner_unit_id);
create index awards_sector on awards (sector);

-- One row per uploaded import file, with its report (problems as JSON).
create table award_imports (
    id integer primary key autoincrement,
    file_name text not null,
    format text not null,
    total_rows bigint not null,
    created_count bigint not null,
    updated_count bigint not null,
    unchanged_count bigint not null,
    failed_count bigint not null,
    problems_json text not null,
    imported_by bigint references users (id),
    created_at bigint not null
);

-- Bearer tokens for the platform's push API; only the SHA-256 is kept.
create table api_tokens (
    id integer primary key autoincrement,
    name text not null,
    token_hash text not null unique,
    token_hint text not null,
    created_by bigint references users (id),
    created_at bigint not null,
    revoked_at bigint,
    last_used_at bigint
);

-- 标后基本信息: one filing per award, draft until submitted; dates are
-- ISO text (YYYY-MM-DD), money integer fen.
create table filings (
    id integer primary key autoincrement,
    award_id bigint not null unique references awards (id),
    status text not null check (status in ('draft', 'submitted')),
    contract_no text,
    signed_on text,
    contract_price_fen bigint,
    duration_days bigint,
    planned_start text,
    planned_completion text,
    payment_terms text,
    supervisor_engineer_unit_id bigint references units (id),
    remarks text,
    back_entry integer not null default 0,
    price_flag integer not null default 0,
    version bigint not null default 1,
    submitted_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index filings_status on filings (status);

-- Key personnel roster. A member leaves by getting removed_at (never
-- deleted); each member has a login (users.id) to check in with.
create table roster_members (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    role text not null,
    name text not null,
    id_number text not null,
    mobile text not null,
    cert_no text not null,
    user_id bigint not null references users (id),
    created_at bigint not null,
    removed_at bigint
);
create index roster_filing on roster_members (filing_id);
create index roster_user on roster_members (user_id);
create unique index roster_person on roster_members (filing_id, id_number) where removed_at is null;

-- Attachments: the bytes live in the file store under their SHA-256.
create table attachments (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    kind text not null,
    file_name text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    uploaded_by bigint references users (id),
    created_at bigint not null,
    removed_at bigint
);
create index attachments_filing on attachments (filing_id);
