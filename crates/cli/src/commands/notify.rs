//! Notifications beside `serve`: the delivery worker and the deadline timer, configured
//! by options and environment; and `gongzhi notify`, the admin's commands for webhook
//! subscriptions and dead letters.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gongzhi_app::notify::channels::{Channels, MailRelay, SmsGateway};
use gongzhi_app::notify::{self, Config, Worker};
use gongzhi_domain::notify::schedule::{Backoff, QuietHours};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time;
use gongzhi_store::Store;

/// How `serve` tells people: each channel is off until it is configured.
#[derive(clap::Args, Clone)]
pub struct NotifyArgs {
    /// The site's address as residents and staff reach it, for the links in messages
    /// (default: http:// and the listening address).
    #[arg(long, env = "GONGZHI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Deliver notifications from this instance (false: only write them, for another
    /// instance to deliver).
    #[arg(long, env = "GONGZHI_NOTIFY_DELIVER", default_value_t = true, action = clap::ArgAction::Set)]
    pub notify_deliver: bool,
    /// The SMS gateway's URL; SMS is off without it.
    #[arg(long, env = "GONGZHI_SMS_URL")]
    pub sms_url: Option<String>,
    /// The gateway's body, with {phone}, {text} and {key} filled in.
    #[arg(long, env = "GONGZHI_SMS_TEMPLATE", default_value = SmsGateway::DEFAULT_TEMPLATE)]
    pub sms_template: String,
    /// application/json or application/x-www-form-urlencoded: how the values are escaped.
    #[arg(long, env = "GONGZHI_SMS_CONTENT_TYPE", default_value = SmsGateway::JSON)]
    pub sms_content_type: String,
    /// The signature in front of every text (【共治】); empty when the gateway adds it.
    #[arg(long, env = "GONGZHI_SMS_SIGN", default_value = "共治")]
    pub sms_sign: String,
    /// No SMS to residents in these local hours (UTC+8); held, not dropped. `none`: off.
    #[arg(long, env = "GONGZHI_QUIET_HOURS", default_value = "21:00-08:00", value_parser = quiet_hours)]
    pub quiet_hours: QuietHours,
    /// The SMTP relay's host; mail is off without it.
    #[arg(long, env = "GONGZHI_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "GONGZHI_SMTP_PORT", default_value_t = 25)]
    pub smtp_port: u16,
    /// The sender, e.g. "共治平台 <noreply@yx.gov.cn>".
    #[arg(long, env = "GONGZHI_SMTP_FROM", default_value = "Gongzhi <gongzhi@localhost>")]
    pub smtp_from: String,
    #[arg(long, env = "GONGZHI_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "GONGZHI_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Deliver to webhook subscriptions.
    #[arg(long, env = "GONGZHI_WEBHOOKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub webhooks: bool,
    /// Tries before a notification becomes a dead letter.
    #[arg(long, env = "GONGZHI_NOTIFY_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub notify_attempts: u32,
    /// Seconds before the first retry; each later wait doubles.
    #[arg(long, env = "GONGZHI_NOTIFY_RETRY_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub notify_retry_seconds: u64,
    /// Longest wait between retries, in seconds.
    #[arg(long, env = "GONGZHI_NOTIFY_RETRY_MAX_SECONDS", default_value_t = 3_600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub notify_retry_max_seconds: u64,
    /// How long a claimed notification is held by this instance before another may take it.
    #[arg(long, env = "GONGZHI_NOTIFY_LEASE_SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub notify_lease_seconds: u64,
    /// Deliveries under way at once.
    #[arg(long, env = "GONGZHI_NOTIFY_CONCURRENCY", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1_024))]
    pub notify_concurrency: u16,
    /// Seconds a gateway, relay or receiver may take to answer.
    #[arg(long, env = "GONGZHI_NOTIFY_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub notify_timeout_seconds: u64,
}

fn quiet_hours(text: &str) -> Result<QuietHours, String> {
    QuietHours::parse(text).ok_or_else(|| format!("`{text}` is not a span like 21:00-08:00 (or none)"))
}

impl NotifyArgs {
    /// Whether texts go out by SMS: then residents' numbers are confirmed by a code.
    pub fn sms_on(&self) -> bool {
        self.sms_url.as_deref().is_some_and(|url| !url.is_empty())
    }

