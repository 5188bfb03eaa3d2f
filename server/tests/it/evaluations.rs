//! 合同履约考评 on the services: proposals from known evidence, totals and
//! grades at the cut-offs, a different score refused without a reason, bad
//! values at their fields with nothing written, corrections, a changed form
//! leaving past evaluations alone, the objection's life cycle with every
//! refused step, contractors kept to their own company, and the three rules.
use crate::{
    attendance::site,
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    domain::evaluation::{Grade, ObjectionState, Period},
    error::AppError,
    features::{
        contractors,
        evaluations::{
            self,
            service::{self, EvalFilter, ScoreForm, form::FormInput},
        },
    },
    platform::{db::Backend, records, rules::run, time::today},
};
use chrono::{Datelike, NaiveDate};

/// The quarter before today's: ended, the one the tests score.
fn last_quarter() -> Period {
    let t = today();
    let first = NaiveDate::from_ymd_opt(t.year(), t.month0() / 3 * 3 + 1, 1).unwrap();
    Period::of(first.pred_opt().unwrap())
}

/// The project manager checked in on every day of `period` (from its first day
/// on the roster, set here to the period's first day).
async fn full_attendance(t: &TestDb, filing_id: i64, period: Period) {
    let (from, to) = period.days().unwrap();
    sqlx::query("UPDATE roster_members SET joined_on = $1 WHERE filing_id = $2")
        .bind(from.to_string())
        .bind(filing_id)
        .execute(&t.db.pool)
        .await
        .unwrap();
    let pm = t.user_id("13857700011").await;
    for day in from.iter_days().take_while(|d| *d <= to) {
        sqlx::query(
            "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m, accepted, counted, basis, flags, device_key)
             VALUES ($1, $2, 0, $3, 27.6625, 120.5655, 10, 1, 1, 'inside', '', 'devicepm0001')",
        )
        .bind(pm)
        .bind(filing_id)
        .bind(day.to_string())
        .execute(&t.db.pool)
        .await
        .unwrap();
    }
}

fn scores(e: &evaluations::EvaluationView, values: &[&str], reasons: &[&str]) -> ScoreForm {
    ScoreForm {
        items: e.items.iter().map(|i| i.code.clone()).collect(),
        scores: values.iter().map(|s| s.to_string()).collect(),
        reasons: reasons.iter().map(|s| s.to_string()).collect(),
        remarks: "总体履约情况良好".into(),
    }
}

/// A filed project (the hospital, 浙江平阳建设集团) with its last quarter
/// started by the owner: (filing id, evaluation id).
async fn started(t: &TestDb) -> (i64, i64) {
    let id = site(t).await;
    full_attendance(t, id, last_quarter()).await;
    let owner = t.actor("chengjian").await;
    let e = service::start(&t.db, &t.settings, &owner, id, &last_quarter().code())
        .await
        .unwrap();
    (id, e)
}

async fn view(t: &TestDb, who: &str, id: i64) -> evaluations::EvaluationView {
    service::get(&t.db, &t.settings, &t.actor(who).await, id)
        .await
        .unwrap()
}

