//! The alert list on the demo story: scope (owner unit, sector authority,
//! resource office), each filter, and the export holding what the list shows.
use crate::{helpers::TestDb, http::TestServer, on_both};
use app::{
    features::alerts::service::{AlertFilter, list, open_count},
    kit::table::Rows,
    platform::{db::Backend, storage::FileStore},
};

/// Every alert in `actor`'s scope (open first), as the list shows them.
pub async fn alerts(
    db: &app::platform::db::Db,
    actor: &app::platform::actor::Actor,
) -> Result<Vec<app::features::alerts::AlertRow>, app::error::AppError> {
    Ok(list(db, actor, &AlertFilter::default(), Rows::All)
        .await?
        .items)
}

async fn open_in_db(t: &TestDb, extra: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM alerts x JOIN awards a ON a.id = x.award_id
         JOIN units o ON o.id = a.owner_unit_id WHERE x.cleared_on IS NULL {extra}"
    ))
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

fn by(q: &str, state: &str, severity: &str, rule: &str, sector: &str) -> AlertFilter {
    AlertFilter::parse(q, state, severity, rule, sector, "")
}

async fn the_alert_list_is_scoped_and_filtered(b: Backend) {
    let s = TestServer::start(b).await;
    let t = &s.t;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let zgb = t.actor("zgb").await;
    let all = list(&t.db, &zgb, &AlertFilter::default(), Rows::All)
        .await
        .unwrap();
    let open = open_in_db(t, "").await;
    assert!(open >= 9, "the demo story raises every rule: {open}");
    assert_eq!(all.total, open);
    assert_eq!(open_count(&t.db, &zgb).await.unwrap(), open);

    // Each filter.
    let late = list(&t.db, &zgb, &by("", "open", "", "signed_late", ""), 1)
        .await
        .unwrap();
    assert_eq!(late.total, 1);
    assert_eq!(late.items[0].rule, "合同签订超期");
    assert!(late.items[0].project.starts_with("水头镇溪边大桥改建工程"));
    assert_eq!(late.items[0].started_on, "2024-10-12");
    // A filed project's alert links to the project's file; an award not yet
    // filed has none.
    let bridge_filing: i64 = sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE a.project_name LIKE '水头镇溪边大桥改建工程%' AND f.status = 'submitted'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(late.items[0].dossier, Some(bridge_filing));
    assert!(
        all.items
            .iter()
            .filter(|a| a.rule == "中标后未按期备案")
            .all(|a| a.dossier.is_none())
    );
    let bridge = list(&t.db, &zgb, &by("溪边大桥", "", "", "", ""), 1)
        .await
        .unwrap();
    // (Besides what the evaluation rules find, which grow with the days.)
    let money: Vec<_> = bridge
        .items
        .iter()
        .filter(|a| !a.rule.contains("考评"))
        .collect();
    assert_eq!(money.len(), 2, "signed late and off the award price");
    let transport = list(&t.db, &zgb, &by("", "", "", "", "transport"), Rows::All)
        .await
        .unwrap();
    assert!(transport.total > 0 && transport.items.iter().all(|a| a.sector == "交通"));
    assert_eq!(
        transport.total,
        open_in_db(t, "AND a.sector = 'transport'").await
    );
    let none = list(&t.db, &zgb, &by("", "cleared", "", "", ""), 1)
        .await
        .unwrap();
    assert_eq!(none.total, 0, "nothing cleared yet");
    let serious = list(&t.db, &zgb, &by("", "", "serious", "", ""), 1)
        .await
        .unwrap();
    assert_eq!(
        serious.total,
        open_in_db(t, "AND x.severity = 'serious'").await
    );
    // Unknown values filter nothing; wildcards are searched for literally.
    let odd = list(&t.db, &zgb, &by("", "'; --", "x", "no_rule", "航天"), 1)
        .await
        .unwrap();
    assert_eq!(odd.total, open);
    let pct = list(&t.db, &zgb, &by("%", "", "", "", ""), 1)
        .await
        .unwrap();
    let with_pct = all.items.iter().filter(|a| a.message.contains('%')).count() as i64;
    assert!(with_pct > 0 && with_pct < open);
    assert_eq!(pct.total, with_pct, "% is searched for, not a wildcard");

    // Scope: an owner unit sees its own projects, a sector authority its
    // sector, whatever filter they send.
    let jiaoyu = t.actor("jiaoyu").await;
    let own = list(&t.db, &jiaoyu, &AlertFilter::default(), Rows::All)
        .await
        .unwrap();
    assert!(own.total > 0 && own.items.iter().all(|a| a.owner == "平阳县教育局"));
    assert_eq!(
        own.total,
        open_in_db(t, "AND o.name = '平阳县教育局'").await
    );
    let theirs = list(&t.db, &jiaoyu, &by("溪边大桥", "", "", "", ""), 1)
        .await
        .unwrap();
    assert_eq!(theirs.total, 0);
    // The 建设单位 filter: the resource office narrows to one unit; an owner
    // naming another unit's id sees nothing of it; a bad id is no filter.
    let (edu, transport_dev): (String, String) = sqlx::query_as(
        "SELECT CAST((SELECT id FROM units WHERE name = '平阳县教育局') AS TEXT),
                CAST((SELECT id FROM units WHERE name = '平阳县交通发展集团有限公司') AS TEXT)",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let unit = |u: &str| AlertFilter::parse("", "", "", "", "", u);
    let edu_only = list(&t.db, &zgb, &unit(&edu), Rows::All).await.unwrap();
    assert_eq!(edu_only.total, own.total);
    assert!(edu_only.items.iter().all(|a| a.owner == "平阳县教育局"));
    assert_eq!(
        list(&t.db, &jiaoyu, &unit(&transport_dev), 1)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        list(&t.db, &zgb, &unit("1 OR 1=1"), 1).await.unwrap().total,
        open
    );
    let jtj = t.actor("jtj").await;
    let sector = list(&t.db, &jtj, &AlertFilter::default(), Rows::All)
        .await
        .unwrap();
    assert_eq!(sector.total, transport.total);
    let pm = t.actor("xmjl_zhang").await;
    assert!(list(&t.db, &pm, &AlertFilter::default(), 1).await.is_err());

    // The export holds what the list shows under the same filters.
    let c = s.logged_in("zgb").await;
    let rows =
        crate::exports::sheet(&s, &c, "/export/alerts.xlsx?sector=transport&state=open").await;
    assert_eq!(rows[0][..3], ["开始日期", "规则", "级别"]);
    assert_eq!(rows.len() as i64 - 1, transport.total);
    // The page renders the filters and the rows.
    let html = s
        .page(&c, "/alerts?rule=signed_late")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("相隔 67 天") && !html.contains("偏离 21.5%"),
        "{html}"
    );
}

on_both!(the_alert_list_is_scoped_and_filtered);