    /// The worker these options describe.
    pub fn worker(&self, store: &Store, listen: &str) -> Result<Worker> {
        let public_url = self.public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
        let mut config = Config::new(&public_url);
        config.sms_sign = self.sms_sign.clone();
        config.quiet = self.quiet_hours;
        config.backoff = Backoff {
            first: self.notify_retry_seconds as i64 * 1_000,
            longest: self.notify_retry_max_seconds as i64 * 1_000,
            attempts: self.notify_attempts,
        };
        config.lease = Duration::from_secs(self.notify_lease_seconds);
        config.concurrency = usize::from(self.notify_concurrency);
        let sms = self.sms_url.clone().filter(|u| !u.is_empty()).map(|url| SmsGateway {
            url,
            template: self.sms_template.clone(),
            content_type: self.sms_content_type.clone(),
        });
        let mail = self.smtp_host.clone().filter(|h| !h.is_empty()).map(|host| MailRelay {
            host,
            port: self.smtp_port,
            from: self.smtp_from.clone(),
            login: self.smtp_user.clone().zip(self.smtp_password.clone()),
        });
        let timeout = Duration::from_secs(self.notify_timeout_seconds);
        let channels = Channels::new(sms, mail, self.webhooks, timeout).map_err(anyhow::Error::msg)?;
        Ok(Worker::new(store.clone(), config, channels))
    }

    /// Starts the worker (when this instance delivers) and the deadline timer.
    pub fn start(&self, store: &Store, listen: &str) -> Result<()> {
        if self.notify_deliver {
            let worker = self.worker(store, listen).context("configure notifications")?;
            tokio::spawn(worker.run());
        }
        tokio::spawn(deadline_timer(store.clone()));
        Ok(())
    }
}

/// Once a minute: the deadlines crossed since the last look are told of, requests' and
/// tasks' milestones'. Any instance may run it; each deadline is told once.
async fn deadline_timer(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match notify::sweep(&store, time::now()).await {
            Ok(0) => {}
            Ok(told) => tracing::info!(told, "deadline notifications written"),
            Err(error) => tracing::warn!(%error, "could not look for deadlines crossed"),
        }
        match gongzhi_app::tasks::sweep(&store, time::now()).await {
            Ok(0) => {}
            Ok(told) => tracing::info!(told, "milestone notifications written"),
            Err(error) => tracing::warn!(%error, "could not look for milestone deadlines crossed"),
        }
    }
}

#[derive(Subcommand)]
pub enum Notify {
    /// Subscribe another system to an event type (`*`: all); prints the signing secret once.
    Subscribe {
        /// request.submit, request.dispatch, order.answer, deadline.overdue, … or *.
        #[arg(long)]
        event: String,
        #[arg(long)]
        url: String,
    },
    /// List webhook subscriptions.
    Subscriptions,
    /// Stop a subscription by its id.
    Unsubscribe { id: i64 },
    /// List the dead letters: notifications that failed every try.
    Dead,
    /// Send a dead letter again by its id.
    Resend { id: i64 },
}

/// The command line acts with the database's own authority, as an admin of everything.
fn operator() -> Staff {
    Staff { user_id: 0, role: Role::Admin, unit_id: 0, unit_path: "/".into() }
}

pub async fn run(url: &str, command: &Notify) -> Result<()> {
    let store = Store::open(url).await?;
    let admin = operator();
    match command {
        Notify::Subscribe { event, url } => {
            let s = notify::subscribe(&store, &admin, event, url, time::now()).await?;
            println!("订阅 / subscription {}  {}  {}", s.id, s.event_type, s.url);
            println!("签名密钥 / signing secret (shown once): {}", s.secret);
        }
        Notify::Subscriptions => {
            for s in notify::subscriptions(&store, &admin).await? {
                let state = if s.active { "active" } else { "ended" };
                println!("{}\t{}\t{}\t{state}\t{}", s.id, s.event_type, s.url, time::display(s.created_at));
            }
        }
        Notify::Unsubscribe { id } => {
            notify::unsubscribe(&store, &admin, *id).await.with_context(|| format!("no active subscription {id}"))?;
            println!("已停止 / ended subscription {id}");
        }
        Notify::Dead => {
            let (counts, dead) = notify::outbox(&store, &admin, "dead", None).await?;
            println!("待发送 / pending {}  死信 / dead letters {}", counts.pending, counts.dead);
            for d in dead {
                let error = d.last_error.unwrap_or_default();
                println!("{}\t{}\t{}\t{}\t{}\t{error}", d.id, d.medium, d.topic, d.recipient, d.attempts);
            }
        }
        Notify::Resend { id } => {
            if notify::resend(&store, &admin, *id, time::now()).await.is_err() {
                bail!("no dead letter {id}");
            }
            println!("已重新排队 / queued again: {id}");
        }
    }
    store.close().await;
    Ok(())
}
