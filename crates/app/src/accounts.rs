//! Accounts and their ways in: logging in (with its throttle), a session after a login,
//! leaving it, changing one's own password, API tokens for tools, and accounts opened
//! from the command line.

use gongzhi_domain::role::Role;
use gongzhi_domain::time::Millis;
use gongzhi_store::{hash_password, Account, Store, StoreError, TokenInfo};

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
    gongzhi_domain::admin::password(password).map_err(StoreError::Refused)?;
    let hash = hash_password(password)?;
    Ok(store.add_user(login, name, role, unit_id, &hash).await?)
}

/// How many logins may be tried, and in what windows (see `log_in`).
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Per account and address, in `window`.
    pub attempts: i64,
    pub window: Millis,
    /// Per account, from addresses it has not logged in from lately, in `account_window`.
    pub account_attempts: i64,
    pub account_window: Millis,
}

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginRefused {
    /// Not the shape of any login: 1 to 64 letters, digits, `_`, `.` or `-`.
    Malformed,
    Throttled,
    Wrong,
    Unavailable(StoreError),
}

impl From<StoreError> for LoginRefused {
    fn from(error: StoreError) -> LoginRefused {
        LoginRefused::Unavailable(error)
    }
}

/// The account whose login and password these are, as typed at `addr`.
///
/// Logins are counted before the password is checked, so that a burst of guesses is cut
/// at the limit however many arrive at once, and counted twice over:
///
/// - per account and address, `attempts` in `window` (by default 10 in ten minutes):
///   whoever guesses from one address is stopped there, and only there;
/// - per account, `account_attempts` in `account_window` (by default 30 an hour), for
///   attempts from addresses the account has not logged in from in the last
///   `LOGIN_SOURCE_DAYS` days: guesses spread over many addresses are stopped too, but
///   the owner, at an address they have logged in from, is not held up by them.
///
/// An unknown login is checked against a stand-in hash, so it answers as slowly as a
/// wrong password for a real one.
pub async fn log_in(
    store: &Store,
    limits: &LoginLimits,
    login: &str,
    password: &str,
    addr: &str,
    now: Millis,
) -> std::result::Result<Account, LoginRefused> {
    let login = gongzhi_domain::admin::login(login).ok_or(LoginRefused::Malformed)?;
    let here = format!("login:{login}@{addr}");
    if store.count_attempt(&here, limits.window, now).await? > limits.attempts {
        return Err(LoginRefused::Throttled);
    }
    let everywhere = format!("login:{login}");
    let familiar = store.known_login_source(login, addr, now).await?;
    if !familiar && store.count_attempt(&everywhere, limits.account_window, now).await? > limits.account_attempts {
        return Err(LoginRefused::Throttled);
    }
    let account = store.authenticate(login, password).await?.ok_or(LoginRefused::Wrong)?;
    // The right password does not use up the owner's attempts.
    store.forgive_attempt(&here).await?;
    if !familiar {
        store.forgive_attempt(&everywhere).await?;
    }
    store.remember_login_source(login, addr, now).await?;
    Ok(account)
}
