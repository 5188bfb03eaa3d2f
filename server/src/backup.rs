//! `server backup` and `server restore`: a consistent copy of the database
//! and the file store in one folder, and its way back into an empty
//! database. SQLite is copied online with `VACUUM INTO` (one read
//! transaction, so writes may go on); PostgreSQL through `pg_dump`'s custom
//! format and `pg_restore`. Files are copied by their hash, whatever the
//! store (local or S3). The trail key is not in the backup: it is kept
//! apart, and a restore is checked with it (the chain must verify).
use app::platform::{audit, db::Backend, settings::Settings, storage::FileStore};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const SQLITE_FILE: &str = "bhly.db";
const PG_FILE: &str = "bhly.pgdump";
const MANIFEST: &str = "manifest.json";

/// What a backup holds, written beside it and compared after a restore.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub created_at: String,
    pub backend: String,
    /// The trail's head when the copy was taken, and the key it is sealed
    /// with (its fingerprint).
    pub head_seq: i64,
    pub head_hash: String,
    pub key_id: String,
    pub files: usize,
}

type Res<T> = Result<T, String>;

/// Names what failed, in the operator's words, before the cause.
fn io<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{what}：{e}")
}

pub async fn backup(settings: &Settings, to: &Path) -> Res<Manifest> {
    if to.exists()
        && std::fs::read_dir(to)
            .map_err(io("无法读取备份目录"))?
            .next()
            .is_some()
    {
        return Err(format!("备份目录 {} 不是空的", to.display()));
    }
    std::fs::create_dir_all(to.join("files")).map_err(io("无法创建备份目录"))?;
    let db = crate::connect(settings)
        .await
        .map_err(io("无法连接数据库"))?;
    let checked = audit::verify(&db).await.map_err(io("留痕校验失败"))?;
    if let Some((seq, msg)) = checked.problem {
        return Err(format!("留痕链异常，未备份：{msg}（序号 {seq}）"));
    }
    // The head is read before the copy: the copy holds at least this much.
    let (head_seq, head_hash, key_id): (i64, String, String) =
        sqlx::query_as("SELECT seq, last_hash, key_id FROM audit_head WHERE id = 1")
            .fetch_one(&db.pool)
            .await
            .map_err(io("无法读取留痕链头"))?;
    match db.backend {
        Backend::Sqlite => {
            let file = to.join(SQLITE_FILE);
            sqlx::query("VACUUM INTO $1")
                .bind(file.to_string_lossy().to_string())
                .execute(&db.pool)
                .await
                .map_err(io("SQLite 备份失败"))?;
        }
        Backend::Postgres => {
            let file = to.join(PG_FILE);
            run(std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&file)
                .arg(&settings.database_url))?;
        }
    }
    let files = copy_files_out(settings, to).await?;
    let manifest = Manifest {
        created_at: chrono::Utc::now().to_rfc3339(),
        backend: backend_name(db.backend).into(),
        head_seq,
        head_hash,
        key_id,
        files,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(io("清单"))?;
    std::fs::write(to.join(MANIFEST), text).map_err(io("无法写入备份清单"))?;
    Ok(manifest)
}

