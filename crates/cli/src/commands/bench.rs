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
