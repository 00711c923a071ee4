//! `gongzhi bench-proactive`: inspections and deliberation at a district's scale — a
//! year of inspection rounds and of proposals added to a district of requests (one an
//! earlier `gongzhi bench --keep` left, or a new one), then a server measured over HTTP:
//! an inspector saving items on a round's page, the inspection figures, the monthly
//! bulletin with its inspection section, a community's and a proposal's page, and a
//! resident's support. What is there already is not written again, so a second run
//! measures at once.

use std::time::Instant;

use anyhow::Result;
use gongzhi_store::Store;
use serde_json::{json, Value};

use super::{client, database, deliberation, inspection, load_district, round, Server};

pub struct Options {
    /// Requests in a new district; ignored with `reuse`.
    pub requests: u64,
    pub database_url: Option<String>,
    /// A district an earlier `--keep` run left.
    pub reuse: Option<String>,
    pub keep: bool,
    pub rounds: usize,
    pub proposals: usize,
    pub samples: usize,
    pub clients: usize,
}

/// Where and how hard the measures are made: the server, the samples of each measure
/// and the clients sending them at once.
pub struct Measuring<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a str,
    pub samples: usize,
    pub clients: usize,
}

pub async fn run(options: Options) -> Result<Value> {
    let db = database(options.database_url.as_deref(), options.reuse.as_deref()).await?;
    if options.keep {
        eprintln!("bench-proactive: the database is kept at {}", db.url);
    }
    let store = Store::open(&db.url).await?;
    let started = Instant::now();
    if options.reuse.is_none() {
        load_district(&store, options.requests).await?;
    }
    let district_seconds = started.elapsed().as_secs_f64();
    let setup = inspection::prepare(&store).await?;
    let inspections = inspection::load(&store, &setup, options.rounds).await?;
    let proposals = deliberation::load(&store, options.proposals).await?;
    // PostgreSQL's statistics and visibility maps, as autovacuum would have them after a
    // year of use.
    store.analyze().await?;
    store.analyze_history().await?;
    let inspection_cast = inspection::cast(&store, &setup).await?;
    let deliberation_cast = deliberation::cast(&store).await?;
    let requests = store.count_requests().await?;
    store.close().await;
    drop(store);

    let client = client()?;
    // Residents' supports come through a proxy that names their addresses.
    let server = Server::start(&db.url, &client, &["--trust-forwarded"]).await?;
    let measuring =
        Measuring { client: &client, base: &server.base, samples: options.samples, clients: options.clients };
    let mut measures = inspection::measure(&measuring, &inspection_cast).await?;
    measures.extend(deliberation::measure(&measuring, &deliberation_cast).await?);
    let rss = server.stop().await;
    db.finish(options.keep).await;

    let mut result = json!({
        "backend": if db.url.starts_with("sqlite") { "sqlite" } else { "postgres" },
        "requests": requests,
        "district_seconds": round(district_seconds),
        "inspections": inspections,
        "proposals": proposals,
        "samples": options.samples,
        "clients": options.clients,
        "peak_rss_mb": rss.map(round),
    });
    for (name, figures) in measures {
        result[name] = figures;
    }
    Ok(result)
}
