//! Login, lockout and password changes, without Leptos (tested directly).
use super::guard::{LoginGuard, hashing_slot};
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
    let _slot = hashing_slot().await?;
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

async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let (password, hash) = (password.to_string(), hash.to_string());
    let _slot = hashing_slot().await?;
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false))
}

/// Spends the time of a real password check where there is no account (or
/// no check is allowed), so that response times do not tell them apart.
async fn decoy_check(password: &str) -> Result<(), AppError> {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match DECOY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password(&random_password()).await?;
            DECOY.get_or_init(|| h).clone()
        }
    };
    verify_password(password, &hash).await.map(|_| ())
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

/// The one answer to every failed login, whatever failed (no such
/// account, wrong password, locked, disabled): the answer must not tell
/// which accounts exist or what state they are in.
pub(super) fn wrong(settings: &Settings) -> AppError {
    AppError::invalid(format!(
        "用户名或密码错误。连续输错 {} 次，账户将在本机所在网络锁定 {} 分钟",
        settings.login_max_failures, settings.login_lock_minutes
    ))
}

/// What a right password leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStep {
    /// Logged in (the trail has the login).
    Done(i64),
    /// The user has a second factor: the code comes next
    /// (`two_factor::check_login_code`); failures are kept until then.
    Code(i64),
}

impl LoginStep {
    pub fn user_id(self) -> i64 {
        match self {
            Self::Done(id) | Self::Code(id) => id,
        }
    }
}

/// Counts one attempt on `user_id` from `address` and returns the failures
/// in a row so far, or `None` while the account is locked for the address.
/// A row locked until later is not updated; an expired lock or a run
/// older than the lock window starts again at one.
pub(super) async fn count_attempt(
    db: &Db,
    settings: &Settings,
    user_id: i64,
    address: &str,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let lock_until = now + settings.login_lock_minutes * 60_000;
    Ok(sqlx::query_scalar(
        "INSERT INTO login_failures (user_id, address, failures, locked_until, updated_at)
         VALUES ($1, $2, 1, CASE WHEN $3 <= 1 THEN $4 ELSE NULL END, $5)
         ON CONFLICT (user_id, address) DO UPDATE SET
           failures = CASE WHEN login_failures.locked_until IS NOT NULL OR login_failures.updated_at < $6
                           THEN 1 ELSE login_failures.failures + 1 END,
           locked_until = CASE WHEN (CASE WHEN login_failures.locked_until IS NOT NULL OR login_failures.updated_at < $6
                                          THEN 1 ELSE login_failures.failures + 1 END) >= $3
                               THEN $4 ELSE NULL END,
           updated_at = $5
         WHERE login_failures.locked_until IS NULL OR login_failures.locked_until <= $5
         RETURNING failures",
    )
    .bind(user_id)
    .bind(address)
    .bind(settings.login_max_failures)
    .bind(lock_until)
    .bind(now)
    .bind(now - settings.login_lock_minutes * 60_000)
    .fetch_optional(&db.pool)
    .await?)
}

/// Whose login locks to lift.
pub enum Locks<'a> {
    /// A login from this address succeeded: its run of failures ends.
    From(&'a str),
    /// A new password (set, reset or activated): every address's lock.
    All,
}

