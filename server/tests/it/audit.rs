//! The audit trail: entries per write, hash chain, tamper detection.
use crate::{helpers::TestDb, on_both};
use app::{
    features::units::service::{self as units, UnitInput},
    platform::{audit, db::Backend},
};

/// Trail entries the demo data writes: 15 units, 10 accounts, 7 awards, and
/// one filing (create, save, roster, 2 attachments, submit, area).
const DEMO_ENTRIES: i64 = 45;

async fn every_write_leaves_a_chained_entry(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let r = audit::verify(&t.db).await.unwrap();
    assert_eq!(r.problem, None);
    // 13 units + 10 users in the demo set.
    assert_eq!(r.checked, DEMO_ENTRIES);
    let admin = t.actor("admin").await;
    let id = t.unit_id("平阳县教育局").await;
    let u = units::get(&t.db, &admin, id).await.unwrap();
    let input = UnitInput::parse("owner", "平阳县教育局（本级）", &u.credit_code, "").unwrap();
    units::update(&t.db, &admin, id, input).await.unwrap();
    let history = audit::history(&t.db, "unit", &id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    let last = &history[1];
    assert_eq!(last.action, "update");
    assert_eq!(last.actor_user_id, Some(admin.user_id));
    assert_eq!(last.ip.as_deref(), Some("127.0.0.1"));
    assert!(
        last.before_json
            .as_deref()
            .unwrap()
            .contains("平阳县教育局\"")
    );
    assert!(last.after_json.as_deref().unwrap().contains("（本级）"));
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
}

async fn the_trail_refuses_updates_and_deletes(b: Backend) {
    let t = TestDb::with_demo(b).await;
    assert!(
        sqlx::query("UPDATE audit_log SET actor_name = 'x' WHERE seq = 1")
            .execute(&t.db.pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 1")
            .execute(&t.db.pool)
            .await
            .is_err()
    );
    // TRUNCATE skips row triggers; PostgreSQL refuses it by its own.
    if b == Backend::Postgres {
        for table in ["audit_log", "audit_head"] {
            assert!(
                sqlx::query(&format!("TRUNCATE {table}"))
                    .execute(&t.db.pool)
                    .await
                    .is_err(),
                "{table}"
            );
        }
    }
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
}

async fn an_edited_entry_is_named(b: Backend) {
    let t = TestDb::with_demo(b).await;
    t.drop_audit_guard().await;
    let target: i64 =
        sqlx::query_scalar("SELECT MIN(seq) FROM audit_log WHERE after_json LIKE '%陈建华%'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    sqlx::query(
        "UPDATE audit_log SET after_json = replace(after_json, '陈建华', '陈某') WHERE seq = $1",
    )
    .bind(target)
    .execute(&t.db.pool)
    .await
    .unwrap();
    let r = audit::verify(&t.db).await.unwrap();
    let (seq, msg) = r.problem.expect("tampering must be found");
    assert_eq!(seq, target);
    assert!(msg.contains("被改动"), "{msg}");
}

async fn a_deleted_entry_is_named(b: Backend) {
    let t = TestDb::with_demo(b).await;
    t.drop_audit_guard().await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 7")
        .execute(&t.db.pool)
        .await
        .unwrap();
    let (seq, msg) = audit::verify(&t.db).await.unwrap().problem.unwrap();
    assert_eq!(seq, 7);
    assert!(msg.contains("缺失"), "{msg}");
}

async fn a_cut_tail_is_noticed(b: Backend) {
    let t = TestDb::with_demo(b).await;
    t.drop_audit_guard().await;
    sqlx::query("DELETE FROM audit_log WHERE seq >= 22")
        .execute(&t.db.pool)
        .await
        .unwrap();
    let (seq, _) = audit::verify(&t.db).await.unwrap().problem.unwrap();
    assert_eq!(seq, 22);
}

async fn an_inserted_entry_is_named(b: Backend) {
    let t = TestDb::with_demo(b).await;
    t.drop_audit_guard().await;
    // Make room at 10 by shifting later entries up, then forge entry 10.
    let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    for seq in (10..=last).rev() {
        sqlx::query("UPDATE audit_log SET seq = seq + 1 WHERE seq = $1")
            .bind(seq)
            .execute(&t.db.pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_name, entity, entity_id, action, prev_hash, hash)
         SELECT 10, at, 'forger', 'unit', '1', 'update', hash, hash FROM audit_log WHERE seq = 9",
    )
    .execute(&t.db.pool)
    .await
    .unwrap();
    let (seq, _) = audit::verify(&t.db).await.unwrap().problem.unwrap();
    assert_eq!(seq, 10);
}

/// Twelve contractor units created at once, each a write of one entry
/// (`code` and `name` keep them apart from other tests' units).
fn create_units_at_once(
    t: &TestDb,
    admin: &app::platform::actor::Actor,
    code: &str,
    name: &str,
) -> Vec<tokio::task::JoinHandle<Result<i64, app::error::AppError>>> {
    (0..12)
        .map(|i| {
            let (db, admin) = (t.db.clone(), admin.clone());
            let code =
                app::domain::CreditCode::with_check(&format!("91330326{code}{i:05}")).unwrap();
            let name = format!("{name}{i}");
            tokio::spawn(async move {
                let input = UnitInput::parse("contractor", &name, code.as_str(), "").unwrap();
                units::create(&db, &admin, input).await
            })
        })
        .collect()
}

async fn concurrent_writes_keep_one_chain(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    for task in create_units_at_once(&t, &admin, "MA2X", "测试施工单位") {
        task.await.unwrap().unwrap();
    }
    let r = audit::verify(&t.db).await.unwrap();
    assert_eq!(r.problem, None);
    assert_eq!(r.checked, DEMO_ENTRIES + 12);
}

/// A write of many entries takes the head once and leaves it at its last
/// entry while the writes beside it wait; a write given up after its
/// entries leaves the head where it was.
async fn a_write_of_many_entries_keeps_one_chain(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let who = audit::Who::system("测试");
    let mut given_up = audit::AuditedTx::begin(&t.db, &who).await.unwrap();
    for i in 0..3 {
        given_up
            .record("test", i, "note", None, Some(&i))
            .await
            .unwrap();
    }
    given_up.rollback().await.unwrap();
    assert_eq!(audit::verify(&t.db).await.unwrap().checked, DEMO_ENTRIES);

    let many = {
        let db = t.db.clone();
        tokio::spawn(async move {
            let who = audit::Who::system("测试");
            let mut tx = audit::AuditedTx::begin(&db, &who).await.unwrap();
            for i in 0..50 {
                tx.record("test", i, "note", None, Some(&i)).await.unwrap();
                tokio::task::yield_now().await;
            }
            tx.commit().await.unwrap();
        })
    };
    let singles = create_units_at_once(&t, &admin, "MA2W", "链头施工单位");
    many.await.unwrap();
    for s in singles {
        s.await.unwrap().unwrap();
    }
    let r = audit::verify(&t.db).await.unwrap();
    assert_eq!(r.problem, None);
    assert_eq!(r.checked, DEMO_ENTRIES + 50 + 12);
    let (head, last): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT seq FROM audit_head WHERE id = 1), (SELECT MAX(seq) FROM audit_log)",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(head, last);
}

/// Verification while others write (found by reading: it read the head
/// and then walked past it, calling fresh entries forged): it checks up to
/// the head it read and reports nothing.
async fn verifying_while_entries_are_appended_finds_nothing(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let writer = {
        let (db, admin) = (t.db.clone(), admin.clone());
        tokio::spawn(async move {
            for i in 0..40 {
                let code =
                    app::domain::CreditCode::with_check(&format!("91330326MA2Y{i:05}")).unwrap();
                let input =
                    UnitInput::parse("contractor", &format!("并发施工单位{i}"), code.as_str(), "")
                        .unwrap();
                units::create(&db, &admin, input).await.unwrap();
            }
        })
    };
    let mut rounds = 0;
    while !writer.is_finished() {
        let r = audit::verify(&t.db).await.unwrap();
        assert_eq!(r.problem, None, "round {rounds}");
        rounds += 1;
    }
    writer.await.unwrap();
    assert!(rounds > 0);
    assert_eq!(
        audit::verify(&t.db).await.unwrap().checked,
        DEMO_ENTRIES + 40
    );
}

/// An entry appended without moving the head (a forger with database
/// access, not the writer) is named.
async fn an_entry_past_the_head_is_named(b: Backend) {
    let t = TestDb::with_demo(b).await;
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_name, entity, entity_id, action, prev_hash, hash)
         SELECT seq + 1, at, 'forger', 'unit', '1', 'update', hash, hash FROM audit_log
         WHERE seq = (SELECT MAX(seq) FROM audit_log)",
    )
    .execute(&t.db.pool)
    .await
    .unwrap();
    let (seq, msg) = audit::verify(&t.db).await.unwrap().problem.unwrap();
    assert_eq!(seq, DEMO_ENTRIES + 1);
    assert!(msg.contains("伪造追加"), "{msg}");
}

