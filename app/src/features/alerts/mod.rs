//! 预警 (alerts): the list of what the rules raised, in the viewer's scope,
//! with filters, paging and export; and 预警规则 (the rules as settings):
//! every rule the engine runs, with the rule it rests on, its severity and
//! its thresholds; administrators switch rules on and off and change
//! thresholds (each change in the trail, applied at the next evaluation,
//! which a save starts at once); supervisors read.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod settings;

pub use pages::{AlertsPage, RulesPage};

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    use crate::kit::layout::READERS;
    &[
        NavItem::new(60, "/alerts", "预警", READERS),
        NavItem::new(
            65,
            "/admin/rules",
            "预警规则",
            &[Role::Admin, Role::Supervisor],
        ),
    ]
};

/// The trail's vocabulary for rule settings (snapshots use Chinese keys).
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new("rule_setting", "预警规则", ReadRule::Admin)],
        actions: &[],
        fields: &[],
    }
};

/// One alert in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: i64,
    /// The rule's code.
    pub kind: String,
    /// The rule's name.
    pub rule: String,
    /// 提示 / 一般 / 严重.
    pub severity: String,
    /// None while the award has no filing (未按期备案).
    pub filing_id: Option<i64>,
    /// The project's file (一项目一档), once the award's filing is submitted.
    pub dossier: Option<i64>,
    pub award_id: i64,
    /// Where the project is shown: its filing, else its award.
    pub link: String,
    /// 项目 · 标段.
    pub project: String,
    pub owner: String,
    pub sector: String,
    /// The day the condition started (the month for attendance alerts).
    pub started_on: String,
    pub message: String,
    pub created_at: i64,
    pub cleared_on: Option<String>,
    /// The supervision order it is in, if any: (id, number).
    pub order: Option<(i64, String)>,
}

/// A page of alerts, and the rules to filter by: (code, name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertList {
    pub page: Page<AlertRow>,
    pub rules: Vec<(String, String)>,
    /// The owner units to filter by, (id, name); empty for an owner.
    pub units: Vec<(String, String)>,
    /// The viewer issues supervision orders (a supervisor).
    pub may_order: bool,
}

/// The state filter's choices: (value, label).
pub const STATES: [(&str, &str); 2] = [("open", "未消除"), ("cleared", "已消除")];
/// The severity filter's choices: (value, label).
pub const SEVERITIES: [(&str, &str); 3] =
    [("serious", "严重"), ("warning", "一般"), ("notice", "提示")];

#[server(endpoint = "alerts/list")]
pub async fn list_alerts(
    #[server(default)] q: String,
    #[server(default)] state: String,
    #[server(default)] severity: String,
    #[server(default)] rule: String,
    #[server(default)] sector: String,
    #[server(default)] unit: String,
    #[server(default)] page: i64,
) -> Result<AlertList, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let filter = service::AlertFilter::parse(&q, &state, &severity, &rule, &sector, &unit);
        Ok(AlertList {
            units: crate::platform::project::unit_choices(&st.db, &actor).await?,
            may_order: actor.role == crate::domain::Role::Supervisor,
            page: service::list(&st.db, &actor, &filter, page).await?,
            rules: crate::features::rule_infos()
                .into_iter()
                .map(|i| (i.code.to_string(), i.name.to_string()))
                .collect(),
        })
    })
}

/// A threshold as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamView {
    pub label: String,
    pub unit: String,
    /// The value in force (the administrator's, else the default).
    pub value: String,
    /// The environment's default.
    pub default: String,
    pub min: String,
    pub max: String,
    pub integer: bool,
}

/// A rule as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub code: String,
    pub name: String,
    pub basis: String,
    pub severity: String,
    pub enabled: bool,
    /// Issues orders by itself (自动督办).
    pub auto_order: bool,
    pub params: Vec<ParamView>,
    /// 0 while the rule runs with the defaults (no stored row).
    pub version: i64,
    /// Alerts of this rule open now.
    pub open_alerts: i64,
}

/// The form's names of a rule's thresholds, in order (a rule has at most
/// three).
pub const PARAM_FIELDS: [&str; 3] = ["p1", "p2", "p3"];

#[server(endpoint = "rules/list")]
pub async fn list_rules() -> Result<Vec<RuleView>, AppError> {
    crate::with_actor!([Admin, Supervisor], |actor, st| {
        service::list_rules(&st.db, &st.settings, &actor).await
    })
}

#[server(endpoint = "rules/save")]
pub async fn save_rule(
    code: String,
    // A checkbox: present when ticked.
    #[server(default)] enabled: Option<String>,
    #[server(default)] auto_order: Option<String>,
    #[server(default)] p1: String,
    #[server(default)] p2: String,
    #[server(default)] p3: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let form = service::RuleForm {
            enabled: enabled.is_some(),
            auto_order: auto_order.is_some(),
            values: vec![p1, p2, p3],
            version,
        };
        service::save(&st.db, &st.settings, &actor, &code, &form).await?;
        // Applied at once: raise or clear what the new setting decides.
        crate::features::evaluate_rules(&st).await;
        leptos_axum::redirect(&format!("/admin/rules?saved={code}#rule-{code}"));
        Ok(())
    })
}