/// Lifts an account's login locks, in the caller's transaction.
pub async fn lift_locks(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    which: Locks<'_>,
) -> Result<(), AppError> {
    match which {
        Locks::From(address) => {
            sqlx::query("DELETE FROM login_failures WHERE user_id = $1 AND address = $2")
                .bind(user_id)
                .bind(address)
                .execute(conn)
                .await?
        }
        Locks::All => {
            sqlx::query("DELETE FROM login_failures WHERE user_id = $1")
                .bind(user_id)
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// Checks a login name (or mobile number) and password.
///
/// Every attempt is counted against the account *and the client address*
/// before its password is checked, in one statement, so that concurrent
/// attempts cannot all be checked before the lock takes hold; the
/// `login_max_failures`-th in a row locks the account for that address only
/// (nobody can lock an account from outside for the people who use it).
/// The address's allowance (`guard`) limits attempts across accounts.
pub async fn login(
    db: &Db,
    settings: &Settings,
    guard: &LoginGuard,
    login: &str,
    password: &str,
    who: &Who,
    now: i64,
) -> Result<LoginStep, AppError> {
    let login = login.trim();
    let mut errors = crate::error::Check::new();
    if login.is_empty() {
        errors.fail("username", "请填写用户名或手机号");
    }
    if password.is_empty() {
        errors.fail("password", "请填写密码");
    }
    errors.finish()?;
    let address = who.ip.clone().unwrap_or_else(|| "-".to_string());
    guard.attempt(&address)?;
    if login.chars().count() > 64 || password.chars().count() > 128 {
        return Err(wrong(settings));
    }
    // A login name equal to someone else's mobile number is the login name.
    let lower = login.to_ascii_lowercase();
    let row = sqlx::query(
        "SELECT id, password_hash, disabled, totp_enabled_at FROM users WHERE username = $1 OR mobile = $2
         ORDER BY CASE WHEN username = $3 THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .bind(&lower)
    .bind(login)
    .bind(&lower)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        decoy_check(password).await?;
        record_failure(db, who, None, "账户不存在", None).await?;
        return Err(wrong(settings));
    };
    let id: i64 = row.try_get("id")?;
    let hash: String = row.try_get("password_hash")?;
    let disabled = row.try_get::<i64, _>("disabled")? != 0;
    let second_factor = row.try_get::<Option<i64>, _>("totp_enabled_at")?.is_some();

    // Count the attempt first.
    let lock_until = now + settings.login_lock_minutes * 60_000;
    let failures = count_attempt(db, settings, id, &address, now).await?;
    let Some(failures) = failures else {
        // Locked for this address: no check at all, the same answer.
        decoy_check(password).await?;
        record_failure(db, who, Some(id), "账户已锁定", None).await?;
        return Err(wrong(settings));
    };

    if verify_password(password, &hash).await? {
        if disabled {
            // Told only to someone who knows the password.
            record_failure(db, who, Some(id), "账户已停用", None).await?;
            return Err(AppError::invalid("该账户已停用，请联系系统管理员"));
        }
        if second_factor {
            return Ok(LoginStep::Code(id));
        }
        let mut tx = AuditedTx::begin(db, who).await?;
        lift_locks(tx.conn(), id, Locks::From(&address)).await?;
        tx.record::<()>("user", id, "login", None, None).await?;
        tx.commit().await?;
        return Ok(LoginStep::Done(id));
    }
    let lock = (failures >= settings.login_max_failures).then(|| {
        serde_json::json!({
            "locked_until": crate::fmt::datetime(lock_until),
            "failures": failures,
            "address": address,
        })
    });
    record_failure(db, who, Some(id), "密码错误", lock).await?;
    Err(wrong(settings))
}

/// The trail's entity of attempts on login names that do not exist.
pub const UNKNOWN_LOGIN: &str = "login";

/// Every failed login is a trail entry (等保: security events), on the
/// account when there is one; the lock that a failure sets is one more.
/// The name tried for an unknown account is not kept: people type their
/// password into the wrong box.
pub(super) async fn record_failure(
    db: &Db,
    who: &Who,
    user_id: Option<i64>,
    cause: &str,
    lock: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let detail = serde_json::json!({ "cause": cause, "address": who.ip });
    let mut tx = AuditedTx::begin(db, who).await?;
    match user_id {
        Some(id) => {
            tx.record("user", id, "login_failed", None, Some(&detail))
                .await?
        }
        None => {
            tx.record(UNKNOWN_LOGIN, "-", "login_failed", None, Some(&detail))
                .await?
        }
    }
    if let (Some(id), Some(lock)) = (user_id, lock) {
        tx.record("user", id, "lock", None, Some(&lock)).await?;
    }
    tx.commit().await
}

/// Logging out is a trail entry too.
pub async fn record_logout(db: &Db, who: &Who, user_id: i64) -> Result<(), AppError> {
    let mut tx = AuditedTx::begin(db, who).await?;
    tx.record::<()>("user", user_id, "logout", None, None)
        .await?;
    tx.commit().await
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
    } else if current.chars().count() > 128 || !verify_password(current, &hash).await? {
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
    db.forget_user(user_id).await;
    Ok(())
}
