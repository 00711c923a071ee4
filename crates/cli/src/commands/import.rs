//! `gongzhi import FILE`: historical records from a hotline system's XLSX or CSV file,
//! checked row by row and stored in batches; `--dry-run` checks without storing. The
//! same file run again (after an interruption too) skips the rows it stored.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use gongzhi_app::import::{self as import, ImportError, Plan, RunOptions};
use gongzhi_domain::import::{Field, Mapping};
use gongzhi_domain::Kind;
use gongzhi_store::Store;
use gongzhi_web::i18n::{Lang, Messages};
use gongzhi_web::pages::admin::import::{describe, report_workbook};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args)]
pub struct Args {
    /// The file: .xlsx, .xls or .csv (UTF-8 or GBK).
    file: PathBuf,
    /// Use the column mapping saved under this name instead of guessing from the headers.
    #[arg(long, value_name = "NAME")]
    mapping: Option<String>,
    /// Save the mapping used under this name, for the next file of the same system.
    #[arg(long, value_name = "NAME")]
    save_mapping: Option<String>,
    /// Say which column holds a field, as FIELD=HEADER (e.g. created_at=来电时间); may be
    /// given again. Fields: source_id number created_at title content unit category kind
    /// status reply replied_at satisfaction solved phone name address.
    #[arg(long = "column", value_name = "FIELD=HEADER")]
    columns: Vec<String>,
    /// The place (name or code of a community, village or grid) of rows that name none.
    #[arg(long, value_name = "UNIT")]
    unit: Option<String>,
    /// The kind of rows that say none: consult, help, complaint, report, suggestion, praise.
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Check every row and report, storing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the validation report (row, column, value, reason) to this XLSX file.
    #[arg(long, value_name = "FILE.xlsx")]
    report: Option<PathBuf>,
    /// Rows stored per transaction.
    #[arg(long, default_value_t = import::BATCH)]
    batch_size: usize,
    /// Stop after this many batches, as an interrupted run would (for testing resumption).
    #[arg(long, hide = true)]
    stop_after: Option<usize>,
    /// No progress bar (logs and scripts).
    #[arg(long)]
    quiet: bool,
}

/// Problems printed before the count of the rest.
const PRINTED: usize = 20;

pub async fn run(database_url: &str, args: &Args) -> Result<()> {
    let t = Messages::new(Lang::Zh);
    let bytes = std::fs::read(&args.file).with_context(|| format!("read {}", args.file.display()))?;
    let file_name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let table = match import::read(&bytes) {
        Ok(table) => table,
        Err(why) => bail!("{}: {} / {why}", args.file.display(), t.get(&format!("import.error.{}", why.code()))),
    };
    let store = Store::open(database_url).await.context("open the database")?;
    let outcome = import_file(&store, &file_name, &table, args, &t).await;
    store.close().await;
    outcome
}

async fn import_file(store: &Store, file_name: &str, table: &import::Table, args: &Args, t: &Messages) -> Result<()> {
    println!(
        "{} {file_name}: {} / {}, {} {}",
        t.get("import.file"),
        t.get(&format!("import.format.{}", table.format.as_str())),
        table.format.as_str(),
        table.rows.len(),
        t.get("import.rows")
    );
    let mapping = mapping(store, table, args).await?;
    for (field, header) in &mapping.columns {
        println!("  {header} → {} ({field})", t.get(&format!("import.field.{field}")));
    }
    if let Some(name) = &args.save_mapping {
        import::save_mapping(store, name, &mapping).await?;
        println!("{} {name}", t.get("import.mapping_saved"));
    }
    let plan = match import::check(store, file_name, table, &mapping).await {
        Ok(plan) => plan,
        Err(ImportError::MissingColumns(missing)) => {
            bail!("{}: {} / the file lacks these columns", t.get("import.error.missing_columns"), missing.join(", "))
        }
        Err(error) => return Err(error.into()),
    };
    summarise(&plan, t);
    if let Some(path) = &args.report {
        let bytes = report_workbook(&plan.problems, Lang::Zh).context("write the report")?;
        std::fs::write(path, bytes).with_context(|| format!("write {}", path.display()))?;
        println!("{} {}", t.get("import.report_written"), path.display());
    }
    if args.dry_run {
        println!("{} / dry run: nothing was stored", t.get("import.dry_run_done"));
        return Ok(());
    }
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(plan.records.len() as u64) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let options = RunOptions { batch: args.batch_size, job: None, stop_after: args.stop_after };
    let done = import::run(store, &plan, options, |p| {
        bar.set_position(p.done as u64);
        // One line per batch when there is no terminal to draw on: the log shows progress.
        if args.quiet {
            println!("batch {} stored: {}/{}", p.batches, p.done, p.total);
        }
    })
    .await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} {} / imported, {} {} / skipped, {:.1} s, {:.0} {}",
        t.get("import.imported"),
        done.imported,
        t.get("import.skipped"),
        done.skipped,
        seconds,
        done.done as f64 / seconds.max(1e-9),
        t.get("import.per_second"),
    );
    if done.done < plan.records.len() {
        println!("{} {}/{}", t.get("import.stopped"), done.done, plan.records.len());
        return Ok(());
    }
    // Searches find the new requests at once, by reading them directly; bringing the
    // index up to date makes them as quick to find as any other.
    let started = Instant::now();
    let indexed = import::index_imported(store).await?;
    println!("{} {indexed}, {:.1} s", t.get("import.indexed"), started.elapsed().as_secs_f64());
    Ok(())
}

/// The mapping: a saved one, else the headers' guess; then the options' changes.
async fn mapping(store: &Store, table: &import::Table, args: &Args) -> Result<Mapping> {
    let mut mapping = match &args.mapping {
        Some(name) => import::mapping_named(store, name).await?,
        None => Mapping::guess(&table.headers),
    };
    let mut columns: BTreeMap<Field, String> = mapping.columns.clone();
    for pair in &args.columns {
        let (field, header) = pair.split_once('=').with_context(|| format!("--column {pair}: give FIELD=HEADER"))?;
        let field = Field::parse(field.trim()).with_context(|| format!("--column {pair}: no field `{field}`"))?;
        if header.trim().is_empty() {
            columns.remove(&field);
        } else {
            columns.insert(field, header.trim().to_string());
        }
    }
    mapping.columns = columns;
    if let Some(unit) = &args.unit {
        mapping.default_unit = unit.clone();
    }
    if let Some(kind) = &args.kind {
        mapping.default_kind = Some(Kind::parse(kind).with_context(|| format!("--kind {kind}: unknown kind"))?);
    }
    Ok(mapping)
}

fn summarise(plan: &Plan, t: &Messages) {
    println!(
        "{} {} / rows, {} {} / pass ({} {}), {} {} / refused",
        t.get("import.total"),
        plan.total_rows,
        t.get("import.valid"),
        plan.records.len(),
        t.get("import.stored_already"),
        plan.stored_already,
        t.get("import.refused"),
        plan.refused_rows(),
    );
    for problem in plan.problems.iter().take(PRINTED) {
        println!("  {}", describe(problem, t.lang));
    }
    if plan.problems.len() > PRINTED {
        println!("  … {} {}", plan.problems.len(), t.get("import.problems_in_all"));
    }
}
