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
