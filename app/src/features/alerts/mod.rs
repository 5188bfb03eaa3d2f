//! 预警规则 (alert rules as settings): every rule the engine runs, with the
//! rule it rests on, its severity and its thresholds; administrators switch
//! rules on and off and change thresholds (each change in the trail, applied
//! at the next evaluation, which a save starts at once); supervisors read.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::RulesPage;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        65,
        "/admin/rules",
        "预警规则",
        &[Role::Admin, Role::Supervisor],
    )]
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
        service::list(&st.db, &st.settings, &actor).await
    })
}

#[server(endpoint = "rules/save")]
pub async fn save_rule(
    code: String,
    // A checkbox: present when ticked.
    #[server(default)] enabled: Option<String>,
    #[server(default)] p1: String,
    #[server(default)] p2: String,
    #[server(default)] p3: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let form = service::RuleForm {
            enabled: enabled.is_some(),
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
