//! Staff accounts, their passwords (argon2), browser sessions and API tokens.
//!
//! Session and API tokens are random and stored only as SHA-256 digests: a copy of the
//! database does not let anyone log in. A new password, whoever sets it, revokes every
//! API token of the account: a token made while the old password was known to someone
//! else is theirs too.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{any::AnyRow, Row};
use std::sync::OnceLock;

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
    pub active: bool,
}

impl Account {
    pub fn staff(&self) -> Staff {
        Staff { user_id: self.id, role: self.role, unit_id: self.unit_id, unit_path: self.unit_path.clone() }
    }
}

/// A fresh random token, as given to its holder.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2 and a random salt. Slow on purpose: run it off the
/// async threads.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash password: {e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// The hash of a password nobody knows, made with the parameters of real ones. A login
/// that does not exist is checked against it, so that its answer takes as long as a
/// wrong password's and the time it takes does not tell which logins exist.
fn stand_in_hash() -> &'static str {
    static STAND_IN: OnceLock<String> = OnceLock::new();
    STAND_IN.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// Whether `password` is the one `stored` was made from; with nothing stored, the same
/// work is done against the stand-in and the answer is no. Slow: run it off the async
/// threads.
fn verify(stored: Option<&str>, password: &str) -> bool {
    let matches = password_matches(password, stored.unwrap_or_else(|| stand_in_hash()));
    matches && stored.is_some()
}

/// Longest token accepted, in bytes: real ones are 64 hex digits.
pub const MAX_TOKEN: usize = 128;

fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An API token as it is listed: never the token itself, which is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub name: String,
    pub created_at: Millis,
}

const TOKEN_INFO: &str =
    "SELECT t.id, t.user_id, u.login, t.name, t.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id";

fn token_from_row(row: &AnyRow) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// How long an address stays one the account logs in from, in days.
pub const LOGIN_SOURCE_DAYS: i64 = 30;

/// Longest address kept for an account's logins, in bytes (an IPv6 address is 45).
const MAX_ADDRESS: usize = 64;

pub(crate) const ACCOUNT: &str = "SELECT u.id, u.login, u.name, u.role, u.unit_id, n.path AS unit_path, u.active FROM users u JOIN units n ON n.id = u.unit_id";

pub(crate) fn account_from_row(row: &AnyRow) -> Result<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Invalid(format!("unknown role `{role}`")))?,
        unit_id: row.try_get("unit_id")?,
        unit_path: row.try_get("unit_path")?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

pub use gongzhi_domain::admin::MIN_PASSWORD;

/// A login as typed, trimmed, if it is well formed (`gongzhi_domain::admin::login`).
pub fn well_formed_login(login: &str) -> Option<&str> {
    gongzhi_domain::admin::login(login)
}

pub(crate) fn check_login(login: &str) -> Result<&str> {
    well_formed_login(login)
        .ok_or_else(|| StoreError::Invalid("a login is 1 to 64 letters, digits, `_`, `.` or `-`".into()))
}

/// The argon2 hash of a new password that is long enough, computed off the async threads.
pub(crate) async fn hash_new_password(password: &str) -> Result<String> {
    gongzhi_domain::admin::password(password).map_err(StoreError::Refused)?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))?
}

