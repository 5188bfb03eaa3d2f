//! Award push API, uploads and downloads, and filing endpoints over HTTP.
use crate::{filings::ready_filing, http::TestServer, on_both};
use app::{features::awards::service as awards, platform::db::Backend};
use reqwest::{StatusCode, header, multipart};

fn record(project: &str, price: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "project_code": project, "section_code": "01",
        "project_name": "平阳县接口推送测试工程", "section_name": "施工标",
        "owner_credit_code": "12330326MB0H12345A", "contractor_credit_code": "91330326145678901H",
        "award_price": price, "award_date": "2025-10-01",
        "tender_method": "公开招标", "sector": "住建"
    })
}

async fn the_push_api_needs_a_live_token_and_is_idempotent(b: Backend) {
    let s = TestServer::start(b).await;
    let c = s.client();
    let url = s.url("/api/v1/awards");
    let body = serde_json::json!([
        record("API-001", "1234567.89".into()),
        record("API-002", 2500000.into())
    ]);
    let r = c.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("缺少令牌"));
    let r = c
        .post(&url)
        .bearer_auth("bhly_not_a_token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let admin = s.t.actor("admin").await;
    let token = awards::issue_token(&s.t.db, &admin, "交易平台")
        .await
        .unwrap();
    let before = s.t.count("awards").await;
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (v["created"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(0))
    );
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["unchanged"].as_u64(), Some(2));
    assert_eq!(s.t.count("awards").await, before + 2);
    let who: String = sqlx::query_scalar(
        "SELECT actor_name FROM audit_log WHERE entity = 'award' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&s.t.db.pool)
    .await
    .unwrap();
    assert!(who.contains("交易平台"), "{who}");

    // Bad JSON and bad shapes: 400, nothing stored.
    for bad in ["{not json", "{\"project_code\": \"X\"}", "[1, 2]"] {
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.json::<serde_json::Value>().await.unwrap()["error"].is_string());
    }
    // One bad record among good ones: 422, the bad one named by index.
    let mixed = serde_json::json!([
        record("API-003", "100".into()),
        record("API 004", "-1".into())
    ]);
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .json(&mixed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["created"].as_u64(), Some(1));
    let problems = v["problems"].as_array().unwrap();
    assert!(problems.iter().all(|p| p["line"] == 1));
    assert!(problems.iter().any(|p| p["column"] == "项目编号"));
    assert_eq!(s.t.count("awards").await, before + 3);

    // A revoked token is refused.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap();
    awards::revoke_token(&s.t.db, &admin, id).await.unwrap();
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("吊销"));

    let r = c.get(s.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/awards"]["post"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(
        doc["components"]["schemas"]["AwardRecord"]["properties"]["owner_credit_code"].is_object()
    );
}

fn file_form(kind: &str, name: &str, bytes: &[u8]) -> multipart::Form {
    multipart::Form::new().text("kind", kind.to_string()).part(
        "file",
        multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    )
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn attachments_are_checked_by_content_and_scoped(b: Backend) {
    uploads_and_downloads(&TestServer::start(b).await).await;
}

/// The same with the files in an S3-compatible bucket (STORAGE=s3), and
/// the sweep there.
async fn attachments_in_s3_are_checked_and_scoped(b: Backend) {
    let storage = crate::helpers::s3_storage().await;
    let s = TestServer::start_with(b, |st| st.storage = storage).await;
    uploads_and_downloads(&s).await;
    let files = app::platform::storage::FileStore::from_settings(&s.t.settings).unwrap();
    let stored = files.list().await.unwrap();
    assert_eq!(stored.len(), 1, "the upload is in the bucket");
    let orphan = files.put(b"orphan".to_vec()).await.unwrap();
    let r = server::sweep::sweep(&s.t.db, &files, chrono::Duration::zero(), false)
        .await
        .unwrap();
    assert_eq!(r.removed, vec![orphan]);
    assert!(
        files.get(&stored[0]).await.is_ok(),
        "a referenced file stays"
    );
}

async fn uploads_and_downloads(s: &TestServer) {
    let id = ready_filing(&s.t).await;
    let owner = s.logged_in("chengjian").await;
    let url = s.url(&format!("/filings/{id}/attachments"));
    let before = s.t.count("attachments").await;

    let r = owner
        .post(&url)
        .multipart(file_form(
            "contract",
            "合同.pdf",
            b"I am only text, named .pdf",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.contains("error="), "{to}");
    assert_eq!(
        s.t.count("attachments").await,
        before,
        "a fake PDF is refused"
    );
    let page = s.page(&owner, &to).await.text().await.unwrap();
    assert!(
        page.contains("不是 PDF"),
        "the refusal shows at the file field"
    );

    let r = owner
        .post(&url)
        .multipart(file_form("contract", "合同扫描件.pdf", PDF))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("uploaded=1")
    );
    assert_eq!(s.t.count("attachments").await, before + 1);
    let att: i64 = sqlx::query_scalar("SELECT MAX(id) FROM attachments")
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap();
    let download = s.url(&format!("/files/attachments/{att}"));

    let r = owner.get(&download).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = s
        .logged_in("zjj")
        .await
        .get(&download)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the sector authority may read it"
    );
    let other = s.logged_in("jiaoyu").await;
    assert_eq!(
        other.get(&download).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.logged_in("jtj")
            .await
            .get(&download)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = s.client().get(&download).send().await.unwrap();
    assert!(r.status().is_redirection(), "visitors go to the login page");
    // Another owner cannot upload to it either.
    let r = other
        .post(&url)
        .multipart(file_form("contract", "x.pdf", PDF))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.t.count("attachments").await, before + 1);
}

