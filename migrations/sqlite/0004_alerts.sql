-- Alerts.
-- Alerts (预警) that rules raise and supervisors see. One per rule, project,
-- person and period: a rule that runs again never raises the same alert twice.
create table alerts (
    id integer primary key autoincrement,
    kind text not null,
    filing_id bigint not null references filings (id),
    user_id bigint references users (id),
    period text not null,
    message text not null,
    created_at bigint not null
);
create unique index alerts_once on alerts (kind, filing_id, user_id, period);
create index alerts_filing on alerts (filing_id);
