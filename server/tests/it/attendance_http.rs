//! Check-in over HTTP: the JSON check-in and the photo check-in (multipart),
//! and who may see a photo.
use crate::{attendance::site, http::TestServer, on_both};
use app::{
    features::{
        attendance::service::{Calendar, save_calendar},
        auth::service::hash_password,
    },
    platform::db::Backend,
};
use reqwest::{Client, StatusCode, header, multipart};

/// The first bytes of a JPEG file are enough for content sniffing.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00 on-site";

/// A submitted filing with an area that requires photos, and its project
/// manager logged in (their first password replaced).
async fn photo_site(s: &TestServer) -> (i64, Client) {
    let t = &s.t;
    let id = site(t).await;
    let owner = t.actor("chengjian").await;
    let cal = Calendar {
        photo_required: true,
        ..Calendar::default()
    };
    save_calendar(&t.db, &owner, id, &cal).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE username = '13857700011'")
        .bind(hash_password(server::demo::DEMO_PASSWORD).await.unwrap())
        .execute(&t.db.pool)
        .await
        .unwrap();
    (id, s.logged_in("13857700011").await)
}

fn reading(id: i64, bytes: Option<(&'static [u8], &'static str)>) -> multipart::Form {
    let form = multipart::Form::new()
        .text("filing_id", id.to_string())
        .text("lat", "27.6625")
        .text("lng", "120.5655")
        .text("accuracy", "12")
        .text("device_key", "phone0001");
    match bytes {
        Some((b, name)) => form.part("file", multipart::Part::bytes(b).file_name(name)),
        None => form,
    }
}

async fn a_required_photo_travels_with_the_check_in(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, pm) = photo_site(&s).await;
    let before = s.t.count("checkins").await;
    // The plain JSON check-in is refused at the photo field.
    let json = serde_json::json!({"filing_id": id, "lat": 27.6625, "lng": 120.5655, "accuracy": 12.0, "device_key": "phone0001"});
    let r = s.call_json(&pm, "checkin", &json).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("现场照片"));
    let post = |form| pm.post(s.url("/api/checkin/photo")).multipart(form).send();
    // No photo, or something that is not a photo: refused, nothing stored.
    let r = post(reading(id, None)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先拍摄现场照片"));
    let r = post(reading(id, Some((b"not a photo", "a.jpg"))))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("照片须为"));
    assert_eq!(s.t.count("checkins").await, before);
    // With a photo: decided and stored together.
    let r = post(reading(id, Some((JPEG, "IMG_0001.jpg"))))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let d: serde_json::Value = r.json().await.unwrap();
    assert_eq!(d["accepted"], true, "{d}");
    let checkin = d["id"].as_i64().unwrap();
    // The owner sees the photo; another owner, the person and a visitor do not.
    let url = s.url(&format!("/files/checkins/{checkin}/photo"));
    let r = s
        .logged_in("chengjian")
        .await
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(&r.bytes().await.unwrap()[..], JPEG);
    let r = s.logged_in("jiaoyu").await.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        pm.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // A visitor's browser is sent to the login page.
    let r = s.client().get(&url).send().await.unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/login");
    // Without a session nothing is checked in.
    let r = s
        .client()
        .post(s.url("/api/checkin/photo"))
        .multipart(reading(id, Some((JPEG, "x.jpg"))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.t.count("checkins").await, before + 1);
}

/// Files kept under the data folder.
fn stored_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    stored_files(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

/// Check first, store after (found by reading: the photo was stored before
/// the roster and the position were checked): a photo from someone not on
/// the project's roster, or without a position, is refused and not kept.
async fn a_refused_photo_check_in_keeps_no_photo(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, pm) = photo_site(&s).await;
    let files = s.t.settings.data_dir.join("files");
    let kept = stored_files(&files);
    let other = s.logged_in("xmjl_zhang").await;
    let r = other
        .post(s.url("/api/checkin/photo"))
        .multipart(reading(id, Some((JPEG, "IMG_0002.jpg"))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不在该项目"));
    let bad = multipart::Form::new()
        .text("filing_id", id.to_string())
        .text("lat", "95")
        .text("lng", "120.5655")
        .text("accuracy", "12")
        .part(
            "file",
            multipart::Part::bytes(JPEG).file_name("IMG_0003.jpg"),
        );
    let r = pm
        .post(s.url("/api/checkin/photo"))
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("定位数据无效"));
    assert_eq!(stored_files(&files), kept);
}

/// One person gets CHECKIN_ATTEMPTS_PER_MINUTE check-ins a minute (a phone
/// or a script hammering the button), then 429, the photo check-in
/// included; other people are not held back.
async fn check_ins_per_person_are_limited(b: Backend) {
    let s = TestServer::start_with(b, |st| st.checkin_attempts_per_minute = 2).await;
    let (id, pm) = photo_site(&s).await;
    let json = serde_json::json!({"filing_id": id, "lat": 27.6625, "lng": 120.5655, "accuracy": 12.0, "device_key": "phone0001"});
    for _ in 0..2 {
        let r = s.call_json(&pm, "checkin", &json).await;
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let r = s.call_json(&pm, "checkin", &json).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("打卡过于频繁"));
    let r = pm
        .post(s.url("/api/checkin/photo"))
        .multipart(reading(id, Some((JPEG, "IMG_0002.jpg"))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = s.logged_in("xmjl_zhang").await;
    let r = s.call_json(&other, "checkin", &json).await;
    assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

on_both!(
    check_ins_per_person_are_limited,
    a_required_photo_travels_with_the_check_in,
    a_refused_photo_check_in_keeps_no_photo
);
