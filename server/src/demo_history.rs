//! The demo county's money story: more filed projects (2022-08 to today),
//! each with its changes and payments, including records that break each
//! rule, so every total, flag and alert has something to show. Loaded after
//! the base demo set by `serve --demo` (the service tests use the base set).
use app::{
    domain::IdNumber,
    error::AppError,
    features::{
        changes::{self, service::ChangeForm},
        filings::service::{self as filings, FilingForm, MemberInput},
        payments::{self, service::PaymentForm},
    },
    platform::{
        actor::{Actor, ClientInfo, load_actor},
        audit::Who,
        db::Db,
        records::{self, RecordKind},
        settings::Settings,
        storage::FileStore,
    },
};

/// A filed project: (project code, project, owner login, owner credit body,
/// contractor credit body, sector, award price 元, award date, contract
/// price 元, signed, planned start, planned completion, pm name, pm id
/// body, pm mobile, pm certificate).
pub(crate) struct Demo {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) owner: &'static str,
    pub(crate) owner_code: &'static str,
    pub(crate) contractor_code: &'static str,
    pub(crate) sector: &'static str,
    pub(crate) award_price: &'static str,
    pub(crate) award_date: &'static str,
    pub(crate) price: &'static str,
    pub(crate) signed: &'static str,
    pub(crate) start: &'static str,
    pub(crate) end: &'static str,
    pub(crate) pm: (&'static str, &'static str, &'static str, &'static str),
    pub(crate) changes: &'static [Chg],
    pub(crate) payments: &'static [Pay],
}

