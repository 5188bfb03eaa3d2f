//! First-start bootstrap and the demo data set.
use app::{
    domain::{CreditCode, IdNumber, Mobile, Name, NewPassword, Role, UnitKind, Username},
    error::AppError,
    features::{
        attendance::service::add_area,
        awards::service::{self as awards, RawRecord},
        filings::service::{self as filings, FilingForm, MemberInput},
        units::service::{self as units, UnitInput},
        users::service::{self as users, NewUser, UserInput},
    },
    platform::{
        actor::{Actor, ClientInfo, load_actor},
        audit::Who,
        db::Db,
        storage::FileStore,
    },
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
    (
        UnitKind::SupervisorEngineer,
        "平阳县正信工程监理有限公司",
        "91330326MA2T1U2W3",
        None,
    ),
    (
        UnitKind::SupervisorEngineer,
        "温州华诚工程咨询有限公司",
        "91330326MA2X4Y5P6",
        None,
    ),
];

/// Demo awards: (project code, section, project, section name, owner index,
/// contractor index, price in 元, award date, tender method, sector).
/// The sample import files (public/samples) hold other records.
type DemoAward = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    usize,
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
const AWARDS: &[DemoAward] = &[
    (
        "PY2024-0118",
        "01",
        "平阳县人民医院门诊楼改造工程",
        "施工标",
        3,
        7,
        "32800000",
        "2024-06-20",
        "公开招标",
        "住建",
    ),
    (
        "PY2025-0203",
        "01",
        "平阳县城西幼儿园新建工程",
        "施工标",
        4,
        8,
        "12600000",
        "2025-05-16",
        "公开招标",
        "住建",
    ),
    (
        "PY2025-0203",
        "02",
        "平阳县城西幼儿园新建工程",
        "监理标",
        4,
        13,
        "298000",
        "2025-05-16",
        "竞争性磋商",
        "住建",
    ),
    (
        "PY2025-0207",
        "01",
        "鳌江镇老街立面整治工程",
        "施工标",
        5,
        9,
        "5680000",
        "2025-07-02",
        "公开招标",
        "住建",
    ),
    (
        "PY2025-0210",
        "01",
        "平阳县昆鳌大道拓宽工程",
        "施工标",
        6,
        12,
        "45200000",
        "2025-08-15",
        "公开招标",
        "交通",
    ),
    (
        "PY2023-0411",
        "01",
        "萧江镇污水管网改造工程",
        "施工标",
        3,
        10,
        "8960000",
        "2023-04-11",
        "公开招标",
        "水利",
    ),
    (
        "PY2022-0520",
        "01",
        "平阳县体育馆维修工程",
        "施工标",
        3,
        11,
        "1850000",
        "2022-05-20",
        "询价",
        "住建",
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
    // Contractor units' users (施工单位): read their own company's projects
    // and evaluations, and object to an evaluation.
    ("sg_pyjs", "陈志远", "13905770021", Role::Contractor, 7),
    ("sg_ajjz", "许文斌", "13905770022", Role::Contractor, 8),
    ("sg_kyjt", "金晓峰", "13905770023", Role::Contractor, 9),
    ("sg_nysz", "潘立新", "13905770024", Role::Contractor, 11),
    // 三权分立: users and roles, and the trail, each its own administrator.
    ("anquan", "赵文博", "13905770005", Role::SecurityAdmin, 0),
    ("shenji", "孙雅琴", "13905770006", Role::AuditAdmin, 0),
];

pub async fn has_users(db: &Db) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    Ok(n > 0)
}

/// Loads the demo set into an empty database; does nothing if users exist.
pub async fn load(db: &Db, files: &FileStore) -> Result<bool, AppError> {
    if has_users(db).await? {
        return Ok(false);
    }
    let system = Actor::system("演示数据");
    // Accounts are the security administrator's to open.
    let security = Actor {
        role: Role::SecurityAdmin,
        ..Actor::system("演示数据")
    };
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
        users::create(db, &security, input).await?;
    }
    let records = AWARDS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let code = |idx: usize| {
                CreditCode::with_check(UNITS[idx].2)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default()
            };
            let values = [
                ("project_code", a.0.to_string()),
                ("section_code", a.1.into()),
                ("project_name", a.2.into()),
                ("section_name", a.3.into()),
                ("owner_credit_code", code(a.4)),
                ("contractor_credit_code", code(a.5)),
                ("award_price", a.6.into()),
                ("award_date", a.7.into()),
                ("tender_method", a.8.into()),
                ("sector", a.9.into()),
            ];
            RawRecord {
                line: i,
                values: values.into_iter().collect(),
            }
        })
        .collect();
    let out = awards::apply(db, &Who::system("演示数据"), "import", records).await?;
    if !out.problems.is_empty() {
        tracing::error!(problems = ?out.problems, "demo awards refused");
        return Err(AppError::Internal);
    }
    demo_filing(db, files).await?;
    Ok(true)
}

