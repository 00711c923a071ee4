//! Photos over HTTP: a resident sends them with the form, staff with a progress note;
//! each comes back byte for byte with its own type, only to those who may see the
//! request; anything that is not a JPEG, PNG or WebP, too large or too many is refused
//! in Chinese with the form filled in again.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::Command;
use gongzhi_store::testing::{dispatched, manhole, staff};
use gongzhi_web::WebConfig;
use support::{town_with_admins, tracking_code, Browser, CSRF, PNG};

/// A JPEG header followed by `len` bytes of picture.
fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    bytes.extend((0..len).map(|i| (i * 7 % 251) as u8));
    bytes
}

fn fields<'a>(unit: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", CSRF),
        ("_key", key),
        ("kind", "complaint"),
        ("unit_id", unit),
        ("title", "路灯不亮"),
        ("content", "柳湾路18号路灯坏了一个多星期"),
        ("phone", "13812341234"),
    ]
}

#[tokio::test]
async fn a_resident_sends_photos_and_sees_them_again() {
    let (store, _, t) = town_with_admins().await;
    let mut resident = Browser::new(&store);
    let form = resident.get("/submit").await;
    assert!(form.html.contains("enctype=\"multipart/form-data\"") && form.html.contains("name=\"photos\""));
    assert!(form.html.contains("最多 3 张，每张不超过 5 MB"), "the limits are told");

    let unit = t.community.to_string();
    let big = jpeg(600_000);
    let files = [("photos", "lamp.png", "image/png", PNG), ("photos", "street.jpg", "image/jpeg", big.as_slice())];
    let done = resident.post_multipart("/submit", &fields(&unit, "k-1"), &files).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let code = tracking_code(&done.html);
    // A double click sends the same form again: one request, each photo kept once.
    resident.post_multipart("/submit", &fields(&unit, "k-1"), &files).await;
    assert_eq!(store.count_requests().await.unwrap(), 1);

    let track = resident.get(&format!("/track/{code}")).await;
    assert!(track.html.contains(&format!("<img src=\"/track/{code}/photos/1\"")), "{}", track.html);
    assert!(track.html.contains(&format!("/track/{code}/photos/2")) && !track.html.contains("/photos/3"));
    let png = resident.get(&format!("/track/{code}/photos/1")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers["content-type"], "image/png");
    assert_eq!(png.headers["x-content-type-options"], "nosniff");
    assert_eq!(png.bytes, PNG, "byte for byte");
    let photo = resident.get(&format!("/track/{code}/photos/2")).await;
    assert_eq!((photo.headers["content-type"].to_str().unwrap(), photo.bytes == big), ("image/jpeg", true));
    assert_eq!(resident.get(&format!("/track/{code}/photos/3")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(resident.get("/track/ZZZZZZZZZZ/photos/1").await.status, StatusCode::NOT_FOUND);

    // Staff see them on the request page if the request is theirs to see.
    let id = store.request_by_tracking_code(&code).await.unwrap().id;
    let mut handler = Browser::new(&store);
    let anonymous = handler.get(&format!("/work/requests/{id}/photos/1")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "not logged in");
    handler.login("operator", "demo-password").await;
    let page = handler.get(&format!("/work/requests/{id}")).await;
    assert!(page.html.contains(&format!("<img src=\"/work/requests/{id}/photos/2\"")), "{}", page.html);
    let served = handler.get(&format!("/work/requests/{id}/photos/2")).await;
    assert_eq!((served.headers["content-type"].to_str().unwrap(), served.bytes == big), ("image/jpeg", true));
    let mut other = Browser::new(&store);
    other.login("handler_c2", "demo-password").await;
    assert_eq!(other.get(&format!("/work/requests/{id}/photos/1")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_is_not_a_photo_is_refused_and_the_form_comes_back() {
    let (store, _, t) = town_with_admins().await;
    let config = WebConfig { photo_max_bytes: 50_000, ..WebConfig::default() };
    let mut resident = Browser::with_config(&store, config);
    let unit = t.community.to_string();
    let form = fields(&unit, "k-2");

    // A GIF, however it is named and declared, is not taken.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04".to_vec();
    let refused = resident.post_multipart("/submit", &form, &[("photos", "photo.jpg", "image/jpeg", &gif)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("只能上传 JPG、PNG 或 WebP 格式的照片"), "{}", refused.html);
    assert!(refused.html.contains("柳湾路18号路灯坏了一个多星期") && refused.html.contains("value=\"路灯不亮\""));
    let script = b"<script>alert(1)</script>".to_vec();
    let html = resident.post_multipart("/submit", &form, &[("photos", "x.png", "image/png", &script)]).await;
    assert!(html.html.contains("只能上传 JPG、PNG 或 WebP 格式的照片"));

    // Over the size of one photo, and over the body limit of the whole form.
    let large = jpeg(60_000);
    let too_large = resident.post_multipart("/submit", &form, &[("photos", "big.jpg", "image/jpeg", &large)]).await;
    assert_eq!(too_large.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_large.html.contains("照片超过大小上限"), "{}", too_large.html);
    assert!(too_large.html.contains("柳湾路18号路灯坏了一个多星期"), "the text survives");
    // A body far past the limit is cut off whole; it still says why.
    let huge = jpeg(2_000_000);
    let beyond = resident.post_multipart("/submit", &form, &[("photos", "huge.jpg", "image/jpeg", &huge)]).await;
    assert_eq!(beyond.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beyond.html.contains("照片超过大小上限"), "{}", beyond.html);

    let four: Vec<Vec<u8>> = (1..=4).map(|n| jpeg(n * 100)).collect();
    let files: Vec<_> = four.iter().map(|b| ("photos", "p.jpg", "image/jpeg", b.as_slice())).collect();
    let too_many = resident.post_multipart("/submit", &form, &files).await;
    assert!(too_many.html.contains("照片数量超过上限"), "{}", too_many.html);

    // Without the CSRF token nothing is made, photos or not.
    let mut forged = form.clone();
    forged[0] = ("_csrf", "forged");
    let refused = resident.post_multipart("/submit", &forged, &[("photos", "p.png", "image/png", PNG)]).await;
    assert!(refused.html.contains("页面已过期"));
    assert_eq!(store.count_requests().await.unwrap(), 0, "no refused form made a request");

    // The same form without photos: an empty file input, or no file input at all.
    let empty = resident.post_multipart("/submit", &form, &[("photos", "", "application/octet-stream", b"")]).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.html);
    let plain = resident.post("/submit", &fields(&unit, "k-3")).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.html);
    assert_eq!(store.count_requests().await.unwrap(), 2);
}

#[tokio::test]
async fn a_handler_adds_photos_to_a_progress_note() {
    let (store, _, t) = town_with_admins().await;
    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    let r = store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    let page = handler.get(&format!("/work/requests/{}", r.id)).await;
    assert!(page.html.contains(&format!("action=\"/work/requests/{}/progress\" class=\"card action quiet\" id=\"action-progress\" enctype=\"multipart/form-data\"", r.id)), "{}", page.html);

    let version = r.version.to_string();
    let form = [("_csrf", CSRF), ("version", version.as_str()), ("note", "已到现场查看，井盖已订购")];
    let gif = b"GIF89a".to_vec();
    let refused = handler
        .post_multipart(&format!("/work/requests/{}/progress", r.id), &form, &[("photos", "a.gif", "image/gif", &gif)])
        .await;
    assert!(refused.html.contains("只能上传 JPG、PNG 或 WebP 格式的照片"));
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().version, r.version, "nothing was noted");

    let done = handler
        .post_multipart(
            &format!("/work/requests/{}/progress", r.id),
            &form,
            &[("photos", "site.png", "image/png", PNG)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let photos = store.photos_of(r.id).await.unwrap();
    let note = store.events_of(r.id).await.unwrap().last().unwrap().clone();
    assert_eq!(note.action, "progress");
    assert_eq!((photos.len(), photos[0].event_id), (1, Some(note.id)));
    let served = handler.get(&format!("/work/requests/{}/photos/1", r.id)).await;
    assert_eq!(served.bytes, PNG);

    // The requester sees the handler's photo on the tracking page too.
    let code = store.request(r.id, &t.handler).await.unwrap().tracking_code;
    let mut resident = Browser::new(&store);
    assert_eq!(resident.get(&format!("/track/{code}/photos/1")).await.bytes, PNG);
}
