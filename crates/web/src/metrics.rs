//! Prometheus metrics: requests and their latency per route and status; the store's
//! writer (queue depth, batch size, commit time) and connection pool; and the work done
//! (requests created per channel, actions per kind).
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

use gongzhi_store::metrics::Snapshot;

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
            let labels = format!("method=\"{method}\",path=\"{path}\",");
            let buckets = route.buckets.iter().copied().zip(BUCKETS);
            histogram(&mut out, "gongzhi_http_request_duration_seconds", &labels, buckets, route.sum, route.total);
        }
        out
    }
}

/// The lines of one histogram series; `labels` is empty or ends with a comma.
fn histogram(
    out: &mut String,
    name: &str,
    labels: &str,
    buckets: impl Iterator<Item = (u64, f64)>,
    sum: f64,
    count: u64,
) {
    for (bucket, bound) in buckets {
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {bucket}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {count}");
    let labels = labels.trim_end_matches(',');
    let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
    let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
}

/// One metric's HELP and TYPE lines.
fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// The store's figures in the exposition format.
fn render_store(out: &mut String, store: &Snapshot) {
    let gauges = [
        ("gongzhi_writer_queue_depth", "Jobs waiting for the writer.", store.queue_depth as f64),
        (
            "gongzhi_writer_queue_capacity",
            "Jobs the writer's queue holds before callers wait.",
            store.queue_capacity as f64,
        ),
        ("gongzhi_pool_connections", "Connections open in the read pool.", store.pool_size as f64),
        ("gongzhi_pool_idle_connections", "Idle connections in the read pool.", store.pool_idle as f64),
        ("gongzhi_pool_max_connections", "Most connections the read pool opens.", store.pool_max as f64),
        (
            "gongzhi_pool_acquire_seconds",
            "Time this read of the metrics waited for a pool connection.",
            store.pool_acquire_seconds,
        ),
    ];
    for (name, help, value) in gauges {
        head(out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    }
    let histograms = [
        ("gongzhi_writer_batch_size", "Jobs committed together in one writer transaction.", &store.batch_size),
        ("gongzhi_writer_commit_seconds", "Time to write and commit one batch.", &store.commit_seconds),
    ];
    for (name, help, h) in histograms {
        head(out, name, "histogram", help);
        histogram(out, name, "", h.cumulative.iter().copied().zip(h.bounds.iter().copied()), h.sum, h.count);
    }
    let counters = [
        ("gongzhi_requests_created_total", "Requests created, by channel.", "channel", &store.created),
        ("gongzhi_actions_total", "Actions taken on requests, by kind.", "action", &store.acted),
    ];
    for (name, help, label, values) in counters {
        head(out, name, "counter", help);
        for (value, count) in values {
            let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {count}");
        }
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
    let mut text = state.metrics.render();
    render_store(&mut text, &state.store.metrics().await);
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
