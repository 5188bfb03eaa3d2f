//! The demo county's progress and people: every filed works project gets its
//! site on the map (spread over Pingyang's towns) and its monthly updates
//! from the start to last month, with photos. Most follow their plan; one
//! bridge is overdue (and gets its automatic 督办), one utility tunnel has
//! stopped and was paid ahead of its progress, one road is behind and has not
//! reported last month. A project manager was replaced, recorded late, with
//! a penalty. Loaded after the money story and the orders.
use crate::demo_county::Tale;
use crate::demo_history::{Demo, PDF, actor, file_demos};
use app::{
    domain::progress::{Month, planned_pct},
    error::AppError,
    features::{
        personnel::{self, service::ChangeForm},
        progress::{
            self,
            service::{MonthForm, SiteForm},
        },
    },
    platform::{db::Db, records, settings::Settings, storage::FileStore, time::today},
};
use chrono::{NaiveDate, TimeZone};
use sqlx::Row;

/// Works under way today, filed here (the money story's projects are all
/// finished or overdue): one on schedule, one stopped and paid ahead of its
/// progress, one behind.
const WORKS: &[Demo] = &[
    Demo {
        code: "PY2025-0618",
        name: "萧江镇文化中心新建工程",
        owner: "chengjian",
        owner_code: "12330326MB0H12345",
        contractor_code: "91330326145678901",
        sector: "住建",
        award_price: "9860000",
        award_date: "2025-06-18",
        price: "9780000",
        signed: "2025-07-10",
        start: "2025-08-01",
        end: "2027-01-31",
        pm: (
            "周建华",
            "33032619790312606",
            "13977770606",
            "浙233110800606",
        ),
        changes: &[],
        payments: &[
            (
                "advance",
                "2025-07-30",
                "978000",
                "XJ-ZF-2025-011",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2026-06-25",
                "3600000",
                "XJ-ZF-2026-019",
                "2025-08-01",
                "2026-05-31",
                "4400000",
                "560000",
                "",
            ),
        ],
    },
    Demo {
        code: "PY2025-0902",
        name: "昆阳镇城东路综合管廊工程",
        owner: "chengjian",
        owner_code: "12330326MB0H12345",
        contractor_code: "91330326MA2P9Q0R1",
        sector: "住建",
        award_price: "15400000",
        award_date: "2025-09-02",
        price: "15280000",
        signed: "2025-09-25",
        start: "2025-10-15",
        end: "2026-12-31",
        pm: (
            "陈海峰",
            "33032619850823607",
            "13977770707",
            "浙233120800707",
        ),
        changes: &[],
        payments: &[(
            "progress",
            "2026-08-20",
            "6900000",
            "KY-ZF-2026-027",
            "2025-10-15",
            "2026-07-31",
            "8600000",
            "900000",
            "",
        )],
    },
    Demo {
        code: "PY2026-0305",
        name: "104国道鳌江段路面养护工程",
        owner: "jtfz",
        owner_code: "91330326MA2C7Q8K1",
        contractor_code: "91330326MA2H3J4K5",
        sector: "交通",
        award_price: "7350000",
        award_date: "2026-03-05",
        price: "7320000",
        signed: "2026-03-28",
        start: "2026-04-15",
        end: "2027-04-14",
        pm: (
            "吴志远",
            "33032619880415608",
            "13977770808",
            "浙233130800808",
        ),
        changes: &[],
        payments: &[],
    },
];

const PHOTOS: [&[u8]; 3] = [
    include_bytes!("demo_assets/site-1.png"),
    include_bytes!("demo_assets/site-2.png"),
    include_bytes!("demo_assets/site-3.png"),
];

/// Where each project is: (project code, address, lat, lng), WGS-84.
const SITES: &[(&str, &str, f64, f64)] = &[
    (
        "PY2022-0815",
        "平阳县昆阳镇城南路 1 号（第二中学内）",
        27.6618,
        120.5552,
    ),
    (
        "PY2023-0906",
        "平阳县鳌江镇滨江路（鳌江大桥至西门段）",
        27.5963,
        120.5884,
    ),
    (
        "PY2024-0312",
        "104 国道萧江段（萧江镇渡龙村至麻步界）",
        27.6084,
        120.4672,
    ),
    (
        "PY2022-1020",
        "平阳县南雁镇堂基村至南雁荡山景区",
        27.5224,
        120.3921,
    ),
    (
        "PY2024-0806",
        "平阳县水头镇溪边村（鳌江上游溪边大桥）",
        27.5528,
        120.4251,
    ),
    (
        "PY2025-0203",
        "平阳县昆阳镇城西新区凤鸣路",
        27.6597,
        120.5381,
    ),
    (
        "PY2025-0618",
        "平阳县萧江镇萧江大道与萧渡路交叉口",
        27.6151,
        120.4783,
    ),
    (
        "PY2025-0902",
        "平阳县昆阳镇城东路（万兴路至东门）",
        27.6642,
        120.5838,
    ),
    (
        "PY2026-0305",
        "104 国道鳌江段（鳌江镇江屿至钱仓）",
        27.6059,
        120.6017,
    ),
];

