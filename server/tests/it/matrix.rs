//! The access matrix of every server function, checked against the list the
//! server registers (`server_fn_paths`): a new endpoint without a row here
//! fails the test, so none can be left out.
//!
//! For each endpoint: a visitor gets 401; a user whose role the endpoint is
//! not for gets 403; an owner unit's user calling with another unit's ids
//! gets 403 (or, for lists, answers without the other unit's records); and
//! nothing is written by any refused call.
use crate::{filings::ready_filing, http::TestServer, on_both};
use app::{domain::Role, platform::db::Backend};
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// What the other unit's owner (教育局, `jiaoyu`) gets.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Other {
    /// 403: the ids belong to 城建 or the endpoint is not for owners.
    Refused,
    /// 200, scoped: the answer names none of 城建's project.
    Scoped,
    /// Not an other-unit matter (the user's own session or password).
    Own,
}

struct Call {
    endpoint: &'static str,
    form: Vec<(&'static str, String)>,
    /// Roles the endpoint serves; `None`: anyone, even a visitor.
    roles: Option<&'static [Role]>,
    other: Other,
}

const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Owner];
const OWNER: &[Role] = &[Role::Owner];
const ADMIN: &[Role] = &[Role::Admin];
const SECURITY: &[Role] = &[Role::SecurityAdmin];
const UNIT_PICKERS: &[Role] = &[Role::Admin, Role::SecurityAdmin];
const AUDIT: &[Role] = &[Role::AuditAdmin];
const HEADS: &[Role] = &[Role::Admin, Role::Supervisor, Role::AuditAdmin];
const SUPERVISION: &[Role] = &[Role::Admin, Role::Supervisor];
const KEY: &[Role] = &[Role::KeyPersonnel];
const EVERYONE: &[Role] = &Role::ALL;
const EVALUATION_READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Owner, Role::Contractor];
const CONTRACTOR_READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Contractor];

