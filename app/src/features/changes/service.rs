//! Project changes: the form's parser, drafts and corrections, the list in
//! scope and one change with its running totals.
use super::{Change, ChangeRow, RECORD};
use crate::{
    domain::{
        Fen, RecordStatus, code_of, label_of, parse_date, record_line, record_prose,
        records::{APPROVER_LEVELS, CHANGE_KINDS, RESPONSIBILITIES, signed_yuan},
    },
    error::{AppError, Check},
    kit::table::{Page, Rows},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        project::Project,
        records::{self, ListFilter, seen_version},
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

pub type Filter = ListFilter;

/// The change form as submitted (text).
#[derive(Debug, Clone, Default)]
pub struct ChangeForm {
    pub filing_id: String,
    pub kind: String,
    pub title: String,
    pub content: String,
    pub cause: String,
    pub responsibility: String,
    pub price_delta: String,
    pub days_delta: String,
    pub approver: String,
    pub approver_level: String,
    pub approval_no: String,
    pub approved_on: String,
}

/// A parsed change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeInput {
    pub kind: &'static str,
    pub title: String,
    pub content: String,
    pub cause: String,
    pub responsibility: &'static str,
    pub price_delta_fen: i64,
    pub days_delta: i64,
    pub approver: String,
    pub approver_level: &'static str,
    pub approval_no: String,
    pub approved_on: NaiveDate,
}

fn required_prose(input: &str, what: &str, max: usize) -> Result<String, String> {
    record_prose(input, what, max)?.ok_or_else(|| format!("请填写{what}"))
}

