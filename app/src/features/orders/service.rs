//! Supervision orders: issuing from alerts, each step after it with the
//! checks on who may take it and when, the scoped list and one order.
use super::{OrderAlert, OrderDetail, OrderDraft, OrderEvent, OrderFile, OrderRow, OrderStatus};
use crate::{
    domain::{Role, parse_date, record_prose},
    error::{AppError, Check},
    features::rule_name,
    kit::table::{Page, Rows},
    platform::{
        actor::{Actor, Scope},
        audit::AuditedTx,
        db::{Backend, Db, like_pattern},
        project::{self, ScopeBinds, scope_sql},
        rules::Severity,
        settings::Settings,
        time::{now_ms, today},
    },
};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

/// The default deadline for an order of `severity` issued `on`.
pub fn default_deadline(settings: &Settings, severity: Severity, on: NaiveDate) -> NaiveDate {
    let days = match severity {
        Severity::Serious => settings.orders.days_serious,
        Severity::Warning => settings.orders.days_warning,
        Severity::Notice => settings.orders.days_notice,
    };
    on + Duration::days(days)
}

#[derive(FromRow)]
struct AlertFact {
    id: i64,
    kind: String,
    severity: String,
    message: String,
    started_on: Option<String>,
    period: String,
    cleared_on: Option<String>,
}

impl From<AlertFact> for OrderAlert {
    fn from(a: AlertFact) -> Self {
        Self {
            id: a.id,
            rule: rule_name(&a.kind).to_string(),
            severity: Severity::from_code(&a.severity).label().to_string(),
            message: a.message,
            started_on: a.started_on.unwrap_or(a.period),
            cleared_on: a.cleared_on,
        }
    }
}

/// The project's open alerts not in an open order.
async fn free_alerts(conn: &mut AnyConnection, filing_id: i64) -> Result<Vec<AlertFact>, AppError> {
    Ok(sqlx::query_as(
        "SELECT x.id, x.kind, x.severity, x.message, x.started_on, x.period, x.cleared_on FROM alerts x
         WHERE x.filing_id = $1 AND x.cleared_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM order_alerts oa JOIN supervision_orders o ON o.id = oa.order_id
                           WHERE oa.alert_id = x.id AND o.status <> 'closed')
         ORDER BY x.created_at, x.id",
    )
    .bind(filing_id)
    .fetch_all(conn)
    .await?)
}

/// A supervisor whose scope holds the project (sector authorities their
/// sector, the resource office everything).
pub fn supervises(actor: &Actor, sector: &str) -> bool {
    actor.role == Role::Supervisor
        && match actor.scope() {
            Scope::All => true,
            Scope::Sector(s) => s == sector,
            Scope::Unit(_) => false,
        }
}

pub async fn draft(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    filing_id: i64,
) -> Result<OrderDraft, AppError> {
    actor.require(&[Role::Supervisor])?;
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, filing_id).await?;
    let alerts = free_alerts(&mut conn, filing_id).await?;
    let worst = alerts
        .iter()
        .map(|a| Severity::from_code(&a.severity))
        .max()
        .unwrap_or(Severity::Warning);
    let day = today();
    Ok(OrderDraft {
        filing_id,
        project: p.label(),
        owner: p.owner_name.clone(),
        alerts: alerts.into_iter().map(OrderAlert::from).collect(),
        deadline: default_deadline(settings, worst, day).to_string(),
        today: day.to_string(),
    })
}

/// What a supervisor sends to issue an order.
#[derive(Debug)]
pub struct IssueForm {
    pub alerts: Vec<i64>,
    pub action: String,
    pub deadline: NaiveDate,
}

impl IssueForm {
    pub fn parse(alerts: &[i64], action: &str, deadline: &str) -> Result<Self, AppError> {
        let mut c = Check::new();
        if alerts.is_empty() {
            c.fail("alerts", "请至少选择一条预警");
        }
        if alerts.len() > 50 {
            c.fail("alerts", "一次最多选择 50 条预警");
        }
        let action = c.take("action", required_prose(action, "整改要求", 1000));
        let deadline = c.take("deadline", future_date(deadline, "办理期限", today(), 365));
        c.finish()?;
        let mut alerts = alerts.to_vec();
        alerts.sort_unstable();
        alerts.dedup();
        Ok(Self {
            alerts,
            action: action.expect("checked"),
            deadline: deadline.expect("checked"),
        })
    }
}

fn required_prose(input: &str, what: &str, max: usize) -> Result<String, String> {
    record_prose(input, what, max)?.ok_or_else(|| format!("请填写{what}"))
}

