//! The attendance rules evaluated by the engine (one file each). The
//! monthly attendance-rate rule still raises its own alerts
//! (`service::evaluate_attendance_alerts`).
pub mod flagged_checkins;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[&flagged_checkins::FlaggedCheckins];