async fn a_quarter_is_scored_against_its_evidence(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let (filing, id) = started(&t).await;
    let owner = t.actor("chengjian").await;
    let e = view(&t, "chengjian", id).await;
    // The default form: 14 / 13 / 45 / 15 / 13.
    let weights: Vec<i64> = e.items.iter().map(|i| i.weight).collect();
    assert_eq!(weights, [14, 13, 45, 15, 13]);
    // Proposals from the evidence: the manager on duty every day (full
    // marks), no progress reported (none), no orders (full marks).
    let proposed: Vec<Option<i64>> = e.items.iter().map(|i| i.proposed).collect();
    assert_eq!(
        proposed,
        [Some(14), None, None, Some(0), Some(13)],
        "{:?}",
        e.evidence
    );
    // Past the revised completion (2025-07-31) and not completed: no marks
    // for the schedule.
    assert!(e.evidence.facts.overdue);
    assert_eq!(e.evidence.facts.lead_rate, Some(100.0));
    assert!(
        e.evidence
            .people
            .iter()
            .any(|m| m.name == "赵建国" && m.required > 60)
    );

    // Bad values, each at its field; nothing changes.
    let before = t.count("audit_log").await;
    let bad = scores(&e, &["15", "abc", "-1", "", "13"], &["", "", "", "", ""]);
    let err = service::save(&t.db, &t.settings, &owner, id, &bad, "", "")
        .await
        .unwrap_err();
    assert_field(&err, "scores[0]", "0–14");
    assert_field(&err, "scores[1]", "0–13");
    assert_field(&err, "scores[2]", "0–45");
    // A score other than the proposal needs a reason.
    let unexplained = scores(&e, &["10", "12", "40", "13", "13"], &["", "", "", "", ""]);
    let err = service::save(&t.db, &t.settings, &owner, id, &unexplained, "", "")
        .await
        .unwrap_err();
    assert_field(&err, "reasons[0]", "建议分 14");
    let mut broken = unexplained.clone();
    broken.items.pop();
    let err = service::save(&t.db, &t.settings, &owner, id, &broken, "", "")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("刷新"), "{err}");
    let mut long = scores(&e, &["14", "", "", "", ""], &["", "", "", "", ""]);
    long.remarks = "很".repeat(501);
    let err = service::save(&t.db, &t.settings, &owner, id, &long, "", "")
        .await
        .unwrap_err();
    assert_field(&err, "remarks", "");
    assert_eq!(t.count("audit_log").await, before, "nothing written");

    // Other units: no reading, no writing, no starting.
    let other = t.actor("jiaoyu").await;
    assert_eq!(
        service::get(&t.db, &t.settings, &other, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::save(&t.db, &t.settings, &other, id, &unexplained, "", "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::start(
            &t.db,
            &t.settings,
            &other,
            filing,
            &Period::of(today()).code()
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    // Periods: twice, not yet ended, not completed, nonsense.
    for (period, says) in [
        (last_quarter().code(), "已有"),
        (Period::of(today()).code(), "季度结束后"),
        ("completion".to_string(), "完工"),
        ("2026Q9".to_string(), "考评期间"),
    ] {
        let err = service::start(&t.db, &t.settings, &owner, filing, &period)
            .await
            .unwrap_err();
        assert_field(&err, "period", says);
    }

    // A draft may be partial; submission needs every item.
    let partial = scores(&e, &["14", "", "", "", "13"], &["", "", "", "", ""]);
    service::save(&t.db, &t.settings, &owner, id, &partial, "", "")
        .await
        .unwrap();
    let err = records::submit(&t.db, &owner, &evaluations::RECORD, id)
        .await
        .unwrap_err();
    assert_field(&err, "submit", "尚未评分");
    // 85 is 良好 (the cut-off itself).
    let e = view(&t, "chengjian", id).await;
    let good = scores(
        &e,
        &["12", "11", "36", "13", "13"],
        &["项目副经理两周未到岗", "", "", "工期延误系设计变更所致", ""],
    );
    service::save(&t.db, &t.settings, &owner, id, &good, "", "")
        .await
        .unwrap();
    let e = view(&t, "chengjian", id).await;
    assert_eq!((e.total, e.grade), (Some(85), Some(Grade::Good)));
    let message = records::submit(&t.db, &owner, &evaluations::RECORD, id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        message.contains("85") && message.contains("良好"),
        "{message}"
    );

    // Submitted: a correction needs its reason; 84 is 合格; never voided.
    let e = view(&t, "chengjian", id).await;
    assert!(e.frozen && e.object_until.is_some());
    let pass = scores(
        &e,
        &["12", "11", "35", "13", "13"],
        &["项目副经理两周未到岗", "", "", "工期延误系设计变更所致", ""],
    );
    let err = service::save(
        &t.db,
        &t.settings,
        &owner,
        id,
        &pass,
        "",
        &e.version.to_string(),
    )
    .await
    .unwrap_err();
    assert_field(&err, "correction", "更正原因");
    let err = service::save(&t.db, &t.settings, &owner, id, &pass, "质量扣分漏计", "1")
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Conflict, "a stale form");
    service::save(
        &t.db,
        &t.settings,
        &owner,
        id,
        &pass,
        "质量扣分漏计",
        &e.version.to_string(),
    )
    .await
    .unwrap();
    let e = view(&t, "chengjian", id).await;
    assert_eq!((e.total, e.grade), (Some(84), Some(Grade::Pass)));
    let err = records::void(&t.db, &owner, &evaluations::RECORD, id, "重复", None)
        .await
        .unwrap_err();
    assert_field(&err, "void_reason", "不能作废");
    let versions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'evaluation' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        versions >= 5,
        "create, saves, submission, correction: {versions}"
    );
}