impl Store {
    /// Adds a staff account with a password hash from `hash_password`.
    pub async fn add_user(
        &self,
        login: &str,
        name: &str,
        role: Role,
        unit_id: i64,
        password_hash: &str,
    ) -> Result<Account> {
        let login = check_login(login)?;
        self.unit(unit_id).await?;
        sqlx::query("INSERT INTO users (login, name, role, unit_id, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)")
            .bind(login)
            .bind(name)
            .bind(role.as_str())
            .bind(unit_id)
            .bind(password_hash)
            .bind(gongzhi_domain::time::now())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::from_insert(e, &format!("user {login}")))?;
        self.account_by_login(login).await?.ok_or(StoreError::NotFound)
    }

    pub async fn account_by_login(&self, login: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!("{ACCOUNT} WHERE u.login = $1")).bind(login).fetch_optional(self.pool()).await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn account(&self, id: i64) -> Result<Account> {
        let row = sqlx::query(&format!("{ACCOUNT} WHERE u.id = $1")).bind(id).fetch_optional(self.pool()).await?;
        account_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// The names of these accounts, by id: a timeline names only those who acted on it.
    pub async fn account_names(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT id, name FROM users WHERE id IN ({})", marks.join(", "));
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("name")?))).collect()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query(&format!("{ACCOUNT} ORDER BY u.id")).fetch_all(self.pool()).await?;
        rows.iter().map(account_from_row).collect()
    }

    /// The active account whose password this is, if any. An unknown or stopped login
    /// costs the same argon2 check as a known one.
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Option<Account>> {
        let login = well_formed_login(login).ok_or(StoreError::Refused("bad_login"))?;
        let row = sqlx::query("SELECT password_hash FROM users WHERE login = $1 AND active = 1")
            .bind(login)
            .fetch_optional(self.pool())
            .await?;
        let stored: Option<String> = row.map(|row| row.try_get("password_hash")).transpose()?;
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify(stored.as_deref(), &password)).await.unwrap_or(false);
        if matches {
            self.account_by_login(login).await
        } else {
            Ok(None)
        }
    }

    /// Remembers that `login` has just logged in from `address`.
    pub async fn remember_login_source(&self, login: &str, address: &str, now: Millis) -> Result<()> {
        let login = check_login(login)?;
        check_address(address)?;
        sqlx::query(
            "INSERT INTO login_sources (login, address, last_login) VALUES ($1, $2, $3) \
             ON CONFLICT (login, address) DO UPDATE SET last_login = $3",
        )
        .bind(login)
        .bind(address)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether `login` logged in from `address` in the last `LOGIN_SOURCE_DAYS` days.
    pub async fn known_login_source(&self, login: &str, address: &str, now: Millis) -> Result<bool> {
        let login = check_login(login)?;
        check_address(address)?;
        let since = now - LOGIN_SOURCE_DAYS * gongzhi_domain::time::DAY;
        let row =
            sqlx::query("SELECT 1 AS known FROM login_sources WHERE login = $1 AND address = $2 AND last_login > $3")
                .bind(login)
                .bind(address)
                .bind(since)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    pub async fn set_password(&self, user_id: i64, password: &str) -> Result<()> {
        let hash = hash_new_password(password).await?;
        let mut tx = self.pool().begin().await?;
        replace_password(&mut tx, user_id, &hash, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes one's own password after checking the current one. The session in use
    /// (`keep_session`, its token) stays; every other session of the user ends, and
    /// every API token of the user is revoked.
    pub async fn change_password(&self, user_id: i64, current: &str, new: &str, keep_session: &str) -> Result<()> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash: String = row.try_get("password_hash")?;
        let current = current.to_string();
        if !tokio::task::spawn_blocking(move || verify(Some(&hash), &current)).await.unwrap_or(false) {
            return Err(StoreError::Refused("wrong_password"));
        }
        let hash = hash_new_password(new).await?;
        let mut tx = self.pool().begin().await?;
        replace_password(&mut tx, user_id, &hash, Some(keep_session)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a browser session; returns the token for the cookie.
    pub async fn start_session(&self, user_id: i64, now: Millis, ttl: Millis) -> Result<String> {
        let token = new_token();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(digest(&token))
            .bind(user_id)
            .bind(now)
            .bind(now + ttl)
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    /// The account behind a live session; `None` when unknown or expired.
    pub async fn session_account(&self, token: &str, now: Millis) -> Result<Option<Account>> {
        if !plausible_token(token) {
            return Ok(None);
        }
        let sql = format!("{ACCOUNT} JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1");
        let row = sqlx::query(&sql).bind(digest(token)).bind(now).fetch_optional(self.pool()).await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(digest(token)).execute(self.pool()).await?;
        Ok(())
    }

    /// Creates an API token for a user; the token itself is shown once and not kept.
    pub async fn create_api_token(&self, login: &str, name: &str) -> Result<String> {
        let account =
            self.account_by_login(login).await?.ok_or_else(|| StoreError::Invalid(format!("no user `{login}`")))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.contains('\0') {
            return Err(StoreError::Invalid("a token's name is 1 to 100 characters".into()));
        }
        let token = new_token();
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(digest(&token))
            .bind(account.id)
            .bind(name)
            .bind(gongzhi_domain::time::now())
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    pub async fn token_account(&self, token: &str) -> Result<Option<Account>> {
        if !plausible_token(token) {
            return Ok(None);
        }
        let sql = format!("{ACCOUNT} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND u.active = 1");
        let row = sqlx::query(&sql).bind(digest(token)).fetch_optional(self.pool()).await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// The API tokens of one user, or of everyone, oldest first.
    pub async fn api_tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenInfo>> {
        let sql = format!("{TOKEN_INFO} WHERE $1 = 0 OR t.user_id = $1 ORDER BY t.id");
        let rows = sqlx::query(&sql).bind(user_id.unwrap_or(0)).fetch_all(self.pool()).await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes one API token by its id; the token stops working at once.
    pub async fn revoke_api_token(&self, id: i64) -> Result<TokenInfo> {
        let row = sqlx::query(&format!("{TOKEN_INFO} WHERE t.id = $1")).bind(id).fetch_optional(self.pool()).await?;
        let token = token_from_row(&row.ok_or(StoreError::NotFound)?)?;
        sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(id).execute(self.pool()).await?;
        Ok(token)
    }
}

/// Forgets the addresses accounts have not logged in from for `LOGIN_SOURCE_DAYS`.
pub(crate) async fn forget_login_sources(pool: &sqlx::AnyPool, now: Millis) -> Result<u64> {
    let since = now - LOGIN_SOURCE_DAYS * gongzhi_domain::time::DAY;
    let done = sqlx::query("DELETE FROM login_sources WHERE last_login <= $1").bind(since).execute(pool).await?;
    Ok(done.rows_affected())
}

fn check_address(address: &str) -> Result<()> {
    if address.is_empty() || address.len() > MAX_ADDRESS || address.contains('\0') {
        return Err(StoreError::Invalid(format!("an address is 1 to {MAX_ADDRESS} bytes")));
    }
    Ok(())
}

/// Sets a password hash, ends the user's sessions opened with the old password, all but
/// the one given, and revokes the user's API tokens.
pub(crate) async fn replace_password(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    end_sessions(conn, user_id, keep_session).await
}

/// Ends every session of a user but the one given (by its token).
pub(crate) async fn end_sessions(conn: &mut sqlx::AnyConnection, user_id: i64, keep: Option<&str>) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.map(digest).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No timing here: what makes an unknown login cost as much as a known one is that it
    /// is checked too, against a hash made the way real ones are.
    #[test]
    fn an_unknown_login_is_checked_like_a_known_one() {
        let real = hash_password("demo-password").unwrap();
        let (real, stand_in) = (PasswordHash::new(&real).unwrap(), PasswordHash::new(stand_in_hash()).unwrap());
        assert_eq!(stand_in.algorithm, real.algorithm);
        assert_eq!(stand_in.version, real.version);
        assert_eq!(stand_in.params, real.params);
        assert!(!verify(None, "demo-password"));
        assert!(!verify(None, ""));
        let stored = hash_password("demo-password").unwrap();
        assert!(verify(Some(&stored), "demo-password"));
        assert!(!verify(Some(&stored), "demo-passwort"));
    }
}