async fn uploads_beyond_the_size_limit_are_refused(b: Backend) {
    let s = TestServer::start_with(b, |st| st.upload_max_bytes = 4096).await;
    let id = ready_filing(&s.t).await;
    let owner = s.logged_in("chengjian").await;
    let before = s.t.count("attachments").await;
    let mut big = PDF.to_vec();
    big.resize(10_000, b' ');
    let r = owner
        .post(s.url(&format!("/filings/{id}/attachments")))
        .multipart(file_form("contract", "big.pdf", &big))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let page = s.page(&owner, &to).await.text().await.unwrap();
    assert!(page.contains("上限"), "the limit is named at the field");
    assert_eq!(s.t.count("attachments").await, before);
    // An empty file is called empty, not missing.
    let r = owner
        .post(s.url(&format!("/filings/{id}/attachments")))
        .multipart(file_form("contract", "empty.pdf", b""))
        .send()
        .await
        .unwrap();
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let page = s.page(&owner, &to).await.text().await.unwrap();
    assert!(page.contains("文件是空的"), "{to}");
    assert_eq!(s.t.count("attachments").await, before);
    // Just under the limit is fine.
    big.truncate(4000);
    let r = owner
        .post(s.url(&format!("/filings/{id}/attachments")))
        .multipart(file_form("contract", "ok.pdf", &big))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("uploaded=1")
    );
    assert_eq!(s.t.count("attachments").await, before + 1);
}

async fn the_import_upload_is_for_administrators(b: Backend) {
    let s = TestServer::start(b).await;
    let xlsx = include_bytes!("../../../public/samples/awards.xlsx");
    let form = || {
        multipart::Form::new().part(
            "file",
            multipart::Part::bytes(xlsx.to_vec()).file_name("awards.xlsx"),
        )
    };
    let owner = s.logged_in("chengjian").await;
    let r = owner
        .post(s.url("/awards/import"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = s.logged_in("admin").await;
    let r = admin
        .post(s.url("/awards/import"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/awards/imports/"), "{to}");
    let html = s.page(&admin, &to).await.text().await.unwrap();
    assert!(html.contains("全部行已导入"), "report page");
    // An empty upload goes back to the form with the reason.
    let r = admin
        .post(s.url("/awards/import"))
        .multipart(multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=")
    );
}

/// The filing page answers 403 to another unit, 200 to the owner (the
/// server functions' matrix is in `matrix.rs`).
async fn the_filing_page_refuses_other_units(b: Backend) {
    let s = TestServer::start(b).await;
    let id = ready_filing(&s.t).await.to_string();
    let other = s.logged_in("jiaoyu").await;
    // The page itself answers 403 to the other unit, 200 to the owner.
    assert_eq!(
        s.page(&other, &format!("/filings/{id}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = s
        .page(&s.logged_in("chengjian").await, &format!("/filings/{id}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("赵建国"));
}

/// A filed award keeps its owner, contractor and price whatever a feed
/// re-sends (found by trying: a re-sent record moved a filed project to
/// another owner at 1 元): 422 naming the fields, nothing changed; what may
/// change (a corrected name) still does.
async fn a_filed_award_does_not_change_hands_by_push(b: Backend) {
    let s = TestServer::start(b).await;
    let id = ready_filing(&s.t).await;
    let owner = s.t.actor("chengjian").await;
    app::features::filings::service::submit(&s.t.db, &owner, id)
        .await
        .unwrap();
    let admin = s.t.actor("admin").await;
    let token = awards::issue_token(&s.t.db, &admin, "交易平台")
        .await
        .unwrap();
    let hospital = |owner: &str, price: &str, name: &str| {
        serde_json::json!([{
            "project_code": "PY2024-0118", "section_code": "01",
            "project_name": name, "section_name": "施工标",
            "owner_credit_code": owner, "contractor_credit_code": "91330326145678901H",
            "award_price": price, "award_date": "2024-06-20",
            "tender_method": "公开招标", "sector": "住建"
        }])
    };
    let education = app::domain::CreditCode::with_check("11330326002558A12").unwrap();
    let stored = || async {
        sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT owner_unit_id, award_price_fen, project_name FROM awards WHERE project_code = 'PY2024-0118' AND section_code = '01'",
        )
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap()
    };
    let before = stored().await;
    let trail = s.t.count("audit_log").await;
    let r = s
        .client()
        .post(s.url("/api/v1/awards"))
        .bearer_auth(&token)
        .json(&hospital(
            education.as_str(),
            "1",
            "平阳县人民医院门诊楼改造工程",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    let columns: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["column"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["招标人统一社会信用代码", "中标价（元）"]);
    assert!(
        v["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("已备案")
    );
    assert_eq!(stored().await, before);
    assert_eq!(s.t.count("audit_log").await, trail);
    // The owner still reads its filing.
    assert!(
        app::features::filings::service::get(&s.t.db, &owner, id)
            .await
            .is_ok()
    );
    // A corrected name is taken.
    let r = s
        .client()
        .post(s.url("/api/v1/awards"))
        .bearer_auth(&token)
        .json(&hospital(
            "12330326MB0H12345A",
            "32800000",
            "平阳县人民医院门诊楼改造提升工程",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(stored().await.2, "平阳县人民医院门诊楼改造提升工程");
}

on_both!(
    attachments_in_s3_are_checked_and_scoped,
    a_filed_award_does_not_change_hands_by_push,
    the_push_api_needs_a_live_token_and_is_idempotent,
    attachments_are_checked_by_content_and_scoped,
    uploads_beyond_the_size_limit_are_refused,
    the_import_upload_is_for_administrators,
    the_filing_page_refuses_other_units,
);
