//! Tender sections have kinds; a supervision contract (监理标) is filed with
//! its 总监理工程师, shares the construction site's attendance areas, and the
//! 总监's attendance counts as the 项目经理's does. Both databases.
use crate::{
    alerts_list::alerts,
    filings::{attach_scans, good_form, member},
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    domain::SectionKind,
    features::{
        attendance::service::{Reading, check_in},
        awards::service::{self as awards, RawRecord},
        filings::service as filings,
    },
    platform::{audit::Who, db::Backend},
};

/// 2026-11-25 10:00 Beijing time.
const T0: i64 = 1_795_572_000_000;

fn record(
    line: usize,
    section_code: &str,
    section_name: &str,
    kind: &str,
    winner: &str,
) -> RawRecord {
    let values = [
        ("project_code", "PY2026-0901"),
        ("section_code", section_code),
        ("project_name", "平阳县南雁镇卫生院迁建工程"),
        ("section_name", section_name),
        ("owner_credit_code", "12330326MB0H12345A"),
        ("contractor_credit_code", winner),
        ("award_price", "680000"),
        ("award_date", "2026-09-01"),
        ("tender_method", "公开招标"),
        ("sector", "住建"),
        ("section_kind", kind),
    ];
    RawRecord {
        line,
        values: values
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
    }
}

