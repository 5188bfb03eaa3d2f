-- Attendance calendars.
-- Per-project attendance calendar: which weekdays require a check-in
-- (ISO numbers, 1 = Monday), public holidays, and make-up workdays (调休).
-- A project without a row uses Monday to Saturday.
create table attendance_rules (
    filing_id bigint primary key references filings (id),
    workdays text not null,
    holidays text not null,
    makeup_days text not null,
    updated_at bigint not null
);