impl ChangeForm {
    /// Checks every field; `signed_on` is the contract's signing day, which
    /// no change can precede.
    pub fn parse(
        &self,
        signed_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<ChangeInput, AppError> {
        let mut c = Check::new();
        let kind = c.take(
            "kind",
            code_of(&CHANGE_KINDS, &self.kind).ok_or_else(|| "请选择变更类型".to_string()),
        );
        let title = c.take("title", record_line(&self.title, "变更标题", 100));
        let content = c.take("content", required_prose(&self.content, "变更内容", 2000));
        let cause = c.take("cause", required_prose(&self.cause, "变更原因", 1000));
        let responsibility = c.take(
            "responsibility",
            code_of(&RESPONSIBILITIES, &self.responsibility)
                .ok_or_else(|| "请选择责任方".to_string()),
        );
        let price = c.take(
            "price_delta",
            Fen::parse_delta(&self.price_delta, "变更金额"),
        );
        let days = c.take(
            "days_delta",
            match self.days_delta.trim() {
                "" => Err("请填写工期变化天数（无变化填 0）".to_string()),
                t => t
                    .strip_prefix('+')
                    .unwrap_or(t)
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (-3650..=3650).contains(d))
                    .ok_or_else(|| {
                        "工期变化应为 -3650 至 3650 之间的整数（天，延长为正）".to_string()
                    }),
            },
        );
        let approver = c.take("approver", record_line(&self.approver, "审批机关", 100));
        let approver_level = c.take(
            "approver_level",
            code_of(&APPROVER_LEVELS, &self.approver_level)
                .ok_or_else(|| "请选择审批层级".to_string()),
        );
        let approval_no = c.take(
            "approval_no",
            record_line(&self.approval_no, "批准文号", 60),
        );
        let approved_on = c.take(
            "approved_on",
            parse_date(&self.approved_on, "批准日期").and_then(|d| match signed_on {
                Some(s) if d < s => Err(format!("批准日期不能早于合同签订日期 {s}")),
                _ if d > today => Err("批准日期不能晚于今天".into()),
                _ => Ok(d),
            }),
        );
        if kind == Some("schedule") && days == Some(0) {
            c.fail(
                "days_delta",
                "工期变更须填写延长（正数）或缩短（负数）的天数",
            );
        }
        if kind == Some("cost") && price == Some(0) {
            c.fail(
                "price_delta",
                "造价变更须填写增加（正数）或减少（负数）的金额",
            );
        }
        c.finish()?;
        match (
            kind,
            title,
            content,
            cause,
            responsibility,
            price,
            days,
            approver,
            approver_level,
            approval_no,
            approved_on,
        ) {
            (
                Some(kind),
                Some(title),
                Some(content),
                Some(cause),
                Some(responsibility),
                Some(price_delta_fen),
                Some(days_delta),
                Some(approver),
                Some(approver_level),
                Some(approval_no),
                Some(approved_on),
            ) => Ok(ChangeInput {
                kind,
                title,
                content,
                cause,
                responsibility,
                price_delta_fen,
                days_delta,
                approver,
                approver_level,
                approval_no,
                approved_on,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// What the trail keeps of a change, in the words people use.
#[derive(Serialize, PartialEq)]
struct Snapshot {
    change_kind: &'static str,
    title: String,
    content: String,
    cause: String,
    responsibility: &'static str,
    price_delta: String,
    days_delta: i64,
    approver: String,
    approver_level: &'static str,
    approval_no: String,
    approved_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Snapshot {
    fn of(i: &ChangeInput, reason: Option<String>) -> Self {
        Self {
            change_kind: label_of(&CHANGE_KINDS, i.kind),
            title: i.title.clone(),
            content: i.content.clone(),
            cause: i.cause.clone(),
            responsibility: label_of(&RESPONSIBILITIES, i.responsibility),
            price_delta: signed_yuan(i.price_delta_fen),
            days_delta: i.days_delta,
            approver: i.approver.clone(),
            approver_level: label_of(&APPROVER_LEVELS, i.approver_level),
            approval_no: i.approval_no.clone(),
            approved_on: i.approved_on.to_string(),
            reason,
        }
    }
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<ChangeInput, AppError> {
    let r = sqlx::query(
        "SELECT kind, title, content, cause, responsibility, price_delta_fen, days_delta, approver,
                approver_level, approval_no, approved_on FROM project_changes WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    let code =
        |list: &[(&'static str, &'static str)], col: &str| -> Result<&'static str, AppError> {
            code_of(list, &r.try_get::<String, _>(col)?).ok_or(AppError::Internal)
        };
    Ok(ChangeInput {
        kind: code(&CHANGE_KINDS, "kind")?,
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        cause: r.try_get("cause")?,
        responsibility: code(&RESPONSIBILITIES, "responsibility")?,
        price_delta_fen: r.try_get("price_delta_fen")?,
        days_delta: r.try_get("days_delta")?,
        approver: r.try_get("approver")?,
        approver_level: code(&APPROVER_LEVELS, "approver_level")?,
        approval_no: r.try_get("approval_no")?,
        approved_on: NaiveDate::parse_from_str(&r.try_get::<String, _>("approved_on")?, "%Y-%m-%d")
            .map_err(|_| AppError::Internal)?,
    })
}

/// The revised price and completion a change leaves must still make sense.
async fn check_totals(
    conn: &mut AnyConnection,
    p: &Project,
    id: i64,
    input: &ChangeInput,
) -> Result<(), AppError> {
    let (others_fen, others_days): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(price_delta_fen), 0) AS BIGINT), CAST(COALESCE(SUM(days_delta), 0) AS BIGINT)
         FROM project_changes WHERE filing_id = $1 AND status = 'submitted' AND id <> $2",
    )
    .bind(p.id)
    .bind(id)
    .fetch_one(conn)
    .await?;
    if p.contract_price_fen.unwrap_or(0) + others_fen + input.price_delta_fen <= 0 {
        return Err(AppError::field("price_delta", "变更后合同价须大于 0"));
    }
    let start = p
        .planned_start
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let end = p
        .planned_completion
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    if let (Some(s), Some(e)) = (start, end)
        && e + chrono::Duration::days(others_days + input.days_delta) <= s
    {
        return Err(AppError::field(
            "days_delta",
            "变更后计划竣工日期须晚于计划开工日期",
        ));
    }
    Ok(())
}

/// Saves the form: a new draft when `id` is 0, else an edit of a draft or a
/// correction of a submitted change (with a reason, against `version`).
/// Returns the change's id.
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: i64,
    form: &ChangeForm,
    reason: &str,
    version: &str,
) -> Result<i64, AppError> {
    let seen = seen_version(version)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, head) = if id == 0 {
        let filing_id = form
            .filing_id
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::field("filing_id", "请选择已备案的项目"))?;
        (
            records::project_for_new(&mut tx, actor, filing_id).await?,
            None,
        )
    } else {
        let (p, h) = records::for_owner(&mut tx, actor, &RECORD, id).await?;
        h.check_version(seen)?;
        (p, Some(h))
    };
    let input = form.parse(p.signed_day(), today())?;
    let correction = match &head {
        Some(h) => h.correction(reason)?,
        None => None,
    };
    check_totals(tx.conn(), &p, id, &input).await?;
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_changes WHERE filing_id = $1 AND approval_no = $2 AND status <> 'voided' AND id <> $3",
    )
    .bind(p.id)
    .bind(&input.approval_no)
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    if taken > 0 {
        return Err(AppError::field("approval_no", "该批准文号已在本项目登记过"));
    }
    let now = now_ms();
    let saved = match head {
        None => {
            let new_id: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO project_changes (filing_id, status, kind, title, content, cause, responsibility,
                    price_delta_fen, days_delta, approver, approver_level, approval_no, approved_on,
                    created_by, created_at, updated_at)
                 VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(p.id)
            .bind(input.kind)
            .bind(&input.title)
            .bind(&input.content)
            .bind(&input.cause)
            .bind(input.responsibility)
            .bind(input.price_delta_fen)
            .bind(input.days_delta)
            .bind(&input.approver)
            .bind(input.approver_level)
            .bind(&input.approval_no)
            .bind(input.approved_on.to_string())
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .fetch_one(tx.conn())
            .await;
            let new_id = new_id.map_err(|e| {
                if is_unique_violation(&e, "approval") {
                    AppError::field("approval_no", "该批准文号已在本项目登记过")
                } else {
                    e.into()
                }
            })?;
            tx.record(
                "change",
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
                "UPDATE project_changes SET kind = $1, title = $2, content = $3, cause = $4, responsibility = $5,
                    price_delta_fen = $6, days_delta = $7, approver = $8, approver_level = $9, approval_no = $10,
                    approved_on = $11, updated_at = $12, version = version + 1
                 WHERE id = $13 AND version = $14",
            )
            .bind(input.kind)
            .bind(&input.title)
            .bind(&input.content)
            .bind(&input.cause)
            .bind(input.responsibility)
            .bind(input.price_delta_fen)
            .bind(input.days_delta)
            .bind(&input.approver)
            .bind(input.approver_level)
            .bind(&input.approval_no)
            .bind(input.approved_on.to_string())
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
                "change",
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

/// Changes in the actor's scope under `filter`, newest approval first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &Filter,
    rows: impl Into<Rows>,
) -> Result<Page<ChangeRow>, AppError> {
    records::list_page(
        db,
        actor,
        &RECORD,
        &["r.title", "r.approval_no"],
        "r.id, r.filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
         r.kind, r.title, r.price_delta_fen, r.days_delta, r.approval_no, r.approved_on, r.status",
        "r.approved_on DESC, r.id DESC",
        filter,
        rows.into(),
        crate::features::rule_name,
    )
    .await
}

/// One change with the running totals its page shows.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Change, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
    let r = sqlx::query("SELECT * FROM project_changes WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let approved_on: String = r.try_get("approved_on")?;
    // 累计变更（不含本次）: the submitted changes approved before this one.
    let prior_fen = records::sum_before(
        &mut conn,
        &RECORD,
        "price_delta_fen",
        "approved_on",
        p.id,
        id,
        &approved_on,
    )
    .await?;
    let files = records::files(&mut conn, &RECORD, id).await?;
    let flags = records::open_flags(&mut conn, &RECORD, &[id]).await?;
    let figures = crate::platform::project::figures(&mut conn, &p, today()).await?;
    Ok(Change {
        figures,
        id,
        filing_id: p.id,
        project: p.label(),
        status: h.status,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        cause: r.try_get("cause")?,
        responsibility: r.try_get("responsibility")?,
        price_delta_fen: r.try_get("price_delta_fen")?,
        days_delta: r.try_get("days_delta")?,
        approver: r.try_get("approver")?,
        approver_level: r.try_get("approver_level")?,
        approval_no: r.try_get("approval_no")?,
        approved_on,
        void_reason: r.try_get("void_reason")?,
        version: h.version,
        contract_price_fen: p.contract_price_fen.unwrap_or(0),
        prior_fen,
        editable: p.may_write(actor) && h.status != RecordStatus::Voided,
        files,
        flags: crate::features::flag_names(flags.get(&id)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn good() -> ChangeForm {
        ChangeForm {
            filing_id: "1".into(),
            kind: "schedule".into(),
            title: "雨季停工顺延工期".into(),
            content: "因 2025 年 7 月连续强降雨，基坑施工停工。".into(),
            cause: "不可抗力".into(),
            responsibility: "force_majeure".into(),
            price_delta: "0".into(),
            days_delta: "+30".into(),
            approver: "平阳县教育局".into(),
            approver_level: "owner".into(),
            approval_no: "平教基〔2025〕45号".into(),
            approved_on: "2025-08-10".into(),
        }
    }

    #[test]
    fn accepts_a_schedule_change() {
        let i = good()
            .parse(Some(d("2025-05-30")), d("2026-12-01"))
            .unwrap();
        assert_eq!(i.days_delta, 30);
        assert_eq!(i.price_delta_fen, 0);
    }

    #[test]
    fn refuses_bad_values_at_their_fields() {
        let mut f = good();
        f.days_delta = "0".into();
        f.approved_on = "2025-05-01".into();
        f.title = "😀".into();
        f.content = "<script>".into();
        f.price_delta = "abc".into();
        let e = f.parse(Some(d("2025-05-30")), d("2026-12-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["days_delta"].contains("天数"));
        assert!(fields["approved_on"].contains("签订日期"));
        assert!(fields["title"].contains("表情"));
        assert!(fields["content"].contains("< >"));
        assert!(fields["price_delta"].contains("格式") || fields["price_delta"].contains("数字"));
    }
}
