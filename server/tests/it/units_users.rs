//! Units and users: validation, duplicates, role rules and scoping.
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    domain::CreditCode,
    error::AppError,
    features::{
        audit::service::record_history,
        units::service::{self as units, UnitInput},
        users::service::{self as users, NewUser, UserInput},
    },
    platform::db::Backend,
};

/// Payloads that must never be stored as a name.
const BAD_NAMES: &[&str] = &[
    "",
    "   ",
    "😀建设局",
    "<script>alert(1)</script>",
    "x'); DROP TABLE units;--",
];

async fn bad_unit_input_is_refused_at_the_field_and_nothing_written(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let (units_before, audit_before) = (t.count("units").await, t.count("audit_log").await);
    let good = CreditCode::with_check("91330326MA2W00001").unwrap();
    for bad in BAD_NAMES {
        let e = UnitInput::parse("owner", bad, good.as_str(), "").unwrap_err();
        assert!(
            e.field_errors().unwrap().contains_key("name"),
            "{bad}: {e:?}"
        );
    }
    let long = "建".repeat(61);
    assert_field(
        &UnitInput::parse("owner", &long, good.as_str(), "").unwrap_err(),
        "name",
        "超过",
    );
    let last = if good.as_str().ends_with('0') {
        "1"
    } else {
        "0"
    };
    let wrong_check = format!("{}{last}", &good.as_str()[..17]);
    assert_field(
        &UnitInput::parse("owner", "某单位", &wrong_check, "").unwrap_err(),
        "credit_code",
        "校验位",
    );
    assert_field(
        &UnitInput::parse("owner", "某单位", "' OR 1=1 --", "").unwrap_err(),
        "credit_code",
        "18位",
    );
    assert_field(
        &UnitInput::parse("bank", "某单位", good.as_str(), "").unwrap_err(),
        "kind",
        "单位类型",
    );
    assert_field(
        &UnitInput::parse("sector_authority", "某局", good.as_str(), "").unwrap_err(),
        "sector",
        "行业",
    );
    assert_field(
        &UnitInput::parse("sector_authority", "某局", good.as_str(), "mining").unwrap_err(),
        "sector",
        "列表",
    );
    // Every field wrong at once: each is reported.
    let e = UnitInput::parse("", "", "", "").unwrap_err();
    assert_eq!(e.field_errors().unwrap().len(), 3);
    assert_eq!(
        (t.count("units").await, t.count("audit_log").await),
        (units_before, audit_before)
    );
}

