//! The synthetic county, the raw insert ceiling and the durability check.
use app::{
    features::attendance::geometry::{Area, AreaLimits},
    platform::db::{Backend, Db},
};
use chrono::{Duration, TimeZone};
use rand::Rng;
use std::{io::Write, path::Path, time::Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One person of the people file: what a phone of theirs would send.
#[derive(Debug, Clone)]
pub struct Person {
    pub cookie: String,
    pub filing_id: i64,
    pub lat: f64,
    pub lng: f64,
    pub device_key: String,
    pub user_id: i64,
}

pub fn read_people(path: &Path) -> Res<Vec<Person>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Ok(Person {
                cookie: f[0].to_string(),
                filing_id: f[1].parse()?,
                lat: f[2].parse()?,
                lng: f[3].parse()?,
                device_key: f[4].to_string(),
                user_id: f[5].parse()?,
            })
        })
        .collect()
}

/// A point within `metres` of (lat, lng).
pub fn jitter(rng: &mut impl Rng, lat: f64, lng: f64, metres: f64) -> (f64, f64) {
    let r = metres * rng.r#gen::<f64>().sqrt();
    let a = rng.gen_range(0.0..std::f64::consts::TAU);
    let dlat = r * a.sin() / 111_320.0;
    let dlng = r * a.cos() / (111_320.0 * lat.to_radians().cos());
    (lat + dlat, lng + dlng)
}

/// Project `p` (0-based): centres on a 50-column grid 800 m apart in Pingyang.
pub(crate) fn centre(p: i64) -> (f64, f64) {
    (
        27.50 + (p / 50) as f64 * 0.0072,
        120.30 + (p % 50) as f64 * 0.0081,
    )
}

/// A 20-vertex polygon of radius 150 m around the centre, validated as an
/// owner's drawing would be.
fn area(lat: f64, lng: f64) -> Res<String> {
    let ring: Vec<[f64; 2]> = (0..=20)
        .map(|i| {
            let a = (i % 20) as f64 * std::f64::consts::TAU / 20.0;
            [
                lng + 150.0 * a.cos() / (111_320.0 * lat.to_radians().cos()),
                lat + 150.0 * a.sin() / 111_320.0,
            ]
        })
        .collect();
    let v = serde_json::json!({"type": "Polygon", "coordinates": [ring]});
    let area = Area::parse(&v, &AreaLimits::default())?;
    Ok(area.to_geojson().to_string())
}

