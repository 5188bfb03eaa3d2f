//! Award import and contract filing, on the services (no HTTP).
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    domain::IdNumber,
    error::AppError,
    features::{
        auth::service::login,
        awards::{import, service as awards},
        filings::service::{self as filings, FilingForm, MemberInput},
    },
    platform::{audit::Who, db::Backend, time::now_ms},
};

const SAMPLE_CSV: &[u8] = include_bytes!("../../../public/samples/awards.csv");
const SAMPLE_XLSX: &[u8] = include_bytes!("../../../public/samples/awards.xlsx");

fn who() -> Who {
    Who::system("测试导入")
}

async fn award_id(t: &TestDb, project: &str, section: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM awards WHERE project_code = $1 AND section_code = $2")
        .bind(project)
        .bind(section)
        .fetch_one(&t.db.pool)
        .await
        .unwrap()
}

pub fn good_form() -> FilingForm {
    FilingForm {
        contract_no: "PYRM-2024-018".into(),
        signed_on: "2024-07-05".into(),
        contract_price: "32,650,000.00".into(),
        duration_days: "365".into(),
        planned_start: "2024-08-01".into(),
        planned_completion: "2025-07-31".into(),
        payment_terms: "预付款 10%，按月进度款 75%，结算后付至 97%，质保金 3%".into(),
        supervisor_engineer_unit_id: String::new(),
        remarks: String::new(),
        version: String::new(),
    }
}

pub fn member(role: &str, name: &str, body: &str, mobile: &str, cert: &str) -> MemberInput {
    let id = IdNumber::with_check(body).unwrap();
    MemberInput::parse(role, name, id.as_str(), mobile, cert).unwrap()
}

/// chengjian's filing of the hospital award, saved, with a project manager
/// and both required attachments: ready to submit. Returns the filing id.
pub async fn ready_filing(t: &TestDb) -> i64 {
    let owner = t.actor("chengjian").await;
    let award = award_id(t, "PY2024-0118", "01").await;
    let id = filings::start(&t.db, &owner, award).await.unwrap();
    filings::save(&t.db, &t.settings, &owner, id, &good_form(), "")
        .await
        .unwrap();
    filings::add_member(
        &t.db,
        &owner,
        id,
        member(
            "pm",
            "赵建国",
            "33032619800101123",
            "13857700011",
            "浙233060800123",
        ),
        "",
    )
    .await
    .unwrap();
    attach_scans(t, &owner, id).await;
    id
}

/// The contract scan and the award notice a submission needs (records only).
pub async fn attach_scans(t: &TestDb, owner: &app::platform::actor::Actor, id: i64) {
    for kind in ["contract", "award_notice"] {
        let name = format!("{kind}.pdf");
        let sha = "a".repeat(64);
        filings::add_attachment(
            &t.db,
            owner,
            id,
            kind,
            &name,
            "application/pdf",
            1000,
            &sha,
            "",
        )
        .await
        .unwrap();
    }
}

async fn sample_csv_imports_once_and_then_changes_nothing(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let before = t.count("awards").await;
    let (format, rows) = import::read(SAMPLE_CSV).unwrap();
    assert_eq!(format, "csv");
    let out = awards::apply(&t.db, &who(), "import", rows.clone())
        .await
        .unwrap();
    assert_eq!(
        (out.created, out.updated, out.unchanged),
        (6, 0, 0),
        "{:?}",
        out.problems
    );
    assert_eq!(t.count("awards").await, before + 6);
    let trail = t.count("audit_log").await;

    // The same file again: nothing new, nothing written to the trail.
    let again = awards::apply(&t.db, &who(), "import", rows.clone())
        .await
        .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 6));
    assert_eq!(t.count("awards").await, before + 6);
    assert_eq!(t.count("audit_log").await, trail);

    // A changed price updates the record, and the trail keeps before and after.
    let mut changed = rows.clone();
    changed[0].values.insert("award_price", "18,700,000".into());
    let out = awards::apply(&t.db, &who(), "import", changed)
        .await
        .unwrap();
    assert_eq!((out.created, out.updated, out.unchanged), (0, 1, 5));
    let id = award_id(&t, "PY2025-0301", "01").await;
    let (before_json, after_json): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE entity = 'award' AND entity_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(id.to_string())
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(before_json.contains("18,650,000.00"), "{before_json}");
    assert!(after_json.contains("18,700,000.00"), "{after_json}");
}

