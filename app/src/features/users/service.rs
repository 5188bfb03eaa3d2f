use super::User;
use crate::{
    domain::{Mobile, Name, NewPassword, Role, UnitKind, Username},
    error::{AppError, Check},
    features::auth::service::hash_password,
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation, like_pattern},
        session::end_sessions_of,
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// The editable part of a user, parsed.
#[derive(Debug, Clone)]
pub struct UserInput {
    pub display_name: Name,
    pub mobile: Mobile,
    pub role: Role,
    pub unit_id: i64,
}

impl UserInput {
    pub fn parse(
        display_name: &str,
        mobile: &str,
        role: &str,
        unit_id: &str,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let parsed = Self::parse_into(&mut c, display_name, mobile, role, unit_id);
        c.finish()?;
        parsed.ok_or(AppError::Internal)
    }

    fn parse_into(
        c: &mut Check,
        display_name: &str,
        mobile: &str,
        role: &str,
        unit_id: &str,
    ) -> Option<Self> {
        let display_name = c.take("display_name", Name::parse(display_name, "姓名", 20));
        let mobile = c.take("mobile", Mobile::parse(mobile));
        let role = c.take("role", Role::parse(role));
        let unit_id = c.take(
            "unit_id",
            unit_id
                .trim()
                .parse::<i64>()
                .map_err(|_| "请选择所属单位".to_string()),
        );
        Some(Self {
            display_name: display_name?,
            mobile: mobile?,
            role: role?,
            unit_id: unit_id?,
        })
    }
}

/// A new account: the editable part plus login name and first password.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub user: UserInput,
    pub password: NewPassword,
    /// True for accounts an administrator opens: the first password is theirs
    /// to replace. Demo accounts start without it.
    pub must_change_password: bool,
}

impl NewUser {
    pub fn parse(
        username: &str,
        display_name: &str,
        mobile: &str,
        role: &str,
        unit_id: &str,
        password: &str,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let name = c.take("username", Username::parse(username));
        let user = UserInput::parse_into(&mut c, display_name, mobile, role, unit_id);
        let password = c.take("password", NewPassword::parse(password, username));
        c.finish()?;
        match (name, user, password) {
            (Some(username), Some(user), Some(password)) => Ok(Self {
                username,
                user,
                password,
                must_change_password: true,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// What the audit trail keeps of a user (never the password hash).
#[derive(Serialize)]
struct Snapshot<'a> {
    username: &'a str,
    display_name: &'a str,
    mobile: &'a str,
    role: &'a str,
    unit: &'a str,
    disabled: bool,
}

impl<'a> From<&'a User> for Snapshot<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            username: &u.username,
            display_name: &u.display_name,
            mobile: &u.mobile,
            role: u.role.code(),
            unit: &u.unit_name,
            disabled: u.disabled,
        }
    }
}

const SELECT: &str =
    "SELECT u.id, u.username, u.display_name, u.mobile, u.role, u.unit_id, n.name AS unit_name,
        u.disabled, u.must_change_password,
        (SELECT MAX(lf.locked_until) FROM login_failures lf WHERE lf.user_id = u.id) AS locked_until
     FROM users u JOIN units n ON n.id = u.unit_id";

fn row_to_user(r: &AnyRow) -> Result<User, AppError> {
    let role: String = r.try_get("role")?;
    let locked_until: Option<i64> = r.try_get("locked_until")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        mobile: r
            .try_get::<Option<String>, _>("mobile")?
            .unwrap_or_default(),
        role: Role::parse(&role).map_err(|_| AppError::Internal)?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        locked: locked_until.is_some_and(|t| t > now_ms()),
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
    })
}

