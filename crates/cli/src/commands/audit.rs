//! `gongzhi audit`: checkpoints of the event chain kept outside the database, and the
//! audit that holds the database against them and every request's row against its
//! events. See docs/operations.md, "Audit".

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use gongzhi_domain::time;
use gongzhi_store::anchors::{self, AnchorFile, AnchorKey};
use gongzhi_store::{Anchor, AuditReport, Found, Store};

#[derive(clap::Subcommand)]
pub enum Audit {
    /// Check the event chain's links, hold it against the checkpoints and the published
    /// bulletins, and compare every request's row with its events; exits non-zero and
    /// names what it found if anything does not hold.
    Verify(VerifyArgs),
    /// Append the chain head, signed, to the checkpoint file now.
    Checkpoint(AnchorArgs),
}

/// Where checkpoints go and the key that signs them.
#[derive(clap::Args, Clone)]
pub struct AnchorArgs {
    /// The file checkpoints are appended to [default: audit-anchors.log in the data folder].
    #[arg(long, env = "GONGZHI_ANCHOR_FILE")]
    anchor_file: Option<PathBuf>,
    /// The key file (hex) that signs checkpoints; made, readable by its owner only, when
    /// missing [default: audit.key in the data folder].
    #[arg(long, env = "GONGZHI_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A checkpoint file to hold the chain against; repeat for each instance's file
    /// [default: audit-anchors.log in the data folder, if there is one].
    #[arg(long = "anchor-file", env = "GONGZHI_ANCHOR_FILE")]
    anchor_files: Vec<PathBuf>,
    /// The key that signed the checkpoints [default: audit.key in the data folder].
    #[arg(long, env = "GONGZHI_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
    /// An anchor written down elsewhere, as `SEQ:HASH` — the 审计锚点 line of a printed
    /// bulletin (at least 16 characters of the hash); repeat as needed.
    #[arg(long = "anchor", value_parser = typed_anchor)]
    anchors: Vec<Anchor>,
}

const ANCHOR_FILE: &str = "audit-anchors.log";
const KEY_FILE: &str = "audit.key";

/// Mismatches printed; the report counts them all.
const SHOWN: usize = 50;

impl AnchorArgs {
    fn file(&self, data_dir: &Path) -> PathBuf {
        self.anchor_file.clone().unwrap_or_else(|| data_dir.join(ANCHOR_FILE))
    }

    /// The signing key, made on first use.
    fn key(&self, data_dir: &Path) -> Result<AnchorKey> {
        let path = self.audit_key_file.clone().unwrap_or_else(|| data_dir.join(KEY_FILE));
        let made = !path.exists();
        let key = AnchorKey::load_or_create(&path).with_context(|| format!("the audit key {}", path.display()))?;
        if made {
            tracing::warn!(path = %path.display(), "made a new audit key: keep a copy away from this machine");
        }
        Ok(key)
    }
}

fn typed_anchor(text: &str) -> Result<Anchor, String> {
    let (seq, hash) = text.split_once(':').ok_or("write it as SEQ:HASH, e.g. 12345:1a2b3c4d5e6f7a8b")?;
    let seq = seq.trim().parse().map_err(|_| format!("`{seq}` is not an event number"))?;
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() < anchors::SHOWN || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("give at least {} hex characters of the hash", anchors::SHOWN));
    }
    Ok(Anchor { seq, hash, at: 0, source: format!("--anchor {text}") })
}

pub async fn run(url: &str, data_dir: &Path, command: &Audit) -> Result<()> {
    let store = Store::open(url).await?;
    match command {
        Audit::Checkpoint(args) => match Checkpoints::new(&store, data_dir, args)?.write().await? {
            Some(anchor) => println!(
                "审计锚点已写入 / checkpoint written to {}: seq {} · {} · {}",
                args.file(data_dir).display(),
                anchor.seq,
                anchor.short_hash(),
                time::display(anchor.at)
            ),
            None => println!("事件链为空，无需锚点 / the chain is empty: nothing to anchor"),
        },
        Audit::Verify(args) => {
            if !verify(&store, data_dir, args).await? {
                store.close().await;
                std::process::exit(1);
            }
        }
    }
    store.close().await;
    Ok(())
}