async fn a_duplicate_credit_code_is_a_field_error(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let existing: String =
        sqlx::query_scalar("SELECT credit_code FROM units WHERE name = '平阳县教育局'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    let audit_before = t.count("audit_log").await;
    let e = units::create(
        &t.db,
        &admin,
        UnitInput::parse("owner", "另一单位", &existing, "").unwrap(),
    )
    .await
    .unwrap_err();
    assert_field(&e, "credit_code", "已登记");
    assert_eq!(
        t.count("audit_log").await,
        audit_before,
        "a refused write leaves no trail entry"
    );
}

async fn unit_kind_cannot_change_under_its_users(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let id = t.unit_id("平阳县教育局").await;
    let u = units::get(&t.db, &admin, id).await.unwrap();
    let e = units::update(
        &t.db,
        &admin,
        id,
        UnitInput::parse("contractor", &u.name, &u.credit_code, "").unwrap(),
    )
    .await
    .unwrap_err();
    assert_field(&e, "kind", "已有用户");
}

async fn users_need_a_role_that_fits_their_unit(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // Accounts are the security administrator's (三权分立).
    let admin = t.actor("anquan").await;
    let contractor = t.unit_id("浙江平阳建设集团有限公司").await;
    let input = NewUser::parse(
        "new_owner",
        "赵六",
        "13700001111",
        "owner",
        &contractor.to_string(),
        "Chushi#2026",
    )
    .unwrap();
    let e = users::create(&t.db, &admin, input).await.unwrap_err();
    assert_field(&e, "role", "不能属于");
    let ok = NewUser::parse(
        "new_kp",
        "赵六",
        "13700001111",
        "key_personnel",
        &contractor.to_string(),
        "Chushi#2026",
    )
    .unwrap();
    let id = users::create(&t.db, &admin, ok).await.unwrap();
    let u = users::get(&t.db, &admin, id).await.unwrap();
    assert!(
        u.must_change_password,
        "an administrator's first password must be replaced"
    );
}

async fn user_input_errors_and_duplicates(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // Accounts are the security administrator's (三权分立).
    let admin = t.actor("anquan").await;
    let e = NewUser::parse("A B", "😀", "123", "root", "", "weak").unwrap_err();
    let fields = e.field_errors().unwrap();
    for f in [
        "username",
        "display_name",
        "mobile",
        "role",
        "unit_id",
        "password",
    ] {
        assert!(fields.contains_key(f), "{f} missing in {fields:?}");
    }
    let unit = t.unit_id("平阳县教育局").await.to_string();
    let dup_name = NewUser::parse(
        "admin",
        "某人",
        "13700002222",
        "owner",
        &unit,
        "Chushi#2026",
    )
    .unwrap();
    assert_field(
        &users::create(&t.db, &admin, dup_name).await.unwrap_err(),
        "username",
        "已被使用",
    );
    let dup_mobile = NewUser::parse(
        "someone",
        "某人",
        "13905770001",
        "owner",
        &unit,
        "Chushi#2026",
    )
    .unwrap();
    assert_field(
        &users::create(&t.db, &admin, dup_mobile).await.unwrap_err(),
        "mobile",
        "已绑定",
    );
}

async fn a_reset_needs_a_policy_password_and_unlocks(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // Accounts are the security administrator's (三权分立).
    let admin = t.actor("anquan").await;
    let id = t.user_id("jtfz").await;
    let before = t.count("audit_log").await;
    for bad in [
        "",
        "short1!",
        "alllowercase",
        "jtfz@Pass2026",
        "😀😀😀😀😀😀😀😀😀😀A1",
    ] {
        let e = users::reset_password(&t.db, &admin, id, bad)
            .await
            .unwrap_err();
        assert!(
            e.field_errors().is_some_and(|f| f.contains_key("password")),
            "{bad}: {e:?}"
        );
    }
    assert_eq!(t.count("audit_log").await, before);
    sqlx::query(
        "INSERT INTO login_failures (user_id, address, failures, locked_until, updated_at) VALUES ($1, '10.0.0.9', 5, $2, 0)",
    )
    .bind(id)
    .bind(app::platform::time::now_ms() + 600_000)
    .execute(&t.db.pool)
    .await
    .unwrap();
    assert!(users::get(&t.db, &admin, id).await.unwrap().locked);
    users::reset_password(&t.db, &admin, id, "Linshi#2026x")
        .await
        .unwrap();
    let u = users::get(&t.db, &admin, id).await.unwrap();
    assert!(!u.locked && u.must_change_password);
    assert_eq!(t.count("audit_log").await, before + 1);
}

async fn admins_cannot_lock_themselves_out(b: Backend) {
    let t = TestDb::with_demo(b).await;
    // Accounts are the security administrator's (三权分立).
    let admin = t.actor("anquan").await;
    assert!(
        users::set_disabled(&t.db, &admin, admin.user_id, true)
            .await
            .is_err()
    );
    let input =
        UserInput::parse("赵文博", "13905770005", "admin", &admin.unit_id.to_string()).unwrap();
    assert_field(
        &users::update(&t.db, &admin, admin.user_id, input)
            .await
            .unwrap_err(),
        "role",
        "自己",
    );
}

async fn other_units_records_are_refused_in_the_services(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let other = t.unit_id("平阳县鳌江镇人民政府").await;
    let own = owner.unit_id;
    assert_eq!(
        units::get(&t.db, &owner, other).await.unwrap_err(),
        AppError::Forbidden
    );
    assert!(units::get(&t.db, &owner, own).await.is_ok());
    assert_eq!(
        record_history(&t.db, &owner, "unit", &other.to_string())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert!(
        !record_history(&t.db, &owner, "unit", &own.to_string())
            .await
            .unwrap()
            .is_empty()
    );
    let someone = t.user_id("aojiang").await;
    assert_eq!(
        record_history(&t.db, &owner, "user", &someone.to_string())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        record_history(&t.db, &owner, "contract", "1")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    // Listing as an owner shows their own unit only.
    let page = units::list(&t.db, &owner, "", "", 1).await.unwrap();
    assert_eq!(
        page.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![own]
    );
    // Writes are for administrators.
    let code = CreditCode::with_check("91330326MA2W00003").unwrap();
    let input = UnitInput::parse("owner", "冒名单位", code.as_str(), "").unwrap();
    assert_eq!(
        units::create(&t.db, &owner, input.clone())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        units::update(&t.db, &owner, own, input).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::list(&t.db, &owner, "", "", 1).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::reset_password(&t.db, &owner, someone, "Chushi#2026")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}

async fn search_filters_and_pages(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let all = units::list(&t.db, &admin, "", "", 1).await.unwrap();
    assert_eq!(all.total, 15);
    let owners = units::list(&t.db, &admin, "", "owner", 1).await.unwrap();
    assert_eq!(owners.total, 4);
    let found = units::list(&t.db, &admin, "交通", "", 1).await.unwrap();
    assert_eq!(found.total, 3);
    // LIKE wildcards typed by a user are literal.
    assert_eq!(
        units::list(&t.db, &admin, "%", "", 1).await.unwrap().total,
        0
    );
    let security = t.actor("anquan").await;
    let by_mobile = users::list(&t.db, &security, "139057700", "", 1)
        .await
        .unwrap();
    assert_eq!(by_mobile.total, 14);
    let kp = users::list(&t.db, &security, "", "key_personnel", 1)
        .await
        .unwrap();
    assert_eq!(kp.total, 2);
}

on_both!(
    bad_unit_input_is_refused_at_the_field_and_nothing_written,
    a_duplicate_credit_code_is_a_field_error,
    unit_kind_cannot_change_under_its_users,
    users_need_a_role_that_fits_their_unit,
    user_input_errors_and_duplicates,
    a_reset_needs_a_policy_password_and_unlocks,
    admins_cannot_lock_themselves_out,
    other_units_records_are_refused_in_the_services,
    search_filters_and_pages,
);
