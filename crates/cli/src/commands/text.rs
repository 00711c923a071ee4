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
    /// Write the demo district's residents' messages to a labelled CSV (the texts
    /// `serve --demo` generates), to measure routing and duplicates on them.
    DemoTexts {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 3_000)]
        count: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
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
        Route::DemoTexts { out, count, seed } => print(demo_texts(out, *count, *seed)?),
        // It needs the database; `main` runs it with `retrain::run`.
        Route::Retrain => anyhow::bail!("`route retrain` works on the database"),
    }
}

/// The demo's messages over its 120 days, as `serve --demo` makes them (same district,
/// same generator and seed), dated from a fixed day so the file is the same every time.
/// `label` is the first-level category, `place` the community or village, `address` the
/// street address the request gives, and `problem` names the problem it raises: requests
/// with the same `problem` are duplicates, which is how pairs of them are judged.
fn demo_texts(out: &std::path::Path, count: u64, seed: u64) -> Result<serde_json::Value> {
    use gongzhi::synth;

    const SPAN_SECS: i64 = 120 * 86_400;
    // 2026-01-01 00:00 UTC: the demo's last day, fixed.
    const END: i64 = 1_767_225_600;
    let district = synth::district(seed);
    let taxonomy = gongzhi::seed::taxonomy();
    let mut generator = synth::RequestGen::new(&district, &taxonomy, seed);
    let mut writer = csv::Writer::from_path(out)?;
    writer.write_record([
        "id", "title", "detail", "time", "label", "level2", "level3", "kind", "place", "address", "problem",
    ])?;
    let slot = SPAN_SECS as f64 / count.max(1) as f64;
    for i in 0..count {
        let spec = generator.next();
        let at = END - SPAN_SECS + (i as f64 * slot) as i64;
        let time = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().format("%Y-%m-%d %H:%M:%S");
        writer.write_record([
            (i + 1).to_string().as_str(),
            &spec.title,
            &spec.content,
            &time.to_string(),
            &spec.level1,
            &spec.level2,
            &spec.level3,
            spec.kind,
            &district.units[spec.unit].name,
            &spec.address,
            &spec.problem,
        ])?;
    }
    writer.flush()?;
    Ok(serde_json::json!({ "messages": count, "seed": seed, "out": out }))
}

pub fn dupes(args: &Dupes) -> Result<()> {
    print(commands::dupes(&args.data)?)
}

pub fn hot(args: &Hot) -> Result<()> {
    print(commands::hot(&args.data, args.top)?)
}
