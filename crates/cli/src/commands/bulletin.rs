//! `gongzhi bulletin pdf`: a published bulletin's print view as a PDF, rendered by
//! headless Chromium. Without `--url` the command serves the bulletin itself from the
//! database for the moment it takes, so no running server is needed.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use gongzhi_store::{Store, StoreError};
use gongzhi_web::{AppState, WebConfig};

#[derive(clap::Subcommand)]
pub enum Bulletin {
    /// Print a published bulletin to a PDF file (A4).
    Pdf(PdfArgs),
}

#[derive(clap::Args)]
pub struct PdfArgs {
    /// The bulletin's number.
    #[arg(long)]
    id: i64,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
    /// A running Gongzhi to print from (http://host:port); by default the bulletin is
    /// served from the database for the moment it takes.
    #[arg(long)]
    url: Option<String>,
    /// The Chromium to print with.
    #[arg(long, env = "CHROMIUM", default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
}

/// `database_url` is asked for only when the bulletin is served from the database.
pub async fn run(database_url: impl FnOnce() -> Result<String>, command: &Bulletin) -> Result<()> {
    let Bulletin::Pdf(args) = command;
    match &args.url {
        Some(base) => print(args, &format!("{}/bulletins/{}/print", base.trim_end_matches('/'), args.id)).await,
        None => {
            let store = Store::open(&database_url()?).await.context("open the database")?;
            match store.published_bulletin(args.id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    bail!("bulletin {} is not published (or does not exist): publish it first", args.id)
                }
                Err(error) => return Err(error.into()),
            }
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?;
            let app = gongzhi_web::router(AppState::new(store.clone(), WebConfig::default()));
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            let printed = print(args, &format!("http://{address}/bulletins/{}/print", args.id)).await;
            server.abort();
            store.close().await;
            printed
        }
    }
}

/// Has Chromium print `page` to the output file, and checks that a PDF came out.
async fn print(args: &PdfArgs, page: &str) -> Result<()> {
    let out = std::path::absolute(&args.out).context("the output path")?;
    let _ = std::fs::remove_file(&out);
    let profile = std::env::temp_dir().join(format!("gongzhi-pdf-{}", std::process::id()));
    let run = tokio::process::Command::new(&args.chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--print-to-pdf={}", out.display()),
            page,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .context("Chromium did not finish within two minutes")?
        .with_context(|| format!("run {}", args.chromium.display()))?;
    let _ = std::fs::remove_dir_all(&profile);
    let pdf = std::fs::read(&out).unwrap_or_default();
    if !output.status.success() || !pdf.starts_with(b"%PDF") {
        bail!("Chromium made no PDF of {page}: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    println!("{} ({} KB)", out.display(), pdf.len() / 1024);
    Ok(())
}
