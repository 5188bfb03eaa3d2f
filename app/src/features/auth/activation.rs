//! 账号激活: a new key person's login is handed over as a one-time
//! activation code, not a password. The owner unit passes the code on; the
//! person opens /activate, gives their mobile number, the code and a
//! password of their own. The code works once, for [`VALID_DAYS`] days;
//! nobody but the person ever knows the password. Attempts count against
//! the same lock as passwords.
use super::service::{count_attempt, hash_password, record_failure};
use crate::{
    domain::NewPassword,
    error::{AppError, Check},
    platform::{
        audit::{AuditedTx, Who},
        db::Db,
        settings::Settings,
    },
};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

pub const VALID_DAYS: i64 = 7;

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// The code as typed: letters and digits, case and dashes ignored.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Issues (or replaces) the activation code of `user_id`, inside the
/// caller's transaction; returns the code to show once (XXXX-XXXX).
pub async fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    now_ms: i64,
) -> Result<String, AppError> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    sqlx::query("DELETE FROM activations WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO activations (user_id, code_hash, expires_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(hash(&raw))
        .bind(now_ms + VALID_DAYS * 86_400_000)
        .execute(&mut *conn)
        .await?;
    Ok(format!("{}-{}", &raw[..4], &raw[4..]))
}

/// What the activation form sends.
#[derive(Debug, Clone, Copy)]
pub struct ActivationForm<'a> {
    /// The login name (the mobile number).
    pub mobile: &'a str,
    pub code: &'a str,
    pub new: &'a str,
    pub confirm: &'a str,
}

/// Activates a login: the mobile number (the login name), the code and a
/// password of the person's own. Returns the user id (the session starts).
pub async fn activate(
    db: &Db,
    settings: &Settings,
    who: &Who,
    form: ActivationForm<'_>,
    now_ms: i64,
) -> Result<i64, AppError> {
    let ActivationForm {
        mobile,
        code,
        new,
        confirm,
    } = form;
    let mut c = Check::new();
    let mobile = mobile.trim();
    if mobile.is_empty() {
        c.fail("mobile", "请填写手机号");
    }
    let code = normalise(code);
    if code.len() != 8 {
        c.fail("code", "请填写 8 位激活码");
    }
    c.finish()?;
    let wrong = || AppError::field("code", "手机号或激活码不正确，或激活码已过期、已使用");
    let row = sqlx::query("SELECT id, username FROM users WHERE username = $1 AND disabled = 0")
        .bind(mobile)
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else {
        record_failure(db, who, None, "激活：账户不存在", None).await?;
        return Err(wrong());
    };
    let (id, username): (i64, String) = (row.try_get("id")?, row.try_get("username")?);
    let address = who.ip.clone().unwrap_or_else(|| "-".into());
    if count_attempt(db, settings, id, &address, now_ms)
        .await?
        .is_none()
    {
        record_failure(db, who, Some(id), "账户已锁定", None).await?;
        return Err(wrong());
    }
    let live: Option<String> = sqlx::query_scalar(
        "SELECT code_hash FROM activations WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now_ms)
    .fetch_optional(&db.pool)
    .await?;
    if live.as_deref() != Some(hash(&code).as_str()) {
        record_failure(db, who, Some(id), "激活码错误", None).await?;
        return Err(wrong());
    }
    // The password is checked only for the right code: its errors are at
    // its fields, and the code stays unused until it is accepted.
    let mut c = Check::new();
    let new = c.take("new", NewPassword::parse(new, &username));
    if new.as_ref().is_some_and(|n| n.expose() != confirm) {
        c.fail("confirm", "两次输入的新密码不一致");
    }
    c.finish()?;
    let new = new.ok_or(AppError::Internal)?;
    let hash_pw = hash_password(new.expose()).await?;
    let mut tx = AuditedTx::begin(db, who).await?;
    // One statement claims the code: sent twice at once, it works once.
    let claimed = sqlx::query(
        "UPDATE activations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(now_ms)
    .bind(id)
    .bind(now_ms)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if claimed != 1 {
        tx.rollback().await?;
        return Err(wrong());
    }
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3",
    )
    .bind(hash_pw)
    .bind(now_ms)
    .bind(id)
    .execute(tx.conn())
    .await?;
    super::service::lift_locks(tx.conn(), id, super::service::Locks::All).await?;
    tx.record::<()>("user", id, "activate", None, None).await?;
    tx.commit().await?;
    db.forget_user(id).await;
    Ok(id)
}