async fn the_verify_command_names_the_tampered_entry(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["audit", "verify"])
            .env("DATABASE_URL", &t.settings.database_url)
            .env("TRAIL_KEY_FILE", &t.settings.trail_key_file)
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains(&format!("共 {DEMO_ENTRIES} 条")));
    t.drop_audit_guard().await;
    sqlx::query("UPDATE audit_log SET ip = '10.0.0.9' WHERE seq = 5")
        .execute(&t.db.pool)
        .await
        .unwrap();
    let bad = run();
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("第 5 条记录的内容被改动"), "{out}");
}

/// Rewrites the chain from `from` on as a forger with database access
/// would: every later seal and the head recomputed with `key` (`None`: the
/// plain SHA-256 every entry used before the chain was keyed).
async fn rewrite_from(t: &TestDb, from: i64, key: Option<&audit::TrailKey>) {
    let entries: Vec<audit::Entry> = sqlx::query_as(&format!(
        "SELECT {} FROM audit_log WHERE seq >= $1 ORDER BY seq",
        audit::ENTRY_COLUMNS
    ))
    .bind(from)
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    let mut prev: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(from - 1)
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    for mut e in entries {
        e.prev_hash = prev;
        e.hash = e.compute_hash(key);
        sqlx::query(
            "UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&e.after_json)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .bind(e.seq)
        .execute(&t.db.pool)
        .await
        .unwrap();
        prev = e.hash;
    }
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&t.db.pool)
        .await
        .unwrap();
}

