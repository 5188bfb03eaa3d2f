//! The supervision views on the services, both databases: the county map
//! holds exactly the filed construction projects in the viewer's scope, each
//! lit by its latest month against the planned line (yellow and red by the
//! thresholds in force, red past the revised completion, grey once 已完工,
//! blue before anything is reported) with its open alerts; the project's
//! file (一项目一档) gathers every module's records and dates them in one
//! timeline, and is refused outside the project's scope.
use crate::{
    helpers::TestDb,
    money::file_and_submit,
    on_both,
    progress::{kindergarten, report},
};
use app::{
    domain::progress::Light,
    error::AppError,
    features::{
        compliance,
        county_map::{self, CountyMap},
        dashboards, dossier,
        payments::{self, service::PaymentForm},
        progress::{
            self,
            service::{MonthForm, save_site},
        },
    },
    platform::{db::Backend, rules::run},
};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn month(m: &str, pct: &str, state: &str) -> MonthForm {
    MonthForm {
        month: m.into(),
        percent: pct.into(),
        state: state.into(),
        work_done: format!("{m} 主体结构施工"),
        investment: "850000".into(),
        drop_reason: String::new(),
    }
}

async fn map_of(t: &TestDb, user: &str, as_of: &str) -> CountyMap {
    county_map::service::county_map(&t.db, &t.actor(user).await, &t.settings, d(as_of))
        .await
        .unwrap()
}

/// Submitted construction filings as plain SQL counts them, by a condition.
async fn filed(t: &TestDb, cond: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' AND {cond} ORDER BY f.id"
    ))
    .fetch_all(&t.db.pool)
    .await
    .unwrap()
}

fn ids(m: &CountyMap) -> Vec<i64> {
    m.projects.iter().map(|p| p.filing_id).collect()
}

