//! Prometheus metrics: requests and their latency per route and status.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
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
    routes: Mutex<BTreeMap<(String, String), Route>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, path: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let route = routes.entry((method.to_string(), path.to_string())).or_default();
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
    let method = request.method().as_str().to_string();
    // The route's pattern, not the raw path: ids must not explode the label set.
    let path =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    state.metrics.observe(&method, &path, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

pub async fn render(State(state): State<AppState>) -> Response {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}