async fn find(conn: &mut AnyConnection, id: i64) -> Result<User, AppError> {
    let row = sqlx::query(&format!("{SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(row_to_user)
        .transpose()?
        .ok_or(AppError::NotFound)
}

fn admin_only(actor: &Actor) -> Result<(), AppError> {
    actor.require(&[Role::SecurityAdmin])
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    role: &str,
    rows: impl Into<Rows>,
) -> Result<Page<User>, AppError> {
    admin_only(actor)?;
    let (limit, offset, page) = rows.into().window();
    let role = Role::parse(role).map(Role::code).unwrap_or("");
    let pattern = like_pattern(&q.to_lowercase());
    let filter = "WHERE ($1 = '' OR u.role = $1)
        AND ($2 = '' OR u.username LIKE $2 ESCAPE '\\' OR u.display_name LIKE $2 ESCAPE '\\'
             OR u.mobile LIKE $2 ESCAPE '\\' OR n.name LIKE $2 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM users u JOIN units n ON n.id = u.unit_id {filter}"
    ))
    .bind(role)
    .bind(&pattern)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query(&format!(
        "{SELECT} {filter} ORDER BY n.name, u.username LIMIT $3 OFFSET $4"
    ))
    .bind(role)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let items = rows.iter().map(row_to_user).collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<User, AppError> {
    admin_only(actor)?;
    find(&mut *db.pool.acquire().await?, id).await
}

/// The role must fit the kind of the unit chosen.
async fn check_role_fits(conn: &mut AnyConnection, input: &UserInput) -> Result<(), AppError> {
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM units WHERE id = $1")
        .bind(input.unit_id)
        .fetch_optional(conn)
        .await?;
    let kind = kind
        .and_then(|k| UnitKind::parse(&k).ok())
        .ok_or_else(|| AppError::field("unit_id", "所选单位不存在"))?;
    if !input.role.fits(kind) {
        return Err(AppError::field(
            "role",
            format!("{}不能属于{}", input.role.label(), kind.label()),
        ));
    }
    Ok(())
}

fn unique_error(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "username") {
        AppError::field("username", "该用户名已被使用")
    } else if is_unique_violation(&e, "mobile") {
        AppError::field("mobile", "该手机号码已绑定其他账户")
    } else {
        e.into()
    }
}

pub async fn create(db: &Db, actor: &Actor, input: NewUser) -> Result<i64, AppError> {
    admin_only(actor)?;
    let hash = hash_password(input.password.expose()).await?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    check_role_fits(tx.conn(), &input.user).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, mobile, role, unit_id, password_hash, must_change_password, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(input.username.as_str())
    .bind(input.user.display_name.as_str())
    .bind(input.user.mobile.as_str())
    .bind(input.user.role.code())
    .bind(input.user.unit_id)
    .bind(hash)
    .bind(i64::from(input.must_change_password))
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(unique_error)?;
    let after = find(tx.conn(), id).await?;
    tx.record("user", id, "create", None, Some(&Snapshot::from(&after)))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: UserInput) -> Result<(), AppError> {
    admin_only(actor)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let before = find(tx.conn(), id).await?;
    check_role_fits(tx.conn(), &input).await?;
    if id == actor.user_id && input.role != Role::SecurityAdmin {
        return Err(AppError::field("role", "不能取消自己的管理员角色"));
    }
    sqlx::query("UPDATE users SET display_name = $1, mobile = $2, role = $3, unit_id = $4, updated_at = $5 WHERE id = $6")
        .bind(input.display_name.as_str())
        .bind(input.mobile.as_str())
        .bind(input.role.code())
        .bind(input.unit_id)
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(unique_error)?;
    let after = find(tx.conn(), id).await?;
    tx.record(
        "user",
        id,
        "update",
        Some(&Snapshot::from(&before)),
        Some(&Snapshot::from(&after)),
    )
    .await?;
    tx.commit().await?;
    db.forget_user(id).await;
    Ok(())
}

/// Sets a temporary password, to be changed at the next login; unlocks the
/// account and signs the user out everywhere.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    password: &str,
) -> Result<(), AppError> {
    admin_only(actor)?;
    let who = actor.who();
    let user = find(&mut *db.pool.acquire().await?, id).await?;
    let password =
        NewPassword::parse(password, &user.username).map_err(|e| AppError::field("password", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = AuditedTx::begin(db, &who).await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(id)
    .execute(tx.conn())
    .await?;
    // Credentials are reset as a whole (a lost phone comes with a forgotten
    // password as often as not): the second factor is enrolled again.
    sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0 WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    // A new password lifts every lock on the account.
    crate::features::auth::service::lift_locks(
        tx.conn(),
        id,
        crate::features::auth::service::Locks::All,
    )
    .await?;
    end_sessions_of(tx.conn(), id).await?;
    tx.record::<()>("user", id, "reset_password", None, None)
        .await?;
    tx.commit().await?;
    db.forget_user(id).await;
    Ok(())
}

pub async fn set_disabled(db: &Db, actor: &Actor, id: i64, disabled: bool) -> Result<(), AppError> {
    admin_only(actor)?;
    if id == actor.user_id {
        return Err(AppError::invalid("不能停用自己的账户"));
    }
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let before = find(tx.conn(), id).await?;
    sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await?;
    if disabled {
        end_sessions_of(tx.conn(), id).await?;
    }
    let after = find(tx.conn(), id).await?;
    let action = if disabled { "disable" } else { "enable" };
    tx.record(
        "user",
        id,
        action,
        Some(&Snapshot::from(&before)),
        Some(&Snapshot::from(&after)),
    )
    .await?;
    tx.commit().await?;
    db.forget_user(id).await;
    Ok(())
}
