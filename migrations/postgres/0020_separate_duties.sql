-- 三权分立 (等保 level 3, issue 16): security administration (users and
-- roles) and audit administration (the trail) become roles of their own,
-- apart from system administration.
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check
    check (role in ('admin', 'supervisor', 'owner', 'key_personnel', 'contractor', 'security_admin', 'audit_admin'));
