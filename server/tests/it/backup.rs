//! `server backup` and `server restore`, as an operator runs them: the demo
//! data and its files round-trip into an empty database, the trail still
//! verifies with the key, and a restore never overwrites a live database.
use crate::{
    helpers::{TestDb, empty_database},
    on_both,
};
use app::platform::{audit, db::Backend, db::Db, storage::FileStore};

fn cli(settings: &app::platform::settings::Settings, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", &settings.database_url)
        .env("DATA_DIR", &settings.data_dir)
        .env("TRAIL_KEY_FILE", &settings.trail_key_file)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

const TABLES: [&str; 6] = [
    "units",
    "users",
    "awards",
    "filings",
    "attachments",
    "audit_log",
];

async fn counts(db: &Db) -> Vec<i64> {
    let mut n = Vec::new();
    for t in TABLES {
        n.push(
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(&db.pool)
                .await
                .unwrap(),
        );
    }
    n
}

async fn backup_and_restore_round_trip(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    let stored = files.list().await.unwrap();
    assert!(
        !stored.is_empty(),
        "the demo filing has its scans (one file, kept once)"
    );
    let to = t.settings.data_dir.join("backup");
    let out = cli(&t.settings, &["backup", "--to", to.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("留痕密钥不在备份中"));
    // A second backup into the same folder is refused (nothing overwritten).
    let again = cli(&t.settings, &["backup", "--to", to.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("不是空的"));

    // Into an empty database, with the same key file.
    let (mut target, _guard) = empty_database(b).await;
    target.trail_key_file = t.settings.trail_key_file.clone();
    let out = cli(&target, &["restore", "--from", to.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored = Db::connect(&target.database_url, t.db.trail_key.clone())
        .await
        .unwrap();
    assert_eq!(counts(&restored).await, counts(&t.db).await);
    let report = audit::verify(&restored).await.unwrap();
    assert_eq!(report.problem, None);
    assert_eq!(report.checked, audit::verify(&t.db).await.unwrap().checked);
    let back = FileStore::from_settings(&target).unwrap();
    let mut listed = back.list().await.unwrap();
    listed.sort();
    let mut expected = stored.clone();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        back.get(&stored[0]).await.unwrap(),
        files.get(&stored[0]).await.unwrap()
    );
    drop(restored);

    // A restore into a database that holds data is refused.
    let out = cli(&target, &["restore", "--from", to.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("恢复只写入"), "{err}");
}

/// Without the key it was sealed with, a restored trail cannot be vouched
/// for: the restore says so instead of starting on it.
async fn a_restore_needs_the_trail_key(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let to = t.settings.data_dir.join("backup");
    assert!(
        cli(&t.settings, &["backup", "--to", to.to_str().unwrap()])
            .status
            .success()
    );
    let (target, _guard) = empty_database(b).await;
    let out = cli(&target, &["restore", "--from", to.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TRAIL_KEY_FILE"), "{err}");
}

on_both!(backup_and_restore_round_trip, a_restore_needs_the_trail_key);