async fn a_changed_form_leaves_past_evaluations_alone(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let (filing, id) = started(&t).await;
    let admin = t.actor("admin").await;
    let old = service::form::current(&t.db).await.unwrap();
    let input = |weights: [&str; 3], good: &str, pass: &str, evidence: [&str; 3]| FormInput {
        names: vec!["关键人员到岗".into(), "质量安全".into(), "进度".into()],
        weights: weights.iter().map(|s| s.to_string()).collect(),
        guidance: vec![String::new(); 3],
        evidence: evidence.iter().map(|s| s.to_string()).collect(),
        good_min: good.into(),
        pass_min: pass.into(),
        objection_days: "10".into(),
    };
    let ev = ["personnel", "", "schedule"];
    let e = service::form::save(
        &t.db,
        &admin,
        &input(["20", "60", "10"], "90", "70", ev),
        old.id,
    )
    .await
    .unwrap_err();
    assert_field(&e, "items", "现为 90 分");
    let e = service::form::save(
        &t.db,
        &admin,
        &input(["20", "60", "20"], "70", "70", ev),
        old.id,
    )
    .await
    .unwrap_err();
    assert_field(&e, "pass_min", "低于良好");
    let e = service::form::save(
        &t.db,
        &admin,
        &input(
            ["20", "x", "20"],
            "90",
            "70",
            ["personnel", "", "personnel"],
        ),
        old.id,
    )
    .await
    .unwrap_err();
    assert_field(&e, "weights[1]", "整数");
    assert_field(&e, "evidence[2]", "一个项目");
    let owner = t.actor("chengjian").await;
    assert_eq!(
        service::form::save(
            &t.db,
            &owner,
            &input(["20", "60", "20"], "90", "70", ev),
            old.id
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    let new = service::form::save(
        &t.db,
        &admin,
        &input(["20", "60", "20"], "90", "70", ev),
        old.id,
    )
    .await
    .unwrap();
    assert_eq!(
        service::form::save(
            &t.db,
            &admin,
            &input(["30", "50", "20"], "90", "70", ev),
            old.id
        )
        .await
        .unwrap_err(),
        AppError::Conflict,
        "saved over a newer version"
    );
    // The evaluation begun on the old form keeps it; a new one takes the new.
    let e = view(&t, "chengjian", id).await;
    assert_eq!(e.form_id, old.id);
    assert_eq!(e.items.len(), 5);
    assert_eq!((e.good_min, e.pass_min), (85, 60));
    let earlier = Period::of(last_quarter().days().unwrap().0.pred_opt().unwrap());
    sqlx::query("UPDATE roster_members SET joined_on = $1 WHERE filing_id = $2")
        .bind(earlier.days().unwrap().0.to_string())
        .bind(filing)
        .execute(&t.db.pool)
        .await
        .unwrap();
    let mut s = t.settings.clone();
    s.go_live = today() - chrono::Duration::days(400);
    let second = service::start(&t.db, &s, &owner, filing, &earlier.code())
        .await
        .unwrap();
    let e2 = view(&t, "chengjian", second).await;
    assert_eq!(e2.form_id, new);
    let weights: Vec<i64> = e2.items.iter().map(|i| i.weight).collect();
    assert_eq!(weights, [20, 60, 20]);
    assert_eq!(e2.items[0].proposed, Some(0), "no check-ins that quarter");
}

async fn a_contractor_objects_and_a_supervisor_decides(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let (_, id) = started(&t).await;
    let owner = t.actor("chengjian").await;
    let mine = t.actor("sg_pyjs").await;
    let other = t.actor("sg_ajjz").await;
    let e = view(&t, "chengjian", id).await;
    let form = scores(
        &e,
        &["14", "8", "30", "10", "13"],
        &["", "", "", "停工待图", ""],
    );
    service::save(&t.db, &t.settings, &owner, id, &form, "", "")
        .await
        .unwrap();
    // Not yet submitted: not the contractor's to read, nothing to object to.
    assert_eq!(
        service::get(&t.db, &t.settings, &mine, id)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        service::list(&t.db, &mine, &EvalFilter::parse("", "draft", 0), 1)
            .await
            .unwrap()
            .total,
        0
    );
    let err = service::file_objection(&t.db, &mine, id, "分数偏低", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("已提交"), "{err}");
    records::submit(&t.db, &owner, &evaluations::RECORD, id)
        .await
        .unwrap();
    let e = view(&t, "sg_pyjs", id).await;
    assert!(e.can_object && !e.editable && !e.can_answer && !e.can_decide);

    // Another company, the owner, an empty reason: refused, nothing written.
    assert_eq!(
        service::file_objection(&t.db, &other, id, "冒名异议", None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::file_objection(&t.db, &owner, id, "x", None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let err = service::file_objection(&t.db, &mine, id, "  ", None)
        .await
        .unwrap_err();
    assert_field(&err, "reason", "异议理由");
    assert_eq!(t.count("objections").await, 0);

    let x = service::file_objection(
        &t.db,
        &mine,
        id,
        "工程实施过程管理扣分无依据，月度检查均合格",
        None,
    )
    .await
    .unwrap();
    let err = service::file_objection(&t.db, &mine, id, "再次异议", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("已提出过"), "{err}");

    let zjj = t.actor("zjj").await;
    let jtj = t.actor("jtj").await;
    let step = |who: app::platform::actor::Actor, step: &'static str, body: &'static str| {
        let db = t.db.clone();
        async move { service::objection_step(&db, &who, x, step, body, "").await }
    };
    // Refused steps: decided before the answer, answered by a supervisor, by
    // another owner, by the contractor; decided outside the sector.
    let err = step(zjj.clone(), "uphold", "成立").await.unwrap_err();
    assert!(err.to_string().contains("答复后"), "{err}");
    assert_eq!(
        step(zjj.clone(), "answer", "答复").await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        step(t.actor("jiaoyu").await, "answer", "答复")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        step(mine.clone(), "answer", "答复").await.unwrap_err(),
        AppError::Forbidden
    );
    assert_field(
        &step(owner.clone(), "answer", "").await.unwrap_err(),
        "body",
        "答复意见",
    );
    step(owner.clone(), "answer", "过程检查记录附后，扣分有据")
        .await
        .unwrap();
    let err = step(owner.clone(), "answer", "再答复").await.unwrap_err();
    assert!(err.to_string().contains("已答复"), "{err}");
    assert_eq!(
        step(jtj, "dismiss", "驳回").await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        step(owner.clone(), "uphold", "成立").await.unwrap_err(),
        AppError::Forbidden
    );
    assert!(view(&t, "zjj", id).await.can_decide);
    step(zjj.clone(), "uphold", "检查记录不支持扣分，请重新评分")
        .await
        .unwrap();
    let err = step(zjj.clone(), "dismiss", "驳回").await.unwrap_err();
    assert!(err.to_string().contains("已裁定"), "{err}");

    // Upheld: the owner scores again, and the new scoring can be objected to.
    let e = view(&t, "chengjian", id).await;
    assert!(e.rescore_due);
    assert_eq!(e.objections[0].state, ObjectionState::Upheld);
    let again = scores(
        &e,
        &["14", "10", "38", "10", "13"],
        &["", "", "", "停工待图", ""],
    );
    service::save(
        &t.db,
        &t.settings,
        &owner,
        id,
        &again,
        "异议成立，重新评分",
        &e.version.to_string(),
    )
    .await
    .unwrap();
    let e = view(&t, "sg_pyjs", id).await;
    assert!(
        !e.rescore_due && e.can_object,
        "a new scoring, a new period"
    );
    let y = service::file_objection(&t.db, &mine, id, "工期扣分未考虑停电", None)
        .await
        .unwrap();
    service::objection_step(&t.db, &owner, y, "answer", "停电仅两天", "")
        .await
        .unwrap();
    service::objection_step(&t.db, &zjj, y, "dismiss", "理由不成立", "")
        .await
        .unwrap();
    assert_eq!(
        view(&t, "zjj", id).await.objections[0].state,
        ObjectionState::Dismissed
    );

    // After the objection period: refused.
    sqlx::query(
        "UPDATE evaluations SET scored_at = scored_at - $1, version = version + 1 WHERE id = $2",
    )
    .bind(10 * 86_400_000_i64)
    .bind(id)
    .execute(&t.db.pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM objections WHERE id = $1")
        .bind(y)
        .execute(&t.db.pool)
        .await
        .unwrap();
    let err = service::file_objection(&t.db, &mine, id, "逾期异议", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("异议期已过"), "{err}");

    // Contractors see their own company only.
    let page = service::list(&t.db, &mine, &EvalFilter::parse("", "", 0), 1)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let page = service::list(&t.db, &other, &EvalFilter::parse("", "", 0), 1)
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    assert_eq!(
        service::get(&t.db, &t.settings, &other, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let record = contractors::service::get(&t.db, &mine, 0).await.unwrap();
    assert_eq!(record.evaluations.len(), 1);
    assert_eq!(record.projects.len(), 1);
    assert_eq!(
        contractors::service::get(&t.db, &other, record.unit_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        contractors::service::get(&t.db, &owner, record.unit_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let zjj_view = contractors::service::get(&t.db, &zjj, record.unit_id)
        .await
        .unwrap();
    assert_eq!(zjj_view.evaluations.len(), 1);
    let jtj_view = contractors::service::get(&t.db, &t.actor("jtj").await, record.unit_id)
        .await
        .unwrap();
    assert!(
        jtj_view.projects.is_empty(),
        "another sector's projects stay out"
    );
}

async fn the_evaluation_rules(b: Backend) {
    let mut t = TestDb::with_demo(b).await;
    // Go-live today: the quarter before is the first owed.
    t.settings.go_live = today();
    let q = last_quarter();
    let due = q.days().unwrap().1 + chrono::Duration::days(15);
    // The manager (on the roster since 2026-09-01) never checked in.
    let filing = site(&t).await;
    let rules = app::features::rules();
    let open = |kind: &'static str| {
        let db = t.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT message FROM alerts WHERE kind = $1 AND filing_id = $2 AND cleared_on IS NULL",
            )
            .bind(kind)
            .bind(filing)
            .fetch_all(&db.pool)
            .await
            .unwrap()
        }
    };
    run(&t.db, &t.settings, &rules, due).await.unwrap();
    assert!(
        open("evaluation_missing").await.is_empty(),
        "due that day, not yet late"
    );
    let after = due + chrono::Duration::days(1);
    run(&t.db, &t.settings, &rules, after).await.unwrap();
    let missing = open("evaluation_missing").await;
    assert_eq!(missing.len(), 1);
    assert!(missing[0].contains(&q.label()), "{missing:?}");

    // Scored 57 (不合格), with full marks for key personnel against no
    // attendance at all: both raised, and the missing evaluation cleared.
    let owner = t.actor("chengjian").await;
    let eid = service::start(&t.db, &t.settings, &owner, filing, &q.code())
        .await
        .unwrap();
    let e = view(&t, "chengjian", eid).await;
    assert_eq!(e.items[0].proposed, Some(0), "{:?}", e.evidence.facts);
    let reasons = ["项目经理实际在岗，未打卡", "", "", "停工待图", ""];
    let form = scores(&e, &["14", "5", "20", "5", "13"], &reasons);
    service::save(&t.db, &t.settings, &owner, eid, &form, "", "")
        .await
        .unwrap();
    records::submit(&t.db, &owner, &evaluations::RECORD, eid)
        .await
        .unwrap();
    // As of a day after the submission (as of `after` it was still missing).
    let later = after.max(today());
    run(&t.db, &t.settings, &rules, later).await.unwrap();
    assert!(open("evaluation_missing").await.is_empty());
    let failing = open("evaluation_fail").await;
    assert_eq!(failing.len(), 1);
    assert!(failing[0].contains("57"), "{failing:?}");
    let over = open("evaluation_overscored").await;
    assert_eq!(over.len(), 1);
    assert!(over[0].contains("机构人员配备 14 分"), "{over:?}");

    // Corrected to 77 (合格): the failing alert clears; a laxer threshold
    // clears the other.
    let e = view(&t, "chengjian", eid).await;
    let better = scores(&e, &["14", "10", "30", "10", "13"], &reasons);
    service::save(
        &t.db,
        &t.settings,
        &owner,
        eid,
        &better,
        "复核后更正",
        &e.version.to_string(),
    )
    .await
    .unwrap();
    run(&t.db, &t.settings, &rules, later).await.unwrap();
    assert!(open("evaluation_fail").await.is_empty());
    assert_eq!(open("evaluation_overscored").await.len(), 1);
    t.settings.evaluation.overscore_pct = 100.0;
    run(&t.db, &t.settings, &rules, later).await.unwrap();
    assert!(open("evaluation_overscored").await.is_empty());
}

/// The demo county's evaluations load on both databases and show every
/// state a user meets: graded periods, a failing one under an answered
/// objection, one dismissed, one upheld, a draft, overscored personnel, and
/// projects whose last quarter is missing.
async fn the_demo_tells_the_evaluation_story(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    server::demo_progress::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    if let Err(e) = server::demo_evaluations::load(&t.db, &t.settings).await {
        panic!("{e}: {:?}", e.field_errors());
    }
    let states: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status FROM objections ORDER BY status")
            .fetch_all(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(states, ["answered", "dismissed", "upheld"]);
    let grades: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT grade FROM evaluations WHERE status = 'submitted' ORDER BY grade",
    )
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(grades, ["fail", "good", "pass"]);
    assert!(t.count("evaluations").await >= 8);
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evaluations WHERE status = 'draft'")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    assert_eq!(drafts, 1);
    let open: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM alerts WHERE cleared_on IS NULL AND kind LIKE 'evaluation%' ORDER BY kind",
    )
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(
        open,
        [
            "evaluation_fail",
            "evaluation_missing",
            "evaluation_overscored"
        ]
    );
    // The replaced manager never checked in after leaving.
    let after_leaving: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM checkins c JOIN roster_members m ON m.user_id = c.user_id AND m.filing_id = c.filing_id
         WHERE m.left_on IS NOT NULL AND c.day >= m.left_on",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(after_leaving, 0);
    // The kindergarten's last quarter is owed, its draft linked.
    let due = service::due(&t.db, &t.settings, &t.actor("jiaoyu").await, today())
        .await
        .unwrap();
    assert!(
        due.iter()
            .any(|d| d.project.contains("幼儿园") && d.draft_id.is_some() && d.overdue),
        "{due:?}"
    );
    assert!(
        service::due(&t.db, &t.settings, &t.actor("jtfz").await, today())
            .await
            .unwrap()
            .is_empty()
    );
    // The transport bureau has the bridge's objection to decide.
    let jtj = t.actor("jtj").await;
    let page = service::list(&t.db, &jtj, &EvalFilter::parse("", "objecting", 0), 1)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert!(
        service::get(&t.db, &t.settings, &jtj, page.items[0].id)
            .await
            .unwrap()
            .can_decide
    );
}

on_both!(
    the_demo_tells_the_evaluation_story,
    a_quarter_is_scored_against_its_evidence,
    a_changed_form_leaves_past_evaluations_alone,
    a_contractor_objects_and_a_supervisor_decides,
    the_evaluation_rules,
);