/// (kind, title, price delta 元, days, approver, level, number, date, responsibility)
pub(crate) type Chg = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
/// (kind, paid on, amount 元, voucher, period from, to, work value 元, labour 元, settlement 元)
pub(crate) type Pay = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const PROJECTS: &[Demo] = &[
    // Clean but for the retention: after settlement 10 % is still held back.
    Demo {
        code: "PY2022-0815",
        name: "平阳县第二中学教学楼扩建工程",
        owner: "jiaoyu",
        owner_code: "11330326002558A12",
        contractor_code: "91330326145678901",
        sector: "住建",
        award_price: "23600000",
        award_date: "2022-08-10",
        price: "23580000",
        signed: "2022-08-25",
        start: "2022-09-15",
        end: "2023-12-31",
        pm: (
            "陈志远",
            "33032619790312101",
            "13977770101",
            "浙233070500101",
        ),
        changes: &[
            (
                "design",
                "增设连廊及屋面光伏基础",
                "862000",
                "0",
                "平阳县发展和改革局",
                "higher",
                "平发改投〔2023〕58号",
                "2023-03-16",
                "owner",
            ),
            (
                "schedule",
                "2023 年台风“杜苏芮”停工顺延",
                "0",
                "45",
                "平阳县教育局",
                "owner",
                "平教基〔2023〕112号",
                "2023-08-04",
                "force_majeure",
            ),
        ],
        payments: &[
            (
                "advance",
                "2022-09-20",
                "4716000",
                "PY2ZX-ZF-2022-031",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2022-12-26",
                "3800000",
                "PY2ZX-ZF-2022-047",
                "2022-09-15",
                "2022-11-30",
                "5100000",
                "950000",
                "",
            ),
            (
                "progress",
                "2023-04-25",
                "5200000",
                "PY2ZX-ZF-2023-015",
                "2022-12-01",
                "2023-03-31",
                "11800000",
                "1300000",
                "",
            ),
            (
                "progress",
                "2023-09-22",
                "5400000",
                "PY2ZX-ZF-2023-038",
                "2023-04-01",
                "2023-08-31",
                "18900000",
                "1350000",
                "",
            ),
            (
                "settlement",
                "2024-05-30",
                "3100000",
                "PY2ZX-ZF-2024-021",
                "",
                "",
                "",
                "620000",
                "24380000",
            ),
        ],
    },
    // Breaks the advance, the changes and the progress payment rules.
    Demo {
        code: "PY2023-0906",
        name: "鳌江镇滨江路改造工程",
        owner: "aojiang",
        owner_code: "11330326002558B45",
        contractor_code: "91330326MA2P9Q0R1",
        sector: "住建",
        award_price: "15800000",
        award_date: "2023-09-06",
        price: "15800000",
        signed: "2023-09-28",
        start: "2023-10-15",
        end: "2024-12-31",
        pm: (
            "黄立新",
            "33032619830715202",
            "13977770202",
            "浙233080600202",
        ),
        changes: &[
            (
                "cost",
                "增加滨江段防洪墙加高",
                "2100000",
                "0",
                "平阳县鳌江镇人民政府",
                "owner",
                "鳌政〔2024〕19号",
                "2024-04-12",
                "policy",
            ),
            (
                "quantity",
                "人行道透水铺装面积调整",
                "-180000",
                "0",
                "平阳县鳌江镇人民政府",
                "owner",
                "鳌政〔2024〕33号",
                "2024-06-20",
                "design",
            ),
            (
                "schedule",
                "管线迁改延误顺延工期",
                "0",
                "90",
                "平阳县鳌江镇人民政府",
                "owner",
                "鳌政〔2024〕41号",
                "2024-08-08",
                "other",
            ),
        ],
        payments: &[
            (
                "advance",
                "2023-10-20",
                "5530000",
                "AJ-ZF-2023-118",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2024-03-28",
                "1000000",
                "AJ-ZF-2024-026",
                "2023-10-15",
                "2024-02-29",
                "9000000",
                "300000",
                "",
            ),
            (
                "progress",
                "2024-09-26",
                "4200000",
                "AJ-ZF-2024-071",
                "2024-03-01",
                "2024-08-31",
                "12600000",
                "1100000",
                "",
            ),
            (
                "progress",
                "2025-05-23",
                "2600000",
                "AJ-ZF-2025-030",
                "2024-09-01",
                "2025-03-31",
                "16200000",
                "700000",
                "",
            ),
        ],
    },
    // Overpaid past its revised price, and no retention kept.
    Demo {
        code: "PY2024-0312",
        name: "平阳县104国道萧江段改建工程",
        owner: "jtfz",
        owner_code: "91330326MA2C7Q8K1",
        contractor_code: "91330326MA2H3J4K5",
        sector: "交通",
        award_price: "31200000",
        award_date: "2024-03-12",
        price: "31200000",
        signed: "2024-04-02",
        start: "2024-04-20",
        end: "2025-08-31",
        pm: (
            "吴建平",
            "33032619770920303",
            "13977770303",
            "浙233060900303",
        ),
        changes: &[(
            "cost",
            "沥青面层改用温拌工艺核减",
            "-800000",
            "0",
            "平阳县交通运输局",
            "higher",
            "平交建〔2024〕77号",
            "2024-11-05",
            "design",
        )],
        payments: &[
            (
                "advance",
                "2024-04-28",
                "6240000",
                "JTFZ-ZF-2024-044",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2024-08-27",
                "8600000",
                "JTFZ-ZF-2024-083",
                "2024-04-20",
                "2024-07-31",
                "12500000",
                "2100000",
                "",
            ),
            (
                "progress",
                "2025-01-24",
                "9100000",
                "JTFZ-ZF-2025-006",
                "2024-08-01",
                "2024-12-31",
                "24600000",
                "2200000",
                "",
            ),
            (
                "settlement",
                "2025-11-20",
                "7560000",
                "JTFZ-ZF-2025-097",
                "",
                "",
                "",
                "900000",
                "30400000",
            ),
        ],
    },
    // Clean throughout: the 3 % retention returned after the defects period.
    Demo {
        code: "PY2022-1020",
        name: "南雁镇农村公路提升工程",
        owner: "jtfz",
        owner_code: "91330326MA2C7Q8K1",
        contractor_code: "91330326MA2L6M7N8",
        sector: "交通",
        award_price: "8600000",
        award_date: "2022-10-20",
        price: "8600000",
        signed: "2022-11-08",
        start: "2022-12-01",
        end: "2023-09-30",
        pm: (
            "郑海波",
            "33032619850228404",
            "13977770404",
            "浙233090700404",
        ),
        changes: &[(
            "quantity",
            "K3+200 段挡墙延长 60 米",
            "156000",
            "10",
            "平阳县交通发展集团有限公司",
            "owner",
            "平交发〔2023〕21号",
            "2023-05-18",
            "design",
        )],
        payments: &[
            (
                "advance",
                "2022-12-12",
                "860000",
                "NY-ZF-2022-009",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2023-04-26",
                "3100000",
                "NY-ZF-2023-014",
                "2022-12-01",
                "2023-03-31",
                "4100000",
                "650000",
                "",
            ),
            (
                "progress",
                "2023-08-29",
                "2700000",
                "NY-ZF-2023-036",
                "2023-04-01",
                "2023-07-31",
                "7200000",
                "560000",
                "",
            ),
            (
                "settlement",
                "2023-12-15",
                "1798400",
                "NY-ZF-2023-058",
                "",
                "",
                "",
                "300000",
                "8720000",
            ),
            ("retention", "2025-12-20", "0", "", "", "", "", "0", ""),
        ],
    },
    // Money in order, but the contract was signed 67 days after the award
    // notice and 21.5 % above the award price (合同签订超期, 合同价偏离中标价).
    Demo {
        code: "PY2024-0806",
        name: "水头镇溪边大桥改建工程",
        owner: "jtfz",
        owner_code: "91330326MA2C7Q8K1",
        contractor_code: "91330326MA2L6M7N8",
        sector: "交通",
        award_price: "6980000",
        award_date: "2024-08-06",
        price: "8480000",
        signed: "2024-10-12",
        start: "2024-11-01",
        end: "2026-03-31",
        pm: (
            "林国栋",
            "33032619820517605",
            "13977770505",
            "浙233100800505",
        ),
        changes: &[],
        payments: &[
            (
                "advance",
                "2024-10-30",
                "848000",
                "ST-ZF-2024-031",
                "",
                "",
                "",
                "0",
                "",
            ),
            (
                "progress",
                "2025-03-28",
                "2900000",
                "ST-ZF-2025-008",
                "2024-11-01",
                "2025-02-28",
                "3500000",
                "420000",
                "",
            ),
            (
                "progress",
                "2025-09-25",
                "2300000",
                "ST-ZF-2025-033",
                "2025-03-01",
                "2025-08-31",
                "6900000",
                "380000",
                "",
            ),
        ],
    },
];

