-- Check-in throughput (issue 17): an index led by a person, project or device
-- puts each new check-in on a random page, and every such page is written to
-- the log again at each commit; measured on SQLite with 1M rows, these three
-- cost more than half of what an insert costs. Led by the day, a morning's
-- check-ins share a few pages. Readers name the days they want (IN lists).
drop index checkins_filing_day;
create index checkins_day_filing on checkins (day, filing_id);
drop index checkins_device_recent;
create index checkins_day_device on checkins (day, device_key, at, user_id);
drop index checkins_counted;
create unique index checkins_counted on checkins (day, user_id, filing_id) where counted = 1;
