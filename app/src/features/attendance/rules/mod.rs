//! The attendance rules, one file each.
pub mod attendance_rate;
pub mod flagged_checkins;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[
    &attendance_rate::AttendanceRate,
    &flagged_checkins::FlaggedCheckins,
];
