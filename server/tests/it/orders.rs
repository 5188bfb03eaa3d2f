//! Supervision orders (督办) on the demo story: issued from alerts, answered,
//! sent back, extended, closed; every refused step with its message and
//! nothing written; scope; the numbering; overdue orders.
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    error::AppError,
    features::orders::{
        OrderStatus,
        service::{IssueForm, OrderFilter, Step, draft, get, issue, list, step},
    },
    platform::{db::Backend, rules::On, storage::FileStore, time::today},
};
use chrono::Duration;

async fn filing_of(t: &TestDb, code: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = $1 AND a.section_code = '01'",
    )
    .bind(code)
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

async fn version(t: &TestDb, id: i64) -> String {
    sqlx::query_scalar::<_, i64>("SELECT version FROM supervision_orders WHERE id = $1")
        .bind(id)
        .fetch_one(&t.db.pool)
        .await
        .unwrap()
        .to_string()
}

fn form(
    step: &str,
    body: &str,
    deadline: &str,
    version: &str,
) -> app::features::orders::service::StepForm {
    Step::parse(step, body, deadline, version).unwrap()
}

async fn counts(t: &TestDb) -> (i64, i64, i64, i64) {
    (
        t.count("supervision_orders").await,
        t.count("order_events").await,
        t.count("order_alerts").await,
        t.count("audit_log").await,
    )
}

