//! The supervision sections (监理标) of the county's larger projects: each
//! awarded the same day as its works to one of the two supervision firms,
//! filed by the owner with its 总监理工程师, so that the chief supervisors'
//! attendance (their check-ins come with the evaluations story) and the
//! supervision firms show on the boards. Loaded after the county, before the
//! evaluations story.
use crate::{
    demo_county::COUNTY,
    demo_history::{Demo, PDF, actor},
};
use app::{
    domain::IdNumber,
    error::AppError,
    features::{
        awards::service::{RawRecord, apply},
        filings::service::{self as filings, FilingForm, MemberInput},
    },
    platform::{audit::Who, db::Db, settings::Settings, storage::FileStore},
};

/// Works from this contract price (元) have a supervision section here.
const FROM_YUAN: f64 = 5_000_000.0;
/// The two supervision firms' credit code bodies.
const FIRMS: [&str; 2] = ["91330326MA2T1U2W3", "91330326MA2X4Y5P6"];
const CHIEFS: [&str; 30] = [
    "钱立诚",
    "潘国栋",
    "郑晓峰",
    "林海鸥",
    "陈志远",
    "黄建伟",
    "周明华",
    "吴卫东",
    "徐正阳",
    "蔡文涛",
    "金永胜",
    "施建平",
    "章立新",
    "叶春雷",
    "谢宏斌",
    "朱海涛",
    "杨树荣",
    "胡志强",
    "缪建军",
    "池永康",
    "蒋鸿飞",
    "苏国平",
    "温启明",
    "董晓东",
    "方仁杰",
    "卢振华",
    "彭家驹",
    "余德胜",
    "汤伟民",
    "柯建设",
];

fn supervised() -> impl Iterator<Item = (usize, &'static Demo)> {
    COUNTY
        .iter()
        .filter(|d| d.price.parse::<f64>().is_ok_and(|p| p >= FROM_YUAN))
        .enumerate()
}

/// 监理费: about 2 % of the works, to 100 元.
fn fee(d: &Demo) -> String {
    let works: f64 = d.price.parse().unwrap_or(0.0);
    format!("{:.0}", (works * 0.021 / 100.0).round() * 100.0)
}

pub async fn load(db: &Db, files: &FileStore, settings: &Settings) -> Result<(), AppError> {
    let Some((_, first)) = supervised().next() else {
        return Ok(());
    };
    let there: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM awards WHERE project_code = $1 AND section_code = '02'",
    )
    .bind(first.code)
    .fetch_one(&db.pool)
    .await?;
    if there > 0 {
        return Ok(());
    }
    let code = |body: &str| {
        app::domain::CreditCode::with_check(body)
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
    };
    let records = supervised()
        .map(|(i, d)| RawRecord {
            line: i + 1,
            values: [
                ("project_code", d.code.to_string()),
                ("section_code", "02".into()),
                ("project_name", d.name.into()),
                ("section_name", "监理标".into()),
                ("owner_credit_code", code(d.owner_code)),
                ("contractor_credit_code", code(FIRMS[i % 2])),
                ("award_price", fee(d)),
                ("award_date", d.award_date.into()),
                ("tender_method", "竞争性磋商".into()),
                ("sector", d.sector.into()),
            ]
            .into_iter()
            .collect(),
        })
        .collect();
    let out = apply(db, &Who::system("演示数据"), "import", records).await?;
    if !out.problems.is_empty() {
        tracing::error!(problems = ?out.problems, "demo supervision awards refused");
        return Err(AppError::Internal);
    }
    let sha = files.put(PDF.to_vec()).await?;
    for (i, d) in supervised() {
        let owner = actor(db, d.owner).await?;
        let award: i64 = sqlx::query_scalar(
            "SELECT id FROM awards WHERE project_code = $1 AND section_code = '02'",
        )
        .bind(d.code)
        .fetch_one(&db.pool)
        .await?;
        let id = filings::start(db, &owner, award).await?;
        let (start, end) = (
            chrono::NaiveDate::parse_from_str(d.start, "%Y-%m-%d")
                .map_err(|_| AppError::Internal)?,
            chrono::NaiveDate::parse_from_str(d.end, "%Y-%m-%d").map_err(|_| AppError::Internal)?,
        );
        let form = FilingForm {
            contract_no: format!("{}-JL", d.code),
            signed_on: d.signed.into(),
            contract_price: fee(d),
            duration_days: ((end - start).num_days() + 1).to_string(),
            planned_start: d.start.into(),
            planned_completion: d.end.into(),
            payment_terms: "监理费按施工进度分期支付，竣工验收后付清".into(),
            supervisor_engineer_unit_id: String::new(),
            remarks: String::new(),
            version: String::new(),
        };
        filings::save(db, settings, &owner, id, &form, "").await?;
        let body = format!(
            "330326{:04}{:02}{:02}{:03}",
            1966 + i % 17,
            1 + i % 12,
            1 + i % 27,
            310 + i
        );
        let idn = IdNumber::with_check(&body).ok_or(AppError::Internal)?;
        let chief = MemberInput::parse(
            "chief_supervisor",
            CHIEFS[i % CHIEFS.len()],
            idn.as_str(),
            &format!("1395778{:04}", 2000 + i),
            &format!("监理{:06}", 330_120 + i),
        )?;
        filings::add_member(db, &owner, id, chief, "").await?;
        for (kind, file) in [
            ("contract", "监理合同.pdf"),
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
                &sha,
                "",
            )
            .await?;
        }
        filings::submit(db, &owner, id).await?;
    }
    Ok(())
}
