//! Times the supervisor's heavier reads and acts on an existing database, for the
//! figures in docs/supervision.md: a month's draw for the whole district and its audit,
//! the callback summary, the stale and overdue lists, a month's review.
//!
//!   cargo run --release -p gongzhi-store --example supervision_bench -- sqlite:///path/to/gongzhi.db
//!
//! It writes a sample and review flags into that database: run it on a copy.

use std::time::Instant;

use chrono::Duration;
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time;
use gongzhi_store::{DrawSpec, Store};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).ok_or("give the database URL")?;
    let store = Store::open(&url).await?;
    let supervisor = store.account_by_login("supervisor").await?.ok_or("no `supervisor` account")?.staff();
    let now = time::now();
    let today = time::local_date(now);
    let from = today - Duration::days(29);
    let requests = store.count_requests().await?;
    let mut figures = serde_json::Map::new();
    let mut timed = |name: &str, started: Instant| {
        figures.insert(format!("{name}_ms"), json!((started.elapsed().as_secs_f64() * 1e4).round() / 10.0));
    };

    let spec = DrawSpec {
        unit_id: supervisor.unit_id,
        from,
        to: today,
        rule: SampleRule { rate_percent: 5, minimum: 2 },
        seed: Some(1),
    };
    let started = Instant::now();
    let sample = store.draw_sample(&supervisor, &spec, now).await?;
    timed("draw_month", started);
    let started = Instant::now();
    let audit = store.reproduce_sample(&supervisor, sample.id).await?;
    timed("reproduce_month", started);
    let started = Instant::now();
    let summary = store.callback_summary(supervisor.unit_id, from, today).await?;
    timed("callback_summary_month", started);
    let started = Instant::now();
    let queue = store.callback_queue(&supervisor, 0, 50).await?;
    timed("callback_queue_page", started);
    let started = Instant::now();
    let late = store.lateness(&supervisor, 3, now).await?;
    timed("stale_and_overdue", started);
    let started = Instant::now();
    let run = store.review_entries(&supervisor, from, today, now).await?;
    timed("review_month", started);
    let started = Instant::now();
    let flags = store.review_flags(&supervisor, 0, 50).await?;
    timed("review_flags_page", started);
    let started = Instant::now();
    store.escalate_orders(now).await?;
    timed("escalate", started);

    let report = json!({
        "backend": store.backend().name(),
        "requests": requests,
        "population": sample.population,
        "drawn": sample.items,
        "audit_matches": audit.matches(),
        "sampled_in_summary": summary.sampled.count,
        "waiting": queue.total,
        "late": late.items.len(),
        "reviewed": run.checked,
        "flagged": run.flagged,
        "flags": flags.total,
        "timings": figures,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    store.close().await;
    Ok(())
}
