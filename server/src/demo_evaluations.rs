//! The demo county's attendance history and evaluations. Key personnel have
//! been on their rosters since the contracts were signed and checked in on
//! most working days of the last half year (the overdue bridge's manager
//! far less often). Owners scored their contractors quarter by quarter and at
//! completion: most 良好 or 合格; the bridge 不合格, with the contractor's
//! objection answered and waiting for the transport bureau; the cultural
//! centre's objection dismissed; the national road's upheld (to be scored
//! again); the utility tunnel given full marks for personnel its attendance
//! does not support; the kindergarten's last quarter still a draft past its
//! due day. Loaded after the progress.
use crate::demo_history::actor;
use app::{
    domain::evaluation::{Period, quarters},
    error::AppError,
    features::evaluations::{self, service},
    platform::{db::Db, records, settings::Settings, time::today},
};
use chrono::{Datelike, NaiveDate, TimeZone};
use sqlx::Row;

/// How a project's evaluations go: (project code, owner login, the scores
/// of each evaluated period as shares of each item's weight, latest last).
struct Plan {
    code: &'static str,
    owner: &'static str,
    /// Per period (oldest first): the share of each item's weight scored.
    shares: &'static [[f64; 5]],
    /// Attendance: the share of working days the manager checked in on.
    attendance: f64,
    /// Evaluate the completion too (projects reported 已完工).
    completion: bool,
    objection: Objection,
    /// The last period stays a draft.
    last_draft: bool,
    /// The last period gives full marks for key personnel anyway.
    overscore: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Objection {
    None,
    /// Filed and answered; a supervisor's decision is awaited.
    Answered(&'static str),
    Dismissed(&'static str),
    Upheld(&'static str),
}

const GOOD: [f64; 5] = [0.95, 0.9, 0.9, 0.93, 0.95];
const FAIR: [f64; 5] = [0.85, 0.8, 0.78, 0.8, 0.85];
const POOR: [f64; 5] = [0.5, 0.6, 0.55, 0.3, 0.6];

const PLANS: &[Plan] = &[
    Plan {
        code: "PY2024-0806",
        owner: "jtfz",
        shares: &[FAIR, POOR],
        attendance: 0.62,
        completion: false,
        objection: Objection::Answered(
            "工期滞后主要因上游来水和征迁未完成，非我司原因，工期控制和过程管理扣分过重",
        ),
        last_draft: false,
        overscore: false,
    },
    Plan {
        code: "PY2025-0618",
        owner: "chengjian",
        shares: &[GOOD, GOOD, FAIR],
        attendance: 0.93,
        completion: false,
        objection: Objection::Dismissed("项目经理因病更换已按程序报批，不应在机构人员配备中扣分"),
        last_draft: false,
        overscore: false,
    },
    Plan {
        code: "PY2025-0902",
        owner: "chengjian",
        shares: &[FAIR, GOOD],
        attendance: 0.7,
        completion: false,
        objection: Objection::None,
        last_draft: false,
        overscore: true,
    },
    Plan {
        code: "PY2026-0305",
        owner: "jtfz",
        shares: &[[0.85, 0.75, 0.7, 0.5, 0.8]],
        attendance: 0.88,
        completion: false,
        objection: Objection::Upheld("进度落后系业主未按期提供施工场地，监理日志可证"),
        last_draft: false,
        overscore: false,
    },
    Plan {
        code: "PY2025-0203",
        owner: "jiaoyu",
        shares: &[GOOD, GOOD],
        attendance: 0.96,
        completion: false,
        objection: Objection::None,
        last_draft: true,
        overscore: false,
    },
    Plan {
        code: "PY2022-0815",
        owner: "jiaoyu",
        shares: &[],
        attendance: 0.9,
        completion: true,
        objection: Objection::None,
        last_draft: false,
        overscore: false,
    },
    Plan {
        code: "PY2022-1020",
        owner: "jtfz",
        shares: &[],
        attendance: 0.9,
        completion: true,
        objection: Objection::None,
        last_draft: false,
        overscore: false,
    },
];

/// Finished projects evaluated on paper before the system (attendance only).
const UNEVALUATED: &[(&str, f64)] = &[("PY2023-0906", 0.84), ("PY2024-0312", 0.9)];

/// A fixed pseudo-random share in [0, 1) per (user, day): the same demo
/// every time it is loaded on a given day.
fn chance(user: i64, day: NaiveDate) -> f64 {
    let mut x = (user as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (day.num_days_from_ce() as u64);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x % 10_000) as f64 / 10_000.0
}

fn at(day: NaiveDate, minute: u32) -> i64 {
    app::fmt::beijing()
        .from_local_datetime(
            &day.and_hms_opt(7, 30 + minute % 60 / 2, 0)
                .unwrap_or_default(),
        )
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

/// Rosters date from the signing; key personnel checked in on `share` of
/// the working days (Monday to Saturday) from then up to the completion, at
/// the site: the construction section's people and the supervision
/// section's (its 总监), up to the construction's completion.
async fn attendance(db: &Db, code: &str, share: f64) -> Result<(), AppError> {
    let Some(r) = sqlx::query(
        "SELECT f.id, p.site_lat, p.site_lng FROM filings f JOIN awards a ON a.id = f.award_id
         LEFT JOIN progress p ON p.filing_id = f.id WHERE a.project_code = $1 AND a.section_code = '01'",
    )
    .bind(code)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(());
    };
    let works: i64 = r.try_get("id")?;
    let site = (
        r.try_get::<Option<f64>, _>("site_lat")?.unwrap_or(27.66),
        r.try_get::<Option<f64>, _>("site_lng")?.unwrap_or(120.56),
    );
    let completed = app::features::progress::rules::completed_on(db, today(), works).await?;
    let sections: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT f.id, f.signed_on FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE a.project_code = $1 AND (f.id = $2 OR f.status = 'submitted') ORDER BY f.id",
    )
    .bind(code)
    .bind(works)
    .fetch_all(&db.pool)
    .await?;
    for (filing, signed) in sections {
        check_ins(db, filing, signed, site, completed, share).await?;
    }
    Ok(())
}

async fn check_ins(
    db: &Db,
    filing: i64,
    signed: Option<String>,
    (lat, lng): (f64, f64),
    completed: Option<NaiveDate>,
    share: f64,
) -> Result<(), AppError> {
    let today = today();
    // Members added by the demo today were on the roster from the signing.
    sqlx::query(
        "UPDATE roster_members SET joined_on = $1 WHERE filing_id = $2 AND joined_on = $3 AND left_on IS NULL
           AND id NOT IN (SELECT successor_id FROM personnel_changes WHERE successor_id IS NOT NULL)",
    )
    .bind(signed.unwrap_or_else(|| today.to_string()))
    .bind(filing)
    .bind(today.to_string())
    .execute(&db.pool)
    .await?;
    let members =
        sqlx::query("SELECT user_id, joined_on, left_on FROM roster_members WHERE filing_id = $1")
            .bind(filing)
            .fetch_all(&db.pool)
            .await?;
    let day = |s: Option<String>| s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    for m in members {
        let user: i64 = m.try_get("user_id")?;
        let joined = day(m.try_get("joined_on")?).unwrap_or(today);
        let left = day(m.try_get("left_on")?);
        let from = joined;
        // Up to today: those whose usual time (07:30–08:00) has passed
        // have checked in this morning, the others are today's missing.
        let until = completed.unwrap_or(today).min(today);
        let now = app::platform::time::now_ms();
        let mut tx = db.pool.begin().await?;
        for d in from.iter_days().take_while(|d| *d <= until) {
            if d.weekday() == chrono::Weekday::Sun || left.is_some_and(|l| d >= l) {
                continue;
            }
            if chance(user, d) >= share || at(d, (user as u32).wrapping_mul(7) + d.day()) > now {
                continue;
            }
            sqlx::query(
                "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m, accepted, counted, basis,
                    distance_m, flags, device_key, user_agent)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 1, 'inside', 0, '', $8, 'Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0')",
            )
            .bind(user)
            .bind(filing)
            .bind(at(d, (user as u32).wrapping_mul(7) + d.day()))
            .bind(d.to_string())
            .bind(lat + (chance(user + 1, d) - 0.5) * 0.0004)
            .bind(lng + (chance(user + 2, d) - 0.5) * 0.0004)
            .bind(8.0 + chance(user + 3, d) * 17.0)
            .bind(format!("demo-device-{user:04}"))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The reasons an owner gives for a score away from the system's proposal.
const REASONS: [&str; 5] = [
    "结合监理日志及现场抽查情况评定",
    "按合同约定的设备、资金投入情况评定",
    "按月度质量安全检查记录评定",
    "结合工期调整批复和现场实际评定",
    "按督办整改及会议出勤情况评定",
];

/// Starts, scores and (unless a draft) submits one period; returns its id.
#[allow(clippy::too_many_arguments)]
async fn evaluate(
    db: &Db,
    settings: &Settings,
    owner: &str,
    filing: i64,
    period: Period,
    shares: [f64; 5],
    submit: bool,
    overscore: bool,
) -> Result<i64, AppError> {
    let owner = actor(db, owner).await?;
    let id = service::start(db, settings, &owner, filing, &period.code()).await?;
    let e = service::get(db, settings, &owner, id).await?;
    // Owners mostly follow the proposals where the records give one; one
    // gives full marks for personnel the attendance does not support.
    let scores: Vec<i64> = e
        .items
        .iter()
        .zip(shares)
        .map(|(i, s)| match i.proposed {
            Some(_)
                if overscore
                    && i.evidence == Some(app::domain::evaluation::Evidence::Personnel) =>
            {
                i.weight
            }
            Some(p) => p,
            None => (i.weight as f64 * s).round() as i64,
        })
        .collect();
    let form = service::ScoreForm {
        items: e.items.iter().map(|i| i.code.clone()).collect(),
        scores: scores
            .iter()
            .enumerate()
            // A draft is half scored.
            .map(|(n, s)| {
                if !submit && n >= 2 {
                    String::new()
                } else {
                    s.to_string()
                }
            })
            .collect(),
        reasons: e
            .items
            .iter()
            .zip(&scores)
            .enumerate()
            .map(|(n, (i, s))| match i.proposed {
                Some(p) if p != *s => REASONS[n.min(4)].to_string(),
                _ => String::new(),
            })
            .collect(),
        remarks: if submit {
            "施工单位能按合同组织施工，现场管理基本规范；须加强关键人员在岗管理。".into()
        } else {
            String::new()
        },
    };
    service::save(db, settings, &owner, id, &form, "", "").await?;
    if submit {
        records::submit(db, &owner, &evaluations::RECORD, id).await?;
    }
    Ok(id)
}

/// The contractor's objection to the latest scoring, and how far it went.
async fn object(
    db: &Db,
    settings: &Settings,
    id: i64,
    owner: &str,
    how: Objection,
) -> Result<(), AppError> {
    let (reason, answer, decision) = match how {
        Objection::None => return Ok(()),
        Objection::Answered(r) => (r, "扣分依据为月度检查记录和监理通报，维持原评分", None),
        Objection::Dismissed(r) => (
            r,
            "更换虽经同意，但更换期间项目经理缺位十余天，扣分有据",
            Some(("dismiss", "建设单位扣分依据充分，异议不成立，维持原评分")),
        ),
        Objection::Upheld(r) => (
            r,
            "场地移交确有推迟，请监管部门裁定",
            Some(("uphold", "场地移交推迟属建设单位原因，工期控制项应重新评分")),
        ),
    };
    let e = service::get(db, settings, &actor(db, owner).await?, id).await?;
    let login: Option<String> = sqlx::query_scalar(
        "SELECT MIN(username) FROM users WHERE unit_id = $1 AND role = 'contractor' AND disabled = 0",
    )
    .bind(e.contractor_unit_id)
    .fetch_one(&db.pool)
    .await?;
    let Some(login) = login else { return Ok(()) };
    let x = service::file_objection(db, &actor(db, &login).await?, id, reason, None).await?;
    service::objection_step(db, &actor(db, owner).await?, x, "answer", answer, "").await?;
    if let Some((step, note)) = decision {
        let sector: String = sqlx::query_scalar(
            "SELECT a.sector FROM filings f JOIN awards a ON a.id = f.award_id WHERE f.id = $1",
        )
        .bind(e.filing_id)
        .fetch_one(&db.pool)
        .await?;
        let supervisor = match sector.as_str() {
            "transport" => "jtj",
            "housing" => "zjj",
            _ => "zgb",
        };
        service::objection_step(db, &actor(db, supervisor).await?, x, step, note, "").await?;
    }
    Ok(())
}

/// Loads the attendance history and the evaluations once (nothing if there
/// is any evaluation already).
pub async fn load(db: &Db, settings: &Settings) -> Result<(), AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evaluations")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    for (code, share) in UNEVALUATED {
        attendance(db, code, *share).await?;
    }
    for (code, share) in crate::demo_county::attendance_shares() {
        attendance(db, code, share).await?;
    }
    let today = today();
    for plan in PLANS {
        attendance(db, plan.code, plan.attendance).await?;
        let Some((filing, signed)) = sqlx::query_as::<_, (i64, Option<String>)>(
            "SELECT f.id, f.signed_on FROM filings f JOIN awards a ON a.id = f.award_id
             WHERE a.project_code = $1 AND a.section_code = '01' AND f.status = 'submitted'",
        )
        .bind(plan.code)
        .fetch_optional(&db.pool)
        .await?
        else {
            continue;
        };
        let Some(signed) = signed.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        else {
            continue;
        };
        let completed = app::features::progress::rules::completed_on(db, today, filing).await?;
        // The ended quarters of the contract, latest last.
        let ended: Vec<Period> = quarters(signed, completed.unwrap_or(today).min(today))
            .into_iter()
            .filter(|q| q.days().is_some_and(|(_, end)| end < today))
            .collect();
        let periods = &ended[ended.len().saturating_sub(plan.shares.len())..];
        let mut last = None;
        for (n, (period, shares)) in periods
            .iter()
            .zip(plan.shares.iter().skip(plan.shares.len() - periods.len()))
            .enumerate()
        {
            let latest = n + 1 == periods.len();
            let (draft, over) = (plan.last_draft && latest, plan.overscore && latest);
            let id = evaluate(
                db, settings, plan.owner, filing, *period, *shares, !draft, over,
            );
            last = Some(id.await?);
        }
        if plan.completion && completed.is_some_and(|c| c < today) {
            last = Some(
                evaluate(
                    db,
                    settings,
                    plan.owner,
                    filing,
                    Period::Completion,
                    GOOD,
                    true,
                    false,
                )
                .await?,
            );
        }
        if let Some(id) = last
            && !plan.last_draft
        {
            object(db, settings, id, plan.owner, plan.objection).await?;
        }
    }
    app::features::evaluate_rules_as_of(db, settings, today).await?;
    Ok(())
}