async fn the_map_shows_the_scope_lit_by_progress(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // The county's filed contracts across sectors (no progress reported yet).
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let kg = kindergarten(&t).await;
    let jiaoyu = t.unit_id("平阳县教育局").await;

    // Scope: the resource office sees every filed construction project, the
    // transport authority its sector's, an owner its own.
    let all = filed(&t, "1 = 1").await;
    assert!(all.len() >= 3, "the demo files several projects");
    assert_eq!(ids(&map_of(&t, "zgb", "2025-07-01").await), all);
    let transport = filed(&t, "a.sector = 'transport'").await;
    assert!(!transport.is_empty() && transport.len() < all.len());
    assert_eq!(ids(&map_of(&t, "jtj", "2025-07-01").await), transport);
    let own = filed(&t, &format!("a.owner_unit_id = {jiaoyu}")).await;
    assert_eq!(ids(&map_of(&t, "jiaoyu", "2025-07-01").await), own);
    assert!(own.contains(&kg));
    // Names of every unit the projects name, none else.
    let m = map_of(&t, "jiaoyu", "2025-07-01").await;
    assert!(
        m.projects
            .iter()
            .all(|p| !m.unit(p.owner).is_empty() && !m.unit(p.contractor).is_empty())
    );
    assert_eq!(m.unit(jiaoyu), "平阳县教育局");

    let kg_of = |m: &CountyMap| {
        m.projects
            .iter()
            .find(|p| p.filing_id == kg)
            .cloned()
            .unwrap()
    };
    // Nothing reported: not started, no site.
    let p = kg_of(&map_of(&t, "jiaoyu", "2025-07-01").await);
    assert_eq!(
        (p.light, p.site, p.percent),
        (Light::NotStarted, None, None)
    );
    assert_eq!(p.why, "尚未报送月度进度");

    // The site placed: the point on the map (WGS-84 as stored).
    let owner = t.actor("jiaoyu").await;
    save_site(&t.db, &owner, kg, &crate::progress::site(), "")
        .await
        .unwrap();
    assert_eq!(
        kg_of(&map_of(&t, "jiaoyu", "2025-07-01").await).site,
        Some((27.6597, 120.5381))
    );

    // Planned 2025-06-15 to 2026-06-14, moved 30 days by the approved
    // schedule change (2025-08-10) to 2026-07-14: 394 days. At 2025-10-31 the
    // line stands at 138/394 = 35.0 %; 30 % is on schedule (5.0 behind).
    report(&t, kg, month("2025-10", "30", "in_progress"), "2025-11-05").await;
    let p = kg_of(&map_of(&t, "jiaoyu", "2025-11-10").await);
    assert_eq!((p.light, p.percent), (Light::OnSchedule, Some(30)));
    assert_eq!(p.why, "2025-10 累计完成 30%，序时进度 35%");
    // Not yet submitted by an earlier day: as of 2025-11-01 nothing reported.
    assert_eq!(
        kg_of(&map_of(&t, "jiaoyu", "2025-11-01").await).light,
        Light::NotStarted
    );

    // 2025-11-30: 168/394 = 42.6 %; still 30 % is 12.6 behind (yellow, > 10).
    report(&t, kg, month("2025-11", "30", "in_progress"), "2025-12-05").await;
    let p = kg_of(&map_of(&t, "jiaoyu", "2025-12-10").await);
    assert_eq!(p.light, Light::Yellow);
    assert_eq!(p.why, "2025-11 累计完成 30%，落后序时进度 13 个百分点");
    // The administrator's threshold is the one in force: yellow from 15.
    sqlx::query(
        "INSERT INTO rule_settings (code, enabled, params, version, updated_at)
         VALUES ('progress_behind', 1, '{\"points\":15}', 1, 0)",
    )
    .execute(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(
        kg_of(&map_of(&t, "jiaoyu", "2025-12-10").await).light,
        Light::OnSchedule
    );
    sqlx::query("DELETE FROM rule_settings")
        .execute(&t.db.pool)
        .await
        .unwrap();

    // 2026-02-28: 258/394 = 65.5 %; 30 % stopped is 35.5 behind: red.
    report(&t, kg, month("2026-02", "30", "stopped"), "2026-03-05").await;
    let p = kg_of(&map_of(&t, "jiaoyu", "2026-03-10").await);
    assert_eq!(p.light, Light::Red);
    assert_eq!(
        p.why,
        "2026-02 累计完成 30%，落后序时进度 35 个百分点，停工中"
    );
    // The open alerts count on the card: the red light's rule raised.
    run(&t.db, &t.settings, progress::rules::RULES, d("2026-03-10"))
        .await
        .unwrap();
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts WHERE filing_id = $1 AND cleared_on IS NULL",
    )
    .bind(kg)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(open >= 1);
    assert_eq!(
        kg_of(&map_of(&t, "jiaoyu", "2026-03-10").await).alerts,
        open
    );

    // Past the revised completion unfinished: red, with the days.
    let p = kg_of(&map_of(&t, "jiaoyu", "2026-07-24").await);
    assert_eq!(p.light, Light::Red);
    assert_eq!(p.why, "已超过竣工日期 2026-07-14 10 天仍未完工");
    assert_eq!(p.completion.as_deref(), Some("2026-07-14"));

    // Reported 已完工: grey, whatever the date.
    report(&t, kg, month("2026-03", "100", "completed"), "2026-04-03").await;
    let p = kg_of(&map_of(&t, "jiaoyu", "2026-08-01").await);
    assert_eq!((p.light, p.percent), (Light::Completed, Some(100)));

    // Key personnel have no map.
    let pm = t.actor("xmjl_zhang").await;
    assert!(matches!(
        county_map::service::county_map(&t.db, &pm, &t.settings, d("2026-01-10")).await,
        Err(AppError::Forbidden)
    ));
}

