//! Monthly updates: one per project and month, a draft until submitted with
//! its photos (the record kit), corrections with a reason.
use super::prior_percent;
use crate::{
    domain::{
        Fen, SectionKind,
        progress::{Month, ProgressState},
        record_prose,
    },
    error::{AppError, Check},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        records::{self, seen_version},
        time::{now_ms, today},
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::super::RECORD;

/// A month's update as submitted (text).
#[derive(Debug, Clone, Default)]
pub struct MonthForm {
    pub month: String,
    pub percent: String,
    pub state: String,
    pub work_done: String,
    pub investment: String,
    pub drop_reason: String,
}

/// A parsed month's update.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthInput {
    pub month: Month,
    pub percent: i64,
    pub state: ProgressState,
    pub work_done: String,
    pub investment_fen: Option<i64>,
    pub drop_reason: Option<String>,
}

impl MonthForm {
    /// Checks every field: a month from the signing up to this one, a whole
    /// percent that fits the state.
    pub fn parse(&self, signed: Option<Month>, now: Month) -> Result<MonthInput, AppError> {
        let mut c = Check::new();
        let month = c.take(
            "month",
            match Month::parse(&self.month) {
                None if self.month.trim().is_empty() => Err("请选择月份".to_string()),
                None => Err("月份应为 YYYY-MM，如 2026-03".to_string()),
                Some(m) if m > now => Err("不能填报未来的月份".to_string()),
                Some(m) if signed.is_some_and(|s| m < s) => Err(format!(
                    "不能早于合同签订的月份 {}",
                    signed.map(|s| s.to_string()).unwrap_or_default()
                )),
                Some(m) => Ok(m),
            },
        );
        let percent = c.take(
            "percent",
            match self.percent.trim().trim_end_matches(['%', '％']).trim() {
                "" => Err("请填写累计完成比例".to_string()),
                t => t
                    .parse::<i64>()
                    .ok()
                    .filter(|p| (0..=100).contains(p))
                    .ok_or_else(|| "累计完成比例须为 0–100 的整数".to_string()),
            },
        );
        let state = c.take(
            "state",
            ProgressState::parse(&self.state).ok_or_else(|| "请选择形象进度".to_string()),
        );
        match (state, percent) {
            (Some(ProgressState::Completed), Some(p)) if p != 100 => {
                c.fail("percent", "已完工时累计完成应为 100%")
            }
            (Some(ProgressState::NotStarted), Some(p)) if p != 0 => {
                c.fail("percent", "未开工时累计完成应为 0")
            }
            _ => {}
        }
        let work_done = c.take(
            "work_done",
            record_prose(&self.work_done, "本月完成内容", 1000)
                .and_then(|w| w.ok_or_else(|| "请填写本月完成内容".to_string())),
        );
        let investment = c.take(
            "investment",
            if self.investment.trim().is_empty() {
                Ok(None)
            } else {
                Fen::parse_yuan(&self.investment, "本月完成投资").map(|f| Some(f.0))
            },
        );
        let drop_reason = c.take(
            "drop_reason",
            record_prose(&self.drop_reason, "进度回落原因", 200),
        );
        c.finish()?;
        match (month, percent, state, work_done, investment, drop_reason) {
            (
                Some(month),
                Some(percent),
                Some(state),
                Some(work_done),
                Some(investment_fen),
                Some(drop_reason),
            ) => Ok(MonthInput {
                month,
                percent,
                state,
                work_done,
                investment_fen,
                drop_reason,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

impl MonthInput {
    /// A percent below the previous month's needs its reason.
    pub fn check_drop(&self, prior: Option<i64>) -> Result<(), AppError> {
        match prior {
            Some(p) if self.percent < p && self.drop_reason.is_none() => Err(AppError::field(
                "drop_reason",
                format!("累计完成低于此前月份（{p}%），请说明回落原因（如核减工程量）"),
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Serialize)]
struct Snapshot {
    month: String,
    percent: String,
    state: &'static str,
    work_done: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    investment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drop_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Snapshot {
    fn of(i: &MonthInput, reason: Option<String>) -> Self {
        Self {
            month: i.month.to_string(),
            percent: format!("{}%", i.percent),
            state: i.state.label(),
            work_done: i.work_done.clone(),
            investment: i.investment_fen.map(|f| Fen(f).yuan()),
            drop_reason: i.drop_reason.clone(),
            reason,
        }
    }
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<MonthInput, AppError> {
    let r = sqlx::query(
        "SELECT month, percent, state, work_done, investment_fen, drop_reason FROM progress_months WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(MonthInput {
        month: Month::parse(&r.try_get::<String, _>("month")?).ok_or(AppError::Internal)?,
        percent: r.try_get("percent")?,
        state: ProgressState::parse(&r.try_get::<String, _>("state")?).ok_or(AppError::Internal)?,
        work_done: r.try_get("work_done")?,
        investment_fen: r.try_get("investment_fen")?,
        drop_reason: r.try_get("drop_reason")?,
    })
}

const TAKEN: &str = "该月进度已填报，请打开该月记录修改";

/// Saves the form: a new draft when `id` is 0, else an edit of a draft or a
/// correction of a submitted month (with a reason, against `version`).
pub async fn save_month(
    db: &Db,
    actor: &Actor,
    id: i64,
    filing_id: i64,
    form: &MonthForm,
    reason: &str,
    version: &str,
) -> Result<i64, AppError> {
    let seen = seen_version(version)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, head) = if id == 0 {
        let p = records::project_for_new(&mut tx, actor, filing_id).await?;
        if p.section_kind == SectionKind::Supervision {
            return Err(AppError::field(
                "filing_id",
                "监理合同随所监理工程的进度，无需单独填报",
            ));
        }
        (p, None)
    } else {
        let (p, h) = records::for_owner(&mut tx, actor, &RECORD, id).await?;
        h.check_version(seen)?;
        (p, Some(h))
    };
    let input = form.parse(p.signed_day().map(Month::of), Month::of(today()))?;
    let correction = match &head {
        Some(h) => h.correction(reason)?,
        None => None,
    };
    let month = input.month.to_string();
    input.check_drop(prior_percent(tx.conn(), p.id, &month, id).await?)?;
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM progress_months WHERE filing_id = $1 AND month = $2 AND status <> 'voided' AND id <> $3",
    )
    .bind(p.id)
    .bind(&month)
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    if taken > 0 {
        return Err(AppError::field("month", TAKEN));
    }
    let now = now_ms();
    let saved = match head {
        None => {
            let new_id: i64 = sqlx::query_scalar(
                "INSERT INTO progress_months (filing_id, status, month, percent, state, work_done, investment_fen,
                    drop_reason, created_by, created_at, updated_at)
                 VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(p.id)
            .bind(&month)
            .bind(input.percent)
            .bind(input.state.code())
            .bind(&input.work_done)
            .bind(input.investment_fen)
            .bind(&input.drop_reason)
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .fetch_one(tx.conn())
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "progress_months") {
                    AppError::field("month", TAKEN)
                } else {
                    e.into()
                }
            })?;
            tx.record(
                "progress_month",
                new_id,
                "create",
                None,
                Some(&Snapshot::of(&input, None)),
            )
            .await?;
            new_id
        }
        Some(h) => {
            let before = stored(tx.conn(), h.id).await?;
            if before == input {
                return Err(AppError::invalid("没有修改"));
            }
            let done = sqlx::query(
                "UPDATE progress_months SET month = $1, percent = $2, state = $3, work_done = $4, investment_fen = $5,
                    drop_reason = $6, updated_at = $7, version = version + 1
                 WHERE id = $8 AND version = $9",
            )
            .bind(&month)
            .bind(input.percent)
            .bind(input.state.code())
            .bind(&input.work_done)
            .bind(input.investment_fen)
            .bind(&input.drop_reason)
            .bind(now)
            .bind(h.id)
            .bind(h.version)
            .execute(tx.conn())
            .await?;
            if done.rows_affected() != 1 {
                return Err(AppError::Conflict);
            }
            let action = if correction.is_some() {
                "correct"
            } else {
                "update"
            };
            tx.record(
                "progress_month",
                h.id,
                action,
                Some(&Snapshot::of(&before, None)),
                Some(&Snapshot::of(&input, correction)),
            )
            .await?;
            h.id
        }
    };
    tx.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> MonthForm {
        MonthForm {
            month: "2026-10".into(),
            percent: "45%".into(),
            state: "in_progress".into(),
            work_done: "完成二层框架柱浇筑".into(),
            investment: "1,250,000".into(),
            drop_reason: String::new(),
        }
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn reads_a_month() {
        let i = good().parse(Some(m("2025-05")), m("2026-12")).unwrap();
        assert_eq!(i.percent, 45);
        assert_eq!(i.investment_fen, Some(125_000_000));
        assert!(i.check_drop(Some(40)).is_ok());
        let e = i.check_drop(Some(50)).unwrap_err();
        assert!(e.field_errors().unwrap()["drop_reason"].contains("50%"));
    }

    #[test]
    fn refuses_bad_values_at_their_fields() {
        let bad = MonthForm {
            month: "2027-01".into(),
            percent: "101".into(),
            state: "finished".into(),
            work_done: " ".into(),
            investment: "-3".into(),
            drop_reason: String::new(),
        };
        let e = bad.parse(None, m("2026-12")).unwrap_err();
        let f = e.field_errors().unwrap();
        assert!(f["month"].contains("未来"));
        assert!(f["percent"].contains("0–100"));
        assert!(f["state"].contains("形象进度"));
        assert!(f["work_done"].contains("本月完成内容"));
        assert!(f.contains_key("investment"));
        let early = MonthForm {
            month: "2025-01".into(),
            ..good()
        };
        let e = early.parse(Some(m("2025-05")), m("2026-12")).unwrap_err();
        assert!(e.field_errors().unwrap()["month"].contains("2025-05"));
        let done = MonthForm {
            state: "completed".into(),
            ..good()
        };
        let e = done.parse(None, m("2026-12")).unwrap_err();
        assert!(e.field_errors().unwrap()["percent"].contains("100%"));
        let fraction = MonthForm {
            percent: "45.5".into(),
            ..good()
        };
        assert!(fraction.parse(None, m("2026-12")).is_err());
    }
}
