//! What the server sends for the site's own files: a release build's
//! precompressed copies (brotli, else gzip, else as built) and caching that
//! revalidates; pages and answers are never stored.
use crate::{helpers::TestDb, http::app_state, on_both};
use app::platform::{AppParts, AppState, db::Backend};
use leptos::config::LeptosOptions;
use reqwest::{StatusCode, header};
use std::net::SocketAddr;

/// A site root as `cargo leptos build --release --precompress` leaves it
/// (contents made up: the copies differ so the test sees which one went out).
fn site(root: &std::path::Path) {
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/bhly.wasm"), b"\0asm raw build").unwrap();
    std::fs::write(root.join("pkg/bhly.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(root.join("pkg/bhly.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(root.join("pkg/bhly.js"), b"/* glue */").unwrap();
}

async fn assets_go_out_precompressed_and_revalidated(b: Backend) {
    let t = TestDb::new(b).await;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let root = std::env::temp_dir().join(format!("bhly-site-{}-{nanos}", std::process::id()));
    site(&root);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(AppParts {
        leptos_options: LeptosOptions::builder()
            .output_name("bhly")
            .site_root(root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build(),
        ..(*app_state(&t, addr)).clone()
    });
    let app = server::http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let get = |path: &str, enc: &str| {
        let mut r = c.get(format!("http://{addr}{path}"));
        if !enc.is_empty() {
            r = r.header(header::ACCEPT_ENCODING, enc.to_string());
        }
        r.send()
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "brotli copy"),
        ("gzip", Some("gzip"), "gzip copy"),
        ("", None, "\0asm raw build"),
    ] {
        let r = get("/pkg/bhly.wasm", accept).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{accept}");
        assert_eq!(
            r.headers()
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok()),
            encoding,
            "{accept}"
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(r.text().await.unwrap(), body, "{accept}");
    }
    // Kept but asked again: unchanged, nothing is sent.
    let first = get("/pkg/bhly.js", "gzip").await.unwrap();
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
    let since = first.headers()[header::LAST_MODIFIED].clone();
    let again = c
        .get(format!("http://{addr}/pkg/bhly.js"))
        .header(header::IF_MODIFIED_SINCE, since)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // Pages (and what is not a file) are never stored.
    let login = get("/login", "gzip").await.unwrap();
    assert_eq!(login.headers()[header::CACHE_CONTROL], "no-store");
    let missing = get("/pkg/nothing.wasm", "br").await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&root);
}

on_both!(assets_go_out_precompressed_and_revalidated);
