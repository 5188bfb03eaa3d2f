//! 合同履约考评 (performance evaluation): the owner unit scores its
//! contractor per quarter and at completion on the form in force, with what
//! the system knows of the period beside every item and a proposed score
//! where the evidence supports one; a different score needs a reason. The
//! contractor may object within the objection period; the owner answers and
//! a supervisor decides (upheld: the owner scores again).
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod files;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{EvaluationFormPage, EvaluationPage, EvaluationsPage};

use crate::{
    domain::{
        RecordStatus,
        evaluation::{Evidence, Facts, FormItem, Grade, ObjectionState},
    },
    error::AppError,
    features::attendance::MemberRate,
    kit::{records::RecordFile, table::Page},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role::*;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        43,
        "/evaluations",
        "履约考评",
        &[Admin, Supervisor, Owner, Contractor],
    )]
};

#[cfg(feature = "ssr")]
pub const RECORD: crate::platform::records::RecordKind = crate::platform::records::RecordKind {
    entity: "evaluation",
    table: "evaluations",
    page: "/evaluations",
    file_kinds: &crate::domain::records::EVALUATION_FILE_KINDS,
    on_submit: Some(service::finish),
    // A submitted evaluation is corrected (with a reason), never voided.
    void_submitted: false,
    requires_file: false,
    ..crate::platform::records::RecordKind::PLAIN
};

#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[
            Entity::new(
                "evaluation",
                "履约考评",
                ReadRule::ProjectRecord {
                    table: "evaluations",
                },
            ),
            Entity::new("evaluation_form", "考评表", ReadRule::Admin),
        ],
        actions: &[
            // Own codes: the trail's action labels are shared by every
            // feature (督办 has its own `answer`).
            ("objection_file", "提出异议"),
            ("objection_answer", "答复异议"),
            ("objection_uphold", "异议成立"),
            ("objection_dismiss", "驳回异议"),
        ],
        fields: &[
            ("eval_period", "考评期间"),
            ("scores", "评分"),
            ("total", "总分"),
            ("grade", "等级"),
            ("overall", "总体评价"),
            ("objection", "异议"),
            ("items", "考评项目"),
            ("cut_offs", "等级分数线"),
            ("objection_days", "异议期"),
        ],
    }
};

/// The choices of the list's state filter.
pub const STATES: [(&str, &str); 8] = [
    ("draft", "草稿"),
    ("submitted", "已登记"),
    ("voided", "已作废"),
    ("flagged", "有预警"),
    ("fail", "不合格"),
    ("good", "良好"),
    ("objecting", "异议处理中"),
    ("rescore", "须重新评分"),
];

/// An evaluation as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EvalRow {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub contractor_unit_id: i64,
    pub contractor_name: String,
    /// `2026Q3` or `completion`.
    pub period: String,
    pub total: Option<i64>,
    pub grade: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RecordStatus,
    /// The latest objection's state, if any.
    pub objection: Option<String>,
    pub rescore_due: i64,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub flags: Vec<String>,
    /// The viewer may open the contractor's record (supervisors, itself).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub contractor_link: bool,
}

impl EvalRow {
    pub fn grade(&self) -> Option<Grade> {
        self.grade.as_deref().and_then(Grade::parse)
    }
    pub fn objection(&self) -> Option<ObjectionState> {
        self.objection.as_deref().and_then(ObjectionState::parse)
    }
    pub fn period_label(&self) -> String {
        period_label(&self.period)
    }
}

/// `2026 年第 3 季度`, `竣工考评`.
pub fn period_label(code: &str) -> String {
    crate::domain::evaluation::Period::parse(code)
        .map(|p| p.label())
        .unwrap_or_else(|| code.to_string())
}

/// A period a project owes an evaluation for (the owner's 待考评).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuePeriod {
    pub filing_id: i64,
    pub project: String,
    pub contractor_name: String,
    pub period: String,
    /// The day it is due by (the period's end plus the days allowed).
    pub due_on: String,
    pub overdue: bool,
    /// The draft begun for it, if any.
    pub draft_id: Option<i64>,
}

/// One item as the evaluation page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub code: String,
    pub name: String,
    pub weight: i64,
    pub guidance: String,
    pub evidence: Option<Evidence>,
    /// What the evidence supports, and in words why.
    pub proposed: Option<i64>,
    pub basis: String,
    pub score: Option<i64>,
    pub reason: Option<String>,
}

/// What the system knew of the project for the period (frozen when the
/// evaluation is submitted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub from: String,
    pub to: String,
    pub facts: Facts,
    /// Attendance of each roster member over the period.
    pub people: Vec<MemberRate>,
    /// One line per replacement in the period.
    pub replacements: Vec<String>,
    /// The reported progress against the plan, in lines.
    pub progress: Vec<String>,
    /// One line per supervision order of the period.
    pub orders: Vec<String>,
    /// Alerts raised on the project in the period: (rule name, count).
    pub alerts: Vec<(String, i64)>,
}