fn call(
    endpoint: &'static str,
    form: &[(&'static str, &str)],
    roles: Option<&'static [Role]>,
    other: Other,
) -> Call {
    Call {
        endpoint,
        form: form.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        roles,
        other,
    }
}

const GEOJSON: &str = r#"{"type":"Polygon","coordinates":[[[120.565,27.662],[120.566,27.662],[120.566,27.663],[120.565,27.662]]]}"#;

async fn every_server_function_is_guarded(b: Backend) {
    use Other::*;
    let s = TestServer::start(b).await;
    let t = &s.t;
    let id = ready_filing(t).await;
    let owner = t.actor("chengjian").await;
    let area = app::features::attendance::service::add_area(&t.db, &owner, id, "主施工区", GEOJSON)
        .await
        .unwrap()
        .to_string();
    let scalar = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&t.db.pool)
            .await
            .unwrap()
            .to_string()
    };
    // 城建's filed project with a change and a payment of its own.
    app::features::filings::service::submit(&t.db, &owner, id)
        .await
        .unwrap();
    let change = crate::money::a_change(t, &owner, id).await.to_string();
    let payment = crate::money::a_payment(t, &owner, id).await.to_string();
    // Its progress: a month's draft, and a draft replacement of its manager.
    let this_month = app::domain::progress::Month::of(app::platform::time::today()).to_string();
    let month = app::features::progress::service::save_month(
        &t.db,
        &owner,
        0,
        id,
        &app::features::progress::service::MonthForm {
            month: this_month.clone(),
            percent: "10".into(),
            state: "in_progress".into(),
            work_done: "基础施工".into(),
            ..Default::default()
        },
        "",
        "",
    )
    .await
    .unwrap()
    .to_string();
    let pm_member: i64 =
        sqlx::query_scalar("SELECT id FROM roster_members WHERE filing_id = $1 AND role = 'pm'")
            .bind(id)
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    let successor_id = app::domain::IdNumber::with_check("33032619900101123").unwrap();
    let replacement = app::features::personnel::service::save(
        &t.db,
        &owner,
        0,
        &app::features::personnel::service::ChangeForm {
            filing_id: id.to_string(),
            member_id: pm_member.to_string(),
            new_name: "钱新".into(),
            new_id_number: successor_id.as_str().into(),
            new_mobile: "13700005555".into(),
            new_cert_no: "浙233060800999".into(),
            reason: "health".into(),
            effective_on: app::platform::time::today().to_string(),
            ..Default::default()
        },
        "",
        "",
    )
    .await
    .unwrap()
    .to_string();
    let pm_member = pm_member.to_string();
    let award = scalar("SELECT MIN(award_id) FROM filings").await;
    let member = scalar("SELECT MIN(id) FROM roster_members").await;
    let att = scalar("SELECT MIN(id) FROM attachments").await;
    let project: String = sqlx::query_scalar(
        "SELECT a.project_name FROM filings f JOIN awards a ON a.id = f.award_id WHERE f.id = $1",
    )
    .bind(id)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    // 城建's project under an order of the resource office.
    let alert: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (kind, filing_id, award_id, period, message, created_at, subject, severity, started_on)
         VALUES ('signed_late', $1, (SELECT award_id FROM filings WHERE id = $1), '2026-01-01', '合同签订超期', 0, '',
                 'warning', '2026-01-01') RETURNING id",
    )
    .bind(id)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let soon = (app::platform::time::today() + chrono::Duration::days(10)).to_string();
    let order_form =
        app::features::orders::service::IssueForm::parse(&[alert], "请整改", &soon).unwrap();
    let order = app::features::orders::service::issue(
        &t.db,
        &t.settings,
        &t.actor("zgb").await,
        app::platform::rules::On::Filing(id),
        order_form,
    )
    .await
    .unwrap()
    .to_string();
    let id = id.to_string();
    let other_unit = t.unit_id("平阳县鳌江镇人民政府").await.to_string();
    let other_user = t.user_id("aojiang").await.to_string();
    let code = app::domain::CreditCode::with_check("91330326MA2W00009").unwrap();
    let unit_form = [
        ("kind", "owner"),
        ("name", "冒名单位"),
        ("credit_code", code.as_str()),
        ("sector", ""),
    ];
    let user_form = [
        ("display_name", "某人"),
        ("mobile", "13700003333"),
        ("role", "owner"),
        ("unit_id", other_unit.as_str()),
    ];
    let project_award: i64 = sqlx::query_scalar("SELECT award_id FROM filings WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    let project_award = project_award.to_string();
    // Its last quarter's evaluation, submitted, under the contractor's objection.
    let (evaluation, objection) = {
        use app::features::evaluations::{self, service};
        let filing: i64 = id.parse().unwrap();
        let t0 = app::platform::time::today();
        let q0 = chrono::Datelike::month0(&t0) / 3 * 3 + 1;
        let first = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&t0), q0, 1).unwrap();
        let last_q = app::domain::evaluation::Period::of(first.pred_opt().unwrap());
        let e = service::start(&t.db, &t.settings, &owner, filing, &last_q.code())
            .await
            .unwrap();
        let v = service::get(&t.db, &t.settings, &owner, e).await.unwrap();
        let form = service::ScoreForm {
            items: v.items.iter().map(|i| i.code.clone()).collect(),
            scores: v.items.iter().map(|i| (i.weight - 1).to_string()).collect(),
            reasons: vec!["依检查记录".to_string(); v.items.len()],
            remarks: String::new(),
        };
        service::save(&t.db, &t.settings, &owner, e, &form, "", "")
            .await
            .unwrap();
        app::platform::records::submit(&t.db, &owner, &evaluations::RECORD, e)
            .await
            .unwrap();
        let x = service::file_objection(&t.db, &t.actor("sg_pyjs").await, e, "评分偏低", None)
            .await
            .unwrap();
        (e.to_string(), x.to_string())
    };
    let evaluation_contractor = t.unit_id("浙江平阳建设集团有限公司").await.to_string();
    let id = id.as_str();
    let calls = vec![
        call(
            "login",
            &[("username", "nobody"), ("password", "x")],
            None,
            Own,
        ),
        call("logout", &[], None, Own),
        call("me", &[], None, Own),
        call(
            "change_password",
            &[("current", "x"), ("new", "x"), ("confirm", "x")],
            Some(EVERYONE),
            Own,
        ),
        // Supervision orders: supervisors issue and decide, owners answer.
        call("orders/list", &[], Some(READERS), Scoped),
        call("orders/get", &[("id", &order)], Some(READERS), Refused),
        call(
            "orders/draft",
            &[("filing_id", id)],
            Some(&[Role::Supervisor]),
            Refused,
        ),
        // The same project named by its award (as for an award not filed).
        call(
            "orders/draft",
            &[("award_id", &project_award)],
            Some(&[Role::Supervisor]),
            Refused,
        ),
        call(
            "orders/issue",
            &[
                ("filing_id", id),
                ("alerts[]", &alert.to_string()),
                ("action", "再次督办"),
                ("deadline", "2026-12-31"),
            ],
            Some(&[Role::Supervisor]),
            Refused,
        ),
        call(
            "orders/step",
            &[
                ("id", &order),
                ("step", "answer"),
                ("body", "冒名反馈"),
                ("version", "1"),
            ],
            Some(&[Role::Supervisor, Role::Owner]),
            Refused,
        ),
        // Alert rules: supervisors read, administrators set.
        call("rules/list", &[], Some(SUPERVISION), Refused),
        call(
            "rules/save",
            &[
                ("code", "signed_late"),
                ("enabled", "on"),
                ("p1", "20"),
                ("version", "0"),
            ],
            Some(ADMIN),
            Refused,
        ),
        // Units, users, the trail: administrators only.
        call(
            "units/list",
            &[("q", ""), ("kind", ""), ("page", "1")],
            Some(ADMIN),
            Refused,
        ),
        call("units/get", &[("id", &other_unit)], Some(ADMIN), Refused),
        call("units/options", &[], Some(UNIT_PICKERS), Refused),
        call("units/create", &unit_form, Some(ADMIN), Refused),
        call(
            "units/update",
            &[&[("id", other_unit.as_str())][..], &unit_form[..]].concat(),
            Some(ADMIN),
            Refused,
        ),
        call(
            "users/list",
            &[("q", ""), ("role", ""), ("page", "1")],
            Some(SECURITY),
            Refused,
        ),
        call("users/get", &[("id", &other_user)], Some(SECURITY), Refused),
        call(
            "users/create",
            &[
                &[("username", "x_user"), ("password", "Chushi#2026")][..],
                &user_form[..],
            ]
            .concat(),
            Some(SECURITY),
            Refused,
        ),
        call(
            "users/update",
            &[&[("id", other_user.as_str())][..], &user_form[..]].concat(),
            Some(SECURITY),
            Refused,
        ),
        call(
            "users/reset_password",
            &[("id", &other_user), ("password", "Chushi#2026")],
            Some(SECURITY),
            Refused,
        ),
        call(
            "users/set_disabled",
            &[("id", &other_user), ("disabled", "true")],
            Some(SECURITY),
            Refused,
        ),
        call(
            "audit_trail",
            &[("page", "1"), ("entity", "")],
            Some(AUDIT),
            Refused,
        ),
        call("audit_verify", &[], Some(AUDIT), Refused),
        call("login/code", &[("code", "123456")], None, Own),
        call(
            "activate",
            &[
                ("mobile", "13800000000"),
                ("code", "ABCD2345"),
                ("new", "x"),
                ("confirm", "x"),
            ],
            None,
            Own,
        ),
        call("account/two-factor", &[], Some(EVERYONE), Own),
        call(
            "account/two-factor/confirm",
            &[("code", "123456")],
            Some(EVERYONE),
            Own,
        ),
        call("published_heads", &[], Some(HEADS), Refused),
        call(
            "check_published_head",
            &[("seq", "1"), ("hash", &"0".repeat(64))],
            Some(HEADS),
            Refused,
        ),
        call(
            "record_history",
            &[("entity", "filing"), ("id", id)],
            Some(EVERYONE),
            Refused,
        ),
        // Awards and filings.
        call(
            "awards/list",
            &[("q", ""), ("status", ""), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call("awards/imports", &[], Some(ADMIN), Refused),
        call("awards/correction", &[("id", "1")], Some(ADMIN), Refused),
        call(
            "awards/correct",
            &[
                ("id", "1"),
                ("owner_unit_id", "1"),
                ("contractor_unit_id", "1"),
                ("award_price", "100"),
                ("sector", "housing"),
                ("reason", "冒名更正中标信息"),
            ],
            Some(ADMIN),
            Refused,
        ),
        call("awards/import_report", &[("id", "1")], Some(ADMIN), Refused),
        call("awards/tokens", &[], Some(ADMIN), Refused),
        call("awards/issue_token", &[("name", "x")], Some(ADMIN), Refused),
        call("awards/revoke_token", &[("id", "1")], Some(ADMIN), Refused),
        call(
            "filings/list",
            &[("q", ""), ("status", ""), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call("filings/get", &[("id", id)], Some(READERS), Refused),
        call(
            "filings/start",
            &[("award_id", &award)],
            Some(OWNER),
            Refused,
        ),
        call(
            "filings/save",
            &[
                ("id", id),
                ("contract_no", "X-1"),
                ("signed_on", "2024-07-05"),
                ("contract_price", "100"),
                ("duration_days", "10"),
                ("planned_start", "2024-08-01"),
                ("planned_completion", "2024-08-10"),
                ("payment_terms", "x"),
                ("supervisor_engineer_unit_id", ""),
                ("remarks", ""),
                ("reason", "x"),
            ],
            Some(OWNER),
            Refused,
        ),
        call("filings/submit", &[("id", id)], Some(OWNER), Refused),
        call(
            "filings/add_member",
            &[
                ("filing_id", id),
                ("role", "other"),
                ("name", "冒名"),
                ("id_number", "11010519491231002X"),
                ("mobile", "13700009999"),
                ("cert_no", ""),
                ("reason", "x"),
            ],
            Some(OWNER),
            Refused,
        ),
        call(
            "filings/remove_member",
            &[("filing_id", id), ("member_id", &member), ("reason", "x")],
            Some(OWNER),
            Refused,
        ),
        call(
            "filings/remove_attachment",
            &[("filing_id", id), ("attachment_id", &att), ("reason", "x")],
            Some(OWNER),
            Refused,
        ),
        call("filings/supervisor_engineers", &[], Some(READERS), Own),
        call("filings/back_entry", &[], Some(SUPERVISION), Refused),
        call("filings/projects", &[], Some(READERS), Scoped),
        // Attendance.
        call(
            "attendance/month",
            &[("filing_id", id), ("month", "2026-10")],
            Some(READERS),
            Refused,
        ),
        call(
            "attendance/calendar",
            &[
                ("filing_id", id),
                ("w1", "1"),
                ("holidays", ""),
                ("makeup_days", ""),
            ],
            Some(OWNER),
            Refused,
        ),
        call("attendance/flagged", &[], Some(READERS), Scoped),
        call("alerts/list", &[], Some(READERS), Scoped),
        call("areas/list", &[("filing_id", id)], Some(READERS), Refused),
        call(
            "areas/add",
            &[("filing_id", id), ("name", "冒名"), ("geojson", GEOJSON)],
            Some(OWNER),
            Refused,
        ),
        call(
            "areas/remove",
            &[("filing_id", id), ("area_id", &area)],
            Some(OWNER),
            Refused,
        ),
        call("checkin/projects", &[], Some(KEY), Refused),
        // Changes, payments and the project's figures.
        call(
            "changes/list",
            &[("q", ""), ("status", ""), ("filing_id", id), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call("changes/get", &[("id", &change)], Some(READERS), Refused),
        call(
            "changes/save",
            &[
                ("id", &change),
                ("filing_id", id),
                ("kind", "cost"),
                ("title", "冒名变更"),
                ("content", "x"),
                ("cause", "x"),
                ("responsibility", "owner"),
                ("price_delta", "1"),
                ("days_delta", "0"),
                ("approver", "x"),
                ("approver_level", "owner"),
                ("approval_no", "X-1"),
                ("approved_on", "2024-08-01"),
                ("reason", "x"),
            ],
            Some(OWNER),
            Refused,
        ),
        call(
            "payments/list",
            &[("q", ""), ("status", ""), ("filing_id", id), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call("payments/get", &[("id", &payment)], Some(READERS), Refused),
        call(
            "payments/defaults",
            &[("filing_id", id)],
            Some(OWNER),
            Refused,
        ),
        call(
            "payments/timeline",
            &[("filing_id", id)],
            Some(READERS),
            Refused,
        ),
        call(
            "payments/save",
            &[
                ("id", "0"),
                ("filing_id", id),
                ("kind", "advance"),
                ("paid_on", "2024-08-01"),
                ("amount", "1"),
                ("payee", "x"),
                ("voucher_no", "X-2"),
                ("period_from", ""),
                ("period_to", ""),
                ("work_value", ""),
                ("labour", "0"),
                ("settlement", ""),
                ("remarks", ""),
            ],
            Some(OWNER),
            Refused,
        ),
        call(
            "projects/figures",
            &[("filing_id", id)],
            Some(READERS),
            Refused,
        ),
        call("home/waiting", &[], Some(READERS), Scoped),
        // 工程进度: owners write their own projects' progress; readers read.
        call(
            "progress/list",
            &[("q", ""), ("state", ""), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call("progress/get", &[("filing_id", id)], Some(READERS), Refused),
        call(
            "progress/site",
            &[
                ("filing_id", id),
                ("actual_start", ""),
                ("address", "冒名地址"),
                ("point", "27.66, 120.56"),
                ("version", ""),
            ],
            Some(OWNER),
            Refused,
        ),
        call("progress/month", &[("id", &month)], Some(READERS), Refused),
        call(
            "progress/month/save",
            &[
                ("id", &month),
                ("filing_id", id),
                ("month", &this_month),
                ("percent", "90"),
                ("state", "in_progress"),
                ("work_done", "冒名"),
                ("investment", ""),
                ("drop_reason", ""),
                ("reason", ""),
                ("version", ""),
            ],
            Some(OWNER),
            Refused,
        ),
        // 人员变更: the same, and the replacement's roster is the owner's.
        call(
            "personnel/list",
            &[("q", ""), ("status", ""), ("filing_id", id), ("page", "1")],
            Some(READERS),
            Scoped,
        ),
        call(
            "personnel/get",
            &[("id", &replacement)],
            Some(READERS),
            Refused,
        ),
        call(
            "personnel/members",
            &[("filing_id", id)],
            Some(OWNER),
            Refused,
        ),
        call(
            "personnel/roster_on",
            &[("filing_id", id), ("day", "2026-10-01")],
            Some(READERS),
            Refused,
        ),
        call(
            "personnel/save",
            &[
                ("id", "0"),
                ("filing_id", id),
                ("member_id", &pm_member),
                ("new_name", "冒名"),
                ("new_id_number", "330326199001011239"),
                ("new_mobile", "13700006666"),
                ("new_cert_no", ""),
                ("reason", "health"),
                ("reason_text", ""),
                ("effective_on", "2026-10-01"),
                ("fine", ""),
                ("credit_points", ""),
                ("penalty_other", ""),
            ],
            Some(OWNER),
            Refused,
        ),
        call(
            "personnel/submit",
            &[("id", &replacement)],
            Some(OWNER),
            Refused,
        ),
        // A key person's own month.
        call("checkin/mine", &[("month", "")], Some(KEY), Own),
        // Evaluations: owners score, contractors read their own company's
        // and object, supervisors decide, administrators set the form.
        call(
            "evaluations/list",
            &[("q", ""), ("status", ""), ("filing_id", "0"), ("page", "1")],
            Some(EVALUATION_READERS),
            Scoped,
        ),
        call("evaluations/due", &[], Some(OWNER), Scoped),
        call(
            "evaluations/get",
            &[("id", &evaluation)],
            Some(EVALUATION_READERS),
            Refused,
        ),
        call(
            "evaluations/start",
            &[("filing_id", id), ("period", "completion")],
            Some(OWNER),
            Refused,
        ),
        call(
            "evaluations/save",
            &[
                ("id", &evaluation),
                ("remarks", "冒名评分"),
                ("correction", "冒名"),
            ],
            Some(OWNER),
            Refused,
        ),
        call(
            "evaluations/objection",
            &[("id", &objection), ("step", "answer"), ("body", "冒名答复")],
            Some(&[Role::Owner, Role::Supervisor]),
            Refused,
        ),
        call("evaluations/form", &[], Some(EVALUATION_READERS), Own),
        call(
            "evaluations/form/save",
            &[
                ("names[]", "一项"),
                ("weights[]", "100"),
                ("guidance[]", ""),
                ("evidence[]", ""),
                ("good_min", "85"),
                ("pass_min", "60"),
                ("objection_days", "7"),
            ],
            Some(ADMIN),
            Refused,
        ),
        call(
            "contractors/list",
            &[("q", "")],
            Some(CONTRACTOR_READERS),
            Refused,
        ),
        call(
            "contractors/get",
            &[("id", &evaluation_contractor)],
            Some(CONTRACTOR_READERS),
            Refused,
        ),
        call("county-map", &[], Some(READERS), Scoped),
        call("dossier", &[("filing_id", id)], Some(READERS), Refused),
        call("dashboards/progress", &[], Some(READERS), Scoped),
        call("dashboards/payments", &[], Some(READERS), Scoped),
        call("dashboards/alerts", &[], Some(READERS), Scoped),
        call(
            "dashboards/attendance",
            &[("month", "")],
            Some(READERS),
            Scoped,
        ),
        call("compliance", &[("period", "")], Some(SUPERVISION), Refused),
    ];

    // Every registered server function has a row (the JSON check-in is
    // checked below), and every row names a registered one.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let mut covered: BTreeSet<String> = calls.iter().map(|c| c.endpoint.to_string()).collect();
    covered.insert("checkin".into());
    assert_eq!(
        registered, covered,
        "each server function needs a row in the access matrix"
    );

    let counts = || async {
        let mut n = Vec::new();
        for table in [
            "units",
            "users",
            "awards",
            "filings",
            "roster_members",
            "attachments",
            "attendance_areas",
            "api_tokens",
            "audit_log",
            "checkins",
            "project_changes",
            "payments",
            "record_files",
            "alerts",
            "rule_settings",
            "supervision_orders",
            "order_events",
            "progress",
            "progress_months",
            "personnel_changes",
            "evaluations",
            "evaluation_scores",
            "evaluation_forms",
            "objections",
        ] {
            n.push(t.count(table).await);
        }
        n
    };
    let anon = s.client();
    let other = s.logged_in("jiaoyu").await;
    let pm = s.logged_in("xmjl_zhang").await;
    // A contractor of another company (鳌江建筑; the project is 平阳建设's).
    let company = s.logged_in("sg_ajjz").await;
    // Logins are in the trail; counted from here.
    let before = counts().await;
    for c in &calls {
        let form: Vec<(&str, &str)> = c.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let e = c.endpoint;
        let Some(roles) = c.roles else { continue };
        let r = s.call(&anon, e, &form).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{e} without login");
        if !roles.contains(&Role::KeyPersonnel) {
            let r = s.call(&pm, e, &form).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{e} as key personnel");
        }
        // Another company's contractor: refused, or answered without the
        // project, wherever contractors are served; refused elsewhere.
        if c.other != Own {
            let r = s.call(&company, e, &form).await;
            let status = r.status();
            let body = r.text().await.unwrap();
            // The contractor list is a list for contractors (their own row)
            // though not for owners.
            let scoped = c.other == Scoped || e == "contractors/list";
            if roles.contains(&Role::Contractor) && scoped {
                assert_eq!(status, StatusCode::OK, "{e} by another company: {body}");
                assert!(
                    !body.contains(&project),
                    "{e} shows another company's project"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{e} by another company: {body}"
                );
            }
        }
        match c.other {
            Refused => {
                let r = s.call(&other, e, &form).await;
                let status = r.status();
                let body = r.text().await.unwrap();
                assert_eq!(status, StatusCode::FORBIDDEN, "{e} by another unit: {body}");
            }
            Scoped => {
                let r = s.call(&other, e, &form).await;
                let status = r.status();
                let body = r.text().await.unwrap();
                assert_eq!(status, StatusCode::OK, "{e} by another unit: {body}");
                assert!(!body.contains(&project), "{e} shows another unit's project");
            }
            Own => {}
        }
    }
    // Refused before the payload is looked at: the same calls by another
    // unit with every text field blanked (numbers and switches kept, so the
    // arguments still parse) are refused, not answered with field errors
    // (which would tell that the record exists and what it holds).
    let mut answered = Vec::new();
    for c in calls
        .iter()
        .filter(|c| c.other == Refused && c.roles.is_some())
    {
        let form: Vec<(&str, &str)> = c
            .form
            .iter()
            .map(|(k, v)| {
                let keep = v.parse::<f64>().is_ok() || v == "true" || v == "false";
                (*k, if keep { v.as_str() } else { "" })
            })
            .collect();
        let r = s.call(&other, c.endpoint, &form).await;
        let status = r.status();
        if status != StatusCode::FORBIDDEN {
            answered.push(format!(
                "{} {status}: {}",
                c.endpoint,
                r.text().await.unwrap()
            ));
        }
    }
    assert!(
        answered.is_empty(),
        "with blank fields, by another unit:\n{}",
        answered.join("\n")
    );
    // The check-in takes JSON, as the phone's page sends it.
    let checkin = serde_json::json!({
        "filing_id": id.parse::<i64>().unwrap(), "lat": 27.6625, "lng": 120.5655,
        "accuracy": 10.0, "device_key": "x",
    });
    let r = s.call_json(&anon, "checkin", &checkin).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "checkin without login"
    );
    let r = s.call_json(&other, "checkin", &checkin).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "checkin by an owner");
    assert_eq!(counts().await, before, "refused calls wrote nothing");
}

on_both!(every_server_function_is_guarded);
