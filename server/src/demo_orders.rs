//! The demo county's supervision orders (督办), one in each state, issued on
//! the money story's alerts: waiting for an answer, overdue, an extension
//! waiting, answered and waiting to be closed, closed.
use crate::demo_history::actor;
use app::{
    error::AppError,
    features::orders::service::{IssueForm, Step, draft, get, issue, step},
    platform::{db::Db, rules::On, settings::Settings},
};

async fn filing_of(db: &Db, code: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = $1 AND a.section_code = '01'",
    )
    .bind(code)
    .fetch_one(&db.pool)
    .await?)
}

/// Issues an order on the free alerts of `code` (those of rule `only`, if
/// given), then takes `steps` ((user, step, text, date)) in turn; returns
/// the order's id.
async fn order(
    db: &Db,
    settings: &Settings,
    (code, only): (&str, Option<&str>),
    supervisor: &str,
    action: &str,
    steps: &[(&str, &str, &str, &str)],
) -> Result<i64, AppError> {
    let by = actor(db, supervisor).await?;
    let filing = filing_of(db, code).await?;
    let d = draft(db, settings, &by, On::Filing(filing)).await?;
    let ids: Vec<i64> = d
        .alerts
        .iter()
        .filter(|a| only.is_none_or(|rule| a.rule == rule))
        .map(|a| a.id)
        .collect();
    let id = issue(
        db,
        settings,
        &by,
        On::Filing(filing),
        IssueForm::parse(&ids, action, &d.deadline)?,
    )
    .await?;
    for (user, code, text, date) in steps {
        let who = actor(db, user).await?;
        let version = get(db, &who, id).await?.version.to_string();
        step(db, &who, id, Step::parse(code, text, date, &version)?).await?;
    }
    Ok(id)
}

/// Loads the demo orders once (after the money story raised its alerts).
pub async fn load(db: &Db, settings: &Settings) -> Result<(), AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM supervision_orders")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let later = |days| (app::platform::time::today() + chrono::Duration::days(days)).to_string();
    // 二中: retention held back beyond 3 %; answered and closed.
    order(
        db,
        settings,
        ("PY2022-0815", None),
        "zjj",
        "请核实结算后质保金预留比例，超出 3% 部分按规定支付，并反馈支付凭证。",
        &[
            (
                "jiaoyu",
                "answer",
                "已于本月支付超留部分质保金 472,000 元，质保金比例调整为 3%，凭证见附件。",
                "",
            ),
            ("zjj", "close", "整改到位，予以办结。", ""),
        ],
    )
    .await?;
    // 104国道: paid beyond the revised price; answered, waiting to be closed.
    order(
        db,
        settings,
        ("PY2024-0312", None),
        "zgb",
        "累计拨付超过调整后合同价，请立即核查超付原因，追回超付资金或补办变更手续。",
        &[
            ("jtj", "remind", "", ""),
            (
                "jtfz",
                "answer",
                "超付系结算审定前按送审价支付所致，已与施工单位签订退款协议，分两期退回。",
                "",
            ),
        ],
    )
    .await?;
    // 滨江路: several money rules broken; the town asks for more time.
    order(
        db,
        settings,
        ("PY2023-0906", None),
        "zgb",
        "请对预付款超比例、进度款支付不足及大额变更未报上级审批等问题逐项说明，并限期整改。",
        &[(
            "aojiang",
            "extension_ask",
            "大额变更须补报县政府审批，预计需一个月。",
            &later(40),
        )],
    )
    .await?;
    // 水头大桥: signed late; waiting for the answer. Its price deviation is
    // left for a supervisor to turn into an order.
    order(
        db,
        settings,
        ("PY2024-0806", Some("合同签订超期")),
        "jtj",
        "请说明合同签订超过中标通知书发出 30 日的原因，并提供相关审批材料。",
        &[],
    )
    .await?;
    // 幼儿园: progress payments short; the deadline has passed (逾期).
    let id = order(
        db,
        settings,
        ("PY2025-0203", None),
        "zjj",
        "请按不低于已完成工程价款 80% 的比例补付进度款，并反馈支付情况。",
        &[],
    )
    .await?;
    // Issued three weeks ago with the 15 days it had.
    let issued = app::platform::time::now_ms() - 21 * 86_400_000;
    sqlx::query("UPDATE supervision_orders SET deadline = $1, created_at = $2 WHERE id = $3")
        .bind((app::platform::time::today() - chrono::Duration::days(6)).to_string())
        .bind(issued)
        .bind(id)
        .execute(&db.pool)
        .await?;
    sqlx::query("UPDATE order_events SET at = $1, deadline = $2 WHERE order_id = $3")
        .bind(issued)
        .bind((app::platform::time::today() - chrono::Duration::days(6)).to_string())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