/// One submitted filing (教育局's kindergarten, project manager 刘洋 =
/// `xmjl_liu`) with an attendance area, so check-in can be tried at once.
async fn demo_filing(db: &Db, files: &FileStore) -> Result<(), AppError> {
    let settings = app::platform::settings::Settings::with_data_dir(Default::default());
    let owner = load_actor(db, user_id(db, "jiaoyu").await?, ClientInfo::default())
        .await?
        .ok_or(AppError::Internal)?;
    let award: i64 = sqlx::query_scalar(
        "SELECT id FROM awards WHERE project_code = 'PY2025-0203' AND section_code = '01'",
    )
    .fetch_one(&db.pool)
    .await?;
    let id = filings::start(db, &owner, award).await?;
    let form = FilingForm {
        contract_no: "PYJY-2025-0203".into(),
        signed_on: "2025-05-30".into(),
        contract_price: "12580000".into(),
        duration_days: "365".into(),
        planned_start: "2025-06-15".into(),
        planned_completion: "2026-06-14".into(),
        payment_terms: "预付款 10%，按月进度款 75%，竣工结算后付至 97%，质保金 3%".into(),
        supervisor_engineer_unit_id: String::new(),
        remarks: String::new(),
        version: String::new(),
    };
    filings::save(db, &settings, &owner, id, &form, "").await?;
    let id_number = IdNumber::with_check("33032619880808123").ok_or(AppError::Internal)?;
    let pm = MemberInput::parse(
        "pm",
        "刘洋",
        id_number.as_str(),
        "13867780002",
        "浙233080900456",
    )?;
    filings::add_member(db, &owner, id, pm, "").await?;
    let pdf = b"%PDF-1.4\n% demo scan\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let size = pdf.len();
    let sha = files.put(pdf).await?;
    for (kind, name) in [
        ("contract", "施工合同.pdf"),
        ("award_notice", "中标通知书.pdf"),
    ] {
        filings::add_attachment(
            db,
            &owner,
            id,
            kind,
            name,
            "application/pdf",
            size,
            &sha,
            "",
        )
        .await?;
    }
    filings::submit(db, &owner, id).await?;
    // About 200 m × 170 m west of the county seat.
    let area = r#"{"type":"Polygon","coordinates":[[[120.558,27.668],[120.560,27.668],[120.560,27.6695],[120.558,27.6695],[120.558,27.668]]]}"#;
    add_area(db, &owner, id, "幼儿园施工现场", area).await?;
    Ok(())
}

async fn user_id(db: &Db, username: &str) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// On a database without users (a real first start), creates the resource
/// office and its three administrators (三权分立: `admin` for the system,
/// `secadmin` for users and roles, `auditor` for the trail), each with a
/// random password, printed once, to be changed at first login.
pub async fn bootstrap_admin(db: &Db) -> Result<Vec<(&'static str, String)>, AppError> {
    if has_users(db).await? {
        return Ok(Vec::new());
    }
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
    let security = Actor {
        role: Role::SecurityAdmin,
        ..Actor::system("系统初始化")
    };
    let mut created = Vec::new();
    for (login, role, mobile) in [
        ("admin", Role::Admin, "13900000000"),
        ("secadmin", Role::SecurityAdmin, "13900000001"),
        ("auditor", Role::AuditAdmin, "13900000002"),
    ] {
        let password = app::features::auth::service::random_password();
        let input = NewUser {
            username: Username::parse(login).map_err(AppError::invalid)?,
            user: UserInput {
                display_name: Name::parse(role.label(), "姓名", 20).map_err(AppError::invalid)?,
                mobile: Mobile::parse(mobile).map_err(AppError::invalid)?,
                role,
                unit_id: office,
            },
            password: NewPassword::parse(&password, login).map_err(AppError::invalid)?,
            must_change_password: true,
        };
        users::create(db, &security, input).await?;
        created.push((login, password));
    }
    Ok(created)
}
