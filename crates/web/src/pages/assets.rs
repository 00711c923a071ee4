//! Static files, compiled into the binary: deployments on government intranets have no
//! CDN, and one binary is one thing to copy.
//!
//! Each file carries an ETag, the hash of its bytes: a browser keeps it for a day and
//! then asks again with `If-None-Match`, and unless a new release changed the file the
//! answer is an empty 304. Compression (gzip or brotli) is the site-wide layer's.

use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/app.js")),
    ("intake.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/intake.js")),
    ("inspection.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/inspection.js")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/vendor/htmx.min.js")),
    ("echarts.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/vendor/echarts.min.js")),
    ("leaflet.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/vendor/leaflet.js")),
    ("leaflet.css", "text/css; charset=utf-8", include_bytes!("../../assets/vendor/leaflet.css")),
    ("map.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/map.js")),
    ("screen.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/screen.js")),
];

/// Each file's ETag, in the order of `FILES`. SipHash with fixed keys: the same bytes
/// give the same tag in every instance of one release.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(_, _, bytes)| {
            let mut hasher = std::hash::DefaultHasher::new();
            bytes.hash(&mut hasher);
            format!("W/\"{:016x}\"", hasher.finish())
        })
        .collect()
});

/// A text file among them (a stylesheet), for a document that carries its own.
pub fn text(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(file, _, _)| *file == name).and_then(|(_, _, bytes)| std::str::from_utf8(bytes).ok())
}

const CACHE: &str = "public, max-age=86400";

pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = FILES.iter().position(|(file, _, _)| *file == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (_, kind, bytes) = FILES[index];
    let etag = ETAGS[index].as_str();
    let seen = headers.get_all(IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    if seen.map(str::trim).any(|tag| tag == etag || tag == "*") {
        return (StatusCode::NOT_MODIFIED, [(ETAG, etag), (CACHE_CONTROL, CACHE)]).into_response();
    }
    ([(CONTENT_TYPE, kind), (CACHE_CONTROL, CACHE), (ETAG, etag)], bytes).into_response()
}

/// The security policy of every response: only our own scripts, styles and images, and
/// the map tiles of the configured tile server.
pub fn content_security_policy(tiles: Option<&super::map::MapTiles>) -> axum::http::HeaderValue {
    let tiles = tiles.map(|t| format!(" {}", t.origin())).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    // A tile URL is checked when configured; one that still cannot be a header value
    // gets a stricter policy, never none.
    axum::http::HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("default-src 'self'"))
}
