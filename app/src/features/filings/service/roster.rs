//! The key personnel roster: members added with a login, removed with a reason.
use super::{MemberInput, for_write};
use crate::{
    domain::{Mobile, ROSTER_ROLES, Role, SectionKind, label_of, mask_id},
    error::AppError,
    features::auth::service::{hash_password, random_password},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        project::Project,
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

/// What the filing's history shows of a roster change.
#[derive(Serialize)]
struct MemberSnapshot {
    roster_member: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn describe(role: &str, name: &str, id_number: &str, mobile: &str) -> String {
    let mobile = Mobile::parse(mobile)
        .map(|m| m.masked())
        .unwrap_or_default();
    format!(
        "{} {}（{}，{}）",
        label_of(&ROSTER_ROLES, role),
        name,
        mask_id(id_number),
        mobile
    )
}

/// Adds a member and links or opens their login. Returns the message for
/// the owner: the login name, and the first password when one was made.
pub async fn add_member(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    m: MemberInput,
    reason: &str,
) -> Result<String, AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let (_, message) = enrol(&mut tx, &h, &m, today()).await?;
    let snap = MemberSnapshot {
        roster_member: describe(
            m.role,
            m.name.as_str(),
            m.id_number.as_str(),
            m.mobile.as_str(),
        ),
        reason: correction,
    };
    tx.record("filing", h.id, "roster_add", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(message)
}

/// Puts a person on the project's roster from `joined_on`, with a login to
/// check in with (their existing key-personnel login, or a new one). Shared
/// by the roster and by personnel changes (the successor). Returns the
/// member's id and the message for the owner (the first password, once).
pub async fn enrol(
    tx: &mut AuditedTx<'_>,
    h: &Project,
    m: &MemberInput,
    joined_on: NaiveDate,
) -> Result<(i64, String), AppError> {
    let supervising = matches!(m.role, "chief_supervisor" | "supervising_engineer");
    // On a supervision contract the winner is the supervising engineer unit.
    let unit_id = if supervising && h.section_kind == SectionKind::Supervision {
        h.contractor_unit_id
    } else if supervising {
        h.supervisor_engineer_unit_id
            .ok_or_else(|| AppError::field("role", "请先在合同信息中选择监理单位并保存"))?
    } else {
        h.contractor_unit_id
    };
    // An existing login is this person's when its role is key personnel and
    // a roster it is on holds the same resident ID (or, for a login on no
    // roster yet, the same name). Anything else is refused in words that
    // tell nothing about whose number it is.
    let existing = sqlx::query(
        "SELECT u.id, u.role, u.username, u.display_name,
                (SELECT COUNT(*) FROM roster_members r WHERE r.user_id = u.id) AS rosters,
                (SELECT COUNT(*) FROM roster_members r WHERE r.user_id = u.id AND r.id_number = $2) AS same_id
         FROM users u WHERE u.mobile = $1",
    )
    .bind(m.mobile.as_str())
    .bind(m.id_number.as_str())
    .fetch_optional(tx.conn())
    .await?;
    let (user_id, message) = match existing {
        Some(r) => {
            let role: String = r.try_get("role")?;
            let display: String = r.try_get("display_name")?;
            let same_person = if r.try_get::<i64, _>("rosters")? > 0 {
                r.try_get::<i64, _>("same_id")? > 0
            } else {
                display == m.name.as_str()
            };
            if role != Role::KeyPersonnel.code() || !same_person {
                return Err(AppError::field(
                    "mobile",
                    "该手机号已被其他账号使用，不能用于此人员，请核对或换用本人其他手机号",
                ));
            }
            let username: String = r.try_get("username")?;
            (
                r.try_get::<i64, _>("id")?,
                format!(
                    "{} 已有账号（登录名 {username}），已关联到本项目",
                    m.name.as_str()
                ),
            )
        }
        None => {
            // A password nobody knows: the person sets their own with the
            // activation code (auth::activation), which is what the owner
            // passes on.
            let hash = hash_password(&random_password()).await?;
            let now = now_ms();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, display_name, mobile, role, unit_id, password_hash,
                    must_change_password, created_at, updated_at)
                 VALUES ($1, $2, $1, $3, $4, $5, 0, $6, $6) RETURNING id",
            )
            .bind(m.mobile.as_str())
            .bind(m.name.as_str())
            .bind(Role::KeyPersonnel.code())
            .bind(unit_id)
            .bind(hash)
            .bind(now)
            .fetch_one(tx.conn())
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "username") {
                    AppError::field("mobile", "该手机号已被用作其他账号的登录名")
                } else {
                    e.into()
                }
            })?;
            #[derive(Serialize)]
            struct NewAccount<'a> {
                username: &'a str,
                display_name: &'a str,
                mobile: String,
                role: &'a str,
            }
            let snap = NewAccount {
                username: m.mobile.as_str(),
                display_name: m.name.as_str(),
                mobile: m.mobile.masked(),
                role: Role::KeyPersonnel.code(),
            };
            tx.record("user", id, "create", None, Some(&snap)).await?;
            let code = crate::features::auth::activation::issue(tx.conn(), id, now).await?;
            (
                id,
                format!(
                    "已为 {} 开通账号（登录名 {}），激活码 {code}（{} 天内有效，只能使用一次，只显示这一次）。请当面转交本人：本人在手机上打开本系统的“激活账号”页面（/activate），输入手机号、激活码并设置自己的密码。",
                    m.name.as_str(),
                    m.mobile.as_str(),
                    crate::features::auth::activation::VALID_DAYS
                ),
            )
        }
    };
    let member_id: i64 = sqlx::query_scalar(
        "INSERT INTO roster_members (filing_id, role, name, id_number, mobile, cert_no, user_id, created_at, joined_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(h.id)
    .bind(m.role)
    .bind(m.name.as_str())
    .bind(m.id_number.as_str())
    .bind(m.mobile.as_str())
    .bind(&m.cert_no)
    .bind(user_id)
    .bind(now_ms())
    .bind(joined_on.to_string())
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        // SQLite names the columns, PostgreSQL the index.
        if is_unique_violation(&e, "id_number") || is_unique_violation(&e, "roster_person") {
            AppError::field("id_number", "此人已在本项目名单中")
        } else {
            e.into()
        }
    })?;
    Ok((member_id, message))
}

pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    member_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let r = sqlx::query(
        "SELECT role, name, id_number, mobile FROM roster_members WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL",
    )
    .bind(member_id)
    .bind(h.id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let text = describe(
        &r.try_get::<String, _>("role")?,
        &r.try_get::<String, _>("name")?,
        &r.try_get::<String, _>("id_number")?,
        &r.try_get::<String, _>("mobile")?,
    );
    sqlx::query("UPDATE roster_members SET removed_at = $1, left_on = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(today().to_string())
        .bind(member_id)
        .execute(tx.conn())
        .await?;
    let before = MemberSnapshot {
        roster_member: text,
        reason: None,
    };
    let after = MemberSnapshot {
        roster_member: "（已移出）".into(),
        reason: correction,
    };
    tx.record("filing", h.id, "roster_remove", Some(&before), Some(&after))
        .await?;
    tx.commit().await
}
