//! Routing, duplicates and hot issues from the command line, on CSV files of messages.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use gongzhi_text::commands;

#[derive(Subcommand)]
pub enum Route {
    /// Train a routing model from a CSV with `text` (or `title`+`detail`) and `label`.
    Train {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Category catalogue (CSV `level1,level2,level3`) whose names become extra examples.
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// Evaluate a model on a labelled CSV; prints macro_f1, accuracy, per_class, msgs_per_sec.
    Eval {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        test: PathBuf,
    },
    /// Train from this platform's closed requests and store the model in the database,
    /// where every instance picks it up; prints its held-out figures.
    Retrain,
}

#[derive(clap::Args)]
pub struct Dupes {
    #[arg(long)]
    data: PathBuf,
}

#[derive(clap::Args)]
pub struct Hot {
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value_t = 10)]
    top: usize,
}

fn print(value: serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string(&value)?);
    Ok(())
}

pub fn route(command: &Route) -> Result<()> {
    match command {
        Route::Train { data, out, catalogue } => print(commands::route_train_with(
            data,
            out,
            &gongzhi_text::route::RouteConfig::default(),
            catalogue.as_deref(),
        )?),
        Route::Eval { model, test } => print(commands::route_eval(model, test)?),
        // It needs the database; `main` runs it with `retrain::run`.
        Route::Retrain => anyhow::bail!("`route retrain` works on the database"),
    }
}

pub fn dupes(args: &Dupes) -> Result<()> {
    print(commands::dupes(&args.data)?)
}

pub fn hot(args: &Hot) -> Result<()> {
    print(commands::hot(&args.data, args.top)?)
}
