//! `server files sweep`: unreferenced files go, referenced ones and young
//! ones stay.
use crate::{helpers::TestDb, on_both};
use app::platform::{db::Backend, storage::FileStore};

async fn the_sweep_removes_only_old_unreferenced_files(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    let kept = files.list().await.unwrap();
    assert!(!kept.is_empty());
    // A photo whose check-in was refused after it was stored, say.
    let orphan = files.put(b"orphan photo bytes".to_vec()).await.unwrap();
    // Within the grace period it stays (its record may be committing).
    let r = server::sweep::sweep(&t.db, &files, chrono::Duration::hours(24), false)
        .await
        .unwrap();
    assert_eq!((r.young, r.removed.len()), (1, 0));
    // A dry run names it and removes nothing.
    let r = server::sweep::sweep(&t.db, &files, chrono::Duration::zero(), true)
        .await
        .unwrap();
    assert_eq!(r.removed, vec![orphan.clone()]);
    assert!(files.get(&orphan).await.is_ok());
    let r = server::sweep::sweep(&t.db, &files, chrono::Duration::zero(), false)
        .await
        .unwrap();
    assert_eq!(r.removed, vec![orphan.clone()]);
    assert_eq!(r.referenced, kept.len());
    assert!(files.get(&orphan).await.is_err());
    for sha in &kept {
        assert!(files.get(sha).await.is_ok(), "a referenced file stays");
    }
}

on_both!(the_sweep_removes_only_old_unreferenced_files);
