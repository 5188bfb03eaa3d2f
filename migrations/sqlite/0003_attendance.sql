-- Attendance areas and check-ins.
-- Attendance areas (考勤区域): GeoJSON in WGS-84, one or more per filing.
create table attendance_areas (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    name text not null,
    geojson text not null,
    created_by bigint references users (id),
    created_at bigint not null,
    removed_at bigint
);
create index attendance_areas_filing on attendance_areas (filing_id);

-- Check-ins: every attempt, accepted or not, with its evidence. Append-only.
-- At most one counted check-in per person, project and Beijing calendar day.
create table checkins (
    id integer primary key autoincrement,
    user_id bigint not null references users (id),
    filing_id bigint not null references filings (id),
    at bigint not null,
    day text not null,
    lat double precision not null,
    lng double precision not null,
    accuracy_m double precision not null,
    accepted integer not null,
    counted integer not null,
    basis text not null,
    distance_m double precision,
    flags text not null,
    device_key text not null,
    user_agent text,
    ip text
);
create index checkins_user_at on checkins (user_id, at);
create index checkins_filing_day on checkins (filing_id, day);
create index checkins_device_at on checkins (device_key, at);
create unique index checkins_counted on checkins (user_id, filing_id, day) where counted = 1;
create trigger checkins_no_update before update on checkins
begin select raise(abort, 'checkins are append-only'); end;
create trigger checkins_no_delete before delete on checkins
begin select raise(abort, 'checkins are append-only'); end;
