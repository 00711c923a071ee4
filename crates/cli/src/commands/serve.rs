//! `gongzhi serve`: the server, with demo data on request, the auto-close timer, the
//! audit chain's checkpoints and the delivery of notifications.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use gongzhi::seed;
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::{time, Actor};
use gongzhi_store::Store;
use gongzhi_web::pages::map::MapTiles;
use gongzhi_web::{AppState, WebConfig};

use super::audit::Checkpoints;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "GONGZHI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Create a demo district if the database is empty: requests, supervision,
    /// inspections (points, the three example checklists, campaigns, rounds; login
    /// `inspector`), deliberation, and a task list assigned from above (login `leader`).
    #[arg(long)]
    demo: bool,
    /// How many demo requests to create.
    #[arg(long, default_value_t = 3_000)]
    demo_requests: u64,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "GONGZHI_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Believe X-Forwarded-For (only behind your own proxy).
    #[arg(long, env = "GONGZHI_TRUST_FORWARDED")]
    trust_forwarded: bool,
    /// How long a staff login lasts, in minutes; then the next page asks to log in again.
    #[arg(long, env = "GONGZHI_SESSION_MINUTES", default_value_t = 480, value_parser = clap::value_parser!(i64).range(1..=43_200))]
    session_minutes: i64,
    /// Photos one form may carry.
    #[arg(long, env = "GONGZHI_PHOTO_MAX_COUNT", default_value_t = 3, value_parser = clap::value_parser!(u16).range(0..=20))]
    photo_max_count: u16,
    /// Largest photo accepted, in megabytes.
    #[arg(long, env = "GONGZHI_PHOTO_MAX_MB", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    photo_max_mb: u16,
    /// Minutes between checkpoints of the audit chain (0: none).
    #[arg(long, env = "GONGZHI_CHECKPOINT_MINUTES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=1440))]
    checkpoint_minutes: u64,
    #[command(flatten)]
    anchors: super::audit::AnchorArgs,
    #[command(flatten)]
    notify: super::notify::NotifyArgs,
    /// Ask for this token (`Authorization: Bearer …`) on /metrics.
    #[arg(long, env = "GONGZHI_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Base-map tiles for the maps, as https://…/{z}/{x}/{y}.png (your own tile server).
    /// Without it nothing is fetched from elsewhere: points are drawn on a plain grid.
    #[arg(long, env = "GONGZHI_MAP_TILES")]
    map_tiles: Option<String>,
    /// Whose map the tiles are, shown in the map's corner as their licence asks.
    #[arg(long, env = "GONGZHI_MAP_ATTRIBUTION", default_value = "")]
    map_attribution: String,
    /// Serve /metrics on this address only, not with the site.
    #[arg(long, env = "GONGZHI_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
}

pub async fn run(url: &str, data_dir: &Path, args: &Args) -> Result<()> {
    // A wrong tile URL stops the start before anything is opened or written.
    let map_tiles = match args.map_tiles.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => {
            Some(MapTiles::new(url, &args.map_attribution).map_err(|why| anyhow::anyhow!("--map-tiles: {why}"))?)
        }
        None => None,
    };
    let store = Store::open(url).await.with_context(|| format!("open the database {}", redact(url)))?;
    if args.demo {
        demo(&store, args.demo_requests).await?;
    }
    let checkpoints = match args.checkpoint_minutes {
        0 => None,
        minutes => {
            let checkpoints = Checkpoints::new(&store, data_dir, &args.anchors)?;
            checkpoints.clone().start(Duration::from_secs(minutes * 60)).await?;
            Some(checkpoints)
        }
    };
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        trust_forwarded: args.trust_forwarded,
        session_ttl: args.session_minutes * (time::HOUR / 60),
        photo_max_count: usize::from(args.photo_max_count),
        photo_max_bytes: usize::from(args.photo_max_mb) * 1024 * 1024,
        metrics_token: args.metrics_token.clone().filter(|token| !token.is_empty()),
        metrics_on_site: args.metrics_listen.is_none(),
        map_tiles,
        phone_codes: args.notify.sms_on(),
        ..WebConfig::default()
    };
    tokio::spawn(auto_close(store.clone()));
    tokio::spawn(super::supervision::timer(store.clone()));
    args.notify.start(&store, &args.listen.to_string())?;
    let state = AppState::new(store.clone(), config);
    // The routing model and the duplicate index load before the first request is taken,
    // so intake never waits for them after a restart.
    if let Err(error) = state.suggester.refresh().await {
        tracing::warn!(%error, "suggestions could not load; intake goes on without them until they do");
    }
    if let Some(address) = args.metrics_listen {
        let listener =
            tokio::net::TcpListener::bind(address).await.with_context(|| format!("listen for metrics on {address}"))?;
        println!("指标 / metrics at http://{}/metrics", listener.local_addr()?);
        let metrics = gongzhi_web::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, metrics).await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
    }
    let app = gongzhi_web::router(state);
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("共治 Gongzhi 已启动 / running at http://{address}/  ({})", store.backend().name());
    if args.demo {
        println!("演示账号 / demo logins (密码 password: {}):", seed::DEMO_PASSWORD);
        for (login, what) in [
            ("admin", "管理员 admin"),
            ("operator", "受理员（受理台 /work/intake） operator at the intake desk"),
            (gongzhi::synth::TOWN_WINDOW_OPERATOR, "镇便民服务窗口受理员 town window operator"),
            ("dispatcher", "派单员 dispatcher"),
            ("handler_c001", "社区承办人 community handler"),
            ("leader_s01", "街道负责人 subdistrict leader"),
            ("leader", "区领导（交办任务 /work/tasks） district leader, tasks assigned from above"),
            ("supervisor", "督查 supervisor"),
            ("inspector", "巡查员（巡查检查 /work/inspections） inspector"),
        ] {
            println!("  {login:<14} {what}");
        }
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    // The head at shutdown, so that the last writes are anchored too.
    if let Some(checkpoints) = checkpoints {
        if let Err(error) = checkpoints.write().await {
            tracing::error!(error = format!("{error:#}"), "the checkpoint at shutdown could not be written");
        }
    }
    store.close().await;
    Ok(())
}

async fn demo(store: &Store, requests: u64) -> Result<()> {
    if !store.is_empty().await? {
        println!("数据库已有数据，跳过演示数据 / the database has data: no demo data added");
        return Ok(());
    }
    println!("正在生成演示数据 / creating the demo district with {requests} requests …");
    let (district, world) = seed::district(store, 2026).await?;
    let generation = seed::Generation { count: requests, span_days: 120, seed: 2026, corpus: None };
    seed::requests(store, &district, &world, &generation, |_| {}).await?;
    super::retrain::demo(store).await?;
    super::supervision::demo(store).await?;
    super::inspection::demo(store).await?;
    super::deliberation::demo(store).await?;
    super::tasks::demo(store).await?;
    let name = district.units.first().map(|u| u.name.as_str()).unwrap_or_default();
    println!("演示区「{name}」：{} 个单位，{} 名工作人员", district.units.len(), district.users.len());
    Ok(())
}

/// Closes resolved requests whose evaluation window has passed, once a minute. Every
/// instance may run it: a request closed by another first is a harmless conflict.
async fn auto_close(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = time::now();
        match store.due_for_auto_close(now, 500).await {
            Ok(ids) => {
                for id in ids {
                    if let Err(error) =
                        gongzhi_app::act(&store, gongzhi_app::Act::new(id, None, Command::AutoClose, Actor::System))
                            .await
                    {
                        tracing::debug!(id, %error, "auto-close skipped");
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "auto-close could not look for work"),
        }
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
