//! The steps after issuing: the owner's answer and extension request, the
//! supervisor's decisions, reminders.
use super::{Snap, event, required_prose, supervises};
use crate::features::orders::OrderStatus;
use crate::{
    domain::{Role, parse_date, record_prose},
    error::{AppError, Check},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Backend, Db},
        time::{now_ms, today},
    },
};
use chrono::{Duration, NaiveDate};
use sqlx::FromRow;

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
