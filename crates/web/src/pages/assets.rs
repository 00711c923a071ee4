//! Static files, compiled into the binary: deployments on government intranets have no
//! CDN, and one binary is one thing to copy.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/app.js")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/vendor/htmx.min.js")),
    ("echarts.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/vendor/echarts.min.js")),
];

/// A text file among them (a stylesheet), for a document that carries its own.
pub fn text(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(file, _, _)| *file == name).and_then(|(_, _, bytes)| std::str::from_utf8(bytes).ok())
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, kind, bytes)) => {
            ([(CONTENT_TYPE, *kind), (CACHE_CONTROL, "public, max-age=86400")], *bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The security headers of every response: only our own scripts, styles and images.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
