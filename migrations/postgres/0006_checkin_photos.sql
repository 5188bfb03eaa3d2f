-- On-site photos: a project may require one with every check-in; the photo's
-- bytes live in the file store under their SHA-256.
alter table attendance_rules add column photo_required integer not null default 0;
alter table checkins add column photo_sha256 text;
