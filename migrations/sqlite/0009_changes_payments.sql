-- 项目变更 and 资金拨付: records that hang off a filed project. Nothing is
-- deleted: a record is a draft until submitted (then it counts), and leaves
-- the totals only by being voided with a reason. Money is integer fen,
-- dates ISO text.
create table project_changes (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    status text not null check (status in ('draft', 'submitted', 'voided')),
    kind text not null check (kind in ('design', 'quantity', 'cost', 'schedule')),
    title text not null,
    content text not null,
    cause text not null,
    responsibility text not null,
    price_delta_fen bigint not null,
    days_delta bigint not null,
    approver text not null,
    approver_level text not null check (approver_level in ('owner', 'higher')),
    approval_no text not null,
    approved_on text not null,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null,
    submitted_at bigint,
    voided_at bigint,
    void_reason text
);
create index project_changes_filing on project_changes (filing_id, status);
-- An approval document is registered once per project (a double submit
-- cannot make two records).
create unique index project_changes_approval on project_changes (filing_id, approval_no) where status <> 'voided';

create table payments (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    status text not null check (status in ('draft', 'submitted', 'voided')),
    kind text not null check (kind in ('advance', 'progress', 'settlement', 'retention', 'other')),
    paid_on text not null,
    amount_fen bigint not null check (amount_fen > 0),
    payee text not null,
    voucher_no text not null,
    period_from text,
    period_to text,
    work_value_fen bigint,
    labour_fen bigint not null default 0,
    settlement_fen bigint,
    remarks text,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null,
    submitted_at bigint,
    voided_at bigint,
    void_reason text
);
create index payments_filing on payments (filing_id, status);
create unique index payments_voucher on payments (filing_id, voucher_no) where status <> 'voided';

-- Files of any project record (approval documents, payment vouchers, …);
-- the bytes live in the file store under their SHA-256.
create table record_files (
    id integer primary key autoincrement,
    entity text not null,
    record_id bigint not null,
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
create index record_files_record on record_files (entity, record_id);

-- Alerts of the rule engine: raised once while the condition holds (one open
-- alert per rule, project and subject), cleared with the day it stopped.
alter table alerts add column subject text not null default '';
alter table alerts add column severity text not null default 'warning';
alter table alerts add column figures text;
alter table alerts add column started_on text;
alter table alerts add column cleared_on text;
create unique index alerts_open_once on alerts (kind, filing_id, subject)
    where cleared_on is null and user_id is null;
