//! What wraps every answer: a request id, the span every log line of the request is
//! written in, and compression.
//!
//! The id is the caller's `x-request-id` when it sends one (a proxy in front, or a
//! client retrying), else a new UUID; either way the answer carries it back, so a
//! resident's complaint about an error can be found in the log by the id they were shown.

use axum::body::Body;
use axum::http::{HeaderName, Request};
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The span of one request: its id, method and path (never its query, which may carry a
/// phone number).
fn span(request: &Request<Body>) -> tracing::Span {
    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

/// Wraps the whole site: outermost the id is set, then the span opens, then the id is
/// copied to the answer, then the answer is compressed (gzip or brotli, as the browser
/// accepts). Spreadsheets are ZIP files already and are sent as they are.
pub fn layers<S: Clone + Send + Sync + 'static>(app: Router<S>) -> Router<S> {
    let compress = DefaultPredicate::new().and(NotForContentType::const_new(crate::export::XLSX_TYPE));
    app.layer(CompressionLayer::new().compress_when(compress))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
