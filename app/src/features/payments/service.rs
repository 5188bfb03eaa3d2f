//! Payments: the form's parser, drafts and corrections, the list in scope and
//! one payment with the running total before it.
use super::{Payment, PaymentDefaults, PaymentRow, RECORD, TimelinePoint};
use crate::{
    domain::{
        Fen, RecordStatus, code_of, label_of, parse_date, record_line, record_prose,
        records::PAYMENT_KINDS,
    },
    error::{AppError, Check},
    kit::table::{Page, Rows},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        project,
        records::{self, ListFilter, seen_version},
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// The payment form as submitted (text).
#[derive(Debug, Clone, Default)]
pub struct PaymentForm {
    pub filing_id: String,
    pub kind: String,
    pub paid_on: String,
    pub amount: String,
    pub payee: String,
    pub voucher_no: String,
    pub period_from: String,
    pub period_to: String,
    pub work_value: String,
    pub labour: String,
    pub settlement: String,
    pub remarks: String,
}

/// A parsed payment.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentInput {
    pub kind: &'static str,
    pub paid_on: NaiveDate,
    pub amount_fen: i64,
    pub payee: String,
    pub voucher_no: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub work_value_fen: Option<i64>,
    pub labour_fen: i64,
    pub settlement_fen: Option<i64>,
    pub remarks: Option<String>,
}

fn optional_money(input: &str, what: &str) -> Result<Option<i64>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        Fen::parse_yuan(input, what).map(|f| Some(f.0))
    }
}

fn optional_day(input: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(input, what).map(Some)
    }
}

