//! A province (issue 17): the check-in seed at province size (people,
//! projects with an area each, earlier check-ins, sessions), then what the
//! supervision views read: owner units and contractors across the sectors,
//! contracts with their plans, sites with towns, monthly progress, payments
//! and changes. `views` then times the whole province's alert evaluation
//! (which raises the alerts and automatic orders) and each supervision view
//! as a province-wide supervisor and as one owner unit.
use crate::seed::{self, F, I, N, NI, S, Value, centre, insert_rows, trail_key};
use app::{
    domain::progress::Month,
    features::{
        compliance::{StatPeriod, service::compliance},
        county_map::service::county_map,
        dashboards::service as boards,
        dossier::service as dossier,
    },
    platform::{
        actor::{Actor, ClientInfo, load_actor},
        db::{Backend, Db},
        settings::Settings,
    },
};
use chrono::{Datelike, Duration, NaiveDate};
use std::{path::Path, time::Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const OWNERS: i64 = 200;
const CONTRACTORS: i64 = 100;
const OWNER0: i64 = 1_000;
const CONTRACTOR0: i64 = 2_000;
const OFFICE: i64 = 10;
const SECTORS: [&str; 4] = ["housing", "transport", "water", "agriculture"];
const TOWNS: [&str; 20] = [
    "昆阳镇",
    "鳌江镇",
    "水头镇",
    "萧江镇",
    "万全镇",
    "腾蛟镇",
    "山门镇",
    "顺溪镇",
    "南雁镇",
    "海西镇",
    "麻步镇",
    "怀溪镇",
    "凤卧镇",
    "南麂镇",
    "闹村乡",
    "青街畲族乡",
    "宋桥镇",
    "钱仓镇",
    "龙港镇",
    "灵溪镇",
];

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, 1).expect("date")
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Project `p`'s plan: signed, planned start and completion, price (fen).
fn plan(p: i64, projects: i64) -> (NaiveDate, NaiveDate, NaiveDate, i64) {
    let signed = day0() + Duration::days(p * 1_500 / projects);
    let start = signed + Duration::days(15);
    let end = start + Duration::days(300 + (p % 5) * 120);
    // 500 万元 plus steps of 300 万元 (fen).
    let price = 500_000_000 + (p % 97) * 300_000_000;
    (signed, start, end, price)
}

