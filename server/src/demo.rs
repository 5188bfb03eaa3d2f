//! First-start bootstrap and the demo data set.
use app::{
    domain::{CreditCode, Mobile, Name, NewPassword, Role, UnitKind, Username},
    error::AppError,
    features::{
        units::service::{self as units, UnitInput},
        users::service::{self as users, NewUser, UserInput},
    },
    platform::{actor::Actor, db::Db},
};

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "Pingyang@2026";

/// (kind, name, 17-character credit-code body, sector)
const UNITS: &[(UnitKind, &str, &str, Option<&str>)] = &[
    (
        UnitKind::ResourceOffice,
        "平阳县公共资源交易管理办公室",
        "11330326MB1A2C3D4",
        None,
    ),
    (
        UnitKind::SectorAuthority,
        "平阳县住房和城乡建设局",
        "11330326002558730",
        Some("housing"),
    ),
    (
        UnitKind::SectorAuthority,
        "平阳县交通运输局",
        "113303260025587AB",
        Some("transport"),
    ),
    (
        UnitKind::Owner,
        "平阳县城市建设开发中心",
        "12330326MB0H12345",
        None,
    ),
    (UnitKind::Owner, "平阳县教育局", "11330326002558A12", None),
    (
        UnitKind::Owner,
        "平阳县鳌江镇人民政府",
        "11330326002558B45",
        None,
    ),
    (
        UnitKind::Owner,
        "平阳县交通发展集团有限公司",
        "91330326MA2C7Q8K1",
        None,
    ),
    (
        UnitKind::Contractor,
        "浙江平阳建设集团有限公司",
        "91330326145678901",
        None,
    ),
    (
        UnitKind::Contractor,
        "温州鳌江建筑工程有限公司",
        "91330326MA2AB1C2D",
        None,
    ),
    (
        UnitKind::Contractor,
        "浙江昆阳交通工程有限公司",
        "91330326MA2H3J4K5",
        None,
    ),
    (
        UnitKind::Contractor,
        "平阳县水头建筑安装有限公司",
        "91330326145612345",
        None,
    ),
    (
        UnitKind::Contractor,
        "浙江南雁市政园林有限公司",
        "91330326MA2L6M7N8",
        None,
    ),
    (
        UnitKind::Contractor,
        "温州万全路桥建设有限公司",
        "91330326MA2P9Q0R1",
        None,
    ),
];

/// (login, name, mobile, role, index into UNITS)
pub const ACCOUNTS: &[(&str, &str, &str, Role, usize)] = &[
    ("admin", "陈建华", "13905770001", Role::Admin, 0),
    ("zgb", "林晓燕", "13905770002", Role::Supervisor, 0),
    ("zjj", "黄志强", "13905770003", Role::Supervisor, 1),
    ("jtj", "郑丽娟", "13905770004", Role::Supervisor, 2),
    ("chengjian", "王海峰", "13905770011", Role::Owner, 3),
    ("jiaoyu", "李美玲", "13905770012", Role::Owner, 4),
    ("aojiang", "周国平", "13905770013", Role::Owner, 5),
    ("jtfz", "吴晓东", "13905770014", Role::Owner, 6),
    ("xmjl_zhang", "张伟", "13867780001", Role::KeyPersonnel, 7),
    ("xmjl_liu", "刘洋", "13867780002", Role::KeyPersonnel, 8),
];

pub async fn has_users(db: &Db) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    Ok(n > 0)
}

/// Loads the demo set into an empty database; does nothing if users exist.
pub async fn load(db: &Db) -> Result<bool, AppError> {
    if has_users(db).await? {
        return Ok(false);
    }
    let system = Actor::system("演示数据");
    let mut unit_ids = Vec::new();
    for (kind, name, body, sector) in UNITS {
        let code = CreditCode::with_check(body).ok_or(AppError::Internal)?;
        let input = UnitInput::parse(kind.code(), name, code.as_str(), sector.unwrap_or(""))?;
        unit_ids.push(units::create(db, &system, input).await?);
    }
    for (login, name, mobile, role, unit) in ACCOUNTS {
        let input = NewUser {
            username: Username::parse(login).map_err(AppError::invalid)?,
            user: UserInput {
                display_name: Name::parse(name, "姓名", 20).map_err(AppError::invalid)?,
                mobile: Mobile::parse(mobile).map_err(AppError::invalid)?,
                role: *role,
                unit_id: unit_ids[*unit],
            },
            password: NewPassword::parse(DEMO_PASSWORD, login).map_err(AppError::invalid)?,
            must_change_password: false,
        };
        users::create(db, &system, input).await?;
    }
    Ok(true)
}

/// On a database without users (a real first start), creates the resource
/// office and an `admin` with a random password, printed once, to be changed
/// at first login.
pub async fn bootstrap_admin(db: &Db) -> Result<Option<String>, AppError> {
    if has_users(db).await? {
        return Ok(None);
    }
    use rand::Rng;
    let system = Actor::system("系统初始化");
    let code = CreditCode::with_check(UNITS[0].2).ok_or(AppError::Internal)?;
    let office = match units::create(
        db,
        &system,
        UnitInput::parse("resource_office", UNITS[0].1, code.as_str(), "")?,
    )
    .await
    {
        Ok(id) => id,
        Err(_) => {
            sqlx::query_scalar(
                "SELECT id FROM units WHERE kind = 'resource_office' ORDER BY id LIMIT 1",
            )
            .fetch_one(&db.pool)
            .await?
        }
    };
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let random: String = (0..12)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    let password = format!("{random}#9a");
    let input = NewUser {
        username: Username::parse("admin").map_err(AppError::invalid)?,
        user: UserInput {
            display_name: Name::parse("系统管理员", "姓名", 20).map_err(AppError::invalid)?,
            mobile: Mobile::parse("13900000000").map_err(AppError::invalid)?,
            role: Role::Admin,
            unit_id: office,
        },
        password: NewPassword::parse(&password, "admin").map_err(AppError::invalid)?,
        must_change_password: true,
    };
    users::create(db, &system, input).await?;
    Ok(Some(password))
}
