-- A safer hand-over of a new key person's login (issue 16): instead of a
-- first password the owner would read and pass on, a one-time activation
-- code (kept as SHA-256, valid for a few days, used once) with which the
-- person sets a password of their own at /activate.
create table activations (
    user_id bigint primary key references users (id),
    code_hash text not null,
    expires_at bigint not null,
    used_at bigint
);