/// Runs `sql` once per chunk of `rows`, each row `width` values, numbering the
/// placeholders $1.. as the `Any` driver wants.
pub(crate) async fn insert_rows(
    db: &Db,
    head: &str,
    width: usize,
    rows: &[Vec<Value>],
    per_statement: usize,
) -> Res<()> {
    let mut tx = db.pool.begin().await?;
    for chunk in rows.chunks(per_statement) {
        let mut sql = String::from(head);
        sql.push_str(" VALUES ");
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..width {
                if j > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", i * width + j + 1));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::I(x) => q.bind(*x),
                    Value::F(x) => q.bind(*x),
                    Value::S(x) => q.bind(x.clone()),
                    Value::N => q.bind(None::<String>),
                    Value::NI => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    I(i64),
    F(f64),
    S(String),
    /// A null text (PostgreSQL types a null by its bind).
    N,
    /// A null number.
    NI,
}
pub(crate) use Value::{F, I, N, NI, S};

pub(crate) const PHONE_UA: &str = "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.50";

/// The trail key of the benchmark's database: the bench script points
/// TRAIL_KEY_FILE at its work folder, where the server finds it too.
pub(crate) fn trail_key() -> Res<app::platform::audit::TrailKey> {
    let path = std::env::var("TRAIL_KEY_FILE").unwrap_or_else(|_| "target/bench-trail.key".into());
    Ok(app::platform::audit::TrailKey::load_or_create(
        std::path::Path::new(&path),
    )?)
}

pub async fn seed(url: &str, people: i64, projects: i64, checkins: i64, out: &Path) -> Res<()> {
    let started = Instant::now();
    let db = Db::connect(url, trail_key()?).await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    if users > 0 {
        return Err("seed needs an empty database".into());
    }
    let now = chrono::Utc::now().timestamp_millis();
    let hash = app::features::auth::service::hash_password("Bench@2026").await?;
    insert_rows(
        &db,
        "INSERT INTO units (id, kind, name, credit_code, sector, created_at, updated_at)",
        7,
        &[
            vec![
                I(1),
                S("owner".into()),
                S("压测建设单位".into()),
                S("91330326MA2BENCH01".into()),
                N,
                I(now),
                I(now),
            ],
            vec![
                I(2),
                S("contractor".into()),
                S("压测施工单位".into()),
                S("91330326MA2BENCH02".into()),
                N,
                I(now),
                I(now),
            ],
        ],
        100,
    )
    .await?;
    let per_project = (people / projects).max(1);
    let rows: Vec<Vec<Value>> = (1..=people)
        .map(|u| {
            vec![
                I(u),
                S(format!("139{u:08}")),
                S(format!("压测人员{u}")),
                S(format!("139{u:08}")),
                S("key_personnel".into()),
                I(2),
                S(hash.clone()),
                I(now),
                I(now),
            ]
        })
        .collect();
    for chunk in rows.chunks(5_000) {
        insert_rows(&db, "INSERT INTO users (id, username, display_name, mobile, role, unit_id, password_hash, created_at, updated_at)", 9, chunk, 500).await?;
    }
    let awards: Vec<Vec<Value>> = (1..=projects)
        .map(|p| {
            vec![
                I(p),
                S(format!("BENCH-{p:05}")),
                S("01".into()),
                S(format!("压测项目{p}")),
                S("第一标段".into()),
                I(1),
                I(2),
                I(100_000_000),
                S("2026-01-05".into()),
                S("open".into()),
                S("housing".into()),
                S("import".into()),
                I(now),
                I(now),
            ]
        })
        .collect();
    insert_rows(&db, "INSERT INTO awards (id, project_code, section_code, project_name, section_name, owner_unit_id, contractor_unit_id, award_price_fen, award_date, tender_method, sector, source, created_at, updated_at)", 14, &awards, 500).await?;
    let filings: Vec<Vec<Value>> = (1..=projects)
        .map(|p| vec![I(p), I(p), S("submitted".into()), I(now), I(now), I(now)])
        .collect();
    insert_rows(
        &db,
        "INSERT INTO filings (id, award_id, status, submitted_at, created_at, updated_at)",
        6,
        &filings,
        1000,
    )
    .await?;
    let filing_of = |u: i64| ((u - 1) / per_project).min(projects - 1) + 1;
    let members: Vec<Vec<Value>> = (1..=people)
        .map(|u| {
            vec![
                I(u),
                I(filing_of(u)),
                S(if (u - 1) % per_project == 0 {
                    "pm"
                } else {
                    "technical_lead"
                }
                .into()),
                S(format!("压测人员{u}")),
                S(format!("33032619900101{u:04}")),
                S(format!("139{u:08}")),
                S(String::new()),
                I(u),
                I(now - 200 * 86_400_000),
            ]
        })
        .collect();
    for chunk in members.chunks(5_000) {
        insert_rows(&db, "INSERT INTO roster_members (id, filing_id, role, name, id_number, mobile, cert_no, user_id, created_at)", 9, chunk, 500).await?;
    }
    let mut areas = Vec::new();
    for p in 1..=projects {
        let (lat, lng) = centre(p - 1);
        areas.push(vec![
            I(p),
            I(p),
            S("主施工区".into()),
            S(area(lat, lng)?),
            I(now),
        ]);
    }
    insert_rows(
        &db,
        "INSERT INTO attendance_areas (id, filing_id, name, geojson, created_at)",
        5,
        &areas,
        500,
    )
    .await?;
    // One session per person, as after a login; the cookie value is the id.
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut sessions = Vec::new();
    for u in 1..=people {
        let id = tower_sessions::session::Id::default().to_string();
        let (lat, lng) = centre(filing_of(u) - 1);
        writeln!(
            file,
            "{id}\t{}\t{lat}\t{lng}\tbench{u:05}\t{u}",
            filing_of(u)
        )?;
        sessions.push(vec![
            S(id),
            I(u),
            // As a login writes it: the absolute lifetime counts from `login_at`.
            S(format!("{{\"user_id\":{u},\"login_at\":{now}}}")),
            I(now + 7 * 86_400_000),
        ]);
    }
    file.flush()?;
    for chunk in sessions.chunks(5_000) {
        insert_rows(
            &db,
            "INSERT INTO sessions (id, user_id, data, expires_at)",
            4,
            chunk,
            1000,
        )
        .await?;
    }
    println!(
        "seed: {people} people, {projects} projects in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // Earlier check-ins: one a day per person over the days before today.
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let today = chrono::Utc::now().with_timezone(&beijing).date_naive();
    let days = (checkins / people).max(1);
    let mut rng = rand::thread_rng();
    let mut batch = Vec::with_capacity(10_000);
    let mut written = 0i64;
    'days: for d in 1..=days {
        let day = today - Duration::days(d);
        let eight = beijing
            .from_local_datetime(&day.and_hms_opt(8, 0, 0).expect("time"))
            .single()
            .expect("fixed offset")
            .timestamp_millis();
        for u in 1..=people {
            if written == checkins {
                break 'days;
            }
            let (lat, lng) = centre(filing_of(u) - 1);
            let (lat, lng) = jitter(&mut rng, lat, lng, 60.0);
            let accuracy = (rng.gen_range(50..300) as f64) / 10.0;
            batch.push(vec![
                I(u),
                I(filing_of(u)),
                I(eight + rng.gen_range(0..3_600_000)),
                S(day.format("%Y-%m-%d").to_string()),
                F(lat),
                F(lng),
                F(accuracy),
                I(1),
                I(1),
                S(format!("distance 0.0 <= tolerance {accuracy:.1}")),
                F(0.0),
                S(String::new()),
                S(format!("bench{u:05}")),
                S(PHONE_UA.into()),
                S(format!("10.{}.{}.{}", u / 65536, (u / 256) % 256, u % 256)),
            ]);
            written += 1;
            if batch.len() == 10_000 {
                insert_rows(&db, CHECKIN_COLUMNS, 15, &batch, 500).await?;
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        insert_rows(&db, CHECKIN_COLUMNS, 15, &batch, 500).await?;
    }
    if db.backend == Backend::Postgres {
        after_explicit_ids(
            &db,
            &[
                "units",
                "users",
                "awards",
                "filings",
                "roster_members",
                "attendance_areas",
            ],
        )
        .await?;
    }
    println!(
        "seed: {written} earlier check-ins; done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// PostgreSQL: rows inserted with explicit ids leave the identity sequences
/// behind; move them past the rows, then refresh the planner's statistics.
pub(crate) async fn after_explicit_ids(db: &Db, tables: &[&str]) -> Res<()> {
    for table in tables {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        ))
        .execute(&db.pool)
        .await?;
    }
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    Ok(())
}

const CHECKIN_COLUMNS: &str = "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m, accepted, counted, basis, distance_m, flags, device_key, user_agent, ip)";

/// The same rows as the server stores, inserted one statement each, 1,000 per
/// transaction, with nothing else on the way.
pub async fn ceiling(url: &str, people: &Path, rows: usize) -> Res<()> {
    let people = read_people(people)?;
    let db = Db::connect(url, trail_key()?).await?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let day = chrono::Utc::now()
        .with_timezone(&beijing)
        .format("%Y-%m-%d")
        .to_string();
    let mut rng = rand::thread_rng();
    let sql = format!(
        "{CHECKIN_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    let started = Instant::now();
    let mut done = 0;
    while done < rows {
        let mut tx = db.pool.begin().await?;
        for _ in 0..1_000.min(rows - done) {
            let p = &people[rng.gen_range(0..people.len())];
            let (lat, lng) = jitter(&mut rng, p.lat, p.lng, 60.0);
            let accuracy = (rng.gen_range(50..300) as f64) / 10.0;
            sqlx::query(&sql)
                .bind(p.user_id)
                .bind(p.filing_id)
                .bind(chrono::Utc::now().timestamp_millis())
                .bind(&day)
                .bind(lat)
                .bind(lng)
                .bind(accuracy)
                .bind(1i64)
                .bind(0i64)
                .bind(format!("distance 0.0 <= tolerance {accuracy:.1}"))
                .bind(0.0f64)
                .bind("")
                .bind(&p.device_key)
                .bind(PHONE_UA)
                .bind("10.0.0.1")
                .execute(&mut *tx)
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"mode": "ceiling", "rows": done, "seconds": secs, "rows_per_s": done as f64 / secs})
    );
    Ok(())
}

/// Every id the load generator saw acknowledged must be stored.
pub async fn verify(url: &str, acks: &Path) -> Res<()> {
    let ids: Vec<i64> = std::fs::read_to_string(acks)?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    let db = Db::connect(url, trail_key()?).await?;
    let mut found = 0i64;
    for chunk in ids.chunks(1_000) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE id IN ({})",
            list.join(",")
        ))
        .fetch_one(&db.pool)
        .await?;
        found += n;
    }
    let missing = ids.len() as i64 - found;
    println!(
        "{}",
        serde_json::json!({"mode": "verify", "acknowledged": ids.len(), "found": found, "missing": missing})
    );
    if missing > 0 {
        return Err(format!("{missing} acknowledged check-ins are missing").into());
    }
    Ok(())
}
