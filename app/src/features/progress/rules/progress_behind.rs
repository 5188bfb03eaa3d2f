//! 进度滞后 (亮黄灯) and 进度严重滞后 (亮红灯): the latest month's percent is
//! behind the planned line (序时进度: straight from the planned start to the
//! revised completion, at the month's end) by more than 10, or more than 30,
//! percentage points. One light at a time: yellow clears when red is raised.
use super::works;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct Behind {
    info: &'static RuleInfo,
    red: bool,
}

pub static BEHIND: Behind = Behind {
    info: &YELLOW,
    red: false,
};
pub static FAR_BEHIND: Behind = Behind {
    info: &RED,
    red: true,
};

const BASIS: &str = "县重点项目“亮灯”管理惯例：落后序时进度 10–30 个百分点亮黄灯，30 个百分点以上亮红灯（如银川 2025 年项目亮灯规则）";

static YELLOW: RuleInfo = RuleInfo {
    code: "progress_behind",
    name: "进度滞后（黄灯）",
    basis: BASIS,
    severity: Severity::Warning,
    params: &[Param {
        key: "points",
        label: "落后序时进度",
        unit: "个百分点",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.progress.behind_yellow_pts,
        set: |s, v| s.progress.behind_yellow_pts = v,
    }],
    auto_order: false,
};

static RED: RuleInfo = RuleInfo {
    code: "progress_far_behind",
    name: "进度严重滞后（红灯）",
    basis: BASIS,
    severity: Severity::Serious,
    params: &[Param {
        key: "points",
        label: "落后序时进度",
        unit: "个百分点",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.progress.behind_red_pts,
        set: |s, v| s.progress.behind_red_pts = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for Behind {
    fn info(&self) -> &'static RuleInfo {
        self.info
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let (yellow, red) = (s.progress.behind_yellow_pts, s.progress.behind_red_pts);
        let mut out = Vec::new();
        for w in works(db, as_of).await? {
            if w.completed() {
                continue;
            }
            let Some(last) = w.latest() else { continue };
            let Some(planned) = w.planned_on(last.month.last()) else {
                continue;
            };
            let gap = planned - last.percent as f64;
            let lit = if self.red {
                gap > red
            } else {
                gap > yellow && gap <= red
            };
            if lit {
                out.push(Finding {
                    on: On::Filing(w.filing_id),
                    subject: String::new(),
                    since: last.month.last().succ_opt().unwrap_or(as_of).min(as_of),
                    message: format!(
                        "{} 累计完成 {}%，序时进度 {planned:.0}%，落后 {gap:.0} 个百分点",
                        last.month, last.percent
                    ),
                    figures: serde_json::json!({
                        "month": last.month.to_string(), "percent": last.percent,
                        "planned_pct": (planned * 10.0).round() / 10.0, "gap_pts": (gap * 10.0).round() / 10.0,
                    }),
                });
            }
        }
        Ok(out)
    }
}
