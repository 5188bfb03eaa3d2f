//! 两步验证: a time-based code (TOTP, RFC 6238, any authenticator app) after
//! the password, for the privileged roles (等保 level 3: two authentication
//! techniques for administrators and supervisors). Enrolment by QR code,
//! ten one-time recovery codes, each code accepted once (replay), and wrong
//! codes counted with wrong passwords against the same lock.
use super::service::{count_attempt, record_failure};
use crate::{
    error::AppError,
    platform::{
        audit::{AuditedTx, Who},
        db::Db,
        settings::Settings,
    },
};
use sha2::{Digest, Sha256};
use sqlx::Row;
use totp_rs::{Algorithm, TOTP};

const ISSUER: &str = "平阳标后履约监管";
const STEP_S: u64 = 30;
const RECOVERY_CODES: usize = 10;

/// The sealing purpose of TOTP secrets (`TrailKey::seal`).
const SEAL: &str = "totp secret";

/// A user's TOTP secret as the database keeps it: sealed under the server's
/// key and bound to the user (a copied or dumped row gives nothing away).
fn seal(db: &Db, user_id: i64, base32: &str) -> String {
    db.trail_key
        .seal(SEAL, &user_id.to_be_bytes(), base32.as_bytes())
}

/// The secret's bytes from what the database keeps (rows from before
/// sealing hold the base32 text itself until [`seal_stored_secrets`]).
fn unseal(db: &Db, user_id: i64, stored: &str) -> Option<Vec<u8>> {
    let base32 = if crate::platform::audit::TrailKey::is_sealed(stored) {
        String::from_utf8(db.trail_key.open(SEAL, &user_id.to_be_bytes(), stored)?).ok()?
    } else {
        stored.to_string()
    };
    totp_rs::Secret::Encoded(base32).to_bytes().ok()
}

/// Seals the secrets stored before they were sealed (at start-up); returns
/// how many.
pub async fn seal_stored_secrets(db: &Db) -> Result<u64, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'sealed1:%'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut n = 0;
    for (id, plain) in rows {
        // Only if unchanged meanwhile (a concurrent enrolment wins).
        n += sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
            .bind(seal(db, id, &plain))
            .bind(id)
            .bind(&plain)
            .execute(&db.pool)
            .await?
            .rows_affected();
    }
    Ok(n)
}

/// A fresh secret: 160 random bits (RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut b = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

fn totp(secret: Vec<u8>, account: &str) -> Result<TOTP, AppError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_S,
        secret,
        Some(ISSUER.to_string()),
        account.replace(':', "_"),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "totp setup failed");
        AppError::Internal
    })
}

/// What the enrolment page shows: the QR code (SVG) and the same secret
/// in letters, for typing into an app by hand.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

pub fn enrolment(secret: &[u8], account: &str) -> Result<Enrolment, AppError> {
    let t = totp(secret.to_vec(), account)?;
    let code = qrcode::QrCode::new(t.get_url().as_bytes()).map_err(|_| AppError::Internal)?;
    let qr_svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Groups of four, as apps show them.
    let b32 = t.get_secret_base32();
    let secret = b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Enrolment { secret, qr_svg })
}

/// The code an authenticator shows for `secret` at `now_ms` (tests, and
/// the demo's instructions).
pub fn code_at(secret: &[u8], account: &str, now_ms: i64) -> Result<String, AppError> {
    Ok(totp(secret.to_vec(), account)?.generate((now_ms / 1000) as u64))
}

/// The time step a six-digit code belongs to (one step of skew either way).
fn matching_step(t: &TOTP, code: &str, now_ms: i64) -> Option<u64> {
    let now = (now_ms / 1000) as u64 / STEP_S;
    (now.saturating_sub(1)..=now + 1).find(|step| t.generate(step * STEP_S) == code)
}

fn six_digits(code: &str) -> Option<String> {
    let c: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

/// A recovery code as typed: letters and digits, case and dashes ignored.
fn normalise_recovery(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == 10).then_some(c)
}