async fn the_xlsx_sample_holds_the_csv_records(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let (format, rows) = import::read(SAMPLE_XLSX).unwrap();
    assert_eq!(format, "xlsx");
    let out = awards::apply(&t.db, &who(), "import", rows).await.unwrap();
    assert_eq!(out.created, 6, "{:?}", out.problems);
    // The CSV then finds every record already there, unchanged: dates and
    // prices typed as numbers in Excel read the same as the CSV's text.
    let (_, csv_rows) = import::read(SAMPLE_CSV).unwrap();
    let out = awards::apply(&t.db, &who(), "import", csv_rows)
        .await
        .unwrap();
    assert_eq!(out.unchanged, 6, "{:?}", out.problems);
}

async fn bad_rows_are_reported_by_line_and_column_and_good_rows_imported(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let text = String::from_utf8(SAMPLE_CSV.to_vec()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // line 3: unknown owner code (valid checksum, not registered)
    let unknown = app::domain::CreditCode::with_check("91330326MA2W00009").unwrap();
    lines[2] = lines[2].replace("11330326002558A12B", unknown.as_str());
    // line 4: a bad checksum and a bad date
    lines[3] = lines[3]
        .replace("91330326MA2T1U2W38", "91330326MA2T1U2W39")
        .replace("2025-10-08", "2025-13-01");
    // line 8: a duplicate of line 2
    lines.push(lines[1].clone());
    // line 9: markup in a name and a negative price
    lines.push(
        lines[5]
            .replace("104国道平阳段路面修复工程", "<script>x</script>")
            .replace("23100000", "-5")
            .replace("PY2025-0320", "PY2025-0399"),
    );
    let bytes = lines.join("\n").into_bytes();
    let before = (t.count("awards").await, t.count("audit_log").await);
    let (_, rows) = import::read(&bytes).unwrap();
    let out = awards::apply(&t.db, &who(), "import", rows).await.unwrap();
    let at = |line: usize, column: &str| {
        out.problems
            .iter()
            .find(|p| p.line == line && p.column == column)
            .unwrap_or_else(|| panic!("no problem at line {line}, {column}: {:?}", out.problems))
            .reason
            .clone()
    };
    assert!(at(3, "招标人统一社会信用代码").contains("请先登记"));
    assert!(at(4, "中标人统一社会信用代码").contains("校验"));
    assert!(at(4, "中标通知书日期").contains("格式"));
    assert!(at(8, "标段编号").contains("第 2 行"));
    assert!(at(9, "项目名称").contains("<"));
    assert!(
        at(9, "中标价（元）").contains("须大于 0"),
        "a negative price is called so"
    );
    assert_eq!((out.total, out.created, out.failed()), (8, 4, 4));
    // Four good rows, four trail entries; nothing of the bad ones.
    assert_eq!(t.count("awards").await, before.0 + 4);
    assert_eq!(t.count("audit_log").await, before.1 + 4);
    // A file without the required columns stops at line 1.
    let problems = import::read("项目编号,名称\nA,B\n".as_bytes()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.line == 1 && p.column == "招标人统一社会信用代码")
    );
}