async fn stored_kind(t: &TestDb, section: &str) -> String {
    sqlx::query_scalar(
        "SELECT section_kind FROM awards WHERE project_code = 'PY2026-0901' AND section_code = $1",
    )
    .bind(section)
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

async fn the_section_kind_comes_from_the_column_or_the_name(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let engineer: String = sqlx::query_scalar(
        "SELECT credit_code FROM units WHERE name = '平阳县正信工程监理有限公司'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let builder = "91330326145678901H";
    let out = awards::apply(
        &t.db,
        &Who::system("测试"),
        "import",
        vec![
            record(2, "01", "施工标", "", builder),
            record(3, "02", "监理标", "", &engineer),
            record(4, "03", "勘察设计标", "", builder),
            record(5, "04", "造价咨询", "其他", builder),
            // A supervision section won by a construction company is refused.
            record(6, "05", "第二监理标", "监理", builder),
            record(7, "06", "标段六", "总包", builder),
        ],
    )
    .await
    .unwrap();
    assert_eq!(out.created, 4, "{:?}", out.problems);
    for (section, kind) in [
        ("01", "construction"),
        ("02", "supervision"),
        ("03", "survey_design"),
        ("04", "other"),
    ] {
        assert_eq!(stored_kind(&t, section).await, kind, "{section}");
    }
    assert!(out.problems.iter().any(|p| p.line == 6
        && p.column == "中标人统一社会信用代码"
        && p.reason.contains("监理单位")));
    assert!(out.problems.iter().any(|p| p.line == 7
        && p.column == "标段类型"
        && p.reason.contains("施工、监理、勘察/设计、其他")));
}

/// The demo's 监理标 of the kindergarten (教育局): filed with its 总监 and
/// no 项目经理; the 总监 checks in inside the construction filing's area.
async fn a_supervision_contract_is_filed_and_shares_the_site(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let award: i64 = sqlx::query_scalar(
        "SELECT id FROM awards WHERE project_code = 'PY2025-0203' AND section_code = '02'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let id = filings::start(&t.db, &owner, award).await.unwrap();
    let f = filings::get(&t.db, &owner, id).await.unwrap();
    assert_eq!(f.award.section_kind, SectionKind::Supervision);
    let mut form = good_form();
    form.contract_no = "PYJY-2025-0203-JL".into();
    form.signed_on = "2025-05-30".into();
    form.contract_price = "298000".into();
    form.duration_days = "365".into();
    form.planned_start = "2025-06-15".into();
    form.planned_completion = "2026-06-14".into();
    filings::save(&t.db, &t.settings, &owner, id, &form, "")
        .await
        .unwrap();
    // Without a 总监 the filing cannot be submitted; a 项目经理 is not asked for.
    attach_scans(&t, &owner, id).await;
    let e = filings::submit(&t.db, &owner, id).await.unwrap_err();
    assert!(e.to_string().contains("总监理工程师"), "{e}");
    assert!(!e.to_string().contains("项目经理"), "{e}");
    // The 总监 is added without choosing a supervising engineer unit: the
    // winner is one, and the login belongs to it.
    let chief = member(
        "chief_supervisor",
        "钱立诚",
        "33032619790315123",
        "13857700066",
        "监理330001",
    );
    filings::add_member(&t.db, &owner, id, chief, "")
        .await
        .unwrap();
    let unit: String = sqlx::query_scalar(
        "SELECT n.name FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = '13857700066'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(unit, "平阳县正信工程监理有限公司");
    filings::submit(&t.db, &owner, id).await.unwrap();

    // The supervision filing has no area of its own: the construction
    // filing's (the demo's 幼儿园施工现场) counts for it.
    let chief = t.actor("13857700066").await;
    let on_site = Reading {
        filing_id: id,
        lat: 27.6688,
        lng: 120.559,
        accuracy_m: 12.0,
        device_key: "devicechief01".into(),
        photo_sha256: None,
    };
    let d = check_in(&t.desk, &t.settings, &chief, on_site.clone(), T0)
        .await
        .unwrap();
    assert!(d.accepted && d.counted, "{d:?}");
    let away = Reading {
        lat: 27.70,
        ..on_site
    };
    let d = check_in(&t.desk, &t.settings, &chief, away, T0 + 60_000)
        .await
        .unwrap();
    assert!(!d.accepted, "outside the shared site: {d:?}");

    // The 总监's attendance raises the same alert as a 项目经理's.
    crate::helpers::roster_joined(&t.db, Some(id), T0 - 90 * 86_400_000_i64).await;
    crate::attendance::pm_alerts(&t.db, &t.settings, "2026-10").await;
    let raised = alerts(&t.db, &owner).await.unwrap();
    assert!(
        raised.iter().any(|a| a
            .message
            .starts_with("关键人员考勤率不足：总监理工程师 钱立诚 2026-10 出勤率")),
        "{raised:?}"
    );
    // Its project's works end the 总监's duty too: once the kindergarten's
    // construction section reports 已完工, the supervision section owes no
    // attendance after that month (the board, the rule and compliance
    // read the same `Completions`).
    use app::features::progress::rules::Completions;
    let kg = crate::progress::kindergarten(&t).await;
    let today = app::platform::time::today();
    let open = Completions::as_of(&t.db, today).await.unwrap();
    assert_eq!(open.attendance_until(id), None);
    let now = app::domain::progress::Month::of(today);
    let form = app::features::progress::service::MonthForm {
        month: now.to_string(),
        percent: "100".into(),
        state: "completed".into(),
        work_done: "竣工验收".into(),
        investment: "850000".into(),
        drop_reason: String::new(),
    };
    crate::progress::report_as(&t, "jiaoyu", kg, form, &today.to_string()).await;
    let done = Completions::as_of(&t.db, today).await.unwrap();
    assert_eq!(done.of_works(kg), Some(now.last()));
    assert_eq!(done.attendance_until(kg), Some(now.last()));
    assert_eq!(done.attendance_until(id), Some(now.last()));
    assert_eq!(
        done.of_works(id),
        None,
        "no 竣工 evaluation of the supervision section"
    );

    // A second 总监 on another unit's supervision filing would need the
    // certificate number as before.
    let e = app::features::filings::service::MemberInput::parse(
        "chief_supervisor",
        "孙某",
        "11010519491231002X",
        "13857700067",
        "",
    )
    .unwrap_err();
    assert_field(&e, "cert_no", "总监理工程师");
}

on_both!(
    the_section_kind_comes_from_the_column_or_the_name,
    a_supervision_contract_is_filed_and_shares_the_site,
);