async fn edit_entry(t: &TestDb, seq: i64) {
    let after: String = sqlx::query_scalar(
        "UPDATE audit_log SET after_json = replace(after_json, '平阳', '某县') WHERE seq = $1 RETURNING after_json",
    )
    .bind(seq)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        after.contains("某县"),
        "entry {seq} was not changed: {after}"
    );
}

/// Found by reading: the seals were a plain SHA-256, so anyone able to
/// write the database could edit an entry and recompute every later one and
/// the head, and verification passed. Sealed with the key, such a rewrite
/// (plain, or under a key of the forger's own) is named at the edit.
async fn a_rewrite_without_the_key_is_found(b: Backend) {
    let t = TestDb::with_demo(b).await;
    t.drop_audit_guard().await;
    edit_entry(&t, 3).await;
    rewrite_from(&t, 3, None).await;
    let (seq, msg) = audit::verify(&t.db).await.unwrap().problem.unwrap();
    assert_eq!(seq, 3);
    assert!(msg.contains("被改动"), "{msg}");
    rewrite_from(&t, 3, Some(&audit::TrailKey::random())).await;
    assert_eq!(audit::verify(&t.db).await.unwrap().problem.unwrap().0, 3);
    // With the right key the same rewrite verifies: that is what the
    // published heads are for (next test).
    rewrite_from(&t, 3, Some(&t.db.trail_key)).await;
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
}