async fn the_project_file_gathers_every_module(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let kg = kindergarten(&t).await;
    report(&t, kg, month("2025-10", "30", "in_progress"), "2025-11-05").await;
    report(&t, kg, month("2025-11", "45", "in_progress"), "2025-12-05").await;
    let owner = t.actor("jiaoyu").await;
    let f = dossier::service::get(&t.db, &owner, &t.settings, kg)
        .await
        .unwrap();
    assert_eq!(f.filing.id, kg);
    assert_eq!(
        f.figures.contract_price_fen,
        f.filing.contract_price_fen.unwrap()
    );
    let months: Vec<(String, i64)> = f
        .progress
        .as_ref()
        .unwrap()
        .months
        .iter()
        .map(|m| (m.month.clone(), m.percent))
        .collect();
    assert_eq!(
        months,
        [("2025-11".to_string(), 45), ("2025-10".to_string(), 30)]
    );
    assert!(!f.filing.roster.is_empty());
    // The timeline: latest first, the months, the signing and the filing.
    let days: Vec<&str> = f.timeline.iter().map(|e| e.day.as_str()).collect();
    let mut sorted = days.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(days, sorted, "latest first");
    let texts: Vec<&str> = f.timeline.iter().map(|e| e.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|s| s.starts_with("2025-11 月报：累计完成 45%")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|s| s.starts_with("签订合同")), "{texts:?}");
    assert!(
        f.timeline
            .iter()
            .any(|e| e.kind == "合同" && e.text.starts_with("合同备案"))
    );

    // The sector's authority and the resource office read it; another owner
    // and another sector's authority are refused, whatever id they send.
    for user in ["zgb", "admin"] {
        let a = t.actor(user).await;
        assert!(
            dossier::service::get(&t.db, &a, &t.settings, kg)
                .await
                .is_ok(),
            "{user}"
        );
    }
    for user in ["chengjian", "jtj"] {
        let a = t.actor(user).await;
        assert!(
            matches!(
                dossier::service::get(&t.db, &a, &t.settings, kg).await,
                Err(AppError::Forbidden)
            ),
            "{user}"
        );
    }
    let pm = t.actor("xmjl_zhang").await;
    assert!(matches!(
        dossier::service::get(&t.db, &pm, &t.settings, kg).await,
        Err(AppError::Forbidden)
    ));
    // A missing project answers as another unit's does; the county office
    // hears that it is missing.
    assert!(matches!(
        dossier::service::get(&t.db, &owner, &t.settings, 999_999).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        dossier::service::get(&t.db, &t.actor("zgb").await, &t.settings, 999_999).await,
        Err(AppError::NotFound)
    ));
    // A draft filing has no file yet.
    let draft: Option<i64> = sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE f.status = 'draft' AND a.owner_unit_id = $1",
    )
    .bind(owner.unit_id)
    .fetch_optional(&t.db.pool)
    .await
    .unwrap();
    if let Some(draft) = draft {
        assert!(matches!(
            dossier::service::get(&t.db, &owner, &t.settings, draft).await,
            Err(AppError::NotFound)
        ));
    }
}
async fn the_demo_county_shows_every_light(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_county::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_progress::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let today = app::platform::time::today();
    let m = county_map::service::county_map(&t.db, &t.actor("zgb").await, &t.settings, today)
        .await
        .unwrap();
    assert!(
        (40..=60).contains(&m.projects.len()),
        "{}",
        m.projects.len()
    );
    for light in Light::ALL {
        assert!(
            m.projects.iter().any(|p| p.light == light),
            "no {light:?} project"
        );
    }
    let unsited = m.projects.iter().filter(|p| p.site.is_none()).count();
    assert!((1..=5).contains(&unsited), "{unsited} without a site");
    let sectors: std::collections::BTreeSet<&str> =
        m.projects.iter().map(|p| p.sector.as_str()).collect();
    assert!(sectors.len() >= 4, "{sectors:?}");
    let towns: std::collections::BTreeSet<&str> = m
        .projects
        .iter()
        .filter_map(|p| p.town.as_deref())
        .collect();
    assert!(towns.len() >= 8, "{towns:?}");

    // Each card's open alerts and orders are what the tables hold, for the
    // province-wide map and for an owner's (counted only over its own).
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    run(&t.db, &t.settings, progress::rules::RULES, today)
        .await
        .unwrap();
    let pool = &t.db.pool;
    let counted = |sql: &'static str| async move {
        sqlx::query_as::<_, (i64, i64)>(sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect::<std::collections::HashMap<i64, i64>>()
    };
    let alerts = counted(
        "SELECT filing_id, COUNT(*) FROM alerts WHERE cleared_on IS NULL AND filing_id IS NOT NULL GROUP BY filing_id",
    )
    .await;
    let orders = counted(
        "SELECT f.id, COUNT(*) FROM supervision_orders o JOIN filings f ON f.award_id = o.award_id
         WHERE o.status <> 'closed' GROUP BY f.id",
    )
    .await;
    assert!(
        !alerts.is_empty() && !orders.is_empty(),
        "the demo raises both"
    );
    for user in ["zgb", "jiaoyu"] {
        let m = county_map::service::county_map(&t.db, &t.actor(user).await, &t.settings, today)
            .await
            .unwrap();
        for p in &m.projects {
            let want =
                |c: &std::collections::HashMap<i64, i64>| c.get(&p.filing_id).copied().unwrap_or(0);
            assert_eq!(
                (p.alerts, p.orders),
                (want(&alerts), want(&orders)),
                "{user}: {}",
                p.name
            );
        }
    }
}

