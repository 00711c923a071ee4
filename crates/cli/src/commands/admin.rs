//! Chores for administrators: tokens, accounts, the calendar.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gongzhi_app::{accounts, admin, AppError};
use gongzhi_domain::Role;
use gongzhi_store::{Store, StoreError, MIN_PASSWORD};

#[derive(Subcommand)]
pub enum Token {
    /// Create an API token for a user; it is printed once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List API tokens (never the tokens themselves, which are not kept): id, user, name,
    /// when created.
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by the id `token list` shows; it stops working at once.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum User {
    /// Add a staff account.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// operator, dispatcher, handler, leader, volunteer, inspector, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The unit's code.
        #[arg(long)]
        unit: String,
        #[arg(long, env = "GONGZHI_NEW_PASSWORD")]
        password: String,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
pub enum Calendar {
    /// Load an official calendar file (date,kind,festival lines; kind holiday or workday).
    Load { file: std::path::PathBuf },
}

pub async fn token(url: &str, command: &Token) -> Result<()> {
    let store = Store::open(url).await?;
    match command {
        Token::Create { user, name } => println!("{}", accounts::create_api_token(&store, user, name).await?),
        Token::List { user } => {
            let user_id = match user {
                Some(login) => {
                    Some(store.account_by_login(login).await?.with_context(|| format!("no user `{login}`"))?.id)
                }
                None => None,
            };
            let tokens = store.api_tokens(user_id).await?;
            if tokens.is_empty() {
                println!("没有 API 令牌 / no API tokens");
            }
            for token in tokens {
                let created = gongzhi_domain::time::display(token.created_at);
                println!("{:<6} {:<16} {:<20} {created}", token.id, token.login, token.name);
            }
        }
        Token::Revoke { id } => match accounts::revoke_api_token(&store, *id).await {
            Ok(token) => println!("已吊销 / revoked token {} ({}) of {}", token.id, token.name, token.login),
            Err(AppError::Store(StoreError::NotFound)) => bail!("no API token with id {id}"),
            Err(error) => return Err(error.into()),
        },
    }
    Ok(())
}

pub async fn user(url: &str, command: &User) -> Result<()> {
    let store = Store::open(url).await?;
    match command {
        User::Add { login, name, role, unit, password } => {
            let role = Role::parse(role).with_context(|| format!("unknown role `{role}`"))?;
            let unit = store.unit_by_code(unit).await?.with_context(|| format!("no unit with code `{unit}`"))?;
            let account = match accounts::add_account(&store, login, name, role, unit.id, password).await {
                Ok(account) => account,
                Err(AppError::Store(StoreError::Refused("short_password"))) => {
                    bail!("a password has at least {MIN_PASSWORD} characters")
                }
                Err(error) => return Err(error.into()),
            };
            println!("added {} ({}) in {}", account.login, account.role, unit.name);
        }
        User::List => {
            for account in store.accounts().await? {
                println!("{:<16} {:<10} {:<12} unit {}", account.login, account.role, account.name, account.unit_id);
            }
        }
    }
    Ok(())
}

pub async fn calendar(url: &str, command: &Calendar) -> Result<()> {
    let store = Store::open(url).await?;
    let Calendar::Load { file } = command;
    let text = std::fs::read_to_string(file).with_context(|| format!("read {}", file.display()))?;
    let calendar = admin::replace_calendar(&store, &text).await?;
    let years: Vec<String> = calendar.years().map(|y| y.to_string()).collect();
    println!("已载入工作日历 / calendar loaded, covering {}", years.join(", "));
    Ok(())
}
