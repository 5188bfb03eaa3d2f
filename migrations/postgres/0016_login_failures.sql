-- Failed logins are counted per account and client address: the lock holds
-- against the address that failed, so nobody can lock an account from
-- outside for the people who use it (等保 2.0: 登录失败处理). Each attempt is
-- counted before its password is checked, in one statement.
create table login_failures (
    user_id bigint not null references users (id),
    address text not null,
    failures bigint not null,
    locked_until bigint,
    updated_at bigint not null,
    primary key (user_id, address)
);
alter table users drop column failed_logins;
alter table users drop column locked_until;