async fn a_filing_goes_from_draft_to_submitted_to_corrected(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("chengjian").await;
    let award = award_id(&t, "PY2024-0118", "01").await;
    let id = filings::start(&t.db, &owner, award).await.unwrap();
    assert_eq!(
        filings::start(&t.db, &owner, award).await.unwrap(),
        id,
        "one filing per award"
    );

    // Bad values: every field reported, nothing written.
    let trail = t.count("audit_log").await;
    let bad = FilingForm {
        contract_no: "".into(),
        signed_on: "2024-06-01".into(),
        contract_price: "-1".into(),
        duration_days: "400".into(),
        planned_start: "2024-08-01".into(),
        planned_completion: "2025-07-31".into(),
        payment_terms: " ".into(),
        supervisor_engineer_unit_id: "abc".into(),
        remarks: "".into(),
        version: String::new(),
    };
    let e = filings::save(&t.db, &t.settings, &owner, id, &bad, "")
        .await
        .unwrap_err();
    assert_field(&e, "contract_no", "请填写");
    assert_field(&e, "signed_on", "早于中标通知书日期");
    assert_field(&e, "contract_price", "须大于 0");
    assert_field(&e, "duration_days", "应为 365 天");
    assert_field(&e, "payment_terms", "请填写");
    assert_field(&e, "supervisor_engineer_unit_id", "监理单位");
    let mut future = good_form();
    future.signed_on = "2099-01-01".into();
    let e = filings::save(&t.db, &t.settings, &owner, id, &future, "")
        .await
        .unwrap_err();
    assert_field(&e, "signed_on", "晚于今天");
    assert_eq!(t.count("audit_log").await, trail);

    // Not yet complete: submission lists what is missing.
    filings::save(&t.db, &t.settings, &owner, id, &good_form(), "")
        .await
        .unwrap();
    let e = filings::submit(&t.db, &owner, id).await.unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("项目经理") && msg.contains("合同扫描件") && msg.contains("中标通知书"),
        "{msg}"
    );

    // Two key personnel: the project manager gets a login with a first password.
    let users_before = t.count("users").await;
    let msg = filings::add_member(
        &t.db,
        &owner,
        id,
        member(
            "pm",
            "赵建国",
            "33032619800101123",
            "13857700011",
            "浙233060800123",
        ),
        "",
    )
    .await
    .unwrap();
    // No password is shown to the owner: a one-time activation code.
    assert!(!msg.contains("密码 ") && msg.contains("激活码"), "{msg}");
    let code = msg
        .split("激活码 ")
        .nth(1)
        .unwrap()
        .split('（')
        .next()
        .unwrap()
        .to_string();
    use app::features::auth::activation::{ActivationForm, activate};
    let form = |code: &'static str| ActivationForm {
        mobile: "13857700011",
        code,
        new: "Zhao#Jianguo2026",
        confirm: "Zhao#Jianguo2026",
    };
    let code: &'static str = Box::leak(code.into_boxed_str());
    // A wrong code, and a weak password with the right one: refused at
    // their fields, and the code is not spent.
    let wrong = activate(&t.db, &t.settings, &who(), form("ABCD-2345"), now_ms())
        .await
        .unwrap_err();
    crate::helpers::assert_field(&wrong, "code", "激活码不正确");
    let weak = ActivationForm {
        new: "weak",
        confirm: "weak",
        ..form(code)
    };
    let e = activate(&t.db, &t.settings, &who(), weak, now_ms())
        .await
        .unwrap_err();
    crate::helpers::assert_field(&e, "new", "");
    let uid = activate(&t.db, &t.settings, &who(), form(code), now_ms())
        .await
        .unwrap();
    // Used once: the same code again is refused.
    let again = activate(&t.db, &t.settings, &who(), form(code), now_ms())
        .await
        .unwrap_err();
    crate::helpers::assert_field(&again, "code", "已使用");
    let logged = login(
        &t.db,
        &t.settings,
        &t.guard,
        "13857700011",
        "Zhao#Jianguo2026",
        &who(),
        now_ms(),
    )
    .await
    .unwrap()
    .user_id();
    assert_eq!(logged, uid);
    let (role, must_change): (String, i64) =
        sqlx::query_as("SELECT role, must_change_password FROM users WHERE id = $1")
            .bind(uid)
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!((role.as_str(), must_change), ("key_personnel", 0));
    // xmjl_zhang (13867780001) already has a key personnel login: linked, not duplicated.
    let msg = filings::add_member(
        &t.db,
        &owner,
        id,
        member(
            "safety_officer",
            "张伟",
            "33032619850505201",
            "13867780001",
            "",
        ),
        "",
    )
    .await
    .unwrap();
    assert!(msg.contains("已有账号"), "{msg}");
    assert_eq!(t.count("users").await, users_before + 1);
    // The same person twice, a mobile of another role, a name that does not match.
    let e = filings::add_member(
        &t.db,
        &owner,
        id,
        member("other", "赵建国", "33032619800101123", "13857700099", ""),
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "id_number", "已在本项目名单中");
    let e = filings::add_member(
        &t.db,
        &owner,
        id,
        member("other", "王海峰", "33032619700101555", "13905770011", ""),
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "mobile", "其他账号使用");
    assert!(!e.to_string().contains("角色"));
    let e = filings::add_member(
        &t.db,
        &owner,
        id,
        member("other", "张三", "33032619700101555", "13867780001", ""),
        "",
    )
    .await
    .unwrap_err();
    // Refused without saying whose number it is.
    assert_field(&e, "mobile", "其他账号使用");
    let said = format!("{e:?}");
    assert!(!said.contains("张伟") && !said.contains("xmjl"), "{said}");
    // A login already on a roster is linked only with the same resident ID.
    let e = filings::add_member(
        &t.db,
        &owner,
        id,
        member("other", "赵建国", "33032619800101131", "13857700011", ""),
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "mobile", "其他账号使用");
    // A chief supervisor needs the supervising engineer unit first.
    let e = filings::add_member(
        &t.db,
        &owner,
        id,
        member(
            "chief_supervisor",
            "钱监理",
            "33032619750303888",
            "13857700022",
            "监理0001",
        ),
        "",
    )
    .await;
    assert!(e.is_err());

    for kind in ["contract", "award_notice"] {
        filings::add_attachment(
            &t.db,
            &owner,
            id,
            kind,
            "扫描件.pdf",
            "application/pdf",
            2048,
            &"b".repeat(64),
            "",
        )
        .await
        .unwrap();
    }
    filings::submit(&t.db, &owner, id).await.unwrap();
    let f = filings::get(&t.db, &owner, id).await.unwrap();
    assert_eq!(f.status, app::domain::FilingStatus::Submitted);
    assert!(
        f.back_entry,
        "signed 2024-07-05, before go-live: a back-entry"
    );
    assert!(!f.price_flag);
    assert_eq!(f.roster.len(), 2);
    assert!(
        f.roster[0].id_number.starts_with("330326********"),
        "lists show ID numbers masked"
    );

    // After submission a change needs a reason and is recorded as a correction.
    let mut corrected = good_form();
    corrected.contract_price = "16000000".into();
    let e = filings::save(&t.db, &t.settings, &owner, id, &corrected, "")
        .await
        .unwrap_err();
    assert_field(&e, "reason", "更正原因");
    filings::save(
        &t.db,
        &t.settings,
        &owner,
        id,
        &corrected,
        "合同价录入错误，按合同原件更正",
    )
    .await
    .unwrap();
    let f = filings::get(&t.db, &owner, id).await.unwrap();
    assert!(
        f.price_flag,
        "half the award price is flagged for supervisors"
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'filing' AND entity_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "create",
            "update",
            "roster_add",
            "roster_add",
            "attach",
            "attach",
            "submit",
            "correct"
        ]
    );
    let history =
        app::features::audit::service::record_history(&t.db, &owner, "filing", &id.to_string())
            .await
            .unwrap();
    assert_eq!(history.len(), 8);
    // A removal after submission also needs its reason.
    let e = filings::remove_member(&t.db, &owner, id, f.roster[1].id, "")
        .await
        .unwrap_err();
    assert_field(&e, "reason", "更正原因");
}