/// How a project's months go.
#[derive(Clone, Copy, PartialEq)]
enum Story {
    /// Close to the planned line, completed in its completion month.
    OnPlan(f64),
    /// Past its completion, not finished (88 % now).
    Overdue,
    /// Stopped for the last two months, far behind.
    Stopped,
    /// Behind, and last month not reported yet.
    BehindUnreported,
}

fn story(code: &str) -> Story {
    match code {
        "PY2024-0806" => Story::Overdue,
        "PY2025-0902" => Story::Stopped,
        "PY2026-0305" => Story::BehindUnreported,
        "PY2025-0203" => Story::OnPlan(4.0),
        "PY2025-0618" => Story::OnPlan(2.0),
        _ => match crate::demo_county::tale(code) {
            Some(Tale::Overdue) => Story::Overdue,
            Some(t) => Story::OnPlan(t.lag()),
            None => Story::OnPlan(0.0),
        },
    }
}

/// An instant in Beijing (UTC ms).
fn at(day: NaiveDate, hour: u32) -> i64 {
    app::fmt::beijing()
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

fn work_done(month: Month, pct: i64, state: &str) -> String {
    match state {
        "completed" => "全部工程完工，完成竣工预验收，整改问题已销项".into(),
        "stopped" => "因管线迁改协调未完成停工，现场围挡维护、安全巡查".into(),
        _ if pct < 15 => format!("{month}：场地平整、临建搭设、测量放样，基础施工准备"),
        _ if pct < 45 => format!("{month}：基础及主体结构施工，完成混凝土浇筑和钢筋绑扎"),
        _ if pct < 80 => format!("{month}：主体结构收尾，机电安装、管网敷设同步推进"),
        _ => format!("{month}：装饰装修及附属工程施工，准备分部验收"),
    }
}

/// Loads the progress and the personnel change once (nothing if there is
/// any progress record already).
pub async fn load(db: &Db, files: &FileStore, settings: &Settings) -> Result<(), AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM progress")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let pdf = files.put(PDF.to_vec()).await?;
    file_demos(db, settings, &pdf, WORKS).await?;
    let mut shas = Vec::new();
    for p in PHOTOS {
        shas.push(files.put(p.to_vec()).await?);
    }
    let today = today();
    let this = Month::of(today);
    let rows = sqlx::query(
        "SELECT f.id, a.project_code, a.owner_unit_id, f.planned_start, f.planned_completion,
                CAST(COALESCE((SELECT SUM(c.days_delta) FROM project_changes c
                   WHERE c.filing_id = f.id AND c.status = 'submitted'), 0) AS BIGINT) AS days
         FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' ORDER BY f.id",
    )
    .fetch_all(&db.pool)
    .await?;
    for r in rows {
        let filing_id: i64 = r.try_get("id")?;
        let code: String = r.try_get("project_code")?;
        let login: String = sqlx::query_scalar(
            "SELECT username FROM users WHERE unit_id = $1 AND role = 'owner' ORDER BY id LIMIT 1",
        )
        .bind(r.try_get::<i64, _>("owner_unit_id")?)
        .fetch_one(&db.pool)
        .await?;
        let owner = actor(db, &login).await?;
        let day =
            |s: Option<String>| s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        let (Some(start), Some(end)) = (
            day(r.try_get("planned_start")?),
            day(r.try_get("planned_completion")?),
        ) else {
            continue;
        };
        let end = end + chrono::Duration::days(r.try_get::<i64, _>("days")?);
        let actual_start = (start + chrono::Duration::days(3)).min(today);
        let site = SITES
            .iter()
            .find(|s| s.0 == code)
            .map(|s| (s.1, s.2, s.3))
            .or_else(|| crate::demo_county::place(&code));
        if let Some((address, lat, lng)) = site {
            progress::service::save_site(
                db,
                &owner,
                filing_id,
                &SiteForm {
                    actual_start: actual_start.to_string(),
                    address: address.to_string(),
                    point: format!("{lat}, {lng}"),
                },
                "",
            )
            .await?;
        }
        let tale = story(&code);
        // The road leaves out the last month already due (on the 1st to the
        // 5th of a month, that is the month before last).
        let due = if today > this.day(settings.progress.report_by_day) {
            this.prev()
        } else {
            this.prev().prev()
        };
        let last = match tale {
            Story::BehindUnreported => due.prev(),
            _ => this.prev(),
        };
        let mut m = Month::of(actual_start);
        let mut prev = 0i64;
        let mut i = 0usize;
        while m <= last {
            let planned = planned_pct(start, end, m.last());
            let (pct, state) = match tale {
                Story::OnPlan(lag) => {
                    if m >= Month::of(end) {
                        (100, "completed")
                    } else {
                        (((planned - lag).round() as i64).clamp(1, 99), "in_progress")
                    }
                }
                Story::Overdue => (
                    ((planned * 0.88).round() as i64).clamp(1, 88),
                    "in_progress",
                ),
                Story::Stopped if m >= this.prev().prev() => (prev, "stopped"),
                // Never above 35 %: its 45 % paid stays ahead of it.
                Story::Stopped => (((planned * 0.5).round() as i64).clamp(1, 35), "in_progress"),
                Story::BehindUnreported => (
                    ((planned - 16.0).round() as i64).clamp(0, 99),
                    "in_progress",
                ),
            };
            let pct = pct.max(prev);
            let state = if pct == 0 { "not_started" } else { state };
            let id = progress::service::save_month(
                db,
                &owner,
                0,
                filing_id,
                &MonthForm {
                    month: m.to_string(),
                    percent: pct.to_string(),
                    state: state.into(),
                    work_done: work_done(m, pct, state),
                    investment: String::new(),
                    drop_reason: String::new(),
                },
                "",
                "",
            )
            .await?;
            let sha = &shas[i % shas.len()];
            records::attach(
                db,
                &owner,
                &progress::RECORD,
                id,
                "photo",
                &format!("{m} 现场照片.png"),
                "image/png",
                PHOTOS[i % PHOTOS.len()].len(),
                sha,
                "",
            )
            .await?;
            records::submit(db, &owner, &progress::RECORD, id).await?;
            // Reported by the 3rd of the next month; every seventh month late.
            let filed = m.next().day(if i % 7 == 6 { 11 } else { 3 }).min(today);
            sqlx::query("UPDATE progress_months SET submitted_at = $1 WHERE id = $2")
                .bind(at(filed, 10))
                .bind(id)
                .execute(&db.pool)
                .await?;
            prev = pct;
            i += 1;
            if state == "completed" {
                break;
            }
            m = m.next();
        }
    }
    replace_manager(db, files).await?;
    app::features::evaluate_rules_as_of(db, settings, today).await?;
    Ok(())
}