/// The kindergarten (filed by the base demo): a schedule change and a
/// progress payment that fell short of 80 %.
const KINDERGARTEN_CHANGES: &[Chg] = &[
    (
        "schedule",
        "2025 年 7 月连续强降雨基坑停工顺延",
        "0",
        "30",
        "平阳县教育局",
        "owner",
        "平教基〔2025〕45号",
        "2025-08-10",
        "force_majeure",
    ),
    (
        "design",
        "教学楼外立面保温材料调整",
        "386000",
        "0",
        "平阳县教育局",
        "owner",
        "平教基〔2025〕61号",
        "2025-10-22",
        "owner",
    ),
];
const KINDERGARTEN_PAYMENTS: &[Pay] = &[
    (
        "advance",
        "2025-06-20",
        "1258000",
        "PYJY-ZF-2025-021",
        "",
        "",
        "",
        "0",
        "",
    ),
    (
        "progress",
        "2025-09-25",
        "1650000",
        "PYJY-ZF-2025-039",
        "2025-06-15",
        "2025-08-31",
        "2900000",
        "420000",
        "",
    ),
    (
        "progress",
        "2026-01-23",
        "1100000",
        "PYJY-ZF-2026-004",
        "2025-09-01",
        "2025-12-31",
        "5600000",
        "300000",
        "",
    ),
    (
        "progress",
        "2026-06-24",
        "2300000",
        "PYJY-ZF-2026-031",
        "2026-01-01",
        "2026-05-31",
        "7300000",
        "560000",
        "",
    ),
    (
        "progress",
        "2026-10-27",
        "1900000",
        "PYJY-ZF-2026-058",
        "2026-06-01",
        "2026-09-30",
        "9400000",
        "480000",
        "",
    ),
];

pub(crate) async fn actor(db: &Db, username: &str) -> Result<Actor, AppError> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await?;
    load_actor(db, id, ClientInfo::default())
        .await?
        .ok_or(AppError::Internal)
}

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n% demo scan\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Attaches the demo scan as `file_kind` and submits the record.
async fn file_and_submit(
    db: &Db,
    owner: &Actor,
    kind: &RecordKind,
    id: i64,
    file_kind: &str,
    name: &str,
    sha: &str,
) -> Result<(), AppError> {
    records::attach(
        db,
        owner,
        kind,
        id,
        file_kind,
        name,
        "application/pdf",
        PDF.len(),
        sha,
        "",
    )
    .await?;
    records::submit(db, owner, kind, id).await.map(|_| ())
}

