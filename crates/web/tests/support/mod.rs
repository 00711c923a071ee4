//! A browser for the HTTP tests: keeps cookies, posts plain and multipart forms with the
//! CSRF token, reads pages back. Real router, real database.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{hash_password, Backend, Store};
use gongzhi_web::{router, AppState, WebConfig};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tower::ServiceExt;

pub const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub struct Browser {
    pub app: Router,
    pub cookies: Vec<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub html: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// A file in a multipart form: field name, file name, declared type, bytes.
pub type File<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

impl Browser {
    pub fn new(store: &Store) -> Browser {
        Browser::with_config(store, WebConfig::default())
    }

    pub fn with_config(store: &Store, config: WebConfig) -> Browser {
        Browser { app: router(AppState::new(store.clone(), config)), cookies: vec![format!("gongzhi_csrf={CSRF}")] }
    }

    pub async fn send(&mut self, request: axum::http::request::Builder, body: Vec<u8>) -> Page {
        self.send_body(request, Body::from(body)).await
    }

    async fn send_body(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let request = request.header(header::COOKIE, self.cookies.join("; ")).body(body).unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let pair = cookie.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            self.cookies.push(pair);
        }
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        Page { status, html: String::from_utf8_lossy(&bytes).into(), headers, bytes }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::builder().uri(path), Vec::new()).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, body.into_bytes()).await
    }

    /// A form as a browser sends one with a file input: text fields first, files after.
    pub async fn post_multipart(&mut self, path: &str, form: &[(&str, &str)], files: &[File<'_>]) -> Page {
        let boundary = "----gongzhi-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in form {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes());
            body.extend(value.bytes());
            body.extend(b"\r\n");
        }
        for (name, filename, kind, bytes) in files {
            let head = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n"
            );
            body.extend(head.bytes());
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
        // In pieces, as a body comes over the network.
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(16 * 1024).map(|c| Ok(c.to_vec())).collect();
        self.send_body(request, Body::from_stream(futures_util::stream::iter(pieces))).await
    }

    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        let page = self.post("/login", &[("_csrf", CSRF), ("login", login), ("password", password)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{login} logs in: {}", page.html);
        page
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find_map(|c| c.strip_prefix(&format!("{name}=")))
    }
}

/// The tracking code a confirmation page shows.
pub fn tracking_code(html: &str) -> String {
    html.split("id=\"tracking-code\">").nth(1).expect("a tracking code").split('<').next().unwrap().to_string()
}

/// A form value as a browser encodes it.
pub fn encode(text: &str) -> String {
    const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    utf8_percent_encode(text, FORM).to_string()
}

/// A sheet read back: its name and its rows of cell text.
pub type SheetText = (String, Vec<Vec<String>>);

/// A downloaded workbook read back with calamine: each sheet's name and its rows of
/// cell text, header included, each row without its trailing empty cells.
pub fn xlsx(bytes: &[u8]) -> Result<Vec<SheetText>, String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        let skip = range.start().map(|(_, col)| col as usize).unwrap_or(0);
        let rows = range
            .rows()
            .map(|cells| {
                let mut row: Vec<String> =
                    std::iter::repeat_n(String::new(), skip).chain(cells.iter().map(|cell| cell.to_string())).collect();
                while row.last().is_some_and(String::is_empty) {
                    row.pop();
                }
                row
            })
            .collect();
        sheets.push((name, rows));
    }
    Ok(sheets)
}

/// The test town with a district admin (`admin`) and a subdistrict admin (`admin_s1`),
/// password `admin-password`.
pub async fn town_with_admins() -> (Store, String, Town) {
    let (store, url) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    let hash = hash_password("admin-password").unwrap();
    store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    store.add_user("admin_s1", "街道管理员", gongzhi_domain::Role::Admin, t.street, &hash).await.unwrap();
    (store, url, t)
}

/// The smallest PNG: one transparent pixel.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// How often a staff member was recorded seeing the phone number of a request's
/// requester. The log is written behind other writes: make a write first to flush it.
pub async fn pii_views(url: &str, user_id: i64, request_id: i64) -> i64 {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM pii_access WHERE user_id = $1 AND request_id = $2")
        .bind(user_id)
        .bind(request_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    row.try_get("n").unwrap()
}
