//! `gongzhi`: runs the platform and its chores. See `gongzhi --help`.

mod commands;
mod logging;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gongzhi",
    version,
    about = "共治 Gongzhi — 诉求受理、派单、办理、评价与督查平台 / co-governance platform"
)]
struct Cli {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB. Default: SQLite in the data folder.
    #[arg(long, global = true, env = "GONGZHI_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder for the embedded database.
    #[arg(long, global = true, env = "GONGZHI_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "GONGZHI_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API (migrates the database first).
    Serve(commands::serve::Args),
    /// The audit trail: verify it, write a checkpoint.
    Audit {
        #[command(subcommand)]
        command: commands::audit::Audit,
    },
    /// API tokens for programs.
    Token {
        #[command(subcommand)]
        command: commands::admin::Token,
    },
    /// Keys of Open311 client systems: add, list, revoke.
    #[command(name = "open311-key")]
    Open311Key {
        #[command(subcommand)]
        command: commands::open311::Open311Key,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: commands::admin::User,
    },
    /// The working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: commands::admin::Calendar,
    },
    /// Bulletins: print a published one to PDF.
    Bulletin {
        #[command(subcommand)]
        command: commands::bulletin::Bulletin,
    },
    /// Import historical requests from an XLSX or CSV file (历史数据导入).
    Import(commands::import::Args),
    /// Notifications: webhook subscriptions and dead letters.
    Notify {
        #[command(subcommand)]
        command: commands::notify::Notify,
    },
    /// Measure notification delivery and the outbox's cost on intake.
    BenchNotify(commands::notify_bench::Args),
    /// Measure a server on a generated district of N requests.
    Bench(commands::bench::Args),
    /// Measure importing a file of historical records into a district of many requests.
    BenchImport(commands::bench::ImportArgs),
    /// Measure inspections and deliberation: a year of inspection rounds and of proposals
    /// added to a district of many requests, then the pages that read them.
    BenchProactive(commands::bench::ProactiveArgs),
    /// Routing model: train and evaluate.
    Route {
        #[command(subcommand)]
        command: commands::text::Route,
    },
    /// Duplicate groups in a CSV of messages.
    Dupes(commands::text::Dupes),
    /// Hot issues in a CSV of messages.
    Hot(commands::text::Hot),
}

impl Cli {
    fn database_url(&self) -> Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data_dir)?;
                Ok(format!("sqlite://{}", self.data_dir.join("gongzhi.db").display()))
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    logging::init(cli.log_json);
    match &cli.command {
        Command::Serve(args) => commands::serve::run(&cli.database_url()?, &cli.data_dir, args).await,
        Command::Audit { command } => commands::audit::run(&cli.database_url()?, &cli.data_dir, command).await,
        Command::Notify { command } => commands::notify::run(&cli.database_url()?, command).await,
        Command::BenchNotify(args) => commands::notify_bench::run(args).await,
        Command::Token { command } => commands::admin::token(&cli.database_url()?, command).await,
        Command::User { command } => commands::admin::user(&cli.database_url()?, command).await,
        Command::Open311Key { command } => commands::open311::run(&cli.database_url()?, command).await,
        Command::Calendar { command } => commands::admin::calendar(&cli.database_url()?, command).await,
        Command::Bulletin { command } => commands::bulletin::run(|| cli.database_url(), command).await,
        Command::Import(args) => commands::import::run(&cli.database_url()?, args).await,
        Command::Bench(args) => commands::bench::run(cli.database_url.clone(), args).await,
        Command::BenchImport(args) => commands::bench::import(cli.database_url.clone(), args).await,
        Command::BenchProactive(args) => commands::bench::proactive(cli.database_url.clone(), args).await,
        Command::Route { command: commands::text::Route::Retrain } => {
            commands::retrain::run(&cli.database_url()?).await
        }
        Command::Route { command } => commands::text::route(command),
        Command::Dupes(args) => commands::text::dupes(args),
        Command::Hot(args) => commands::text::hot(args),
    }
}

#[cfg(test)]
mod tests {
    /// Clap checks its definitions only when a command runs: two option groups of one
    /// name would stop `serve` at start.
    #[test]
    fn the_command_line_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
