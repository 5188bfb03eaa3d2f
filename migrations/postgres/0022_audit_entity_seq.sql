-- Views kept in memory follow the trail (platform::audit::follow): the last
-- entry about a kind of record, and the entries after it, by index.
create index audit_log_entity_seq on audit_log (entity, seq);
