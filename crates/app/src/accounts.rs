//! Accounts and their ways in: a session after a login, leaving it, changing one's own
//! password, API tokens for tools, and accounts opened from the command line.
//!
//! Counting login attempts and remembering the addresses an account logs in from are
//! the web's throttle (`gongzhi_web::auth`), not a use case: they guard the door and
//! change nothing anyone reads.

use gongzhi_domain::role::Role;
use gongzhi_domain::time::Millis;
use gongzhi_store::{hash_password, Account, Store, StoreError, TokenInfo, MIN_PASSWORD};

use crate::Result;

/// Opens a session for an account that has just proved who it is; returns its token.
pub async fn start_session(store: &Store, account_id: i64, now: Millis, ttl: Millis) -> Result<String> {
    Ok(store.start_session(account_id, now, ttl).await?)
}

/// Ends the session the token names, if it is one.
pub async fn end_session(store: &Store, token: &str) -> Result<()> {
    Ok(store.end_session(token).await?)
}

/// Changes one's own password; every other session of the account ends, the one it was
/// changed from stays.
pub async fn change_password(store: &Store, user_id: i64, current: &str, new: &str, keep_session: &str) -> Result<()> {
    Ok(store.change_password(user_id, current, new, keep_session).await?)
}

/// Gives an account a named API token; returns the token, shown this once.
pub async fn create_api_token(store: &Store, login: &str, name: &str) -> Result<String> {
    Ok(store.create_api_token(login, name).await?)
}

/// Revokes an API token; returns what it was.
pub async fn revoke_api_token(store: &Store, id: i64) -> Result<TokenInfo> {
    Ok(store.revoke_api_token(id).await?)
}

/// Opens an account from the command line, which acts for the district.
pub async fn add_account(
    store: &Store,
    login: &str,
    name: &str,
    role: Role,
    unit_id: i64,
    password: &str,
) -> Result<Account> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Refused("short_password").into());
    }
    let hash = hash_password(password)?;
    Ok(store.add_user(login, name, role, unit_id, &hash).await?)
}
