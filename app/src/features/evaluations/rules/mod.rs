//! The evaluation rules (one file each) and what they read: the submitted
//! evaluations with their scores and the weights of the form each was
//! scored on, in three statements.
pub mod failing;
pub mod missing;
pub mod overscored;

use crate::{
    domain::evaluation::{FormItem, Grade},
    error::AppError,
    platform::{db::Db, time::end_of_day_ms},
};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[
    &missing::Missing,
    &failing::Failing,
    &overscored::Overscored,
];

/// An item's score and the evidence's proposal.
type ScoreAndProposal = (Option<i64>, Option<i64>);

/// A submitted evaluation as the rules see it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub id: i64,
    pub filing_id: i64,
    pub period: String,
    pub total: i64,
    pub grade: Option<Grade>,
    pub scored_on: NaiveDate,
    /// (item, score, proposal) in the form's order.
    pub items: Vec<(FormItem, Option<i64>, Option<i64>)>,
}

impl Scored {
    pub fn subject(&self) -> String {
        format!("evaluation:{}", self.id)
    }
    pub fn label(&self) -> String {
        super::period_label(&self.period)
    }
}

/// Every evaluation submitted by `as_of` and not voided.
pub async fn scored(db: &Db, as_of: NaiveDate) -> Result<Vec<Scored>, AppError> {
    let end = end_of_day_ms(as_of);
    let mut forms: HashMap<i64, Vec<FormItem>> = HashMap::new();
    for r in sqlx::query("SELECT id, items FROM evaluation_forms")
        .fetch_all(&db.pool)
        .await?
    {
        let items = serde_json::from_str(&r.try_get::<String, _>("items")?).unwrap_or_default();
        forms.insert(r.try_get("id")?, items);
    }
    let mut scores: HashMap<i64, HashMap<String, ScoreAndProposal>> = HashMap::new();
    for r in sqlx::query(
        "SELECT s.evaluation_id, s.item, s.score, s.proposed FROM evaluation_scores s
         JOIN evaluations e ON e.id = s.evaluation_id WHERE e.status = 'submitted' AND e.submitted_at < $1",
    )
    .bind(end)
    .fetch_all(&db.pool)
    .await?
    {
        scores
            .entry(r.try_get("evaluation_id")?)
            .or_default()
            .insert(r.try_get("item")?, (r.try_get("score")?, r.try_get("proposed")?));
    }
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT id, filing_id, period, total, grade, form_id, COALESCE(scored_at, submitted_at) AS scored_at
         FROM evaluations WHERE status = 'submitted' AND submitted_at < $1 ORDER BY id",
    )
    .bind(end)
    .fetch_all(&db.pool)
    .await?
    {
        let id: i64 = r.try_get("id")?;
        let mine = scores.remove(&id).unwrap_or_default();
        let items = forms
            .get(&r.try_get::<i64, _>("form_id")?)
            .map(|f| {
                f.iter()
                    .map(|i| {
                        let (s, p) = mine.get(&i.code).copied().unwrap_or((None, None));
                        (i.clone(), s, p)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Scored {
            id,
            filing_id: r.try_get("filing_id")?,
            period: r.try_get("period")?,
            total: r.try_get::<Option<i64>, _>("total")?.unwrap_or(0),
            grade: r
                .try_get::<Option<String>, _>("grade")?
                .as_deref()
                .and_then(Grade::parse),
            scored_on: crate::features::attendance::service::day_of(r.try_get("scored_at")?),
            items,
        });
    }
    Ok(out)
}
