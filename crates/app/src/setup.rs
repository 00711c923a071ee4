//! Setting up a district from files and demo data: units, accounts with a password
//! hash made once for many, the category catalogue and its default words. The command
//! line's chores and the demo district call these.

use gongzhi_domain::role::Role;
use gongzhi_domain::unit::{Unit, UnitKind};
use gongzhi_store::{Account, Store};

use crate::Result;

pub async fn add_unit(store: &Store, parent_id: Option<i64>, kind: UnitKind, code: &str, name: &str) -> Result<Unit> {
    Ok(store.add_unit(parent_id, kind, code, name).await?)
}

/// Opens an account whose password is already hashed (demo accounts share one hash).
pub async fn add_hashed_account(
    store: &Store,
    login: &str,
    name: &str,
    role: Role,
    unit_id: i64,
    password_hash: &str,
) -> Result<Account> {
    Ok(store.add_user(login, name, role, unit_id, password_hash).await?)
}

/// Loads a `level1,level2,level3` catalogue and the default words of its categories;
/// `default_unit` names the unit that handles a first-level category. Returns how many
/// categories were added.
pub async fn load_catalogue(
    store: &Store,
    rows: &[[String; 3]],
    default_unit: impl Fn(&str) -> Option<i64>,
) -> Result<usize> {
    let added = store.load_catalogue(rows, default_unit).await?;
    store.load_default_words().await?;
    Ok(added)
}