/// A date from `from` to `from + days`.
fn future_date(input: &str, what: &str, from: NaiveDate, days: i64) -> Result<NaiveDate, String> {
    let d = parse_date(input, what)?;
    if d < from {
        return Err(format!("{what}不能早于 {from}"));
    }
    let last = from + Duration::days(days);
    if d > last {
        return Err(format!("{what}不能晚于 {last}"));
    }
    Ok(d)
}

#[derive(Serialize)]
struct Snap<'a> {
    order_no: &'a str,
    status: &'a str,
    deadline: &'a str,
    body: &'a str,
}

/// Issues an order on `filing_id` from its open alerts; returns its id.
pub async fn issue(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    filing_id: i64,
    input: IssueForm,
) -> Result<i64, AppError> {
    actor.require(&[Role::Supervisor])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let p = project::read(tx.conn(), actor, filing_id).await?;
    if !supervises(actor, &p.sector) {
        return Err(AppError::Forbidden);
    }
    let free = free_alerts(tx.conn(), filing_id).await?;
    let chosen: Vec<&AlertFact> = free
        .iter()
        .filter(|a| input.alerts.contains(&a.id))
        .collect();
    if chosen.len() != input.alerts.len() {
        return Err(AppError::field(
            "alerts",
            "所选预警已消除、已在督办中或不属于本项目，请刷新后重新选择",
        ));
    }
    let severity = chosen
        .iter()
        .map(|a| Severity::from_code(&a.severity))
        .max()
        .unwrap_or(Severity::Warning);
    let facts = chosen
        .iter()
        .map(|a| {
            let since = a.started_on.as_deref().unwrap_or(&a.period);
            format!("{}（自 {since} 起）", a.message)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let day = today();
    let year = day.year() as i64;
    // One number per year, counted atomically on both databases.
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO order_counters (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = order_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(tx.conn())
    .await?;
    let order_no = format!("{}〔{year}〕{seq}号", settings.orders.prefix);
    let now = now_ms();
    let deadline = input.deadline.to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO supervision_orders (order_no, year, seq, filing_id, owner_unit_id, sector, issuer_unit_id,
             issued_by, severity, facts, action, deadline, status, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'issued', 1, $13, $13) RETURNING id",
    )
    .bind(&order_no)
    .bind(year)
    .bind(seq)
    .bind(filing_id)
    .bind(p.owner_unit_id)
    .bind(&p.sector)
    .bind(actor.unit_id)
    .bind(actor.user_id)
    .bind(severity.code())
    .bind(&facts)
    .bind(&input.action)
    .bind(&deadline)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    for a in &chosen {
        sqlx::query("INSERT INTO order_alerts (order_id, alert_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a.id)
            .execute(tx.conn())
            .await?;
    }
    event(
        tx.conn(),
        actor,
        id,
        "issue",
        &input.action,
        Some(&deadline),
    )
    .await?;
    let after = Snap {
        order_no: &order_no,
        status: OrderStatus::Issued.label(),
        deadline: &deadline,
        body: &input.action,
    };
    tx.record("supervision_order", id, "issue", None, Some(&after))
        .await?;
    tx.commit().await?;
    Ok(id)
}

async fn event(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    kind: &str,
    body: &str,
    deadline: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO order_events (order_id, at, kind, user_id, actor, unit_name, body, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(order_id)
    .bind(now_ms())
    .bind(kind)
    .bind(actor.user_id)
    .bind(&actor.display_name)
    .bind(&actor.unit_name)
    .bind(body)
    .bind(deadline)
    .execute(conn)
    .await?;
    Ok(())
}

/// A step after issuing, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The owner's answer: the measures taken.
    Answer(String),
    /// The owner asks for a later deadline, with a reason.
    ExtensionAsk(NaiveDate, String),
    ExtensionGrant(String),
    ExtensionRefuse(String),
    /// Sent back for more work, with a reason and a new deadline.
    Return(String, NaiveDate),
    Close(String),
    Remind(String),
}

/// A step and the version of the order the form was loaded at.
#[derive(Debug)]
pub struct StepForm {
    pub step: Step,
    pub version: i64,
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Answer(_) => "answer",
            Self::ExtensionAsk(..) => "extension_ask",
            Self::ExtensionGrant(_) => "extension_grant",
            Self::ExtensionRefuse(_) => "extension_refuse",
            Self::Return(..) => "return",
            Self::Close(_) => "close",
            Self::Remind(_) => "remind",
        }
    }

    pub fn label(code: &str) -> &'static str {
        match code {
            "issue" => "下发督办",
            "answer" => "反馈",
            "extension_ask" => "申请延期",
            "extension_grant" => "同意延期",
            "extension_refuse" => "不同意延期",
            "return" => "退回",
            "close" => "办结",
            "remind" => "催办",
            _ => "—",
        }
    }

    /// Checks the fields of `step`; dates are checked against the order
    /// later (`step`), where its deadline is known.
    pub fn parse(
        step: &str,
        body: &str,
        deadline: &str,
        version: &str,
    ) -> Result<StepForm, AppError> {
        let version = version
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("表单已过期，请刷新后重试"))?;
        let (what, required) = match step {
            "answer" => ("整改情况", true),
            "extension_ask" => ("延期理由", true),
            "extension_grant" => ("意见", false),
            "extension_refuse" => ("不同意理由", true),
            "return" => ("退回理由", true),
            "close" => ("办结意见", true),
            "remind" => ("催办内容", false),
            _ => return Err(AppError::invalid("未知的办理操作")),
        };
        let mut c = Check::new();
        let text = if required {
            required_prose(body, what, 2000)
        } else {
            record_prose(body, what, 2000).map(Option::unwrap_or_default)
        };
        let text = c.take("body", text).unwrap_or_default();
        let date = match step {
            "extension_ask" => c.take("deadline", parse_date(deadline, "申请延期至")),
            "return" => c.take("deadline", parse_date(deadline, "新的办理期限")),
            _ => None,
        };
        c.finish()?;
        let step = match step {
            "answer" => Step::Answer(text),
            "extension_ask" => Step::ExtensionAsk(date.expect("checked"), text),
            "extension_grant" => Step::ExtensionGrant(text),
            "extension_refuse" => Step::ExtensionRefuse(text),
            "return" => Step::Return(text, date.expect("checked")),
            "close" => Step::Close(text),
            _ => Step::Remind(text),
        };
        Ok(StepForm { step, version })
    }
}