/// 萧江镇文化中心's project manager left for health reasons in September and
/// the owner recorded it two weeks later, with a fine and an interview.
async fn replace_manager(db: &Db, files: &FileStore) -> Result<(), AppError> {
    let owner = actor(db, "chengjian").await?;
    let (filing_id, member_id): (i64, i64) = sqlx::query_as(
        "SELECT m.filing_id, m.id FROM roster_members m JOIN filings f ON f.id = m.filing_id
         JOIN awards a ON a.id = f.award_id
         WHERE a.project_code = 'PY2025-0618' AND m.role = 'pm' AND m.removed_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await?;
    // He had been on the roster since the contract was signed.
    sqlx::query("UPDATE roster_members SET joined_on = '2025-07-10' WHERE id = $1")
        .bind(member_id)
        .execute(&db.pool)
        .await?;
    let id_body = "33032619860921609";
    let id_number = app::domain::IdNumber::with_check(id_body).ok_or(AppError::Internal)?;
    let form = ChangeForm {
        filing_id: filing_id.to_string(),
        member_id: member_id.to_string(),
        new_name: "王立新".into(),
        new_id_number: id_number.as_str().to_string(),
        new_mobile: "13977770909".into(),
        new_cert_no: "浙233110800909".into(),
        reason: "health".into(),
        reason_text: "原项目经理腰椎手术，需休养三个月以上（附二甲医院证明）".into(),
        effective_on: "2026-09-14".into(),
        fine: "5000".into(),
        credit_points: "2".into(),
        interview: true,
        censure: false,
        penalty_other: String::new(),
    };
    let id = personnel::service::save(db, &owner, 0, &form, "", "").await?;
    let sha = files.put(PDF.to_vec()).await?;
    records::attach(
        db,
        &owner,
        &personnel::RECORD,
        id,
        "consent",
        "建设单位同意更换项目经理的函.pdf",
        "application/pdf",
        PDF.len(),
        &sha,
        "",
    )
    .await?;
    records::submit(db, &owner, &personnel::RECORD, id).await?;
    let recorded = NaiveDate::from_ymd_opt(2026, 9, 28).ok_or(AppError::Internal)?;
    sqlx::query("UPDATE personnel_changes SET submitted_at = $1 WHERE id = $2")
        .bind(at(recorded, 15))
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