impl PaymentForm {
    /// Checks every field; no payment precedes the contract's signing.
    pub fn parse(
        &self,
        signed_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<PaymentInput, AppError> {
        let mut c = Check::new();
        let kind = c.take(
            "kind",
            code_of(&PAYMENT_KINDS, &self.kind).ok_or_else(|| "请选择拨付类型".to_string()),
        );
        let paid_on = c.take(
            "paid_on",
            parse_date(&self.paid_on, "拨付日期").and_then(|d| match signed_on {
                Some(s) if d < s => Err(format!("拨付日期不能早于合同签订日期 {s}")),
                _ if d > today => Err("拨付日期不能晚于今天（只登记已发生的拨付）".into()),
                _ => Ok(d),
            }),
        );
        let amount = c.take(
            "amount",
            Fen::parse_yuan(&self.amount, "拨付金额").map(|f| f.0),
        );
        let payee = c.take("payee", record_line(&self.payee, "收款单位", 100));
        let voucher_no = c.take("voucher_no", record_line(&self.voucher_no, "凭证号", 60));
        let from = c.take("period_from", optional_day(&self.period_from, "计量周期起"));
        let to = c.take("period_to", optional_day(&self.period_to, "计量周期止"));
        let work_value = c.take(
            "work_value",
            optional_money(&self.work_value, "已完成工程价款"),
        );
        let labour = c.take(
            "labour",
            match self.labour.trim() {
                "" | "0" | "0.0" | "0.00" => Ok(0),
                t => Fen::parse_yuan(t, "人工费").map(|f| f.0),
            },
        );
        let settlement = c.take("settlement", optional_money(&self.settlement, "结算审定价"));
        let remarks = c.take("remarks", record_prose(&self.remarks, "备注", 500));
        if kind == Some("progress") {
            if from.is_some_and(|f| f.is_none()) {
                c.fail("period_from", "进度款请填写计量周期");
            }
            if to.is_some_and(|t| t.is_none()) {
                c.fail("period_to", "进度款请填写计量周期");
            }
            if work_value.is_some_and(|w| w.is_none()) {
                c.fail("work_value", "进度款请填写截至本期经确认的已完成工程价款");
            }
        }
        if kind == Some("settlement") && settlement.is_some_and(|s| s.is_none()) {
            c.fail("settlement", "结算款请填写结算审定价");
        }
        if let (Some(Some(f)), Some(Some(t))) = (from, to)
            && t < f
        {
            c.fail("period_to", "计量周期止须不早于起");
        }
        if let (Some(l), Some(a)) = (labour, amount)
            && l > a
        {
            c.fail("labour", "人工费不能超过本次拨付金额");
        }
        c.finish()?;
        match (
            kind, paid_on, amount, payee, voucher_no, from, to, work_value, labour, settlement,
            remarks,
        ) {
            (
                Some(kind),
                Some(paid_on),
                Some(amount_fen),
                Some(payee),
                Some(voucher_no),
                Some(period_from),
                Some(period_to),
                Some(work_value_fen),
                Some(labour_fen),
                Some(settlement_fen),
                Some(remarks),
            ) => Ok(PaymentInput {
                kind,
                paid_on,
                amount_fen,
                payee,
                voucher_no,
                period_from,
                period_to,
                work_value_fen,
                labour_fen,
                settlement_fen,
                remarks,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// What the trail keeps of a payment, in the words people use.
#[derive(Serialize)]
struct Snapshot {
    payment_kind: &'static str,
    paid_on: String,
    amount: String,
    payee: String,
    voucher_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    work_value: Option<String>,
    labour: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    settlement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Snapshot {
    fn of(i: &PaymentInput, reason: Option<String>) -> Self {
        let yuan = |f: i64| Fen(f).yuan();
        Self {
            payment_kind: label_of(&PAYMENT_KINDS, i.kind),
            paid_on: i.paid_on.to_string(),
            amount: yuan(i.amount_fen),
            payee: i.payee.clone(),
            voucher_no: i.voucher_no.clone(),
            period: match (i.period_from, i.period_to) {
                (Some(f), Some(t)) => Some(format!("{f} 至 {t}")),
                _ => None,
            },
            work_value: i.work_value_fen.map(yuan),
            labour: yuan(i.labour_fen),
            settlement: i.settlement_fen.map(yuan),
            remarks: i.remarks.clone(),
            reason,
        }
    }
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<PaymentInput, AppError> {
    let r = sqlx::query(
        "SELECT kind, paid_on, amount_fen, payee, voucher_no, period_from, period_to, work_value_fen,
                labour_fen, settlement_fen, remarks FROM payments WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(PaymentInput {
        kind: code_of(&PAYMENT_KINDS, &r.try_get::<String, _>("kind")?)
            .ok_or(AppError::Internal)?,
        paid_on: day(r.try_get("paid_on")?).ok_or(AppError::Internal)?,
        amount_fen: r.try_get("amount_fen")?,
        payee: r.try_get("payee")?,
        voucher_no: r.try_get("voucher_no")?,
        period_from: day(r.try_get("period_from")?),
        period_to: day(r.try_get("period_to")?),
        work_value_fen: r.try_get("work_value_fen")?,
        labour_fen: r.try_get("labour_fen")?,
        settlement_fen: r.try_get("settlement_fen")?,
        remarks: r.try_get("remarks")?,
    })
}

/// Saves the form: a new draft when `id` is 0, else an edit of a draft or a
/// correction of a submitted payment (with a reason, against `version`).
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: i64,
    form: &PaymentForm,
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
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE filing_id = $1 AND voucher_no = $2 AND status <> 'voided' AND id <> $3",
    )
    .bind(p.id)
    .bind(&input.voucher_no)
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    if taken > 0 {
        return Err(AppError::field("voucher_no", "该凭证号已在本项目登记过"));
    }
    let now = now_ms();
    let text = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let saved = match head {
        None => {
            let new_id: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO payments (filing_id, status, kind, paid_on, amount_fen, payee, voucher_no, period_from,
                    period_to, work_value_fen, labour_fen, settlement_fen, remarks, created_by, created_at, updated_at)
                 VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(p.id)
            .bind(input.kind)
            .bind(input.paid_on.to_string())
            .bind(input.amount_fen)
            .bind(&input.payee)
            .bind(&input.voucher_no)
            .bind(text(input.period_from))
            .bind(text(input.period_to))
            .bind(input.work_value_fen)
            .bind(input.labour_fen)
            .bind(input.settlement_fen)
            .bind(&input.remarks)
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .fetch_one(tx.conn())
            .await;
            let new_id = new_id.map_err(|e| {
                if is_unique_violation(&e, "voucher") {
                    AppError::field("voucher_no", "该凭证号已在本项目登记过")
                } else {
                    e.into()
                }
            })?;
            tx.record(
                "payment",
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
                "UPDATE payments SET kind = $1, paid_on = $2, amount_fen = $3, payee = $4, voucher_no = $5,
                    period_from = $6, period_to = $7, work_value_fen = $8, labour_fen = $9, settlement_fen = $10,
                    remarks = $11, updated_at = $12, version = version + 1
                 WHERE id = $13 AND version = $14",
            )
            .bind(input.kind)
            .bind(input.paid_on.to_string())
            .bind(input.amount_fen)
            .bind(&input.payee)
            .bind(&input.voucher_no)
            .bind(text(input.period_from))
            .bind(text(input.period_to))
            .bind(input.work_value_fen)
            .bind(input.labour_fen)
            .bind(input.settlement_fen)
            .bind(&input.remarks)
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
                "payment",
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

/// Defaults for a new payment of a project the owner may write.
pub async fn defaults(db: &Db, actor: &Actor, filing_id: i64) -> Result<PaymentDefaults, AppError> {
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    Ok(PaymentDefaults {
        payee: p.contractor_name,
    })
}

/// Payments in the actor's scope under `filter`, latest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &ListFilter,
    rows: impl Into<Rows>,
) -> Result<Page<PaymentRow>, AppError> {
    records::list_page(
        db,
        actor,
        &RECORD,
        &["r.voucher_no", "r.payee"],
        "r.id, r.filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
         r.kind, r.paid_on, r.amount_fen, r.payee, r.voucher_no, r.labour_fen, r.status",
        "r.paid_on DESC, r.id DESC",
        filter,
        rows.into(),
        crate::features::rule_name,
    )
    .await
}

/// A project's submitted payments in date order, each with the running
/// total and its share of the revised price.
pub async fn timeline(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
) -> Result<Vec<TimelinePoint>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, filing_id).await?;
    let revised = project::figures(&mut conn, &p, today())
        .await?
        .revised_fen();
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, paid_on, kind, amount_fen FROM payments
         WHERE filing_id = $1 AND status = 'submitted' ORDER BY paid_on, id",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut sum = 0;
    Ok(rows
        .into_iter()
        .map(|(id, paid_on, kind, amount_fen)| {
            sum += amount_fen;
            TimelinePoint {
                id,
                paid_on,
                kind,
                amount_fen,
                cumulative_fen: sum,
                cumulative_pct: crate::domain::records::pct(sum, revised),
            }
        })
        .collect())
}

/// One payment with the total paid before it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Payment, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
    let r = sqlx::query("SELECT * FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let paid_on: String = r.try_get("paid_on")?;
    let prior_fen = records::sum_before(
        &mut conn,
        &RECORD,
        "amount_fen",
        "paid_on",
        p.id,
        id,
        &paid_on,
    )
    .await?;
    let files = records::files(&mut conn, &RECORD, id).await?;
    let flags = records::open_flags(&mut conn, &RECORD, &[id]).await?;
    let figures = project::figures(&mut conn, &p, today()).await?;
    Ok(Payment {
        id,
        filing_id: p.id,
        project: p.label(),
        contractor_name: p.contractor_name.clone(),
        status: h.status,
        kind: r.try_get("kind")?,
        paid_on,
        amount_fen: r.try_get("amount_fen")?,
        payee: r.try_get("payee")?,
        voucher_no: r.try_get("voucher_no")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
        work_value_fen: r.try_get("work_value_fen")?,
        labour_fen: r.try_get("labour_fen")?,
        settlement_fen: r.try_get("settlement_fen")?,
        remarks: r.try_get("remarks")?,
        void_reason: r.try_get("void_reason")?,
        version: h.version,
        prior_fen,
        editable: p.may_write(actor) && h.status != RecordStatus::Voided,
        files,
        flags: crate::features::flag_names(flags.get(&id)),
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn good() -> PaymentForm {
        PaymentForm {
            filing_id: "1".into(),
            kind: "progress".into(),
            paid_on: "2025-09-20".into(),
            amount: "1,200,000".into(),
            payee: "温州鳌江建筑工程有限公司".into(),
            voucher_no: "PYJY-ZF-2025-009".into(),
            period_from: "2025-08-01".into(),
            period_to: "2025-08-31".into(),
            work_value: "1600000".into(),
            labour: "360000".into(),
            settlement: String::new(),
            remarks: String::new(),
        }
    }

    #[test]
    fn accepts_a_progress_payment() {
        let i = good()
            .parse(Some(d("2025-05-30")), d("2026-12-01"))
            .unwrap();
        assert_eq!(i.amount_fen, 120_000_000);
        assert_eq!(i.work_value_fen, Some(160_000_000));
    }

    #[test]
    fn refuses_bad_values_at_their_fields() {
        let mut f = good();
        f.paid_on = "2027-01-01".into();
        f.amount = "-5".into();
        f.work_value = String::new();
        f.labour = "abc".into();
        f.voucher_no = "<b>1</b>".into();
        let e = f.parse(Some(d("2025-05-30")), d("2026-12-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["paid_on"].contains("晚于今天"));
        assert!(fields["amount"].contains("大于 0"));
        assert!(fields["work_value"].contains("已完成工程价款"));
        assert!(fields.contains_key("labour"));
        assert!(fields["voucher_no"].contains("< >"));
        let mut early = good();
        early.paid_on = "2025-05-01".into();
        let e = early
            .parse(Some(d("2025-05-30")), d("2026-12-01"))
            .unwrap_err();
        assert!(e.field_errors().unwrap()["paid_on"].contains("签订日期"));
    }
}
