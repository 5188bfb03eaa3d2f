//! Login, lockout and password changes, without Leptos (tested directly).
use crate::{
    domain::NewPassword,
    error::AppError,
    platform::{
        audit::{AuditedTx, Who},
        db::Db,
        session::end_sessions_of,
        settings::Settings,
    },
};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use sqlx::Row;

pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    // Argon2 is deliberately slow; keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|_| AppError::Internal)
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A first password that meets the policy (for accounts others open).
pub fn random_password() -> String {
    use rand::Rng;
    // No 0/O, 1/l/I: it is read aloud or copied by hand.
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let random: String = (0..12)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("{random}#9a")
}

const WRONG: &str = "用户名或密码错误";

/// Checks a login name (or mobile number) and password. Returns the user id.
/// Counts failures; the `login_max_failures`-th locks the account.
pub async fn login(
    db: &Db,
    settings: &Settings,
    login: &str,
    password: &str,
    who: &Who,
    now: i64,
) -> Result<i64, AppError> {
    let login = login.trim();
    let mut errors = crate::error::Check::new();
    if login.is_empty() {
        errors.fail("username", "请填写用户名或手机号");
    }
    if password.is_empty() {
        errors.fail("password", "请填写密码");
    }
    errors.finish()?;
    if login.chars().count() > 64 || password.chars().count() > 128 {
        return Err(AppError::invalid(WRONG));
    }
    let row = sqlx::query(
        "SELECT id, password_hash, disabled, failed_logins, locked_until FROM users
         WHERE username = $1 OR mobile = $2",
    )
    .bind(login.to_ascii_lowercase())
    .bind(login)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        // Spend the same time as a real check, so that response times do not
        // tell which login names exist.
        let _ = hash_password(password).await;
        return Err(AppError::invalid(WRONG));
    };
    let id: i64 = row.try_get("id")?;
    let hash: String = row.try_get("password_hash")?;
    if row.try_get::<i64, _>("disabled")? != 0 {
        return Err(AppError::invalid("该账户已停用，请联系系统管理员"));
    }
    if let Some(until) = row
        .try_get::<Option<i64>, _>("locked_until")?
        .filter(|&u| u > now)
    {
        return Err(locked_message(until));
    }
    if verify_password(password, &hash).await {
        let mut tx = AuditedTx::begin(db, who).await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.record::<()>("user", id, "login", None, None).await?;
        tx.commit().await?;
        return Ok(id);
    }
    // A wrong password: count it atomically (two tabs racing must both count).
    let failures: i64 = sqlx::query_scalar(
        "UPDATE users SET failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 THEN 1 ELSE failed_logins + 1 END,
                          locked_until = NULL
         WHERE id = $2 RETURNING failed_logins",
    )
    .bind(now)
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    if failures >= settings.login_max_failures {
        let until = now + settings.login_lock_minutes * 60_000;
        let mut tx = AuditedTx::begin(db, who).await?;
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(until)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let detail = serde_json::json!({ "locked_until": crate::fmt::datetime(until), "failures": failures });
        tx.record("user", id, "lock", None, Some(&detail)).await?;
        tx.commit().await?;
        return Err(locked_message(until));
    }
    let left = settings.login_max_failures - failures;
    Err(AppError::invalid(format!(
        "{WRONG}，再错 {left} 次账户将锁定 {} 分钟",
        settings.login_lock_minutes
    )))
}

fn locked_message(until: i64) -> AppError {
    let at = crate::fmt::datetime(until);
    AppError::invalid(format!(
        "密码错误次数过多，账户已锁定至 {}，请稍后再试或联系管理员",
        &at[11..16]
    ))
}

/// A user changes their own password (knowing the current one).
pub async fn change_password(
    db: &Db,
    who: &Who,
    user_id: i64,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let row = sqlx::query("SELECT username, password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let username: String = row.try_get("username")?;
    let hash: String = row.try_get("password_hash")?;
    let mut check = crate::error::Check::new();
    if current.is_empty() {
        check.fail("current", "请填写当前密码");
    } else if current.chars().count() > 128 || !verify_password(current, &hash).await {
        check.fail("current", "当前密码不正确");
    }
    let new = check.take("new", NewPassword::parse(new, &username));
    if new.is_some() && confirm != new.as_ref().map(NewPassword::expose).unwrap_or_default() {
        check.fail("confirm", "两次输入的新密码不一致");
    }
    if new.as_ref().is_some_and(|n| n.expose() == current) {
        check.fail("new", "新密码不能与当前密码相同");
    }
    check.finish()?;
    let new = new.ok_or(AppError::Internal)?;
    let new_hash = hash_password(new.expose()).await?;
    let mut tx = AuditedTx::begin(db, who).await?;
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
        .bind(new_hash)
        .bind(crate::platform::time::now_ms())
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    // Other devices logged in as this user are signed out.
    end_sessions_of(tx.conn(), user_id).await?;
    tx.record::<()>("user", user_id, "change_password", None, None)
        .await?;
    tx.commit().await?;
    db.cache.forget_user(user_id);
    Ok(())
}