/// A submitted payment of the kindergarten, as its owner records it.
async fn pay(t: &TestDb, filing_id: i64, kind: &str, paid_on: &str, amount: &str, work: &str) {
    let owner = t.actor("jiaoyu").await;
    let progress = kind == "progress";
    let form = PaymentForm {
        filing_id: filing_id.to_string(),
        kind: kind.into(),
        paid_on: paid_on.into(),
        amount: amount.into(),
        payee: "温州鳌江建筑工程有限公司".into(),
        voucher_no: format!("ZF-{paid_on}"),
        period_from: if progress {
            "2025-06-15".into()
        } else {
            String::new()
        },
        period_to: if progress {
            "2025-10-31".into()
        } else {
            String::new()
        },
        work_value: work.into(),
        labour: if progress {
            "300000".into()
        } else {
            "0".into()
        },
        ..Default::default()
    };
    let id = payments::service::save(&t.db, &owner, 0, &form, "", "")
        .await
        .unwrap();
    file_and_submit(t, &owner, &payments::RECORD, id).await;
}

async fn the_dashboards_count_what_the_records_say(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let kg = kindergarten(&t).await;
    let owner = t.actor("jiaoyu").await;
    // The base demo's one filed project: 12,580,000 元, planned 2025-06-15
    // to 2026-06-14 (364 days), no change.
    report(&t, kg, month("2025-10", "30", "in_progress"), "2025-11-05").await;
    pay(&t, kg, "advance", "2025-06-20", "1258000", "").await;
    pay(&t, kg, "progress", "2025-11-20", "3000000", "3750000").await;
    // After the day the boards are read as of: not counted.
    pay(&t, kg, "progress", "2025-12-20", "900000", "1125000").await;
    let day = d("2025-12-10");

    let b = dashboards::service::payments(&t.db, &owner, &t.settings, day)
        .await
        .unwrap();
    assert_eq!((b.revised_fen, b.paid_fen), (1_258_000_000, 425_800_000));
    let kinds: Vec<(&str, i64)> = b.by_kind.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        kinds,
        [
            ("advance", 125_800_000),
            ("progress", 300_000_000),
            ("settlement", 0),
            ("retention", 0),
            ("other", 0)
        ]
    );
    assert_eq!(b.by_month.len(), 12);
    assert_eq!(b.by_month[0], ("2025-01".to_string(), 0));
    assert_eq!(b.by_month[5], ("2025-06".to_string(), 125_800_000));
    assert_eq!(b.by_month[10], ("2025-11".to_string(), 300_000_000));
    assert_eq!(b.by_month.iter().map(|m| m.1).sum::<i64>(), 425_800_000);
    let p = &b.projects[0];
    assert_eq!(
        (p.filing_id, p.paid_fen, p.percent),
        (kg, 425_800_000, Some(30))
    );
    assert!((p.paid_pct() - 33.847).abs() < 0.01);
    // Progress payments 23.8 % of the price against 30 % done: not ahead.
    assert!(!p.ahead && !p.over_price);
    // As of 2025-12-31 the December payment counts: 31.0 % paid for
    // progress, still within 30 % + 5 points; another 1,000,000 is not.
    pay(&t, kg, "progress", "2025-12-28", "1000000", "1250000").await;
    let b = dashboards::service::payments(&t.db, &owner, &t.settings, d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(b.paid_fen, 615_800_000);
    assert!(b.projects[0].ahead, "4,900,000 of 12,580,000 = 39.0 % > 35");

    save_site(&t.db, &owner, kg, &crate::progress::site(), "")
        .await
        .unwrap();
    let p = dashboards::service::progress(&t.db, &owner, &t.settings, day)
        .await
        .unwrap();
    // 2025-10-31: 138/364 = 37.9 % planned, 30 % done: on schedule.
    assert_eq!(p.total, [0, 0, 1, 0, 0]);
    assert_eq!(p.by_sector.len(), 1);
    assert_eq!(p.by_sector[0].name, "住建");
    assert_eq!(p.by_sector[0].href, "/map?sector=housing");
    assert_eq!(p.by_owner[0].name, "平阳县教育局");
    // The town is read from the site's address (平阳县昆阳镇城西新区凤鸣路).
    assert_eq!(p.by_town.len(), 1);
    assert_eq!(p.by_town[0].name, "昆阳镇");
    assert_eq!(p.by_town[0].href, "/map?town=%E6%98%86%E9%98%B3%E9%95%87");
    assert_eq!(p.by_town[0].counts, [0, 0, 1, 0, 0]);
    assert!(p.delayed.is_empty());
    assert_eq!(p.months.first().map(String::as_str), Some("2025-01"));
    assert_eq!(p.months.last().map(String::as_str), Some("2025-12"));
    // Before the planned start nothing is under way; then the line at each
    // month's end (the current month: as of the day) against the latest
    // report by then.
    assert_eq!((p.planned[4], p.actual[4]), (None, None));
    assert_eq!((p.planned[5], p.actual[5]), (Some(4.1), Some(0.0)));
    assert_eq!((p.planned[9], p.actual[9]), (Some(37.9), Some(30.0)));
    assert_eq!((p.planned[10], p.actual[10]), (Some(46.2), Some(30.0)));
    assert_eq!((p.planned[11], p.actual[11]), (Some(48.9), Some(30.0)));

    // A transport authority sees none of it; key personnel nothing at all.
    let jtj = t.actor("jtj").await;
    let b = dashboards::service::payments(&t.db, &jtj, &t.settings, day)
        .await
        .unwrap();
    assert!(b.projects.iter().all(|p| p.filing_id != kg));
    let pm = t.actor("xmjl_zhang").await;
    assert!(matches!(
        dashboards::service::progress(&t.db, &pm, &t.settings, day).await,
        Err(AppError::Forbidden)
    ));
}