/// An objection as the evaluation page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionView {
    pub id: i64,
    pub state: ObjectionState,
    pub reason: String,
    pub filed_by: String,
    pub filed_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub files: Vec<RecordFile>,
    pub version: i64,
}

/// One evaluation with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationView {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub contractor_unit_id: i64,
    pub contractor_name: String,
    pub contractor_link: bool,
    pub period: String,
    pub status: RecordStatus,
    /// The form it is scored on (its version) and the cut-offs of that form.
    pub form_id: i64,
    pub good_min: i64,
    pub pass_min: i64,
    pub items: Vec<ItemView>,
    pub total: Option<i64>,
    pub grade: Option<Grade>,
    pub remarks: String,
    pub evidence: EvidenceView,
    /// The evidence is frozen (submitted) rather than read now (draft).
    pub frozen: bool,
    pub scored_at: Option<i64>,
    pub rescore_due: bool,
    pub void_reason: Option<String>,
    pub version: i64,
    pub files: Vec<RecordFile>,
    pub flags: Vec<String>,
    pub objections: Vec<ObjectionView>,
    /// The viewer's side: the owner edits; the contractor may object until
    /// `object_until`; the owner answers, a supervisor decides.
    pub editable: bool,
    pub can_object: bool,
    pub object_until: Option<String>,
    pub can_answer: bool,
    pub can_decide: bool,
}

/// The evaluation form in force (or any version), for the settings page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalForm {
    pub id: i64,
    pub items: Vec<FormItem>,
    pub good_min: i64,
    pub pass_min: i64,
    pub objection_days: i64,
    pub created_at: i64,
    /// Evaluations scored on this version.
    pub used: i64,
}

#[server(endpoint = "evaluations/list")]
pub async fn list_evaluations(
    q: String,
    status: String,
    filing_id: i64,
    page: i64,
) -> Result<Page<EvalRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner, Contractor], |actor, st| {
        let filter = service::EvalFilter::parse(&q, &status, filing_id);
        service::list(&st.db, &actor, &filter, page).await
    })
}

/// The periods the owner's projects owe an evaluation for.
#[server(endpoint = "evaluations/due")]
pub async fn due_evaluations() -> Result<Vec<DuePeriod>, AppError> {
    crate::with_actor!([Owner], |actor, st| service::due(
        &st.db,
        &st.settings,
        &actor,
        crate::platform::time::today()
    )
    .await)
}

#[server(endpoint = "evaluations/get")]
pub async fn get_evaluation(id: i64) -> Result<EvaluationView, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner, Contractor], |actor, st| {
        service::get(&st.db, &st.settings, &actor, id).await
    })
}

/// Starts the evaluation of a period: a draft with the form in force and
/// the proposed scores.
#[server(endpoint = "evaluations/start")]
pub async fn start_evaluation(filing_id: i64, period: String) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let id = service::start(&st.db, &st.settings, &actor, filing_id, &period).await?;
        leptos_axum::redirect(&format!("/evaluations/{id}"));
        Ok(())
    })
}

/// Saves the scores (a draft, or a correction of a submitted evaluation
/// with its reason). `items`, `scores` and `reasons` run in the form's order.
#[server(endpoint = "evaluations/save")]
pub async fn save_evaluation(
    id: i64,
    #[server(default)] items: Vec<String>,
    #[server(default)] scores: Vec<String>,
    #[server(default)] reasons: Vec<String>,
    #[server(default)] remarks: String,
    #[server(default)] correction: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::ScoreForm {
            items,
            scores,
            reasons,
            remarks,
        };
        service::save(
            &st.db,
            &st.settings,
            &actor,
            id,
            &form,
            &correction,
            &version,
        )
        .await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/evaluations/{id}?done=saved"));
        Ok(())
    })
}

/// The owner answers an objection; a supervisor upholds or dismisses it.
#[server(endpoint = "evaluations/objection")]
pub async fn objection_step(
    id: i64,
    step: String,
    #[server(default)] body: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner, Supervisor], |actor, st| {
        let evaluation =
            service::objection_step(&st.db, &actor, id, &step, &body, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/evaluations/{evaluation}?done=saved#objection"));
        Ok(())
    })
}

/// The form in force: everyone concerned may read how scores are given.
#[server(endpoint = "evaluations/form")]
pub async fn current_form() -> Result<EvalForm, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner, Contractor], |actor, st| {
        let _ = actor;
        service::form::current(&st.db).await
    })
}

/// An administrator saves a new version of the form (future evaluations).
#[server(endpoint = "evaluations/form/save")]
pub async fn save_form(
    #[server(default)] names: Vec<String>,
    #[server(default)] weights: Vec<String>,
    #[server(default)] guidance: Vec<String>,
    #[server(default)] evidence: Vec<String>,
    good_min: String,
    pass_min: String,
    objection_days: String,
    #[server(default)] seen: i64,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let form = service::form::FormInput {
            names,
            weights,
            guidance,
            evidence,
            good_min,
            pass_min,
            objection_days,
        };
        service::form::save(&st.db, &actor, &form, seen).await?;
        leptos_axum::redirect("/evaluations/form?done=saved");
        Ok(())
    })
}
