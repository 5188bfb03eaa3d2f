//! The evaluation form: items with weights adding up to 100, the grade
//! cut-offs and the objection period. Saving makes a new version; the
//! evaluations scored on an older one keep it.
use super::super::EvalForm;
use crate::{
    domain::{
        Role,
        evaluation::{Evidence, FormItem},
        record_prose, required_text,
    },
    error::{AppError, Check},
    platform::{actor::Actor, audit::AuditedTx, db::Db, time::now_ms},
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// One stored version of the form.
pub async fn version(conn: &mut AnyConnection, id: i64) -> Result<EvalForm, AppError> {
    let r = sqlx::query(
        "SELECT id, items, good_min, pass_min, objection_days, created_at,
                (SELECT COUNT(*) FROM evaluations e WHERE e.form_id = f.id) AS used
         FROM evaluation_forms f WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let items: Vec<FormItem> =
        serde_json::from_str(&r.try_get::<String, _>("items")?).map_err(|e| {
            tracing::error!(error = %e, "evaluation form unreadable");
            AppError::Internal
        })?;
    Ok(EvalForm {
        id: r.try_get("id")?,
        items,
        good_min: r.try_get("good_min")?,
        pass_min: r.try_get("pass_min")?,
        objection_days: r.try_get("objection_days")?,
        created_at: r.try_get("created_at")?,
        used: r.try_get("used")?,
    })
}

async fn current_id(conn: &mut AnyConnection) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT MAX(id) FROM evaluation_forms")
        .fetch_one(conn)
        .await?)
}

/// The form in force: the latest version.
pub async fn current(db: &Db) -> Result<EvalForm, AppError> {
    let mut conn = db.pool.acquire().await?;
    let id = current_id(&mut conn).await?;
    version(&mut conn, id).await
}

/// The form as an administrator submits it: one entry per item, in order
/// (an item with an empty name is left out).
#[derive(Debug, Clone, Default)]
pub struct FormInput {
    pub names: Vec<String>,
    pub weights: Vec<String>,
    pub guidance: Vec<String>,
    pub evidence: Vec<String>,
    pub good_min: String,
    pub pass_min: String,
    pub objection_days: String,
}

/// A checked form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormSpec {
    pub items: Vec<FormItem>,
    pub good_min: i64,
    pub pass_min: i64,
    pub objection_days: i64,
}

fn whole(raw: &str, label: &str, min: i64, max: i64) -> Result<i64, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("请填写{label}"));
    }
    let v: i64 = raw.parse().map_err(|_| format!("{label}须为整数"))?;
    if !(min..=max).contains(&v) {
        return Err(format!("{label}须在 {min}–{max} 之间"));
    }
    Ok(v)
}

impl FormInput {
    /// Every item named, weighted 1–100, the weights adding up to 100, at
    /// most one item per kind of evidence; 0 < 合格线 < 良好线 ≤ 100; an
    /// objection period of 1–30 days.
    pub fn parse(&self) -> Result<FormSpec, AppError> {
        let mut c = Check::new();
        let n = self.names.len();
        if n == 0
            || n > 12
            || [&self.weights, &self.guidance, &self.evidence]
                .iter()
                .any(|v| v.len() != n)
        {
            return Err(AppError::field(
                "items",
                "考评项目须为 1–12 项，请刷新后重试",
            ));
        }
        let mut items = Vec::new();
        let mut seen = Vec::new();
        for i in 0..n {
            if self.names[i].trim().is_empty() && self.weights[i].trim().is_empty() {
                continue;
            }
            let name = c.take(
                &format!("names[{i}]"),
                required_text(&self.names[i], "项目名称", 20),
            );
            let weight = c.take(
                &format!("weights[{i}]"),
                whole(&self.weights[i], "分值", 1, 100),
            );
            let guidance = c.take(
                &format!("guidance[{i}]"),
                record_prose(&self.guidance[i], "评分要点", 200),
            );
            let evidence = match self.evidence[i].trim() {
                "" => Some(None),
                code => match Evidence::parse(code) {
                    Some(e) if seen.contains(&e) => {
                        c.fail(&format!("evidence[{i}]"), "每种依据只能对应一个项目");
                        None
                    }
                    Some(e) => {
                        seen.push(e);
                        Some(Some(e))
                    }
                    None => {
                        c.fail(&format!("evidence[{i}]"), "请选择系统依据");
                        None
                    }
                },
            };
            if let (Some(name), Some(weight), Some(guidance), Some(evidence)) =
                (name, weight, guidance, evidence)
            {
                items.push(FormItem {
                    code: format!("i{}", items.len() + 1),
                    name,
                    weight,
                    guidance: guidance.unwrap_or_default(),
                    evidence,
                });
            }
        }
        let good = c.take("good_min", whole(&self.good_min, "良好分数线", 1, 100));
        let pass = c.take("pass_min", whole(&self.pass_min, "合格分数线", 1, 100));
        let days = c.take(
            "objection_days",
            whole(&self.objection_days, "异议期", 1, 30),
        );
        if let (Some(g), Some(p)) = (good, pass)
            && p >= g
        {
            c.fail("pass_min", "合格分数线须低于良好分数线");
        }
        c.finish()?;
        let sum: i64 = items.iter().map(|i| i.weight).sum();
        if items.is_empty() {
            return Err(AppError::field("items", "请至少填写一个考评项目"));
        }
        if sum != 100 {
            return Err(AppError::field(
                "items",
                format!("各项分值合计须为 100 分，现为 {sum} 分"),
            ));
        }
        Ok(FormSpec {
            items,
            good_min: good.unwrap_or_default(),
            pass_min: pass.unwrap_or_default(),
            objection_days: days.unwrap_or_default(),
        })
    }
}

#[derive(Serialize)]
struct Snap {
    items: String,
    cut_offs: String,
    objection_days: i64,
}

impl Snap {
    fn of(items: &[FormItem], good: i64, pass: i64, days: i64) -> Self {
        Self {
            items: items
                .iter()
                .map(|i| format!("{} {} 分", i.name, i.weight))
                .collect::<Vec<_>>()
                .join("；"),
            cut_offs: format!("良好 ≥ {good}，合格 ≥ {pass}"),
            objection_days: days,
        }
    }
}

/// Saves a new version of the form (for evaluations started from now on).
/// `seen` is the version the administrator edited: a newer one refuses.
pub async fn save(db: &Db, actor: &Actor, input: &FormInput, seen: i64) -> Result<i64, AppError> {
    actor.require(&[Role::Admin])?;
    let spec = input.parse()?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let before_id = current_id(tx.conn()).await?;
    if seen != 0 && seen != before_id {
        return Err(AppError::Conflict);
    }
    let before = version(tx.conn(), before_id).await?;
    if before.items == spec.items
        && before.good_min == spec.good_min
        && before.pass_min == spec.pass_min
        && before.objection_days == spec.objection_days
    {
        return Err(AppError::invalid("没有修改"));
    }
    let items = serde_json::to_string(&spec.items).map_err(|_| AppError::Internal)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evaluation_forms (items, good_min, pass_min, objection_days, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(items)
    .bind(spec.good_min)
    .bind(spec.pass_min)
    .bind(spec.objection_days)
    .bind(actor.user_ref())
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    tx.record(
        "evaluation_form",
        id,
        "update",
        Some(&Snap::of(
            &before.items,
            before.good_min,
            before.pass_min,
            before.objection_days,
        )),
        Some(&Snap::of(
            &spec.items,
            spec.good_min,
            spec.pass_min,
            spec.objection_days,
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
