-- TRUNCATE skips row triggers: refuse it on the trail and its head too
-- (issue 16). SQLite has no TRUNCATE; its DELETE trigger covers it.
create trigger audit_log_no_truncate before truncate on audit_log
for each statement execute function audit_log_append_only();
create trigger audit_head_no_truncate before truncate on audit_head
for each statement execute function audit_log_append_only();