async fn add_changes(
    db: &Db,
    owner: &Actor,
    filing_id: i64,
    list: &[Chg],
    sha: &str,
) -> Result<(), AppError> {
    for (kind, title, price, days, approver, level, number, date, who) in list {
        let form = ChangeForm {
            filing_id: filing_id.to_string(),
            kind: kind.to_string(),
            title: title.to_string(),
            content: format!("{title}。经设计、监理、施工三方现场核实，报审批机关同意。"),
            cause: "现场条件与招标图纸不符，需调整以满足使用功能和安全要求。".into(),
            responsibility: who.to_string(),
            price_delta: price.to_string(),
            days_delta: days.to_string(),
            approver: approver.to_string(),
            approver_level: level.to_string(),
            approval_no: number.to_string(),
            approved_on: date.to_string(),
        };
        let id = changes::service::save(db, owner, 0, &form, "", "").await?;
        file_and_submit(
            db,
            owner,
            &changes::RECORD,
            id,
            "approval",
            "变更批准文件.pdf",
            sha,
        )
        .await?;
    }
    Ok(())
}

async fn add_payments(
    db: &Db,
    owner: &Actor,
    filing_id: i64,
    payee: &str,
    list: &[Pay],
    sha: &str,
) -> Result<(), AppError> {
    for (kind, paid_on, amount, voucher, from, to, work, labour, settlement) in list {
        // A retention return pays back what the settlement held (3 %).
        let amount = if *kind == "retention" {
            retention_left(db, filing_id).await?.to_string()
        } else {
            amount.to_string()
        };
        let voucher = if voucher.is_empty() {
            format!("ZBJ-{filing_id}-{paid_on}")
        } else {
            voucher.to_string()
        };
        let form = PaymentForm {
            filing_id: filing_id.to_string(),
            kind: kind.to_string(),
            paid_on: paid_on.to_string(),
            amount,
            payee: payee.to_string(),
            voucher_no: voucher,
            period_from: from.to_string(),
            period_to: to.to_string(),
            work_value: work.to_string(),
            labour: labour.to_string(),
            settlement: settlement.to_string(),
            remarks: String::new(),
        };
        let id = payments::service::save(db, owner, 0, &form, "", "").await?;
        file_and_submit(
            db,
            owner,
            &payments::RECORD,
            id,
            "voucher",
            "国库支付凭证.pdf",
            sha,
        )
        .await?;
    }
    Ok(())
}

/// Settlement total minus what was paid, in 元 (two decimals).
async fn retention_left(db: &Db, filing_id: i64) -> Result<String, AppError> {
    let (settle, paid): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(settlement_fen), 0) AS BIGINT), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)
         FROM payments WHERE filing_id = $1 AND status = 'submitted'",
    )
    .bind(filing_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(app::domain::Fen(settle - paid).plain())
}

