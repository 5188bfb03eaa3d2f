-- Foundation: units, users, sessions, audit trail.
-- Instants are UTC milliseconds (bigint); flags are integers 0/1.

create table units (
    id integer primary key autoincrement,
    kind text not null check (kind in ('resource_office', 'sector_authority', 'owner', 'contractor')),
    name text not null,
    credit_code text not null unique,
    sector text,
    created_at bigint not null,
    updated_at bigint not null
);

create table users (
    id integer primary key autoincrement,
    username text not null unique,
    display_name text not null,
    mobile text unique,
    role text not null check (role in ('admin', 'supervisor', 'owner', 'key_personnel')),
    unit_id bigint not null references units (id),
    password_hash text not null,
    must_change_password integer not null default 0,
    disabled integer not null default 0,
    failed_logins integer not null default 0,
    locked_until bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index users_unit on users (unit_id);

-- Server-side sessions (tower-sessions records); user_id lets us end every
-- session of a user when they are disabled or their password is reset.
create table sessions (
    id text primary key,
    user_id bigint,
    data text not null,
    expires_at bigint not null
);
create index sessions_user on sessions (user_id);

-- The audit trail: append-only, each entry holding the hash of the previous.
create table audit_log (
    seq bigint primary key,
    at bigint not null,
    actor_user_id bigint,
    actor_unit_id bigint,
    actor_name text not null,
    entity text not null,
    entity_id text not null,
    action text not null,
    before_json text,
    after_json text,
    ip text,
    user_agent text,
    prev_hash text not null,
    hash text not null
);
create index audit_log_entity on audit_log (entity, entity_id);

-- The chain head: one row, updated in the writer's transaction, which
-- serialises appends and lets verification notice entries cut off the end.
create table audit_head (
    id integer primary key check (id = 1),
    seq bigint not null,
    last_hash text not null
);
insert into audit_head (id, seq, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create trigger audit_log_no_update before update on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
create trigger audit_log_no_delete before delete on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