/// Prints the report; false when anything was found.
async fn verify(store: &Store, data_dir: &Path, args: &VerifyArgs) -> Result<bool> {
    let mut problems = Vec::new();
    let mut anchors = args.anchors.clone();
    for file in anchor_files(data_dir, args, &mut problems)? {
        for (line, why) in &file.bad_lines {
            problems
                .push(format!("锚点文件 / checkpoint file {} 第 {line} 行 / line {line}: {why}", file.path.display()));
        }
        anchors.extend(file.anchors);
    }
    let report = store.audit(&anchors).await?;
    print_chain(&report, &anchors, &mut problems);
    print_replay(&report, &mut problems);
    if !problems.is_empty() {
        println!("问题 / problems:");
    }
    for problem in &problems {
        println!("  {problem}");
    }
    if problems.is_empty() && report.is_clean() {
        println!("结论 / result: 审计通过 / audit passed");
        Ok(true)
    } else {
        println!("结论 / result: 发现问题 / PROBLEMS FOUND");
        Ok(false)
    }
}

/// The checkpoint files asked for, or the data folder's when there is one.
fn anchor_files(data_dir: &Path, args: &VerifyArgs, problems: &mut Vec<String>) -> Result<Vec<AnchorFile>> {
    let asked = !args.anchor_files.is_empty();
    let paths = if asked { args.anchor_files.clone() } else { vec![data_dir.join(ANCHOR_FILE)] };
    let paths: Vec<PathBuf> = paths.into_iter().filter(|p| asked || p.exists()).collect();
    if paths.is_empty() {
        println!(
            "提示 / note: 没有检查点文件 {} —— 链尾被截断只能由锚点发现 / no checkpoint file: a cut-off tail is found only \
             against anchors",
            data_dir.join(ANCHOR_FILE).display()
        );
        return Ok(vec![]);
    }
    let key_path = args.audit_key_file.clone().unwrap_or_else(|| data_dir.join(KEY_FILE));
    let key = match AnchorKey::load(&key_path) {
        Ok(key) => Some(key),
        Err(error) => {
            problems.push(format!(
                "无法核对检查点签名 / checkpoint signatures cannot be checked: {} ({error})",
                key_path.display()
            ));
            None
        }
    };
    paths
        .iter()
        .map(|path| anchors::read(path, key.as_ref()).with_context(|| format!("read {}", path.display())))
        .collect()
}

fn print_chain(report: &AuditReport, anchors: &[Anchor], problems: &mut Vec<String>) {
    let chain = &report.chain;
    println!("审计链 / audit chain: {} 条事件 events（旧格式 / old format {}）", chain.events, chain.old_format);
    match &chain.first_broken {
        None => println!("  链接完好 / every link holds"),
        Some((id, reason)) => problems.push(format!("审计链断裂 / chain BROKEN at event {id}: {reason}")),
    }
    let bulletins = chain.anchors_checked.saturating_sub(anchors.iter().filter(|a| a.seq > 0).count());
    let latest = anchors.iter().max_by_key(|a| a.seq);
    match latest {
        Some(a) => println!(
            "锚点 / anchors: 核对 {} 个 checked（通报 / bulletins {bulletins}）; 最新 / latest: seq {} · {} · {}",
            chain.anchors_checked,
            a.seq,
            a.short_hash(),
            if a.at > 0 { time::display(a.at) } else { a.source.clone() }
        ),
        None => println!("锚点 / anchors: 核对 {} 个 checked（通报 / bulletins {bulletins}）", chain.anchors_checked),
    }
    for breach in &chain.breaches {
        let a = &breach.anchor;
        let when = if a.at > 0 { time::display(a.at) } else { String::new() };
        let what = match &breach.found {
            Found::Truncated { chain_ends } => {
                format!("链已截断，止于事件 {chain_ends} / chain TRUNCATED: it ends at event {chain_ends}")
            }
            Found::Rewritten { hash } => format!(
                "事件 {} 的哈希已改变 / chain REWRITTEN: event {} now hashes to {}",
                a.seq,
                a.seq,
                &hash[..hash.len().min(anchors::SHOWN)]
            ),
            Found::Missing => format!("事件 {} 已不在日志中 / event {} is MISSING from the log", a.seq, a.seq),
        };
        problems.push(format!(
            "锚点不符 / anchor breached ({} {when}, seq {} · {}): {what}",
            a.source,
            a.seq,
            a.short_hash()
        ));
    }
}

