//! `gongzhi bench`: see `gongzhi::bench`.

use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Requests in the generated district.
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Concurrent clients submitting during the intake phase.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Length of the intake phase.
    #[arg(long, default_value_t = 10)]
    intake_seconds: u64,
    /// Requests measured per read kind.
    #[arg(long, default_value_t = 1_000)]
    samples: usize,
    /// Concurrent clients during the read phases.
    #[arg(long, default_value_t = 4)]
    read_clients: usize,
    /// Keep the generated database.
    #[arg(long)]
    keep: bool,
    /// Measure a database an earlier `--keep` run left (its URL) instead of loading a new
    /// one; `--requests` is then ignored.
    #[arg(long, value_name = "URL")]
    reuse: Option<String>,
}

pub async fn run(database_url: Option<String>, args: &Args) -> Result<()> {
    let options = gongzhi::bench::Options {
        requests: args.requests,
        database_url,
        clients: args.clients,
        intake_seconds: args.intake_seconds,
        samples: args.samples,
        read_clients: args.read_clients,
        keep: args.keep,
        reuse: args.reuse.clone(),
    };
    let result = gongzhi::bench::run(options).await?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Requests in the district before the import.
    #[arg(long, default_value_t = 1_000_000)]
    base: u64,
    /// Rows in the imported file.
    #[arg(long, default_value_t = 200_000)]
    rows: usize,
    /// Rows stored per transaction.
    #[arg(long, default_value_t = gongzhi_app::import::BATCH)]
    batch_size: usize,
    /// Keep the database.
    #[arg(long)]
    keep: bool,
    /// Import into a district an earlier `--keep` run left (its URL); `--base` is then ignored.
    #[arg(long, value_name = "URL")]
    reuse: Option<String>,
}

/// `gongzhi bench-import`: see `gongzhi::bench::import`.
pub async fn import(database_url: Option<String>, args: &ImportArgs) -> Result<()> {
    let options = gongzhi::bench::import::Options {
        base: args.base,
        rows: args.rows,
        batch: args.batch_size,
        database_url,
        keep: args.keep,
        reuse: args.reuse.clone(),
    };
    let result = gongzhi::bench::import::run(options).await?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

#[derive(clap::Args)]
pub struct ProactiveArgs {
    /// Requests in a new district (loaded as `gongzhi bench` loads it); ignored with
    /// `--reuse`.
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Add to a district an earlier `--keep` run left (its URL). What is there already
    /// (points, the checklist, campaigns, rounds, proposals) is not written again, so a
    /// second run measures at once.
    #[arg(long, value_name = "URL")]
    reuse: Option<String>,
    /// Keep the database.
    #[arg(long)]
    keep: bool,
    /// Inspection rounds over the past year (40 items each, on 500 points).
    #[arg(long, default_value_t = gongzhi::bench::inspection::ROUNDS)]
    rounds: usize,
    /// Proposals over the past year, with their supports and comments.
    #[arg(long, default_value_t = gongzhi::bench::deliberation::PROPOSALS)]
    proposals: usize,
    /// Requests measured per measure (the monthly bulletin is built once for each of the
    /// last six months).
    #[arg(long, default_value_t = 1_000)]
    samples: usize,
    /// Concurrent clients while measuring.
    #[arg(long, default_value_t = 4)]
    clients: usize,
}

/// `gongzhi bench-proactive`: see `gongzhi::bench::proactive`.
pub async fn proactive(database_url: Option<String>, args: &ProactiveArgs) -> Result<()> {
    let options = gongzhi::bench::proactive::Options {
        requests: args.requests,
        database_url,
        reuse: args.reuse.clone(),
        keep: args.keep,
        rounds: args.rounds,
        proposals: args.proposals,
        samples: args.samples,
        clients: args.clients,
    };
    let result = gongzhi::bench::proactive::run(options).await?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}
