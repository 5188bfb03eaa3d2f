-- Alerts may be about an award that has no filing yet (未按期备案), so an
-- alert names its award always and its filing when there is one. The
-- monthly attendance rule now runs in the engine: its alerts are keyed by
-- subject ("<user id>@<month>") like every other rule's, so the old
-- once-per-period index goes. Orders, too, name their award always and
-- their filing when there is one (an order may ask for the missing filing).
-- Orders and their steps may be issued by the system (a rule set to
-- 自动督办): issued_by and the step's user are then empty. rule_settings
-- gains that switch.
--
-- SQLite cannot drop a NOT NULL, so alerts, supervision_orders and their
-- children are rebuilt beside the old tables (see 0002 for why).
create table alerts_new (
    id integer primary key autoincrement,
    kind text not null,
    award_id bigint not null references awards (id),
    filing_id bigint references filings (id),
    user_id bigint references users (id),
    period text not null,
    message text not null,
    created_at bigint not null,
    subject text not null default '',
    severity text not null default 'warning',
    figures text,
    started_on text,
    cleared_on text
);
insert into alerts_new (id, kind, award_id, filing_id, user_id, period, message, created_at,
    subject, severity, figures, started_on, cleared_on)
select x.id, x.kind, f.award_id, x.filing_id, x.user_id, x.period, x.message, x.created_at,
    case when x.kind = 'attendance_pm' and x.user_id is not null then x.user_id || '@' || x.period else x.subject end,
    x.severity, x.figures, x.started_on, x.cleared_on
from alerts x join filings f on f.id = x.filing_id;

create table supervision_orders_new (
    id integer primary key autoincrement,
    order_no text not null unique,
    year bigint not null,
    seq bigint not null,
    award_id bigint not null references awards (id),
    filing_id bigint references filings (id),
    owner_unit_id bigint not null references units (id),
    sector text not null,
    issuer_unit_id bigint not null references units (id),
    issued_by bigint references users (id),
    severity text not null check (severity in ('notice', 'warning', 'serious')),
    facts text not null,
    action text not null,
    deadline text not null,
    status text not null check (status in ('issued', 'answered', 'returned', 'closed')),
    extension_until text,
    extension_reason text,
    closed_on text,
    version bigint not null default 1,
    created_at bigint not null,
    updated_at bigint not null,
    unique (year, seq)
);
insert into supervision_orders_new (id, order_no, year, seq, award_id, filing_id, owner_unit_id, sector,
    issuer_unit_id, issued_by, severity, facts, action, deadline, status, extension_until, extension_reason,
    closed_on, version, created_at, updated_at)
select o.id, o.order_no, o.year, o.seq, f.award_id, o.filing_id, o.owner_unit_id, o.sector,
    o.issuer_unit_id, o.issued_by, o.severity, o.facts, o.action, o.deadline, o.status, o.extension_until,
    o.extension_reason, o.closed_on, o.version, o.created_at, o.updated_at
from supervision_orders o join filings f on f.id = o.filing_id;

create table order_alerts_new (
    order_id bigint not null references supervision_orders_new (id),
    alert_id bigint not null references alerts_new (id),
    primary key (order_id, alert_id)
);
insert into order_alerts_new select order_id, alert_id from order_alerts;

create table order_events_new (
    id integer primary key autoincrement,
    order_id bigint not null references supervision_orders_new (id),
    at bigint not null,
    kind text not null check (kind in ('issue', 'answer', 'extension_ask', 'extension_grant',
        'extension_refuse', 'return', 'close', 'remind')),
    user_id bigint references users (id),
    actor text not null,
    unit_name text not null,
    body text not null,
    deadline text
);
insert into order_events_new select * from order_events;

drop table order_events;
drop table order_alerts;
drop table supervision_orders;
drop table alerts;
alter table alerts_new rename to alerts;
alter table supervision_orders_new rename to supervision_orders;
alter table order_alerts_new rename to order_alerts;
alter table order_events_new rename to order_events;

create index alerts_filing on alerts (filing_id);
create index alerts_award on alerts (award_id);
create unique index alerts_open_once on alerts (kind, award_id, subject) where cleared_on is null;
create index supervision_orders_filing on supervision_orders (filing_id);
create index supervision_orders_award on supervision_orders (award_id);
create index supervision_orders_owner on supervision_orders (owner_unit_id, status);
create index order_alerts_alert on order_alerts (alert_id);
create index order_events_order on order_events (order_id, id);

alter table rule_settings add column auto_order integer;