fn hash_recovery(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Ten codes of ten letters and digits (no 0/O, 1/I look-alikes).
fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let s: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// Whether the user has a second factor, since when, and how many recovery
/// codes are left.
pub async fn status(db: &Db, user_id: i64) -> Result<(Option<i64>, i64), AppError> {
    let enabled: Option<i64> =
        sqlx::query_scalar("SELECT totp_enabled_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?
            .flatten();
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&db.pool)
    .await?;
    Ok((enabled, left))
}

/// Confirms an enrolment with the first code the app shows; keeps the
/// secret and returns the recovery codes (shown once, kept hashed).
pub async fn confirm(
    db: &Db,
    who: &Who,
    user_id: i64,
    account: &str,
    secret: &[u8],
    code: &str,
    now_ms: i64,
) -> Result<Vec<String>, AppError> {
    let Some(code) = six_digits(code) else {
        return Err(AppError::field("code", "请输入验证器显示的 6 位数字"));
    };
    let t = totp(secret.to_vec(), account)?;
    let Some(step) = matching_step(&t, &code, now_ms) else {
        return Err(AppError::field(
            "code",
            "验证码不正确：请确认手机时间准确，并输入当前显示的 6 位数字",
        ));
    };
    let codes = new_recovery_codes();
    let mut tx = AuditedTx::begin(db, who).await?;
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(seal(db, user_id, &t.get_secret_base32()))
    .bind(now_ms)
    .bind(step as i64)
    .bind(now_ms)
    .bind(user_id)
    .execute(tx.conn())
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    for c in &codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash_recovery(&normalise_recovery(c).unwrap_or_default()))
            .execute(tx.conn())
            .await?;
    }
    tx.record::<()>("user", user_id, "enable_2fa", None, None)
        .await?;
    tx.commit().await?;
    db.forget_user(user_id).await;
    Ok(codes)
}

/// Which second factor a login used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Code,
    Recovery,
}

/// The second step of a login: the attempt is counted first (like a
/// password), then a code of the current time step that was not used
/// before, or an unused recovery code. A success clears the failures and
/// is the login's trail entry.
pub async fn check_login_code(
    db: &Db,
    settings: &Settings,
    who: &Who,
    user_id: i64,
    code: &str,
    now_ms: i64,
) -> Result<Factor, AppError> {
    if code.trim().is_empty() {
        return Err(AppError::field("code", "请输入验证码或恢复码"));
    }
    let address = who.ip.clone().unwrap_or_else(|| "-".to_string());
    let wrong = || AppError::field("code", "验证码不正确或已使用");
    let Some(failures) = count_attempt(db, settings, user_id, &address, now_ms).await? else {
        record_failure(db, who, Some(user_id), "账户已锁定", None).await?;
        return Err(super::service::wrong(settings));
    };
    let row = sqlx::query("SELECT username, totp_secret, totp_last_step FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&db.pool)
        .await?;
    let username: String = row.try_get("username")?;
    let secret: Option<String> = row.try_get("totp_secret")?;
    let last_step: i64 = row.try_get("totp_last_step")?;
    let secret = secret
        .and_then(|s| unseal(db, user_id, &s))
        .ok_or_else(|| {
            tracing::error!(user_id, "two-factor secret does not open (another key?)");
            AppError::Internal
        })?;
    let t = totp(secret, &username)?;
    let factor = if let Some(code) = six_digits(code) {
        match matching_step(&t, &code, now_ms).filter(|s| *s as i64 > last_step) {
            // One statement claims the step: the same code sent twice at
            // once is accepted once.
            Some(step) => {
                sqlx::query(
                    "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $3",
                )
                .bind(step as i64)
                .bind(user_id)
                .bind(step as i64)
                .execute(&db.pool)
                .await?
                .rows_affected()
                    == 1
            }
            None => false,
        }
        .then_some(Factor::Code)
    } else if let Some(code) = normalise_recovery(code) {
        (sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_ms)
        .bind(user_id)
        .bind(hash_recovery(&code))
        .execute(&db.pool)
        .await?
        .rows_affected()
            == 1)
            .then_some(Factor::Recovery)
    } else {
        None
    };
    let Some(factor) = factor else {
        let lock = (failures >= settings.login_max_failures)
            .then(|| serde_json::json!({ "failures": failures, "address": address }));
        let locked = lock.is_some();
        record_failure(db, who, Some(user_id), "验证码错误", lock).await?;
        return Err(if locked {
            super::service::wrong(settings)
        } else {
            wrong()
        });
    };
    let mut tx = AuditedTx::begin(db, who).await?;
    super::service::lift_locks(tx.conn(), user_id, super::service::Locks::From(&address)).await?;
    let detail = serde_json::json!({
        "second_factor": match factor { Factor::Code => "验证码", Factor::Recovery => "恢复码" },
    });
    tx.record("user", user_id, "login", None, Some(&detail))
        .await?;
    tx.commit().await?;
    Ok(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(six_digits(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(six_digits("12345"), None);
        assert_eq!(six_digits("12345a"), None);
        assert_eq!(
            normalise_recovery("abcde-23456").as_deref(),
            Some("ABCDE23456")
        );
        assert_eq!(normalise_recovery("abc"), None);
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 11 && !c.contains('0') && !c.contains('O'))
        );
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side() {
        let t = totp(vec![7u8; 20], "zgb").unwrap();
        let now_ms = 1_765_000_000_000i64;
        let step = (now_ms / 1000) as u64 / STEP_S;
        let code = t.generate(step * STEP_S);
        assert_eq!(matching_step(&t, &code, now_ms), Some(step));
        assert_eq!(matching_step(&t, &code, now_ms + 30_000), Some(step));
        assert_eq!(matching_step(&t, &code, now_ms + 90_000), None);
    }
}
