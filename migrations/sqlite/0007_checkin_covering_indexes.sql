-- Covering indexes for the check-in decision: a person's recent check-ins and
-- a device's recent users are read from the index alone. (With SQLite in WAL
-- mode every commit empties the readers' page caches, so each table row read
-- per check-in is a page fetched again.)
drop index checkins_user_at;
create index checkins_user_recent on checkins (user_id, at, accepted, lat, lng, accuracy_m, day);
drop index checkins_device_at;
create index checkins_device_recent on checkins (device_key, at, user_id);
