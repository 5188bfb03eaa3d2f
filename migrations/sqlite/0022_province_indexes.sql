-- Province scale (issue 17).
-- Views kept in memory follow the trail (platform::audit::follow): the last
-- entry about a kind of record, and the entries after it, by index.
create index audit_log_entity_seq on audit_log (entity, seq);
-- A list's flags: the open alerts about its records (records::open_flags).
create index alerts_open_subject on alerts (subject) where cleared_on is null;
