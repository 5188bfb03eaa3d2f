-- The trail's hashes become HMAC-SHA-256 under a key kept outside the
-- database (TRAIL_KEY_FILE, issue 16): someone who can write the database
-- but not read that file can no longer recompute a rewritten chain.
-- Entries before this migration keep their plain SHA-256 (keyed_from says
-- where the keyed part starts); key_id is a fingerprint of the key the
-- chain is kept with, set at the first start, so a server started with
-- another key refuses to start instead of writing entries no one can check.
alter table audit_head add column keyed_from bigint not null default 1;
alter table audit_head add column key_id text;
update audit_head set keyed_from = seq + 1;