async fn an_order_goes_round_the_loop(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let s = &t.settings;
    let (zgb, jtj, zjj) = (
        t.actor("zgb").await,
        t.actor("jtj").await,
        t.actor("zjj").await,
    );
    let (jtfz, jiaoyu) = (t.actor("jtfz").await, t.actor("jiaoyu").await);
    let bridge = filing_of(&t, "PY2024-0806").await;
    let day = today();

    // The draft: the bridge's two open alerts, 一般 → 15 days (an overdue
    // evaluation of a finished quarter is a third, by the day).
    let mut d = draft(&t.db, s, &zgb, On::Filing(bridge)).await.unwrap();
    d.alerts.retain(|a| !a.rule.contains("考评"));
    assert_eq!(d.alerts.len(), 2);
    assert_eq!(d.deadline, (day + Duration::days(15)).to_string());
    assert_eq!(
        draft(&t.db, s, &zjj, On::Filing(bridge)).await.unwrap_err(),
        AppError::Forbidden,
        "another sector"
    );
    let ids: Vec<i64> = d.alerts.iter().map(|a| a.id).collect();

    // Bad input: at the fields, nothing written.
    let before = counts(&t).await;
    for (alerts, action, deadline, field, says) in [
        (
            vec![],
            "请整改",
            "2099-01-01",
            "alerts",
            "请至少选择一条预警",
        ),
        (ids.clone(), "", &*d.deadline, "action", "请填写整改要求"),
        (ids.clone(), "请整改😀", &*d.deadline, "action", "表情符号"),
        (
            ids.clone(),
            "<script>alert(1)</script>",
            &*d.deadline,
            "action",
            "< >",
        ),
        (ids.clone(), "请整改", "2020-01-01", "deadline", "不能早于"),
        (ids.clone(), "请整改", "明天", "deadline", "格式应为"),
        (ids.clone(), "请整改", "2099-01-01", "deadline", "不能晚于"),
    ] {
        let e = IssueForm::parse(&alerts, action, deadline).unwrap_err();
        assert_field(&e, field, says);
    }
    let other_alert: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM alerts WHERE filing_id <> $1 AND cleared_on IS NULL",
    )
    .bind(bridge)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let input = IssueForm::parse(&[ids[0], other_alert], "请整改", &d.deadline).unwrap();
    let e = issue(&t.db, s, &zgb, On::Filing(bridge), input)
        .await
        .unwrap_err();
    assert_field(&e, "alerts", "不属于本项目");
    let input = IssueForm::parse(&ids, "请整改", &d.deadline).unwrap();
    assert_eq!(
        issue(&t.db, s, &zjj, On::Filing(bridge), input)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(counts(&t).await, before, "nothing written");

    // Issued by the resource office, numbered for the year.
    let input = IssueForm::parse(
        &ids,
        "请核实合同签订时间及合同价偏离原因，限期说明。",
        &d.deadline,
    )
    .unwrap();
    let id = issue(&t.db, s, &zgb, On::Filing(bridge), input)
        .await
        .unwrap();
    let o = get(&t.db, &jtfz, id).await.unwrap();
    assert_eq!(o.row.order_no, format!("平资督〔{}〕1号", day.format("%Y")));
    assert_eq!(o.row.status, OrderStatus::Issued);
    assert!(o.may_answer && !o.may_supervise);
    assert!(o.facts.contains("相隔 67 天"), "{}", o.facts);
    assert_eq!(o.alerts.len(), 2);
    // Its alerts are taken: a second order on them is refused.
    assert!(
        draft(&t.db, s, &zgb, On::Filing(bridge))
            .await
            .unwrap()
            .alerts
            .iter()
            .all(|a| a.rule.contains("考评"))
    );
    let input = IssueForm::parse(&ids, "再次督办", &d.deadline).unwrap();
    let e = issue(&t.db, s, &zgb, On::Filing(bridge), input)
        .await
        .unwrap_err();
    assert_field(&e, "alerts", "已在督办中");

    // Refused steps: nothing written.
    let before = counts(&t).await;
    let v = version(&t, id).await;
    let refusals: Vec<(&app::platform::actor::Actor, &str, &str, &str, AppError)> = vec![
        (&jiaoyu, "answer", "已整改", "", AppError::Forbidden),
        (&jtfz, "close", "自行办结", "", AppError::Forbidden),
        (&zjj, "remind", "", "", AppError::Forbidden),
        (&zgb, "answer", "代为反馈", "", AppError::Forbidden),
        (
            &zgb,
            "close",
            "办结",
            "",
            AppError::invalid("只有已反馈的督办单可以办结"),
        ),
        (
            &jtj,
            "return",
            "不合格",
            "2099-01-01",
            AppError::invalid("只有已反馈的督办单可以退回"),
        ),
        (
            &zgb,
            "extension_grant",
            "",
            "",
            AppError::invalid("没有待审批的延期申请"),
        ),
    ];
    for (who, code, body, deadline, want) in refusals {
        let e = step(&t.db, who, id, form(code, body, deadline, &v))
            .await
            .unwrap_err();
        assert_eq!(e, want, "{code} by {}", who.username);
    }
    let e = step(&t.db, &jtfz, id, form("answer", "已整改", "", "0"))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Conflict, "a stale form");
    assert_eq!(
        Step::parse("answer", "", "", &v)
            .unwrap_err()
            .field_errors()
            .unwrap()["body"],
        "请填写整改情况"
    );
    assert_eq!(
        Step::parse("return", "不合格", "2026/13/1", &v)
            .unwrap_err()
            .field_errors()
            .unwrap()["deadline"],
        "新的办理期限格式应为 2024-03-05"
    );
    assert!(Step::parse("delete", "", "", &v).is_err());
    assert_eq!(counts(&t).await, before, "nothing written");

    // A reminder, the answer, sent back by the sector authority, an
    // extension asked and granted, answered again, closed.
    step(&t.db, &jtj, id, form("remind", "", "", &v))
        .await
        .unwrap();
    let v = version(&t, id).await;
    step(
        &t.db,
        &jtfz,
        id,
        form("answer", "已补充说明签订延迟原因。", "", &v),
    )
    .await
    .unwrap();
    let v = version(&t, id).await;
    let e = step(&t.db, &jtfz, id, form("answer", "再次反馈", "", &v))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::invalid("该督办单已反馈，请等待督办部门处理"));
    let back = (day + Duration::days(10)).to_string();
    step(
        &t.db,
        &jtj,
        id,
        form("return", "未说明价格偏离原因，请补充。", &back, &v),
    )
    .await
    .unwrap();
    let v = version(&t, id).await;
    let e = step(&t.db, &jtfz, id, form("extension_ask", "需审计", &back, &v))
        .await
        .unwrap_err();
    assert_field(&e, "deadline", "须晚于现办理期限");
    let later = (day + Duration::days(20)).to_string();
    step(
        &t.db,
        &jtfz,
        id,
        form("extension_ask", "需等待审计结论。", &later, &v),
    )
    .await
    .unwrap();
    let v = version(&t, id).await;
    let e = step(
        &t.db,
        &jtfz,
        id,
        form("extension_ask", "再申请", &later, &v),
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::invalid("已有待审批的延期申请"));
    step(&t.db, &zgb, id, form("extension_grant", "", "", &v))
        .await
        .unwrap();
    let o = get(&t.db, &zgb, id).await.unwrap();
    assert_eq!(
        (o.row.deadline.as_str(), o.extension_until.as_deref()),
        (later.as_str(), None)
    );
    step(
        &t.db,
        &jtfz,
        id,
        form("answer", "已补充审计意见。", "", &o.version.to_string()),
    )
    .await
    .unwrap();
    let v = version(&t, id).await;
    step(
        &t.db,
        &jtj,
        id,
        form("close", "说明充分，予以办结。", "", &v),
    )
    .await
    .unwrap();
    let v = version(&t, id).await;
    let e = step(&t.db, &zgb, id, form("remind", "", "", &v))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::invalid("该督办单已办结，不能再办理"));
    let o = get(&t.db, &jtfz, id).await.unwrap();
    assert_eq!(o.row.status, OrderStatus::Closed);
    assert_eq!(o.closed_on, Some(day.to_string()));
    let labels: Vec<&str> = o.events.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "下发督办",
            "催办",
            "反馈",
            "退回",
            "申请延期",
            "同意延期",
            "反馈",
            "办结"
        ]
    );
    let trail: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'supervision_order'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(trail, 8);

    // Scope: the owner sees its own, the sector authority its sector, other
    // units nothing, whatever id they send.
    assert_eq!(
        list(&t.db, &jtfz, &OrderFilter::state(""), 1)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        list(&t.db, &jtj, &OrderFilter::state(""), 1)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        list(&t.db, &jiaoyu, &OrderFilter::state(""), 1)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        list(&t.db, &zjj, &OrderFilter::state(""), 1)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        get(&t.db, &jiaoyu, id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(get(&t.db, &zjj, id).await.unwrap_err(), AppError::Forbidden);

    // Overdue: the housing authority's order to 教育局, its deadline passed
    // without an answer. No extension then; a late answer still lands.
    let school = filing_of(&t, "PY2025-0203").await;
    let d = draft(&t.db, s, &zjj, On::Filing(school)).await.unwrap();
    assert!(!d.alerts.is_empty());
    let ids: Vec<i64> = d.alerts.iter().map(|a| a.id).collect();
    let input = IssueForm::parse(&ids, "请按合同支付进度款。", &d.deadline).unwrap();
    let late = issue(&t.db, s, &zjj, On::Filing(school), input)
        .await
        .unwrap();
    assert!(
        get(&t.db, &jiaoyu, late)
            .await
            .unwrap()
            .row
            .order_no
            .ends_with("〕2号")
    );
    sqlx::query("UPDATE supervision_orders SET deadline = $1 WHERE id = $2")
        .bind((day - Duration::days(1)).to_string())
        .bind(late)
        .execute(&t.db.pool)
        .await
        .unwrap();
    let overdue = list(&t.db, &jiaoyu, &OrderFilter::state("overdue"), 1)
        .await
        .unwrap();
    assert_eq!(overdue.total, 1);
    assert!(overdue.items[0].overdue);
    let v = version(&t, late).await;
    let e = step(
        &t.db,
        &jiaoyu,
        late,
        form("extension_ask", "来不及", &later, &v),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        AppError::invalid("已超过办理期限，不能再申请延期，请尽快反馈")
    );
    step(
        &t.db,
        &jiaoyu,
        late,
        form("answer", "已补付进度款。", "", &v),
    )
    .await
    .unwrap();
    assert_eq!(
        list(&t.db, &jiaoyu, &OrderFilter::state("overdue"), 1)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        list(&t.db, &zjj, &OrderFilter::state("answered"), 1)
            .await
            .unwrap()
            .total,
        1
    );
}

/// The demo's orders: one in each state, as `serve --demo` loads them.
async fn the_demo_has_an_order_in_every_state(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    let zgb = t.actor("zgb").await;
    let all = list(&t.db, &zgb, &OrderFilter::state(""), 1).await.unwrap();
    assert_eq!(all.total, 5);
    let count = |state: &'static str| {
        let (t, zgb) = (&t, &zgb);
        async move {
            list(&t.db, zgb, &OrderFilter::state(state), 1)
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(count("closed").await, 1);
    assert_eq!(count("answered").await, 1);
    assert_eq!(count("overdue").await, 1);
    assert_eq!(count("issued").await, 3);
    assert!(all.items.iter().any(|o| o.extension_pending));
    assert!(all.items[0].overdue, "overdue first");
    // One alert is left free for a supervisor to order (the bridge's price).
    let bridge = filing_of(&t, "PY2024-0806").await;
    let mut free = draft(&t.db, &t.settings, &zgb, On::Filing(bridge))
        .await
        .unwrap();
    free.alerts.retain(|a| !a.rule.contains("考评"));
    assert_eq!(free.alerts.len(), 1);
    assert_eq!(free.alerts[0].rule, "合同价偏离中标价");
    // Loading again adds nothing.
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    assert_eq!(
        list(&t.db, &zgb, &OrderFilter::state(""), 1)
            .await
            .unwrap()
            .total,
        5
    );
}

/// 自动督办: a rule set to issue orders by itself. Its open alerts in no
/// order become one order per project, issued by the system in the
/// resource office's name (no user), once; the owner answers it like any
/// other; alerts of other rules, and of awards not yet filed, wait for a
/// supervisor.
async fn a_rule_set_to_automatic_issues_its_orders(b: Backend) {
    use app::features::alerts::service::{RuleForm, save};
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let admin = t.actor("admin").await;
    // A rule with open alerts of filed projects that no order holds.
    let (code, projects): (String, i64) = sqlx::query_as(
        "SELECT x.kind, COUNT(DISTINCT x.award_id) FROM alerts x
         WHERE x.cleared_on IS NULL AND x.filing_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM order_alerts oa WHERE oa.alert_id = x.id)
         GROUP BY x.kind ORDER BY x.kind LIMIT 1",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let info = app::features::rule_infos()
        .into_iter()
        .find(|i| i.code == code)
        .unwrap();
    let values: Vec<String> = info
        .params
        .iter()
        .map(|p| app::platform::rules::fmt_num((p.get)(&t.settings)))
        .collect();
    let before = t.count("supervision_orders").await;
    // Off by default: an evaluation issues nothing.
    let e = app::features::evaluate_rules_as_of(&t.db, &t.settings, today())
        .await
        .unwrap();
    assert!(e.orders.is_empty(), "{e:?}");
    let auto = RuleForm {
        enabled: true,
        auto_order: true,
        values,
        version: "0".into(),
    };
    save(&t.db, &t.settings, &admin, &code, &auto)
        .await
        .unwrap();
    let trail: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE entity = 'rule_setting' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        trail.contains("自动督办") && trail.contains("是"),
        "{trail}"
    );

    let e = app::features::evaluate_rules_as_of(&t.db, &t.settings, today())
        .await
        .unwrap();
    assert_eq!(e.orders.len() as i64, projects, "{e:?}");
    assert_eq!(t.count("supervision_orders").await, before + projects);
    let (id, issued_by, issuer, owner_unit): (i64, Option<i64>, String, i64) = sqlx::query_as(
        "SELECT o.id, o.issued_by, u.name, o.owner_unit_id FROM supervision_orders o
         JOIN units u ON u.id = o.issuer_unit_id ORDER BY o.id DESC LIMIT 1",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(issued_by, None, "issued by the system");
    assert!(issuer.contains("公共资源"), "{issuer}");
    let zgb = t.actor("zgb").await;
    let o = get(&t.db, &zgb, id).await.unwrap();
    assert_eq!(o.events[0].actor, "系统自动督办");
    assert!(o.action.contains("自动督办"), "{}", o.action);
    assert!(
        o.alerts.iter().all(|a| a.rule == info.name),
        "{:?}",
        o.alerts
    );
    // Once: the next evaluation issues nothing more.
    let e = app::features::evaluate_rules_as_of(&t.db, &t.settings, today())
        .await
        .unwrap();
    assert!(e.orders.is_empty(), "{e:?}");
    // The owner unit answers it as it would any order.
    let owner_login: String = sqlx::query_scalar(
        "SELECT username FROM users WHERE unit_id = $1 AND role = 'owner' ORDER BY id LIMIT 1",
    )
    .bind(owner_unit)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let owner = t.actor(&owner_login).await;
    step(
        &t.db,
        &owner,
        id,
        form("answer", "已整改", "", &version(&t, id).await),
    )
    .await
    .unwrap();
    assert_eq!(
        get(&t.db, &owner, id).await.unwrap().row.status,
        OrderStatus::Answered
    );
}

/// An award not filed in time: a supervisor orders the owner to file it.
/// The order names the award (no project yet) and links to it; scope holds
/// as for projects; documents wait for the filing, then go with it; an
/// automatic rule orders such awards too.
async fn an_award_not_filed_is_ordered_to_file(b: Backend) {
    use app::features::orders::files::check_attach;
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let s = &t.settings;
    // The 城西幼儿园's supervision section (教育局, 住建): no filing.
    let (award, alert): (i64, i64) = sqlx::query_as(
        "SELECT a.id, x.id FROM alerts x JOIN awards a ON a.id = x.award_id
         WHERE x.kind = 'award_unfiled' AND x.cleared_on IS NULL AND a.project_code = 'PY2025-0203'
           AND a.section_code = '02'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let (zgb, zjj, jtj) = (
        t.actor("zgb").await,
        t.actor("zjj").await,
        t.actor("jtj").await,
    );
    let (jiaoyu, jtfz) = (t.actor("jiaoyu").await, t.actor("jtfz").await);
    let d = draft(&t.db, s, &zjj, On::Award(award)).await.unwrap();
    assert_eq!(d.filing_id, None);
    assert!(d.link.starts_with("/awards?q=PY2025-0203"), "{}", d.link);
    assert_eq!(d.alerts.len(), 1);
    assert_eq!(d.alerts[0].rule, "中标后未按期备案");
    assert_eq!(
        draft(&t.db, s, &jtj, On::Award(award)).await.unwrap_err(),
        AppError::Forbidden,
        "another sector"
    );
    let soon = (today() + Duration::days(10)).to_string();
    let input = IssueForm::parse(&[alert], "请于期限内完成合同签订并在系统备案。", &soon).unwrap();
    let id = issue(&t.db, s, &zjj, On::Award(award), input)
        .await
        .unwrap();
    let o = get(&t.db, &jiaoyu, id).await.unwrap();
    assert!(o.row.link.starts_with("/awards?q="), "{}", o.row.link);
    assert!(o.facts.contains("中标后未按期备案"), "{}", o.facts);
    assert_eq!(
        get(&t.db, &jtfz, id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert!(get(&t.db, &zgb, id).await.is_ok());
    // Documents wait for the filing (the page says so instead of showing
    // the upload), then are kept with it.
    assert!(o.unfiled);
    let e = check_attach(&t.db, &jiaoyu, id).await.unwrap_err();
    assert!(e.to_string().contains("尚未填报合同备案"), "{e}");
    let filing = app::features::filings::service::start(&t.db, &jiaoyu, award)
        .await
        .unwrap();
    assert_eq!(
        check_attach(&t.db, &jiaoyu, id).await.unwrap(),
        ("answer", filing)
    );
    assert!(!get(&t.db, &jiaoyu, id).await.unwrap().unfiled);
    // The owner answers it like any order.
    step(
        &t.db,
        &jiaoyu,
        id,
        form(
            "answer",
            "合同已签订，备案已提交。",
            "",
            &version(&t, id).await,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        get(&t.db, &zjj, id).await.unwrap().row.status,
        OrderStatus::Answered
    );
}

/// An order's documents over HTTP: the owner unit and the supervisors add
/// files while it is open (checked by content), others are refused, and the
/// files download for those who may read the project.
async fn order_files_are_scoped_and_checked(b: Backend) {
    use crate::money_http::{PDF, file_form};
    use reqwest::{StatusCode, header};
    let s = crate::http::TestServer::start(b).await;
    let t = &s.t;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    // The bridge's order (交通发展), waiting for its answer.
    let id: i64 = sqlx::query_scalar(
        "SELECT o.id FROM supervision_orders o JOIN filings f ON f.id = o.filing_id JOIN awards a ON a.id = f.award_id
         WHERE a.project_code = 'PY2024-0806'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let url = s.url(&format!("/orders/{id}/files"));
    let post = |c: reqwest::Client, name: &'static str, bytes: &'static [u8]| {
        let url = url.clone();
        async move {
            c.post(url)
                .multipart(file_form("", name, bytes))
                .send()
                .await
                .unwrap()
        }
    };
    let before = t.count("record_files").await;
    let owner = s.logged_in("jtfz").await;
    let r = post(owner.clone(), "说明.pdf", PDF).await;
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/orders/{id}?done=uploaded#files")
    );
    let r = post(owner.clone(), "说明.pdf", b"just text, not a pdf").await;
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=")
    );
    let jtj = s.logged_in("jtj").await;
    post(jtj.clone(), "督办通知.pdf", PDF).await;
    for other in ["jiaoyu", "zjj"] {
        let r = post(s.logged_in(other).await, "冒名.pdf", PDF).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{other}");
    }
    let r = post(s.client(), "x.pdf", PDF).await;
    assert!(r.status().is_redirection(), "a visitor goes to /login");
    assert_eq!(t.count("record_files").await, before + 2);
    let o = get(&t.db, &t.actor("jtfz").await, id).await.unwrap();
    let labels: Vec<&str> = o.files.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["整改材料", "督办材料"]);
    // Downloads: the owner yes, another unit no.
    let file = o.files[0].id;
    let r = owner
        .get(s.url(&format!("/files/records/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..], PDF);
    let r = s
        .logged_in("jiaoyu")
        .await
        .get(s.url(&format!("/files/records/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A closed order takes no more files.
    let closed: i64 =
        sqlx::query_scalar("SELECT id FROM supervision_orders WHERE status = 'closed'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    let r = s
        .logged_in("jiaoyu")
        .await
        .post(s.url(&format!("/orders/{closed}/files")))
        .multipart(file_form("", "迟到.pdf", PDF))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=")
    );
    assert_eq!(t.count("record_files").await, before + 2);
}

on_both!(
    an_order_goes_round_the_loop,
    the_demo_has_an_order_in_every_state,
    a_rule_set_to_automatic_issues_its_orders,
    an_award_not_filed_is_ordered_to_file,
    order_files_are_scoped_and_checked,
);
