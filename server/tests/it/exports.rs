//! Excel exports over HTTP: each list's file opens with calamine and holds
//! the rows the list shows, under its filters and the viewer's scope.
use crate::{filings::ready_filing, http::TestServer, on_both};
use app::{
    features::{awards::service as awards, filings::service as filings},
    kit::table::Rows,
    platform::db::Backend,
};
use calamine::{Data, Reader, Xlsx};
use reqwest::{Client, StatusCode, header};
use std::io::Cursor;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The sheet's rows as text (numbers as Excel stores them).
pub async fn sheet(s: &TestServer, c: &Client, path: &str) -> Vec<Vec<String>> {
    let r = c.get(s.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()[header::CONTENT_TYPE], XLSX, "{path}");
    let disposition = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename*=UTF-8''"),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f:.2}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn every_list_exports_what_it_shows(b: Backend) {
    let s = TestServer::start(b).await;
    let id = ready_filing(&s.t).await;
    let owner = s.t.actor("chengjian").await;
    filings::submit(&s.t.db, &owner, id).await.unwrap();

    // Filings: the owner's own, money in 元 with two decimals.
    let c = s.logged_in("chengjian").await;
    let rows = sheet(&s, &c, "/export/filings.xlsx").await;
    assert_eq!(
        rows[0][..6],
        [
            "项目名称",
            "标段名称",
            "建设单位",
            "施工单位",
            "合同编号",
            "合同价（元）"
        ]
    );
    let listed = filings::list(&s.t.db, &owner, "", "", Rows::All)
        .await
        .unwrap();
    assert_eq!(rows.len() - 1, listed.items.len());
    let filed = rows
        .iter()
        .find(|r| r[4] == "PYRM-2024-018")
        .expect("the filed contract is exported");
    assert_eq!(filed[5], "32650000.00");
    assert_eq!(filed[7], "已备案");
    // Under a filter: only the matching rows.
    let rows = sheet(
        &s,
        &c,
        "/export/filings.xlsx?q=%E4%B8%8D%E5%AD%98%E5%9C%A8&status=",
    )
    .await;
    assert_eq!(
        rows.len(),
        1,
        "a search that matches nothing: the header only"
    );
    let rows = sheet(&s, &c, "/export/filings.xlsx?status=submitted").await;
    assert!(rows[1..].iter().all(|r| r[7] == "已备案"));

    // Awards: the owner sees only its unit's; a supervisor sees all; the
    // pending filter gives the 待备案 list.
    let rows = sheet(&s, &c, "/export/awards.xlsx").await;
    let mine = awards::list(&s.t.db, &owner, "", "", Rows::All)
        .await
        .unwrap();
    assert_eq!(rows.len() - 1, mine.items.len());
    assert!(rows[1..].iter().all(|r| r[5] == owner.unit_name), "scoped");
    let zgb = s.logged_in("zgb").await;
    let all = sheet(&s, &zgb, "/export/awards.xlsx").await;
    assert!(
        all.len() > rows.len(),
        "the resource office sees every unit"
    );
    let pending = sheet(&s, &zgb, "/export/awards.xlsx?status=pending").await;
    assert!(pending.len() < all.len());
    assert!(pending[1..].iter().all(|r| r[11] != "已备案"));

    // Back-entry statistics, units, users, alerts, flagged check-ins.
    let rows = sheet(&s, &zgb, "/export/back-entry.xlsx").await;
    assert_eq!(
        rows[0],
        ["建设单位", "中标项目", "已备案", "未备案", "其中补录"]
    );
    assert!(rows.len() > 1);
    let admin = s.logged_in("admin").await;
    let units = sheet(&s, &admin, "/export/units.xlsx").await;
    let admin_actor = s.t.actor("admin").await;
    let listed = app::features::units::service::list(&s.t.db, &admin_actor, "", "", Rows::All)
        .await
        .unwrap();
    assert_eq!(units.len() - 1, listed.items.len());
    assert!(units[1..].iter().any(|r| r[0] == owner.unit_name));
    let security = s.logged_in("anquan").await;
    let users = sheet(&s, &security, "/export/users.xlsx?role=owner").await;
    assert!(users.len() > 1);
    assert!(
        users[1..].iter().all(|r| r[3] == "建设单位经办人"),
        "{users:?}"
    );
    assert!(
        users[1..]
            .iter()
            .all(|r| r[2].is_empty() || r[2].contains("****")),
        "mobiles masked as in the list"
    );
    let alerts = sheet(&s, &zgb, "/export/alerts.xlsx").await;
    assert_eq!(alerts[0][..4], ["开始日期", "规则", "级别", "项目"]);
    let orders = sheet(&s, &zgb, "/export/orders.xlsx?state=open").await;
    assert_eq!(orders[0][..3], ["督办编号", "项目", "责任单位"]);
    let flagged = sheet(&s, &zgb, "/export/flagged-checkins.xlsx").await;
    assert_eq!(flagged[0][0], "时间");
    // Progress: the filed kindergarten, nothing reported yet.
    let progress = sheet(&s, &zgb, "/export/progress.xlsx").await;
    assert_eq!(progress[0][..2], ["项目 / 标段", "建设单位"]);
    assert!(
        progress[1..]
            .iter()
            .any(|r| r[0].starts_with("平阳县城西幼儿园新建工程") && r[6] == "未填报"),
        "{progress:?}"
    );
    let personnel = sheet(&s, &zgb, "/export/personnel.xlsx").await;
    assert_eq!(personnel[0][..3], ["生效日期", "项目 / 标段", "建设单位"]);
    assert_eq!(personnel.len(), 1, "no replacement yet");
    // The published trail heads, to keep outside the system.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let head = app::platform::audit::heads::publish_if_due(&s.t.db, day)
        .await
        .unwrap()
        .unwrap();
    let heads = sheet(&s, &zgb, "/export/audit-heads.xlsx").await;
    assert_eq!(heads[0], ["日期", "序号", "链头哈希", "公示时间"]);
    assert_eq!(
        (heads[1][0].as_str(), heads[1][2].as_str()),
        ("2026-12-01", head.hash.as_str())
    );
    assert_eq!(heads[1][1].parse::<f64>().unwrap(), head.seq as f64);
}

