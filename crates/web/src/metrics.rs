//! Prometheus metrics: requests and their latency per route and status.
//!
//! The labels are bounded whatever clients send: a method is one of the standard ones or
//! `OTHER`, a path is a route's pattern or `unmatched`. Operators may protect the page
//! with a token (`WebConfig::metrics_token`) or serve it on an address of its own
//! (`metrics_router`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Route {
    counts: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    total: u64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(&'static str, String), Route>>,
}

/// A method as a label: the standard ones by name, any other as `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    pub fn observe(&self, method: &Method, path: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let route = routes.entry((method_label(method), path.to_string())).or_default();
        *route.counts.entry(status).or_default() += 1;
        for (bucket, bound) in route.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        route.sum += seconds;
        route.total += 1;
    }

    pub fn render(&self) -> String {
        let routes = self.routes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out = String::new();
        out.push_str("# HELP gongzhi_http_requests_total HTTP requests by route and status.\n# TYPE gongzhi_http_requests_total counter\n");
        for ((method, path), route) in routes.iter() {
            for (status, count) in &route.counts {
                let _ = writeln!(
                    out,
                    "gongzhi_http_requests_total{{method=\"{method}\",path=\"{path}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP gongzhi_http_request_duration_seconds Time to answer, by route.\n# TYPE gongzhi_http_request_duration_seconds histogram\n");
        for ((method, path), route) in routes.iter() {
            let labels = format!("method=\"{method}\",path=\"{path}\"");
            for (bucket, bound) in route.buckets.iter().zip(BUCKETS) {
                let _ =
                    writeln!(out, "gongzhi_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {bucket}");
            }
            let _ =
                writeln!(out, "gongzhi_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", route.total);
            let _ = writeln!(out, "gongzhi_http_request_duration_seconds_sum{{{labels}}} {}", route.sum);
            let _ = writeln!(out, "gongzhi_http_request_duration_seconds_count{{{labels}}} {}", route.total);
        }
        out
    }
}

pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // The route's pattern, not the raw path: ids must not explode the label set.
    let path =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    state.metrics.observe(&method, &path, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

pub async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        if !same(given.as_bytes(), token.as_bytes()) {
            return (StatusCode::UNAUTHORIZED, [(WWW_AUTHENTICATE, "Bearer")], "the metrics token is required\n")
                .into_response();
        }
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