#[derive(FromRow)]
struct OrderFacts {
    order_no: String,
    owner_unit_id: i64,
    sector: String,
    deadline: String,
    #[sqlx(try_from = "String")]
    status: OrderStatus,
    extension_until: Option<String>,
    version: i64,
}

/// Takes one step on order `id`, checking who may take it and when.
pub async fn step(db: &Db, actor: &Actor, id: i64, form: StepForm) -> Result<(), AppError> {
    actor.require(&[Role::Supervisor, Role::Owner])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let o: OrderFacts = sqlx::query_as(&format!(
        "SELECT order_no, owner_unit_id, sector, deadline, status, extension_until, version
         FROM supervision_orders WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let owners_step = matches!(form.step, Step::Answer(_) | Step::ExtensionAsk(..));
    let allowed = if owners_step {
        actor.role == Role::Owner && actor.unit_id == o.owner_unit_id
    } else {
        supervises(actor, &o.sector)
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if form.version != o.version {
        return Err(AppError::Conflict);
    }
    let day = today();
    let deadline =
        NaiveDate::parse_from_str(&o.deadline, "%Y-%m-%d").map_err(|_| AppError::Internal)?;
    let refuse = |msg: &str| Err(AppError::invalid(msg));
    let pending = o.extension_until.is_some();
    // (new status, new deadline, extension request after, body, deadline shown)
    let (status, new_deadline, extension, body, shown): (
        OrderStatus,
        NaiveDate,
        Option<(String, String)>,
        String,
        Option<String>,
    ) = match &form.step {
        _ if o.status == OrderStatus::Closed => return refuse("该督办单已办结，不能再办理"),
        Step::Answer(text) => {
            if !o.status.awaits_owner() {
                return refuse("该督办单已反馈，请等待督办部门处理");
            }
            (OrderStatus::Answered, deadline, None, text.clone(), None)
        }
        Step::ExtensionAsk(until, reason) => {
            if !o.status.awaits_owner() {
                return refuse("该督办单已反馈，不能申请延期");
            }
            if pending {
                return refuse("已有待审批的延期申请");
            }
            if day > deadline {
                return refuse("已超过办理期限，不能再申请延期，请尽快反馈");
            }
            if *until <= deadline || *until > deadline + Duration::days(180) {
                return Err(AppError::field(
                    "deadline",
                    format!("申请延期至须晚于现办理期限 {deadline}，且不超过 180 天"),
                ));
            }
            let ext = Some((until.to_string(), reason.clone()));
            (
                o.status,
                deadline,
                ext,
                reason.clone(),
                Some(until.to_string()),
            )
        }
        Step::ExtensionGrant(note) | Step::ExtensionRefuse(note) => {
            let Some(until) = o.extension_until.clone() else {
                return refuse("没有待审批的延期申请");
            };
            if matches!(form.step, Step::ExtensionGrant(_)) {
                let until = NaiveDate::parse_from_str(&until, "%Y-%m-%d")
                    .map_err(|_| AppError::Internal)?;
                (o.status, until, None, note.clone(), Some(until.to_string()))
            } else {
                (o.status, deadline, None, note.clone(), None)
            }
        }
        Step::Return(reason, until) => {
            if o.status != OrderStatus::Answered {
                return refuse("只有已反馈的督办单可以退回");
            }
            if *until < day || *until > day + Duration::days(365) {
                return Err(AppError::field(
                    "deadline",
                    format!(
                        "新的办理期限须在 {day} 至 {} 之间",
                        day + Duration::days(365)
                    ),
                ));
            }
            (
                OrderStatus::Returned,
                *until,
                None,
                reason.clone(),
                Some(until.to_string()),
            )
        }
        Step::Close(comment) => {
            if o.status != OrderStatus::Answered {
                return refuse("只有已反馈的督办单可以办结");
            }
            (OrderStatus::Closed, deadline, None, comment.clone(), None)
        }
        Step::Remind(text) => {
            if !o.status.awaits_owner() {
                return refuse("该督办单不在待反馈状态，无需催办");
            }
            let text = if text.is_empty() {
                format!("请于 {deadline} 前反馈整改情况")
            } else {
                text.clone()
            };
            (
                o.status, deadline, None, // not written: a remind keeps the request (below)
                text, None,
            )
        }
    };
    // A remind keeps a pending request as it is.
    let keep_request = matches!(form.step, Step::Remind(_));
    let closed_on = (status == OrderStatus::Closed).then(|| day.to_string());
    // Placeholders in ascending order (SQLite numbers them as they appear).
    let sql = if keep_request {
        "UPDATE supervision_orders SET status = $1, deadline = $2, closed_on = $3,
             version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6"
    } else {
        "UPDATE supervision_orders SET status = $1, deadline = $2, closed_on = $3,
             version = version + 1, updated_at = $4, extension_until = $5, extension_reason = $6
         WHERE id = $7 AND version = $8"
    };
    let done = sqlx::query(sql)
        .bind(status.code())
        .bind(new_deadline.to_string())
        .bind(&closed_on)
        .bind(now_ms());
    let done = if keep_request {
        done
    } else {
        done.bind(extension.as_ref().map(|e| e.0.clone()))
            .bind(extension.as_ref().map(|e| e.1.clone()))
    };
    let done = done.bind(id).bind(o.version);
    if done.execute(tx.conn()).await?.rows_affected() != 1 {
        return Err(AppError::Conflict);
    }
    let code = form.step.code();
    event(tx.conn(), actor, id, code, &body, shown.as_deref()).await?;
    let before = Snap {
        order_no: &o.order_no,
        status: o.status.label(),
        deadline: &o.deadline,
        body: "",
    };
    let new_deadline = new_deadline.to_string();
    let after = Snap {
        order_no: &o.order_no,
        status: status.label(),
        deadline: &new_deadline,
        body: &body,
    };
    tx.record("supervision_order", id, code, Some(&before), Some(&after))
        .await?;
    tx.commit().await
}

#[derive(FromRow)]
struct Row {
    id: i64,
    order_no: String,
    filing_id: i64,
    project_name: String,
    section_name: String,
    owner: String,
    issuer: String,
    severity: String,
    #[sqlx(try_from = "String")]
    status: OrderStatus,
    deadline: String,
    extension_until: Option<String>,
    created_at: i64,
    facts: String,
    action: String,
    version: i64,
    extension_reason: Option<String>,
    closed_on: Option<String>,
    sector: String,
    owner_unit_id: i64,
}

impl Row {
    fn list_row(&self, today: &str) -> OrderRow {
        OrderRow {
            id: self.id,
            order_no: self.order_no.clone(),
            filing_id: self.filing_id,
            project: format!("{} · {}", self.project_name, self.section_name),
            owner: self.owner.clone(),
            issuer: self.issuer.clone(),
            severity: Severity::from_code(&self.severity).label().to_string(),
            status: self.status,
            deadline: self.deadline.clone(),
            overdue: self.status.awaits_owner() && self.deadline.as_str() < today,
            extension_pending: self.extension_until.is_some(),
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "o.id, o.order_no, o.filing_id, a.project_name, a.section_name, ow.name AS owner,
        iu.name AS issuer, o.severity, o.status, o.deadline, o.extension_until, o.created_at, o.facts,
        o.action, o.version, o.extension_reason, o.closed_on, o.sector, o.owner_unit_id";
const FROM: &str = "FROM supervision_orders o JOIN filings f ON f.id = o.filing_id JOIN awards a ON a.id = f.award_id
    JOIN units ow ON ow.id = o.owner_unit_id JOIN units iu ON iu.id = o.issuer_unit_id";

/// The orders in the viewer's scope: `state` is one of `super::STATES` (or
/// "" for all), `q` searches number, project and units. Overdue first, then
/// by deadline.
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    state: &str,
    rows: impl Into<Rows>,
) -> Result<Page<OrderRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let state = super::STATES
        .iter()
        .find(|(c, _)| *c == state)
        .map_or("", |(c, _)| *c);
    let s = ScopeBinds::of(actor);
    let day = today().to_string();
    let filter = format!(
        "WHERE {}
           AND ($4 = '' OR ($4 = 'open' AND o.status <> 'closed')
                OR ($4 = 'overdue' AND o.status IN ('issued', 'returned') AND o.deadline < $5)
                OR ($4 = 'issued' AND o.status IN ('issued', 'returned'))
                OR ($4 = 'answered' AND o.status = 'answered') OR ($4 = 'closed' AND o.status = 'closed'))
           AND ($6 = '' OR o.order_no LIKE $6 ESCAPE '\\' OR a.project_name LIKE $6 ESCAPE '\\'
                OR ow.name LIKE $6 ESCAPE '\\' OR iu.name LIKE $6 ESCAPE '\\')",
        scope_sql(1)
    );
    let pattern = like_pattern(q);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {FROM} {filter}"))
        .bind(s.mode)
        .bind(s.unit)
        .bind(&s.sector)
        .bind(state)
        .bind(&day)
        .bind(&pattern)
        .fetch_one(&db.pool)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} {filter}
         ORDER BY (CASE WHEN o.status IN ('issued', 'returned') AND o.deadline < $5 THEN 0
                        WHEN o.status = 'closed' THEN 2 ELSE 1 END), o.deadline, o.id DESC
         LIMIT $7 OFFSET $8"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(state)
    .bind(&day)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok(Page {
        items: rows.iter().map(|r| r.list_row(&day)).collect(),
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// Open orders waiting for the viewer's side: an owner's answers due, a
/// supervisor's answers to look at (the home page's 待办).
pub async fn waiting(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    let state = if actor.role == Role::Owner {
        "issued"
    } else {
        "answered"
    };
    Ok(list(db, actor, "", state, 1).await?.total)
}

/// One order with its alerts and timeline, if the viewer may read it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<OrderDetail, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let mut conn = db.pool.acquire().await?;
    let r: Row = sqlx::query_as(&format!("SELECT {COLUMNS} {FROM} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    project::read(&mut conn, actor, r.filing_id).await?;
    let alerts: Vec<AlertFact> = sqlx::query_as(
        "SELECT x.id, x.kind, x.severity, x.message, x.started_on, x.period, x.cleared_on
         FROM order_alerts oa JOIN alerts x ON x.id = oa.alert_id WHERE oa.order_id = $1 ORDER BY x.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT at, kind, actor, unit_name, body, deadline FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let files: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT rf.id, rf.kind, rf.file_name, u.display_name, rf.created_at FROM record_files rf
         JOIN users u ON u.id = rf.uploaded_by
         WHERE rf.entity = $1 AND rf.record_id = $2 AND rf.removed_at IS NULL ORDER BY rf.id",
    )
    .bind(super::files::ENTITY)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let day = today().to_string();
    Ok(OrderDetail {
        files: files
            .into_iter()
            .map(|(id, kind, name, by, at)| OrderFile {
                id,
                label: super::files::label(&kind).to_string(),
                name,
                by,
                at,
            })
            .collect(),
        row: r.list_row(&day),
        may_answer: actor.role == Role::Owner && actor.unit_id == r.owner_unit_id,
        may_supervise: supervises(actor, &r.sector),
        facts: r.facts,
        action: r.action,
        version: r.version,
        extension_until: r.extension_until,
        extension_reason: r.extension_reason,
        closed_on: r.closed_on,
        alerts: alerts.into_iter().map(OrderAlert::from).collect(),
        events: events
            .into_iter()
            .map(|(at, kind, actor, unit, body, deadline)| OrderEvent {
                at,
                label: Step::label(&kind).to_string(),
                actor,
                unit,
                body,
                deadline,
            })
            .collect(),
        today: day,
    })
}