async fn other_units_can_neither_read_nor_change_a_filing(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = ready_filing(&t).await;
    let other = t.actor("jiaoyu").await;
    let transport = t.actor("jtj").await;
    let housing = t.actor("zjj").await;
    let office = t.actor("zgb").await;
    let trail = t.count("audit_log").await;
    for actor in [&other, &transport] {
        assert_eq!(
            filings::get(&t.db, actor, id).await.unwrap_err(),
            AppError::Forbidden
        );
        let list = filings::list(&t.db, actor, "", "", 1).await.unwrap();
        assert!(list.items.iter().all(|f| f.id != id));
        assert!(
            app::features::audit::service::record_history(&t.db, actor, "filing", &id.to_string())
                .await
                .is_err()
        );
    }
    assert_eq!(
        filings::save(&t.db, &t.settings, &other, id, &good_form(), "x")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        filings::submit(&t.db, &other, id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        filings::add_member(
            &t.db,
            &other,
            id,
            member("other", "某人", "33032619900101777", "13857700033", ""),
            ""
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    let award = award_id(&t, "PY2024-0118", "01").await;
    assert_eq!(
        filings::start(&t.db, &other, award).await.unwrap_err(),
        AppError::Forbidden
    );
    // Supervisors read but never write.
    assert_eq!(
        filings::save(&t.db, &t.settings, &housing, id, &good_form(), "x")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(t.count("audit_log").await, trail);
    // The housing authority and the resource office see it (sector 住建).
    assert!(filings::get(&t.db, &housing, id).await.is_ok());
    assert!(filings::get(&t.db, &office, id).await.is_ok());
    assert!(!filings::get(&t.db, &housing, id).await.unwrap().editable);
}

async fn only_submitted_filings_in_scope_are_picked(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = ready_filing(&t).await;
    let owner = t.actor("chengjian").await;
    let housing = t.actor("zjj").await;
    let transport = t.actor("jtj").await;
    assert!(
        filings::project_options(&t.db, &owner)
            .await
            .unwrap()
            .is_empty(),
        "a draft is not pickable"
    );
    filings::submit(&t.db, &owner, id).await.unwrap();
    let picked = filings::project_options(&t.db, &owner).await.unwrap();
    assert_eq!(picked.len(), 1);
    assert!(picked[0].label.contains("平阳县人民医院门诊楼改造工程"));
    // The housing authority also sees the demo's filed kindergarten (住建).
    assert_eq!(
        filings::project_options(&t.db, &housing)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        filings::project_options(&t.db, &transport)
            .await
            .unwrap()
            .is_empty()
    );
    let other = filings::project_options(&t.db, &t.actor("jiaoyu").await)
        .await
        .unwrap();
    assert!(other.iter().all(|p| !p.label.contains("人民医院")));
}

async fn the_back_entry_report_counts_awards_since_the_obligation(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = ready_filing(&t).await;
    filings::submit(&t.db, &t.actor("chengjian").await, id)
        .await
        .unwrap();
    let rows = filings::back_entry_report(&t.db, &t.actor("zgb").await)
        .await
        .unwrap();
    let cj = rows
        .iter()
        .find(|r| r.owner_name == "平阳县城市建设开发中心")
        .unwrap();
    // Three demo awards of the centre; the 2022-05-20 one predates the obligation.
    assert_eq!(
        (cj.awards, cj.filed, cj.unfiled, cj.back_entries),
        (2, 1, 1, 1)
    );
    let transport = filings::back_entry_report(&t.db, &t.actor("jtj").await)
        .await
        .unwrap();
    assert!(
        transport
            .iter()
            .all(|r| r.owner_name != "平阳县城市建设开发中心")
    );
    assert_eq!(
        filings::back_entry_report(&t.db, &t.actor("chengjian").await)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}

async fn tokens_are_stored_hashed_and_can_be_revoked(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let token = awards::issue_token(&t.db, &admin, "交易平台")
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    assert_ne!(stored, token);
    assert!(!stored.contains(&token[5..]));
    assert!(awards::check_token(&t.db, &token).await.unwrap().is_some());
    assert!(
        awards::check_token(&t.db, "bhly_wrong")
            .await
            .unwrap()
            .is_none()
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    awards::revoke_token(&t.db, &admin, id).await.unwrap();
    assert!(awards::check_token(&t.db, &token).await.unwrap().is_none());
    let e = awards::issue_token(&t.db, &admin, "  ").await.unwrap_err();
    assert_field(&e, "name", "请填写");
    assert_eq!(
        awards::issue_token(&t.db, &t.actor("chengjian").await, "x")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}

on_both!(
    sample_csv_imports_once_and_then_changes_nothing,
    the_xlsx_sample_holds_the_csv_records,
    bad_rows_are_reported_by_line_and_column_and_good_rows_imported,
    a_filing_goes_from_draft_to_submitted_to_corrected,
    other_units_can_neither_read_nor_change_a_filing,
    only_submitted_filings_in_scope_are_picked,
    the_back_entry_report_counts_awards_since_the_obligation,
    tokens_are_stored_hashed_and_can_be_revoked,
);