async fn exports_refuse_visitors_and_other_roles(b: Backend) {
    let s = TestServer::start(b).await;
    let anon = s.client();
    for path in [
        "/export/filings.xlsx",
        "/export/awards.xlsx",
        "/export/units.xlsx",
        "/export/users.xlsx",
        "/export/alerts.xlsx",
        "/export/orders.xlsx",
        "/export/flagged-checkins.xlsx",
        "/export/back-entry.xlsx",
        "/export/progress.xlsx",
        "/export/personnel.xlsx",
    ] {
        let r = anon.get(s.url(path)).send().await.unwrap();
        assert!(r.status().is_redirection(), "{path}: {}", r.status());
        assert!(
            r.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/login"),
            "{path}"
        );
    }
    // An owner unit's user: no units, users or back-entry statistics; key
    // personnel: no exports at all.
    let refused = [
        (
            "chengjian",
            "/export/units.xlsx /export/users.xlsx /export/back-entry.xlsx /export/audit-heads.xlsx",
        ),
        (
            "xmjl_zhang",
            "/export/filings.xlsx /export/awards.xlsx /export/alerts.xlsx /export/orders.xlsx /export/progress.xlsx /export/personnel.xlsx",
        ),
    ];
    for (user, paths) in refused {
        let c = s.logged_in(user).await;
        for path in paths.split(' ') {
            let r = c.get(s.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user} {path}");
        }
    }
}

on_both!(
    every_list_exports_what_it_shows,
    exports_refuse_visitors_and_other_roles,
);
