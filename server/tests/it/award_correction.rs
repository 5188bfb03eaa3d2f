//! 更正中标信息: what a feed may not change of a filed award, corrected by
//! the system administrator with a reason; the filing follows.
use crate::{filings::ready_filing, helpers::TestDb, on_both};
use app::{
    error::AppError,
    features::{awards::service as awards, filings::service as filings},
    platform::{audit, db::Backend},
};

async fn award_of(t: &TestDb, filing: i64) -> i64 {
    sqlx::query_scalar("SELECT award_id FROM filings WHERE id = $1")
        .bind(filing)
        .fetch_one(&t.db.pool)
        .await
        .unwrap()
}

async fn an_administrator_corrects_a_filed_award(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = ready_filing(&t).await;
    let chengjian = t.actor("chengjian").await;
    filings::submit(&t.db, &chengjian, id).await.unwrap();
    let award = award_of(&t, id).await;
    let admin = t.actor("admin").await;
    let jiaoyu_unit = t.unit_id("平阳县教育局").await.to_string();
    let contractor = t.unit_id("浙江平阳建设集团有限公司").await.to_string();

    // Bad values: every field named, nothing written.
    match awards::Correction::parse("", "x", "abc", "nope", "错") {
        Err(AppError::Invalid { fields, .. }) => {
            for f in [
                "owner_unit_id",
                "contractor_unit_id",
                "award_price",
                "sector",
                "reason",
            ] {
                assert!(fields.contains_key(f), "{f}: {fields:?}");
            }
        }
        other => panic!("{other:?}"),
    }
    let head = || async {
        sqlx::query_scalar::<_, i64>("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&t.db.pool)
            .await
            .unwrap()
    };
    let before = head().await;
    // A contractor named as the owner unit (and the other way round).
    let swapped = awards::Correction::parse(
        &contractor,
        &jiaoyu_unit,
        "1000000",
        "housing",
        "录入错误，依中标通知书更正",
    )
    .unwrap();
    match awards::correct(&t.db, &t.settings, &admin, award, &swapped).await {
        Err(AppError::Invalid { fields, .. }) => {
            assert!(fields["owner_unit_id"].contains("建设单位"));
            assert!(fields["contractor_unit_id"].contains("施工或监理"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(head().await, before, "nothing written");

    // Only the system administrator corrects.
    let c = awards::Correction::parse(
        &jiaoyu_unit,
        &contractor,
        "16,000,000.00",
        "housing",
        "交易平台录入错误，依中标通知书更正",
    )
    .unwrap();
    for who in ["zgb", "chengjian", "anquan", "shenji"] {
        let actor = t.actor(who).await;
        assert!(
            matches!(
                awards::correct(&t.db, &t.settings, &actor, award, &c).await,
                Err(AppError::Forbidden)
            ),
            "{who}"
        );
    }
    awards::correct(&t.db, &t.settings, &admin, award, &c)
        .await
        .unwrap();

    // The filing follows the award to its corrected owner; the contract
    // (32,650,000) is now far from the corrected price: flagged.
    let jiaoyu = t.actor("jiaoyu").await;
    let f = filings::get(&t.db, &jiaoyu, id).await.unwrap();
    assert!(f.price_flag);
    assert!(matches!(
        filings::get(&t.db, &chengjian, id).await,
        Err(AppError::Forbidden)
    ));
    let history = audit::history(&t.db, "award", &award.to_string())
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "correct");
    let after = last.after_json.as_deref().unwrap();
    assert!(
        after.contains("交易平台录入错误") && after.contains("平阳县教育局"),
        "{after}"
    );
    assert!(
        !last
            .before_json
            .as_deref()
            .unwrap()
            .contains("平阳县教育局")
    );
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
}

on_both!(an_administrator_corrects_a_filed_award);
