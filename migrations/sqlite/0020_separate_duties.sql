-- 三权分立 (等保 level 3, issue 16): security administration (users and
-- roles) and audit administration (the trail) become roles of their own,
-- apart from system administration. Widening the role list the same way as
-- 0015 did (see there why the stored schema is edited).
PRAGMA writable_schema = ON;
update sqlite_schema
   set sql = replace(sql, '''key_personnel'', ''contractor'')', '''key_personnel'', ''contractor'', ''security_admin'', ''audit_admin'')')
 where type = 'table' and name = 'users';
PRAGMA writable_schema = RESET;
