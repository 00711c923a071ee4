//! `gongzhi route retrain`: trains the routing model from the platform's own closed
//! requests and stores it in the database, where every running instance picks it up
//! within seconds. Also what the demo runs after seeding, so that its dispatch desk opens
//! with suggestions.

use anyhow::{Context, Result};
use gongzhi_app::suggestions::{self as suggest, RetrainError, Suggester};
use gongzhi_store::Store;
use serde_json::json;

use super::serve::redact;

pub async fn run(url: &str) -> Result<()> {
    let store = Store::open(url).await.with_context(|| format!("open the database {}", redact(url)))?;
    let report = suggest::retrain(&store).await?;
    println!(
        "{}",
        serde_json::to_string(&json!({
            "version": report.version,
            "examples": report.examples,
            "labels": report.labels,
            "holdout": report.holdout,
            "train_seconds": report.train_seconds,
        }))?
    );
    store.close().await;
    Ok(())
}

/// Trains from the demo's closed requests and suggests for the ones waiting. A district
/// too small to learn from starts without a model, as a new deployment does.
pub async fn demo(store: &Store) -> Result<()> {
    match suggest::retrain(store).await {
        Ok(report) => {
            let accuracy = report.holdout["accuracy"].as_f64().map(|a| format!("{:.1}%", a * 100.0));
            println!(
                "分派模型 / routing model v{}: {} 件已归档诉求 closed requests, 留出准确率 held-out accuracy {}",
                report.version,
                report.examples,
                accuracy.unwrap_or_else(|| "—".into())
            );
        }
        Err(RetrainError::TooFew { examples, .. }) => {
            println!("已归档诉求太少（{examples} 件），暂不训练分派模型 / too few closed requests to train routing");
        }
        Err(error) => return Err(error.into()),
    }
    let suggester = Suggester::start(store.clone());
    let stored = suggest::suggest_waiting(store, &suggester).await?;
    println!("待派单诉求的智能建议 / suggestions for waiting requests: {stored}");
    Ok(())
}