async fn stats(t: &TestDb, user: &str, period: &str, today: &str) -> compliance::Compliance {
    let p = compliance::StatPeriod::parse(period).unwrap();
    compliance::service::compliance(&t.db, &t.actor(user).await, &t.settings, &p, d(today))
        .await
        .unwrap()
}

fn row<'a>(c: &'a compliance::Compliance, unit: &str) -> &'a compliance::UnitStats {
    c.rows
        .iter()
        .find(|r| r.unit == unit)
        .unwrap_or_else(|| panic!("no {unit}"))
}

async fn the_compliance_statistics_count_each_unit(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let kg = kindergarten(&t).await;
    // The base demo: 教育局's kindergarten (award 2025-05-16) filed at load
    // time, its supervision section (same day) not filed.
    let c = stats(&t, "zgb", "2025-05", "2025-12-10").await;
    let jy = row(&c, "平阳县教育局");
    assert_eq!(jy.awards, 2);
    assert_eq!((jy.filed_on_time, jy.filed_late, jy.unfiled), (0, 1, 1));
    assert_eq!(jy.filing_pct(), Some(0.0));
    // Months: October's report filed 2025-11-20 (late: due 11-05),
    // November's on 2025-12-03 (on time); December's is not due yet.
    report(&t, kg, month("2025-10", "30", "in_progress"), "2025-11-20").await;
    report(&t, kg, month("2025-11", "40", "in_progress"), "2025-12-03").await;
    pay(&t, kg, "advance", "2025-11-10", "1258000", "").await;
    let c = stats(&t, "zgb", "2025Q4", "2025-12-10").await;
    let jy = row(&c, "平阳县教育局");
    assert_eq!((jy.reports_due, jy.reports_on_time), (2, 1));
    assert_eq!((jy.payments, jy.paid_fen), (1, 125_800_000));
    assert_eq!(jy.awards, 0);
    assert_eq!(c.period.label, "2025 年第 4 季度");
    // Below the bar: late reports and late filing name 教育局.
    let late = c
        .below
        .iter()
        .find(|b| b.what.starts_with("月度进度"))
        .unwrap();
    assert_eq!(late.units, ["平阳县教育局"]);
    // The score: reports 50 % (no award this quarter, attendance as counted).
    let parts: Vec<f64> = [jy.filing_pct(), jy.reports_pct(), jy.attendance_pct()]
        .into_iter()
        .flatten()
        .collect();
    let mean = parts.iter().sum::<f64>() / parts.len() as f64;
    assert!((jy.score - (mean * 10.0).round() / 10.0).abs() < 1e-9);
    assert!(c.rows.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(
        c.rows.iter().map(|r| r.rank).collect::<Vec<_>>(),
        (1..=c.rows.len() as i64).collect::<Vec<_>>()
    );

    // A sector authority counts its sector's units only; owners and key
    // personnel are refused.
    let c = stats(&t, "jtj", "2025Q4", "2025-12-10").await;
    assert!(c.rows.iter().all(|r| r.unit != "平阳县教育局"));
    for user in ["jiaoyu", "xmjl_zhang"] {
        let p = compliance::StatPeriod::parse("2025Q4").unwrap();
        assert!(matches!(
            compliance::service::compliance(
                &t.db,
                &t.actor(user).await,
                &t.settings,
                &p,
                d("2025-12-10")
            )
            .await,
            Err(AppError::Forbidden)
        ));
    }
    // Periods: months, quarters and years; anything else is refused.
    assert_eq!(
        compliance::StatPeriod::parse("2026").unwrap().to,
        "2026-12-31"
    );
    assert_eq!(
        compliance::StatPeriod::parse("2026-02").unwrap().to,
        "2026-02-28"
    );
    for bad in ["", "2026Q5", "26-01", "abcd", "2026-13"] {
        assert!(compliance::StatPeriod::parse(bad).is_none(), "{bad}");
    }
}

/// The Excel export holds the statistics table the page shows, in its
/// order; owners are refused it.
async fn the_compliance_table_exports_to_excel(b: Backend) {
    let s = crate::http::TestServer::start(b).await;
    let p = compliance::StatPeriod::parse("2025Q2").unwrap();
    let today = app::platform::time::today();
    let c =
        compliance::service::compliance(&s.t.db, &s.t.actor("zgb").await, &s.t.settings, &p, today)
            .await
            .unwrap();
    assert!(!c.rows.is_empty());
    let client = s.logged_in("zgb").await;
    let rows = crate::exports::sheet(&s, &client, "/export/compliance.xlsx?period=2025Q2").await;
    assert_eq!(rows[0][..3], ["排名", "建设单位", "中标项目"]);
    assert_eq!(rows.len(), c.rows.len() + 1);
    for (line, r) in rows[1..].iter().zip(&c.rows) {
        assert_eq!(line[0], format!("{:.2}", r.rank as f64));
        assert_eq!(line[1], r.unit);
        assert_eq!(line[2], format!("{:.2}", r.awards as f64));
        assert_eq!(line[15], format!("{:.2}", r.score));
    }
    // A bad period is a field error, not a file.
    let r = client
        .get(s.url("/export/compliance.xlsx?period=2025Q9"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let owner = s.logged_in("jiaoyu").await;
    let r = owner
        .get(s.url("/export/compliance.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN);
}

async fn the_alerts_board_adds_up(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    let today = app::platform::time::today();
    let count = |sql: &'static str| {
        let pool = t.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let b = dashboards::service::alerts(&t.db, &t.actor("zgb").await, today)
        .await
        .unwrap();
    let open = count("SELECT COUNT(*) FROM alerts WHERE cleared_on IS NULL").await;
    assert!(open > 0, "the demo has open alerts");
    assert_eq!(b.alerts_open, open);
    assert_eq!(
        b.by_rule
            .iter()
            .map(|r| r.open.iter().sum::<i64>())
            .sum::<i64>(),
        open
    );
    assert_eq!(b.by_unit.iter().map(|u| u.alerts_open).sum::<i64>(), open);
    assert_eq!(
        b.alerts_serious,
        count("SELECT COUNT(*) FROM alerts WHERE cleared_on IS NULL AND severity = 'serious'")
            .await
    );
    let orders = count("SELECT COUNT(*) FROM supervision_orders").await;
    assert!(orders > 0, "the demo has orders");
    assert_eq!(b.orders_open + b.orders_closed, orders);
    assert_eq!(
        b.orders_closed,
        count("SELECT COUNT(*) FROM supervision_orders WHERE status = 'closed'").await
    );
    assert_eq!(b.by_month.len(), 12);
    assert!(b.by_unit.iter().all(|u| !u.unit.is_empty()));
    // An owner sees its own unit only.
    let mine = dashboards::service::alerts(&t.db, &t.actor("jiaoyu").await, today)
        .await
        .unwrap();
    assert!(
        mine.by_unit.iter().all(|u| u.unit == "平阳县教育局"),
        "{:?}",
        mine.by_unit
    );
    assert!(mine.alerts_open <= open);
}

/// A counted check-in of `user` on `filing` on `day`.
async fn checked_in(t: &TestDb, user: i64, filing: i64, day: &str) {
    sqlx::query(
        "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m, accepted, counted, basis, flags, device_key)
         VALUES ($1, $2, 0, $3, 27.6625, 120.5655, 10, 1, 1, 'inside', '', 'devicetest001')",
    )
    .bind(user)
    .bind(filing)
    .bind(day)
    .execute(&t.db.pool)
    .await
    .unwrap();
}

async fn attendance_board(
    t: &TestDb,
    user: &str,
    month: Option<&str>,
) -> Result<dashboards::AttendanceBoard, AppError> {
    dashboards::service::attendance::attendance(
        &t.db,
        &t.actor(user).await,
        &t.settings,
        d("2026-12-03"),
        month.map(|m| app::domain::progress::Month::parse(m).unwrap()),
    )
    .await
}

fn duty(required: i64, counted: i64) -> dashboards::Duty {
    dashboards::Duty { required, counted }
}

/// The attendance board counts lead key personnel as the month views do:
/// the calendar's required days (Mon–Sat by default) while on the roster, a
/// Sunday check-in not making up a weekday; by month, group and person; and
/// today's who has not checked in.
async fn the_attendance_board_counts_lead_duty(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // The hospital (城建中心, 浙江平阳建设集团): its 项目经理 赵建国 on the
    // roster since 2026-09-01; a 总监 of 正信监理 joins on 2026-11-16.
    let id = crate::attendance::site(&t).await;
    sqlx::query(
        "UPDATE filings SET supervisor_engineer_unit_id = (SELECT id FROM units WHERE name = '平阳县正信工程监理有限公司') WHERE id = $1",
    )
    .bind(id)
    .execute(&t.db.pool)
    .await
    .unwrap();
    let owner = t.actor("chengjian").await;
    let chief = crate::filings::member(
        "chief_supervisor",
        "钱立诚",
        "33032619790315123",
        "13857700066",
        "监理330001",
    );
    app::features::filings::service::add_member(&t.db, &owner, id, chief, "补充总监理工程师")
        .await
        .unwrap();
    sqlx::query("UPDATE roster_members SET joined_on = '2026-11-16' WHERE filing_id = $1 AND role = 'chief_supervisor'")
        .bind(id)
        .execute(&t.db.pool)
        .await
        .unwrap();
    // Written behind the services' back: what was derived is read again.
    t.db.cache.derived.clear();
    let (pm, cs) = (
        t.user_id("13857700011").await,
        t.user_id("13857700066").await,
    );
    // November has 25 required days (its five Sundays off). The manager
    // checks in on the first 15 and on Sunday the 8th; the 总监 on all 13 of
    // his; in December the manager on the 1st, the 总监 on the 1st and 2nd;
    // today (Thursday the 3rd) the manager only.
    let november: Vec<NaiveDate> = d("2026-11-01")
        .iter_days()
        .take_while(|x| *x <= d("2026-11-30"))
        .filter(|x| x.format("%u").to_string() != "7")
        .collect();
    assert_eq!(november.len(), 25);
    for day in november.iter().take(15) {
        checked_in(&t, pm, id, &day.to_string()).await;
    }
    checked_in(&t, pm, id, "2026-11-08").await;
    for day in november.iter().filter(|x| **x >= d("2026-11-16")) {
        checked_in(&t, cs, id, &day.to_string()).await;
    }
    for (user, day) in [
        (pm, "2026-12-01"),
        (cs, "2026-12-01"),
        (cs, "2026-12-02"),
        (pm, "2026-12-03"),
    ] {
        checked_in(&t, user, id, day).await;
    }

    let mine = attendance_board(&t, "chengjian", None).await.unwrap();
    assert_eq!(mine.month, "2026-11");
    assert!(!mine.partial);
    assert_eq!(mine.limit_pct, 80.0);
    assert_eq!(mine.months.len(), 12);
    assert_eq!(mine.months[0], "2026-12");
    // The owner's only project with lead key personnel is the hospital.
    assert_eq!(
        (mine.total.pm, mine.total.chief),
        (duty(25, 15), duty(13, 13))
    );
    assert_eq!((mine.total.people, mine.total.below), (2, 1));
    let by_month = |m: &str| {
        let row = mine.by_month.iter().find(|r| r.0 == m).unwrap();
        (row.1, row.2)
    };
    assert_eq!(by_month("2026-11"), (duty(25, 15), duty(13, 13)));
    // October: 27 required days, none checked in; the 总监 not yet there.
    assert_eq!(by_month("2026-10"), (duty(27, 0), duty(0, 0)));
    // December up to yesterday.
    assert_eq!(by_month("2026-12"), (duty(2, 1), duty(2, 2)));
    assert_eq!(by_month("2026-01"), (duty(0, 0), duty(0, 0)));
    assert_eq!(mine.below.len(), 1);
    let low = &mine.below[0];
    assert_eq!((low.name.as_str(), low.role.as_str()), ("赵建国", "pm"));
    assert_eq!(low.duty.rate(), Some(60.0));
    assert_eq!(low.firm, "浙江平阳建设集团有限公司");
    // Groups: the firm of each (contractor's manager, supervisor's 总监).
    let firm = |name: &str| mine.by_firm.iter().find(|g| g.name == name).unwrap();
    assert_eq!(firm("浙江平阳建设集团有限公司").pm, duty(25, 15));
    assert_eq!(firm("平阳县正信工程监理有限公司").chief, duty(13, 13));
    assert_eq!(mine.by_owner.len(), 1);
    assert_eq!(mine.by_owner[0].all(), duty(38, 28));
    // Today: both owe a check-in; the 总监 has not.
    assert_eq!(mine.today, duty(2, 1));
    assert_eq!(
        mine.missing
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["钱立诚"]
    );

    // The current month counts up to yesterday.
    let dec = attendance_board(&t, "chengjian", Some("2026-12"))
        .await
        .unwrap();
    assert!(dec.partial);
    assert_eq!((dec.total.pm, dec.total.chief), (duty(2, 1), duty(2, 2)));
    // The hospital's 已完工 in November: from December nothing is owed.
    crate::progress::report_as(
        &t,
        "chengjian",
        id,
        month("2026-11", "100", "completed"),
        "2026-11-30",
    )
    .await;
    let done = attendance_board(&t, "chengjian", Some("2026-12"))
        .await
        .unwrap();
    assert_eq!(done.total.all(), duty(0, 0));
    assert_eq!(done.today, duty(0, 0));
    assert!(done.missing.is_empty());
    // The 关键人员考勤率不足 rule counts alike: November (owed to its end)
    // keeps the manager's alert, December (after completion) raises none
    // (found by looking: completed projects' people were alerted at 0 %).
    use app::platform::rules::Rule;
    let rule = app::features::attendance::rules::attendance_rate::AttendanceRate;
    let subjects = |findings: Vec<app::platform::rules::Finding>| {
        findings.into_iter().map(|f| f.subject).collect::<Vec<_>>()
    };
    let november = subjects(
        rule.evaluate(&t.db, &t.settings, d("2026-12-03"))
            .await
            .unwrap(),
    );
    assert!(november.contains(&format!("{pm}@2026-11")), "{november:?}");
    let december = subjects(
        rule.evaluate(&t.db, &t.settings, d("2027-01-04"))
            .await
            .unwrap(),
    );
    assert!(
        !december
            .iter()
            .any(|s| s == &format!("{pm}@2026-12") || s == &format!("{cs}@2026-12")),
        "{december:?}"
    );

    // Scope: the county office sees the hospital's people, another owner
    // and another sector's authority do not; key personnel are refused; a
    // month outside the twelve is refused at its field.
    let all = attendance_board(&t, "zgb", None).await.unwrap();
    assert!(all.below.iter().any(|p| p.filing_id == id));
    for user in ["jiaoyu", "jtj"] {
        let other = attendance_board(&t, user, None).await.unwrap();
        assert!(other.below.iter().all(|p| p.filing_id != id), "{user}");
        assert!(other.missing.iter().all(|p| p.filing_id != id), "{user}");
    }
    assert!(matches!(
        attendance_board(&t, "xmjl_zhang", None).await,
        Err(AppError::Forbidden)
    ));
    let e = attendance_board(&t, "zgb", Some("2025-11"))
        .await
        .unwrap_err();
    crate::helpers::assert_field(&e, "month", "十二个月");
}

on_both!(
    the_attendance_board_counts_lead_duty,
    the_map_shows_the_scope_lit_by_progress,
    the_project_file_gathers_every_module,
    the_demo_county_shows_every_light,
    the_dashboards_count_what_the_records_say,
    the_compliance_statistics_count_each_unit,
    the_compliance_table_exports_to_excel,
    the_alerts_board_adds_up
);