/// The daily head: published once a day, listed for supervisors, and a
/// kept copy exposes a rewrite even by the key's holder.
async fn a_kept_head_exposes_a_rewrite_by_the_key_holder(b: Backend) {
    use app::features::audit::service as trail;
    let t = TestDb::with_demo(b).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let kept = audit::heads::publish_if_due(&t.db, day)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.seq, DEMO_ENTRIES);
    assert!(
        audit::heads::publish_if_due(&t.db, day)
            .await
            .unwrap()
            .is_none()
    );
    let next = day.succ_opt().unwrap();
    let second = audit::heads::publish_if_due(&t.db, next)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        second.seq,
        DEMO_ENTRIES + 1,
        "the first publication is an entry too"
    );
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);

    let zgb = t.actor("zgb").await;
    let heads = trail::published_heads(&t.db, &zgb).await.unwrap();
    assert_eq!(
        heads.iter().map(|h| h.day.as_str()).collect::<Vec<_>>(),
        ["2026-12-02", "2026-12-01"]
    );
    assert_eq!(heads[1].hash, kept.hash);
    let owner = t.actor("jiaoyu").await;
    assert!(matches!(
        trail::published_heads(&t.db, &owner).await,
        Err(app::error::AppError::Forbidden)
    ));
    assert!(matches!(
        trail::check_head(&t.db, &owner, "1", &kept.hash).await,
        Err(app::error::AppError::Forbidden)
    ));
    // Bad values are named at their fields.
    match trail::check_head(&t.db, &zgb, "-1", "abc").await {
        Err(app::error::AppError::Invalid { fields, .. }) => {
            assert!(fields["seq"].contains("序号"));
            assert!(fields["hash"].contains("64 位"));
        }
        other => panic!("{other:?}"),
    }
    let ok = trail::check_head(
        &t.db,
        &zgb,
        &kept.seq.to_string(),
        &kept.hash.to_uppercase(),
    )
    .await
    .unwrap();
    assert!(ok.ok, "{}", ok.message);

    // The key's holder rewrites entry 3 and every later seal: the chain
    // verifies, the kept head does not.
    t.drop_audit_guard().await;
    edit_entry(&t, 3).await;
    rewrite_from(&t, 3, Some(&t.db.trail_key)).await;
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
    let bad = trail::check_head(&t.db, &zgb, &kept.seq.to_string(), &kept.hash)
        .await
        .unwrap();
    assert!(!bad.ok);
    assert!(bad.message.contains("与公示的不符"), "{}", bad.message);
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "audit",
            "verify",
            "--seq",
            &kept.seq.to_string(),
            "--hash",
            &kept.hash,
        ])
        .env("DATABASE_URL", &t.settings.database_url)
        .env("TRAIL_KEY_FILE", &t.settings.trail_key_file)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cli.stdout).contains("对不上"));
}

/// A server started with another key file would seal entries no one can
/// check against the rest: it refuses to start, naming the setting.
async fn another_key_is_refused_at_start(b: Backend) {
    let t = TestDb::new(b).await;
    let err = app::platform::db::Db::connect(&t.settings.database_url, audit::TrailKey::random())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("TRAIL_KEY_FILE"), "{err}");
    // The right key, read again from its file, is accepted.
    let again = audit::TrailKey::load_or_create(&t.settings.trail_key_file).unwrap();
    app::platform::db::Db::connect(&t.settings.database_url, again)
        .await
        .unwrap();
}

on_both!(
    a_rewrite_without_the_key_is_found,
    a_kept_head_exposes_a_rewrite_by_the_key_holder,
    another_key_is_refused_at_start,
    verifying_while_entries_are_appended_finds_nothing,
    an_entry_past_the_head_is_named,
    the_verify_command_names_the_tampered_entry,
    every_write_leaves_a_chained_entry,
    the_trail_refuses_updates_and_deletes,
    an_edited_entry_is_named,
    a_deleted_entry_is_named,
    a_cut_tail_is_noticed,
    an_inserted_entry_is_named,
    concurrent_writes_keep_one_chain,
    a_write_of_many_entries_keeps_one_chain,
);