/// Imports the awards of `demos`, files each (roster, contract scan, award
/// notice), and records its changes and payments.
pub(crate) async fn file_demos(
    db: &Db,
    settings: &Settings,
    sha: &str,
    demos: &[Demo],
) -> Result<(), AppError> {
    let records = demos
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let code = |body: &str| {
                app::domain::CreditCode::with_check(body)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default()
            };
            let values = [
                ("project_code", d.code.to_string()),
                ("section_code", "01".into()),
                ("project_name", d.name.into()),
                ("section_name", "施工标".into()),
                ("owner_credit_code", code(d.owner_code)),
                ("contractor_credit_code", code(d.contractor_code)),
                ("award_price", d.award_price.into()),
                ("award_date", d.award_date.into()),
                ("tender_method", "公开招标".into()),
                ("sector", d.sector.into()),
            ];
            app::features::awards::service::RawRecord {
                line: i,
                values: values.into_iter().collect(),
            }
        })
        .collect();
    let out =
        app::features::awards::service::apply(db, &Who::system("演示数据"), "import", records)
            .await?;
    if !out.problems.is_empty() {
        tracing::error!(problems = ?out.problems, "demo history awards refused");
        return Err(AppError::Internal);
    }
    for d in demos {
        let owner = actor(db, d.owner).await?;
        let award: i64 = sqlx::query_scalar(
            "SELECT id FROM awards WHERE project_code = $1 AND section_code = '01'",
        )
        .bind(d.code)
        .fetch_one(&db.pool)
        .await?;
        let id = filings::start(db, &owner, award).await?;
        let start = chrono::NaiveDate::parse_from_str(d.start, "%Y-%m-%d")
            .map_err(|_| AppError::Internal)?;
        let end =
            chrono::NaiveDate::parse_from_str(d.end, "%Y-%m-%d").map_err(|_| AppError::Internal)?;
        let form = FilingForm {
            contract_no: format!("{}-HT", d.code),
            signed_on: d.signed.into(),
            contract_price: d.price.into(),
            duration_days: ((end - start).num_days() + 1).to_string(),
            planned_start: d.start.into(),
            planned_completion: d.end.into(),
            payment_terms:
                "预付款按合同约定，按月计量支付进度款不低于 80%，结算后付至 97%，质保金 3%".into(),
            supervisor_engineer_unit_id: String::new(),
            remarks: String::new(),
            version: String::new(),
        };
        filings::save(db, settings, &owner, id, &form, "").await?;
        let (name, body, mobile, cert) = d.pm;
        let idn = IdNumber::with_check(body).ok_or(AppError::Internal)?;
        filings::add_member(
            db,
            &owner,
            id,
            MemberInput::parse("pm", name, idn.as_str(), mobile, cert)?,
            "",
        )
        .await?;
        for (kind, file) in [
            ("contract", "施工合同.pdf"),
            ("award_notice", "中标通知书.pdf"),
        ] {
            filings::add_attachment(
                db,
                &owner,
                id,
                kind,
                file,
                "application/pdf",
                PDF.len(),
                sha,
                "",
            )
            .await?;
        }
        filings::submit(db, &owner, id).await?;
        let payee: String = sqlx::query_scalar(
            "SELECT c.name FROM awards a JOIN units c ON c.id = a.contractor_unit_id WHERE a.id = $1",
        )
        .bind(award)
        .fetch_one(&db.pool)
        .await?;
        add_changes(db, &owner, id, d.changes, sha).await?;
        add_payments(db, &owner, id, &payee, d.payments, sha).await?;
    }
    Ok(())
}

/// Loads the money story once (does nothing if a change exists already).
pub async fn load(db: &Db, files: &FileStore, settings: &Settings) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM project_changes")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let sha = files.put(PDF.to_vec()).await?;
    file_demos(db, settings, &sha, PROJECTS).await?;
    // The base demo's kindergarten.
    let owner = actor(db, "jiaoyu").await?;
    let kindergarten: i64 = sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = 'PY2025-0203' AND a.section_code = '01'",
    )
    .fetch_one(&db.pool)
    .await?;
    add_changes(db, &owner, kindergarten, KINDERGARTEN_CHANGES, &sha).await?;
    add_payments(
        db,
        &owner,
        kindergarten,
        "温州鳌江建筑工程有限公司",
        KINDERGARTEN_PAYMENTS,
        &sha,
    )
    .await?;
    // A draft waiting for its voucher, and a voided duplicate entry.
    let draft = PaymentForm {
        filing_id: kindergarten.to_string(),
        kind: "progress".into(),
        paid_on: "2026-11-26".into(),
        amount: "1350000".into(),
        payee: "温州鳌江建筑工程有限公司".into(),
        voucher_no: "PYJY-ZF-2026-066".into(),
        period_from: "2026-10-01".into(),
        period_to: "2026-10-31".into(),
        work_value: "11000000".into(),
        labour: "320000".into(),
        settlement: String::new(),
        remarks: "凭证待财政国库支付中心盖章后上传".into(),
    };
    payments::service::save(db, &owner, 0, &draft, "", "").await?;
    let dup = PaymentForm {
        voucher_no: "PYJY-ZF-2025-039-重复".into(),
        paid_on: "2025-09-25".into(),
        ..draft
    };
    let dup_id = payments::service::save(db, &owner, 0, &dup, "", "").await?;
    records::void(
        db,
        &owner,
        &payments::RECORD,
        dup_id,
        "与 PYJY-ZF-2025-039 重复录入",
        None,
    )
    .await?;
    let rules = app::features::rules();
    app::platform::rules::run(db, settings, &rules, app::platform::time::today()).await?;
    Ok(true)
}