pub async fn seed_province(
    url: &str,
    people: i64,
    projects: i64,
    checkins: i64,
    out: &Path,
) -> Res<()> {
    seed::seed(url, people, projects, checkins, out).await?;
    let started = Instant::now();
    let db = Db::connect(url, trail_key()?).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let today = chrono::Utc::now().date_naive();
    let hash = app::features::auth::service::hash_password("Bench@2026").await?;

    let mut units = vec![vec![
        I(OFFICE),
        S("resource_office".into()),
        S("压测省资管办".into()),
        S("91330000MA2OFFICE".into()),
        N,
        I(now),
        I(now),
    ]];
    for i in 0..OWNERS {
        units.push(vec![
            I(OWNER0 + i),
            S("owner".into()),
            S(format!("压测建设单位{i:03}")),
            S(format!("91330326MA2O{i:06}")),
            N,
            I(now),
            I(now),
        ]);
    }
    for i in 0..CONTRACTORS {
        units.push(vec![
            I(CONTRACTOR0 + i),
            S("contractor".into()),
            S(format!("压测施工单位{i:03}")),
            S(format!("91330326MA2C{i:06}")),
            N,
            I(now),
            I(now),
        ]);
    }
    insert_rows(
        &db,
        "INSERT INTO units (id, kind, name, credit_code, sector, created_at, updated_at)",
        7,
        &units,
        100,
    )
    .await?;
    let users = vec![
        vec![
            I(people + 1),
            S("bench_office".into()),
            S("省资管办监管员".into()),
            S("13800000001".into()),
            S("supervisor".into()),
            I(OFFICE),
            S(hash.clone()),
            I(now),
            I(now),
        ],
        vec![
            I(people + 2),
            S("bench_owner".into()),
            S("建设单位经办人".into()),
            S("13800000002".into()),
            S("owner".into()),
            I(OWNER0),
            S(hash),
            I(now),
            I(now),
        ],
    ];
    insert_rows(&db, "INSERT INTO users (id, username, display_name, mobile, role, unit_id, password_hash, created_at, updated_at)", 9, &users, 10).await?;

    // Awards and contracts across owners, contractors, sectors and years.
    let mut tx = db.pool.begin().await?;
    for p in 1..=projects {
        let (signed, start, end, price) = plan(p, projects);
        sqlx::query(
            "UPDATE awards SET owner_unit_id = $1, contractor_unit_id = $2, sector = $3, award_date = $4, award_price_fen = $5 WHERE id = $6",
        )
        .bind(OWNER0 + p % OWNERS)
        .bind(CONTRACTOR0 + p % CONTRACTORS)
        .bind(SECTORS[(p % 4) as usize])
        .bind(ymd(signed - Duration::days(20)))
        .bind(price)
        .bind(p)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE filings SET contract_no = $1, signed_on = $2, contract_price_fen = $3, duration_days = $4, planned_start = $5, planned_completion = $6 WHERE id = $7",
        )
        .bind(format!("HT-{p:05}"))
        .bind(ymd(signed))
        .bind(price)
        .bind((end - start).num_days())
        .bind(ymd(start))
        .bind(ymd(end))
        .bind(p)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    // Sites with their towns, and the monthly reports up to last month: most
    // on the planned line, some 15 points behind, one in ten 36 behind.
    let sites: Vec<Vec<Value>> = (1..=projects)
        .map(|p| {
            let (lat, lng) = centre(p - 1);
            let town = TOWNS[(p % TOWNS.len() as i64) as usize];
            vec![
                I(p),
                S(ymd(plan(p, projects).1)),
                S(format!("浙江省温州市平阳县{town}建设路{p}号")),
                F(lat),
                F(lng),
                I(now),
                I(now),
            ]
        })
        .collect();
    for chunk in sites.chunks(5_000) {
        insert_rows(&db, "INSERT INTO progress (filing_id, actual_start, address, site_lat, site_lng, created_at, updated_at)", 7, chunk, 500).await?;
    }
    let last = Month::of(today).prev();
    let mut months = Vec::new();
    let mut n_months = 0usize;
    for p in 1..=projects {
        let (_, start, end, _) = plan(p, projects);
        let lag = match p % 10 {
            7 | 8 => 15.0,
            9 => 36.0,
            _ => 1.0,
        };
        let mut m = Month::of(start);
        while m <= last && m <= Month::of(end) {
            let span = (end - start).num_days().max(1) as f64;
            let planned = ((m.last() - start).num_days() as f64 / span * 100.0).clamp(0.0, 100.0);
            // Projects on the line finish in their completion month.
            let done = lag < 2.0 && m == Month::of(end);
            let pct = if done {
                100
            } else {
                (planned - lag).clamp(0.0, 99.0).round() as i64
            };
            let state = if pct >= 100 {
                "completed"
            } else {
                "in_progress"
            };
            months.push(vec![
                I(p),
                S("submitted".into()),
                S(m.to_string()),
                I(pct),
                S(state.into()),
                S("按计划推进主体结构及附属工程".into()),
                I(now),
                I(now),
                I(now),
            ]);
            m = m.next();
        }
        if months.len() >= 10_000 {
            n_months += months.len();
            insert_rows(&db, "INSERT INTO progress_months (filing_id, status, month, percent, state, work_done, created_at, updated_at, submitted_at)", 9, &months, 500).await?;
            months.clear();
        }
    }
    n_months += months.len();
    insert_rows(&db, "INSERT INTO progress_months (filing_id, status, month, percent, state, work_done, created_at, updated_at, submitted_at)", 9, &months, 500).await?;

    // Twenty payments and ten approved changes a project.
    let mut pays = Vec::new();
    let mut changes = Vec::new();
    for p in 1..=projects {
        let (signed, start, end, price) = plan(p, projects);
        let span = (end - signed).num_days().max(20);
        for k in 0..20i64 {
            let paid_on = (signed + Duration::days(span * k / 20)).min(today);
            let (kind, amount) = if k == 0 {
                ("advance", price / 10)
            } else {
                ("progress", price * 7 / 10 / 19)
            };
            pays.push(vec![
                I(p),
                S("submitted".into()),
                S(kind.into()),
                S(ymd(paid_on)),
                I(amount),
                S(format!("压测施工单位{:03}", p % CONTRACTORS)),
                S(format!("ZF-{p}-{k}")),
                if kind == "progress" {
                    I(amount * 10 / 8)
                } else {
                    NI
                },
                I(now),
                I(now),
                I(now),
            ]);
        }
        for k in 0..10i64 {
            let kind = ["design", "quantity", "cost", "schedule"][(k % 4) as usize];
            changes.push(vec![
                I(p),
                S("submitted".into()),
                S(kind.into()),
                S(format!("第{}号变更", k + 1)),
                S("现场条件变化，调整部分工程量".into()),
                S("地质条件与勘察报告不符".into()),
                S("建设单位".into()),
                // 2 万元 each; the last, approved higher up, 2 % of the price.
                I(if k == 9 { price / 50 } else { 2_000_000 }),
                I(if kind == "schedule" { 10 } else { 0 }),
                S("张工".into()),
                S(if k == 9 { "higher" } else { "owner" }.into()),
                S(format!("BG-{p}-{k}")),
                S(ymd((start + Duration::days(30 * k)).min(today))),
                I(now),
                I(now),
                I(now),
            ]);
        }
        if pays.len() >= 20_000 {
            flush(&db, &mut pays, &mut changes).await?;
        }
    }
    flush(&db, &mut pays, &mut changes).await?;
    if db.backend == Backend::Postgres {
        seed::after_explicit_ids(&db, &["units", "users"]).await?;
    }
    println!(
        "province: {projects} contracts, {n_months} monthly reports, {} payments, {} changes in {:.1}s",
        projects * 20,
        projects * 10,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn flush(db: &Db, pays: &mut Vec<Vec<Value>>, changes: &mut Vec<Vec<Value>>) -> Res<()> {
    insert_rows(db, "INSERT INTO payments (filing_id, status, kind, paid_on, amount_fen, payee, voucher_no, work_value_fen, created_at, updated_at, submitted_at)", 11, pays, 500).await?;
    insert_rows(db, "INSERT INTO project_changes (filing_id, status, kind, title, content, cause, responsibility, price_delta_fen, days_delta, approver, approver_level, approval_no, approved_on, created_at, updated_at, submitted_at)", 16, changes, 400).await?;
    pays.clear();
    changes.clear();
    Ok(())
}

/// Peak resident memory of this process (kB).
fn peak_rss_kb() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Times `f` `runs` times after a first call, which is timed on its own
/// (`first_ms`: whatever the view had to read afresh): p50, p95, max in ms.
async fn time<T, Fut: std::future::Future<Output = Result<T, app::error::AppError>>>(
    label: &str,
    runs: usize,
    mut f: impl FnMut() -> Fut,
) -> Res<serde_json::Value> {
    let t = Instant::now();
    f().await.map_err(|e| format!("{label}: {e}"))?;
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await.map_err(|e| format!("{label}: {e}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    let row = serde_json::json!({
        "view": label, "runs": runs, "first_ms": (first * 10.0).round() / 10.0,
        "p50_ms": (at(0.5) * 10.0).round() / 10.0,
        "p95_ms": (at(0.95) * 10.0).round() / 10.0,
        "max_ms": (at(1.0) * 10.0).round() / 10.0,
    });
    eprintln!("{row}");
    Ok(row)
}

async fn actor(db: &Db, username: &str) -> Res<Actor> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await?;
    Ok(load_actor(db, id, ClientInfo::default())
        .await?
        .ok_or("no actor")?)
}

/// What each view is called with.
struct Ctx {
    settings: Settings,
    today: NaiveDate,
    office: Actor,
    owner: Actor,
    period: StatPeriod,
    last: Month,
    filing: i64,
    month: String,
    now: i64,
}

const VIEWS: [&str; 9] = [
    "county map (province)",
    "county map (one owner)",
    "progress board",
    "payments board",
    "alerts board",
    "attendance board (last month)",
    "compliance (last year)",
    "project page",
    "attendance month view",
];

/// View `i` of [`VIEWS`], once.
async fn view(i: usize, db: &Db, c: &Ctx) -> Result<(), app::error::AppError> {
    let (s, today) = (&c.settings, c.today);
    match i {
        0 => county_map(db, &c.office, s, today).await.map(drop),
        1 => county_map(db, &c.owner, s, today).await.map(drop),
        2 => boards::progress(db, &c.office, s, today).await.map(drop),
        3 => boards::payments(db, &c.office, s, today).await.map(drop),
        4 => boards::alerts(db, &c.office, today).await.map(drop),
        5 => boards::attendance::attendance(db, &c.office, s, today, Some(c.last))
            .await
            .map(drop),
        6 => compliance(db, &c.office, s, &c.period, today)
            .await
            .map(drop),
        7 => dossier::get(db, &c.office, s, c.filing).await.map(drop),
        _ => {
            app::features::attendance::service::month_view(db, &c.office, c.filing, &c.month, c.now)
                .await
                .map(drop)
        }
    }
}

/// A trail entry about `filing`, as a month's report or a payment writes
/// one: the derived figures re-read that project at their next read.
async fn touch(db: &Db, filing: i64) -> Result<(), app::error::AppError> {
    let who = app::platform::audit::Who::system("bench");
    let mut tx = app::platform::audit::AuditedTx::begin(db, &who).await?;
    tx.record::<serde_json::Value>("filing", filing, "bench_touch", None, None)
        .await?;
    tx.commit().await
}

pub async fn views(url: &str, runs: usize, evaluate: bool) -> Res<()> {
    // BENCH_ONLY=<part of a view's name>: only those views (to profile one).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let picked = |label: &str| label.contains(only.as_str());
    let db = Db::connect(url, trail_key()?).await?;
    let settings = Settings::with_data_dir(std::env::temp_dir());
    let today = app::platform::time::today();
    let mut out = serde_json::Map::new();
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM filings), (SELECT COUNT(*) FROM checkins), (SELECT COUNT(*) FROM payments)",
    )
    .fetch_one(&db.pool)
    .await?;
    out.insert(
        "database".into(),
        serde_json::json!({"backend": format!("{:?}", db.backend), "projects": counts.0, "checkins": counts.1, "payments": counts.2}),
    );
    let office = actor(&db, "bench_office").await?;
    let owner = actor(&db, "bench_owner").await?;
    let filing: i64 = sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' ORDER BY f.id LIMIT 1 OFFSET 5000",
    )
    .fetch_one(&db.pool)
    .await?;
    let c = Ctx {
        settings,
        today,
        office,
        owner,
        period: StatPeriod::parse(&format!("{}", today.year() - 1)).ok_or("period")?,
        last: Month::of(today).prev(),
        filing,
        month: Month::of(today).to_string(),
        now: chrono::Utc::now().timestamp_millis(),
    };
    // Each view's first call in a process of its own (nothing derived yet:
    // what the first reader after a restart waits for).
    let mut cold = serde_json::Map::new();
    for (i, label) in VIEWS.iter().enumerate().filter(|(_, l)| picked(l)) {
        let fresh = Db::connect(url, trail_key()?).await?;
        let t = Instant::now();
        view(i, &fresh, &c).await?;
        let ms = (t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        eprintln!("cold {label}: {ms} ms");
        cold.insert(label.to_string(), serde_json::json!(ms));
        fresh.pool.close().await;
    }
    out.insert("cold_ms".into(), serde_json::Value::Object(cold));
    if evaluate {
        let t = Instant::now();
        let e = app::features::evaluate_rules_as_of(&db, &c.settings, today).await?;
        let secs = t.elapsed().as_secs_f64();
        let row = serde_json::json!({"seconds": (secs * 10.0).round() / 10.0, "raised": e.outcome.raised.len(), "cleared": e.outcome.cleared.len(), "orders": e.orders.len()});
        eprintln!("evaluation {row}");
        out.insert("evaluation".into(), row);
    }
    let map = county_map(&db, &c.office, &c.settings, today).await?;
    out.insert(
        "map_answer_kb".into(),
        serde_json::json!(serde_json::to_vec(&map)?.len() / 1024),
    );
    let mut rows = Vec::new();
    for (i, label) in VIEWS.iter().enumerate().filter(|(_, l)| picked(l)) {
        rows.push(time(label, runs, || view(i, &db, &c)).await?);
    }
    // After a write: each run follows a trail entry about one project.
    let mut n = 0;
    let after = "county map (province) after a write";
    if picked(after) {
        rows.push(
            time(after, runs, || {
                n += 1;
                let (db, c) = (&db, &c);
                let filing = map.projects[n * 37 % map.projects.len()].filing_id;
                async move {
                    touch(db, filing).await?;
                    view(0, db, c).await
                }
            })
            .await?,
        );
    }
    out.insert("views".into(), serde_json::Value::Array(rows));
    out.insert("peak_rss_kb".into(), serde_json::json!(peak_rss_kb()));
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