/// Restores into the configured database, which must hold nothing yet (a
/// restore never overwrites a live system); then checks the chain with the
/// configured key and that it reaches the backup's head.
pub async fn restore(settings: &Settings, from: &Path) -> Res<audit::VerifyReport> {
    let text = std::fs::read_to_string(from.join(MANIFEST)).map_err(io("备份清单不可读"))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(io("备份清单有误"))?;
    // The key first: a trail restored without it could not be checked, and
    // the restored database would be in the way of a second try.
    if !settings.trail_key_file.exists() {
        return Err(format!(
            "找不到留痕密钥文件 {}（TRAIL_KEY_FILE）：请指向备份所属系统的密钥文件",
            settings.trail_key_file.display()
        ));
    }
    let key = crate::trail_key(settings).map_err(io("留痕密钥"))?;
    if key.id() != manifest.key_id {
        return Err(format!(
            "备份的留痕以另一密钥封存（{}，现为 {}）：请将 TRAIL_KEY_FILE 指向原密钥文件",
            manifest.key_id,
            key.id()
        ));
    }
    let url = &settings.database_url;
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    if backend_name(backend) != manifest.backend {
        return Err(format!(
            "备份来自 {}，目标数据库是 {}（跨库迁移请另行导出导入）",
            manifest.backend,
            backend_name(backend)
        ));
    }
    match backend {
        Backend::Sqlite => {
            let target = sqlite_file(url).ok_or("DATABASE_URL 须指向 SQLite 文件")?;
            if target.exists() && std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0) > 0 {
                return Err(format!(
                    "目标数据库 {} 已存在：恢复只写入新的数据库",
                    target.display()
                ));
            }
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(io("无法创建数据目录"))?;
            }
            std::fs::copy(from.join(SQLITE_FILE), &target).map_err(io("无法复制数据库"))?;
        }
        Backend::Postgres => {
            if pg_has_tables(url).await? {
                return Err("目标数据库不是空的：恢复只写入新建的空数据库".into());
            }
            run(std::process::Command::new("pg_restore")
                .args([
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(url)
                .arg(from.join(PG_FILE)))?;
        }
    }
    copy_files_in(settings, from).await?;
    let db = crate::connect(settings)
        .await
        .map_err(io("恢复后无法打开数据库"))?;
    let report = audit::verify(&db).await.map_err(io("留痕校验失败"))?;
    if let Some((seq, msg)) = &report.problem {
        return Err(format!("恢复的留痕链异常：{msg}（序号 {seq}）"));
    }
    if audit::check_published(&db, manifest.head_seq, &manifest.head_hash)
        .await
        .map_err(io("留痕校验失败"))?
        .is_some()
        && manifest.head_seq > 0
    {
        return Err("恢复的留痕与备份时的链头不符".into());
    }
    Ok(report)
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn sqlite_file(url: &str) -> Option<PathBuf> {
    app::platform::db::sqlite_path(url).map(PathBuf::from)
}

async fn pg_has_tables(url: &str) -> Res<bool> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url)
        .await
        .map_err(io("无法连接目标数据库"))?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut c)
    .await
    .map_err(io("无法读取目标数据库"))?;
    Ok(n > 0)
}

fn run(cmd: &mut std::process::Command) -> Res<()> {
    let name = cmd.get_program().to_string_lossy().to_string();
    let out = cmd
        .output()
        .map_err(|e| format!("无法运行 {name}（须安装 PostgreSQL 客户端）：{e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name} 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

async fn copy_files_out(settings: &Settings, to: &Path) -> Res<usize> {
    let store = FileStore::from_settings(settings)?;
    let names = store.list().await.map_err(io("无法列出文件"))?;
    for sha in &names {
        let bytes = store.get(sha).await.map_err(io("无法读取文件"))?;
        let dir = to.join("files").join(&sha[..2]);
        std::fs::create_dir_all(&dir).map_err(io("无法创建备份目录"))?;
        std::fs::write(dir.join(sha), bytes).map_err(io("无法写入备份文件"))?;
    }
    Ok(names.len())
}

/// Puts every file back; each must still hash to its name.
async fn copy_files_in(settings: &Settings, from: &Path) -> Res<usize> {
    let store = FileStore::from_settings(settings)?;
    let mut n = 0;
    let root = from.join("files");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return Ok(0);
    };
    for dir in dirs {
        let dir = dir.map_err(io("无法读取备份文件"))?;
        for f in std::fs::read_dir(dir.path()).map_err(io("无法读取备份文件"))? {
            let f = f.map_err(io("无法读取备份文件"))?;
            let bytes = std::fs::read(f.path()).map_err(io("无法读取备份文件"))?;
            let sha = store.put(bytes).await.map_err(io("无法写入文件"))?;
            if f.file_name().to_string_lossy() != sha {
                return Err(format!("备份文件 {} 内容与其名称不符", f.path().display()));
            }
            n += 1;
        }
    }
    Ok(n)
}
