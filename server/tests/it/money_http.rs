//! Changes and payments over HTTP: the record kit's plain-form routes (files
//! checked by content, submit, void), their refusals for other units and
//! visitors, the pages' statuses, and the Excel export of the payments list.
use crate::{exports::sheet, http::TestServer, on_both};
use app::{
    features::payments,
    kit::table::Rows,
    platform::{db::Backend, records::ListFilter},
};
use reqwest::{StatusCode, header, multipart};

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub fn file_form(kind: &str, name: &str, bytes: &[u8]) -> multipart::Form {
    multipart::Form::new().text("kind", kind.to_string()).part(
        "file",
        multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    )
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[header::LOCATION].to_str().unwrap().to_string()
}

async fn kindergarten(s: &TestServer) -> i64 {
    sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = 'PY2025-0203' AND a.section_code = '01'",
    )
    .fetch_one(&s.t.db.pool)
    .await
    .unwrap()
}

async fn status_of(s: &TestServer, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap()
}

async fn a_payment_is_filed_submitted_and_voided_through_plain_forms(b: Backend) {
    let s = TestServer::start(b).await;
    let filing = kindergarten(&s).await;
    let jiaoyu = s.t.actor("jiaoyu").await;
    let id = crate::money::a_payment(&s.t, &jiaoyu, filing).await;
    let owner = s.logged_in("jiaoyu").await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let c = owner.clone();
        let url = s.url(&path);
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    // Submitting before the voucher is there is refused, with the reason.
    let r = post(format!("/records/payment/{id}/submit"), vec![]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.contains("at=submit"), "{to}");
    let page = s.page(&owner, &to).await.text().await.unwrap();
    assert!(page.contains("提交前请上传支付凭证"));
    // A text file named .pdf is refused by its content; a PDF is kept.
    let r = owner
        .post(s.url(&format!("/records/payment/{id}/files")))
        .multipart(file_form("voucher", "凭证.pdf", b"just text, not a PDF"))
        .send()
        .await
        .unwrap();
    assert!(location(&r).contains("at=files"));
    assert_eq!(s.t.count("record_files").await, 0);
    let r = owner
        .post(s.url(&format!("/records/payment/{id}/files")))
        .multipart(file_form("voucher", "凭证.pdf", PDF))
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).ends_with("done=uploaded#files"),
        "{}",
        location(&r)
    );
    let r = post(format!("/records/payment/{id}/submit"), vec![]).await;
    assert!(location(&r).contains("done=submitted"));
    assert_eq!(status_of(&s, id).await, "submitted");
    // The page shows it; the file downloads for the sector's supervisor.
    let page = s.page(&owner, &format!("/payments/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let file: i64 = sqlx::query_scalar("SELECT id FROM record_files WHERE record_id = $1")
        .bind(id)
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap();
    let zjj = s.logged_in("zjj").await;
    let r = zjj
        .get(s.url(&format!("/files/records/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // Another unit, another sector, a visitor: refused, nothing changes.
    let other = s.logged_in("chengjian").await;
    let jtj = s.logged_in("jtj").await;
    for c in [&other, &jtj] {
        let r = c
            .get(s.url(&format!("/files/records/{file}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = c
            .get(s.url(&format!("/payments/{id}")))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "another unit's payment page"
        );
    }
    let r = other
        .post(s.url(&format!("/records/payment/{id}/void")))
        .form(&[("void_reason", "恶意作废")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = other
        .post(s.url(&format!("/records/payment/{id}/files")))
        .multipart(file_form("voucher", "x.pdf", PDF))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s
        .client()
        .post(s.url(&format!("/records/payment/{id}/void")))
        .form(&[("void_reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login");
    let r = post(
        "/records/nothing/1/void".into(),
        vec![("void_reason", "x".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&s, id).await, "submitted");
    assert_eq!(s.t.count("record_files").await, 1);

    // The voucher of a submitted payment stays until a new one is uploaded.
    let r = post(
        format!("/records/payment/{id}/detach"),
        vec![("file_id", file.to_string()), ("reason", "换凭证".into())],
    )
    .await;
    assert!(location(&r).contains("at=detach"), "{}", location(&r));
    // Void: the reason is required, then the payment is voided.
    let r = post(
        format!("/records/payment/{id}/void"),
        vec![("void_reason", " ".into())],
    )
    .await;
    assert!(location(&r).contains("at=void"));
    assert_eq!(status_of(&s, id).await, "submitted");
    let r = post(
        format!("/records/payment/{id}/void"),
        vec![("void_reason", "重复登记".into())],
    )
    .await;
    assert!(location(&r).contains("done=voided"));
    assert_eq!(status_of(&s, id).await, "voided");
}

async fn pages_and_the_payments_export(b: Backend) {
    let s = TestServer::start(b).await;
    let filing = kindergarten(&s).await;
    let jiaoyu = s.t.actor("jiaoyu").await;
    crate::money::a_payment(&s.t, &jiaoyu, filing).await;
    let owner = s.logged_in("jiaoyu").await;
    for path in [
        "/changes",
        "/changes/new",
        "/payments",
        "/payments/new",
        &format!("/payments?filing_id={filing}"),
    ] {
        let r = s.page(&owner, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    // A missing id and another unit's answer alike (ids cannot be probed).
    assert_eq!(
        s.page(&owner, "/payments/999999").await.status(),
        StatusCode::FORBIDDEN
    );
    let rows = sheet(
        &s,
        &owner,
        &format!("/export/payments.xlsx?filing_id={filing}"),
    )
    .await;
    assert_eq!(
        rows[0][..5],
        [
            "拨付日期",
            "项目 / 标段",
            "建设单位",
            "拨付类型",
            "金额（元）"
        ]
    );
    let listed = payments::service::list(
        &s.t.db,
        &jiaoyu,
        &ListFilter::parse("", "", filing),
        Rows::All,
    )
    .await
    .unwrap();
    assert_eq!(rows.len() - 1, listed.items.len());
    assert_eq!(rows[1][4], "100000.00");
    assert_eq!(rows[1][8], "草稿");
    // Another unit's export holds none of these.
    let other = s.logged_in("chengjian").await;
    let rows = sheet(
        &s,
        &other,
        &format!("/export/payments.xlsx?filing_id={filing}"),
    )
    .await;
    assert_eq!(rows.len(), 1, "headers only");
    let rows = sheet(&s, &owner, "/export/changes.xlsx").await;
    assert_eq!(rows[0][3], "变更标题");
}

on_both!(
    a_payment_is_filed_submitted_and_voided_through_plain_forms,
    pages_and_the_payments_export,
);
