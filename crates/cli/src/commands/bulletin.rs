//! `gongzhi bulletin pdf`: a published bulletin's print view as a PDF, rendered by
//! headless Chromium. Without `--url` the command renders the print view from the
//! database into a file of its own (styles inlined) and prints that: no server, no
//! router, no listening socket.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use gongzhi_app::AppError;
use gongzhi_store::{Store, StoreError};
use gongzhi_web::i18n::Lang;
use gongzhi_web::pages::bulletins::{standalone_print, StandaloneError};

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
    /// rendered from the database.
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
            let html = standalone_print(&store, args.id, Lang::Zh).await;
            store.close().await;
            let html = match html {
                Ok(html) => html,
                Err(StandaloneError::App(AppError::Store(StoreError::NotFound))) => {
                    bail!("bulletin {} is not published (or does not exist): publish it first", args.id)
                }
                Err(error) => return Err(error.into()),
            };
            let dir = std::env::temp_dir().join(format!("gongzhi-bulletin-{}", std::process::id()));
            std::fs::create_dir_all(&dir).context("a folder for the print view")?;
            let file = dir.join(format!("bulletin-{}.html", args.id));
            std::fs::write(&file, html).context("write the print view")?;
            let printed = print(args, &format!("file://{}", file.display())).await;
            let _ = std::fs::remove_dir_all(&dir);
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