fn print_replay(report: &AuditReport, problems: &mut Vec<String>) {
    let replay = &report.replay;
    println!(
        "回放 / replay: {} 件诉求 requests，全部字段核对 / fully checked {}，部分核对 / partly checked {}",
        replay.requests, replay.fully_checked, replay.partly_checked
    );
    if replay.partly_checked > 0 {
        println!(
            "  部分核对的诉求有早于快照格式的事件：已核对状态及其后事件记录的字段 / partly checked requests have events \
             from before snapshots: their state, and the columns later events recorded, were checked"
        );
    }
    if replay.mismatch_count == 0 {
        return;
    }
    problems
        .push(format!("库中记录与事件不符 / rows that differ from their events: {} 处 / found", replay.mismatch_count));
    for m in replay.mismatches.iter().take(SHOWN) {
        let number = if m.number.is_empty() { String::new() } else { format!("{} ", m.number) };
        problems.push(format!(
            "  诉求 / request {number}(#{}) {}: 库中 / row «{}» ≠ 事件 / events «{}»",
            m.request_id, m.field, m.row, m.events
        ));
    }
    let listed = replay.mismatches.len().min(SHOWN) as i64;
    if replay.mismatch_count > listed {
        let more = replay.mismatch_count - listed;
        problems.push(format!("  …另有 {more} 处未列出 / {more} more not listed"));
    }
}

/// Writes the chain head to the checkpoint file.
#[derive(Clone)]
pub struct Checkpoints {
    store: Store,
    file: PathBuf,
    key: Arc<AnchorKey>,
    /// The sequence number last written, so that a chain at rest is not written again.
    written: Arc<AtomicI64>,
}

impl Checkpoints {
    /// Reads (or makes) the key and opens the file; fails when either cannot be had, so
    /// that the server stops at start rather than the next audit finding nothing.
    pub fn new(store: &Store, data_dir: &Path, args: &AnchorArgs) -> Result<Checkpoints> {
        let file = args.file(data_dir);
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder).with_context(|| format!("create {}", folder.display()))?;
        }
        let opened = std::fs::OpenOptions::new().append(true).create(true).open(&file);
        opened.with_context(|| format!("open the checkpoint file {}", file.display()))?;
        Ok(Checkpoints {
            store: store.clone(),
            file,
            key: Arc::new(args.key(data_dir)?),
            written: Arc::new(AtomicI64::new(0)),
        })
    }

    /// Appends the head now and waits until it is on disk; nothing when it has not moved
    /// since the last (an empty chain has nothing to anchor).
    pub async fn write(&self) -> Result<Option<Anchor>> {
        let anchor = gongzhi_app::audit::checkpoint(&self.store).await?;
        if anchor.seq == self.written.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let (file, key, line) = (self.file.clone(), self.key.clone(), anchor.clone());
        tokio::task::spawn_blocking(move || anchors::append(&file, &line, &key))
            .await?
            .with_context(|| format!("append to the checkpoint file {}", self.file.display()))?;
        self.written.store(anchor.seq, Ordering::Relaxed);
        Ok(Some(anchor))
    }

    /// Writes one now and then one every `every` while the chain moves. A failure after
    /// the first is logged and tried again at the next tick.
    pub async fn start(self, every: Duration) -> Result<()> {
        self.write().await?;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(error) = self.write().await {
                    tracing::error!(error = format!("{error:#}"), "a checkpoint could not be written");
                }
            }
        });
        Ok(())
    }
}
