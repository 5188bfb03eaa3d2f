-- 督办 (supervision orders): a supervisor turns alerts of one project into
-- an order to the owner unit, with a number, the facts, the action required
-- and a deadline; the owner answers (反馈) or asks for more time; the
-- supervisor closes it (办结) or sends it back (退回). Nothing is deleted:
-- every step is a row of order_events (the order's timeline) and a trail
-- entry.
create table order_counters (
    year bigint primary key,
    last bigint not null
);

create table supervision_orders (
    id integer primary key autoincrement,
    order_no text not null unique,
    year bigint not null,
    seq bigint not null,
    filing_id bigint not null references filings (id),
    owner_unit_id bigint not null references units (id),
    sector text not null,
    issuer_unit_id bigint not null references units (id),
    issued_by bigint not null references users (id),
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
create index supervision_orders_filing on supervision_orders (filing_id);
create index supervision_orders_owner on supervision_orders (owner_unit_id, status);

create table order_alerts (
    order_id bigint not null references supervision_orders (id),
    alert_id bigint not null references alerts (id),
    primary key (order_id, alert_id)
);
create index order_alerts_alert on order_alerts (alert_id);

create table order_events (
    id integer primary key autoincrement,
    order_id bigint not null references supervision_orders (id),
    at bigint not null,
    kind text not null check (kind in ('issue', 'answer', 'extension_ask', 'extension_grant',
        'extension_refuse', 'return', 'close', 'remind')),
    user_id bigint not null references users (id),
    actor text not null,
    unit_name text not null,
    body text not null,
    deadline text
);
create index order_events_order on order_events (order_id, id);
