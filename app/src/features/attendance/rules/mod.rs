//! The attendance rules. `flagged_checkins` runs in the engine; the monthly
//! attendance-rate rule still raises its own alerts, once per person and
//! month (`service::evaluate_attendance_alerts`), and is described here so
//! that its threshold and switch are set with the others.
pub mod flagged_checkins;

use crate::platform::rules::{Param, RuleInfo, Severity};

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[&flagged_checkins::FlaggedCheckins];

/// 关键人员考勤率不足 (alerts of kind `attendance_pm`).
pub static ATTENDANCE_RATE: RuleInfo = RuleInfo {
    code: "attendance_pm",
    name: "关键人员考勤率不足",
    basis: "平住建发〔2022〕4号按月统计项目经理、总监考勤率；到岗率参照建质〔2011〕111号（项目负责人每月在岗时间不少于规定比例）",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "月考勤率下限",
        unit: "%",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.alert_attendance_pct,
        set: |s, v| s.alert_attendance_pct = v,
    }],
};
