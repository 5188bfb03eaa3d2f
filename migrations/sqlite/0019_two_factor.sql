-- 两步验证 (issue 16): a TOTP secret per user once enrolled, the last
-- time step accepted (a code is used once), and one-time recovery codes
-- kept as SHA-256 (they are random, not chosen by people).
alter table users add column totp_secret text;
alter table users add column totp_enabled_at bigint;
alter table users add column totp_last_step bigint not null default 0;
create table recovery_codes (
    user_id bigint not null references users (id),
    code_hash text not null,
    used_at bigint,
    primary key (user_id, code_hash)
);
