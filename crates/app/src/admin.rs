//! Administration: the units of the district, the accounts of its staff, the category
//! catalogue and its words, the deadline policy, the scoring weights and the working
//! calendar. Each change is one use case here; the store checks the admin's scope and
//! writes the change with its `admin_audit` row in one transaction.

use chrono::NaiveDate;
use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::measures::Scoring;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::UnitKind;
use gongzhi_store::{Account, Store};

use crate::Result;

/// A change to one unit of the admin's subtree.
pub enum UnitChange<'a> {
    Rename {
        name: &'a str,
    },
    /// A new unit under this one.
    AddChild {
        kind: UnitKind,
        code: &'a str,
        name: &'a str,
    },
    SetActive(bool),
    Delete,
}

pub async fn change_unit(store: &Store, admin: &Staff, id: i64, change: UnitChange<'_>, now: Millis) -> Result<()> {
    match change {
        UnitChange::Rename { name } => store.rename_unit(admin, id, name, now).await?,
        UnitChange::AddChild { kind, code, name } => {
            store.add_child_unit(admin, id, kind, code, name, now).await?;
        }
        UnitChange::SetActive(active) => store.set_unit_active(admin, id, active, now).await?,
        UnitChange::Delete => store.delete_unit(admin, id, now).await?,
    }
    Ok(())
}

/// An account an admin opens in their subtree.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub unit_id: i64,
    pub password: &'a str,
}

pub async fn add_user(store: &Store, admin: &Staff, user: NewUser<'_>, now: Millis) -> Result<Account> {
    let NewUser { login, name, role, unit_id, password } = user;
    Ok(store.add_user_as_admin(admin, login, name, role, unit_id, password, now).await?)
}

/// A change to one account of the admin's subtree.
pub enum UserChange<'a> {
    Assign {
        role: Role,
        unit_id: i64,
    },
    /// A new password, which also revokes the account's API tokens.
    ResetPassword {
        password: &'a str,
    },
    SetActive(bool),
    RevokeToken {
        token_id: i64,
    },
}

pub async fn change_user(store: &Store, admin: &Staff, id: i64, change: UserChange<'_>, now: Millis) -> Result<()> {
    match change {
        UserChange::Assign { role, unit_id } => store.change_user(admin, id, role, unit_id, now).await?,
        UserChange::ResetPassword { password } => store.reset_password(admin, id, password, now).await?,
        UserChange::SetActive(active) => store.set_user_active(admin, id, active, now).await?,
        UserChange::RevokeToken { token_id } => store.revoke_token_as_admin(admin, id, token_id, now).await?,
    }
    Ok(())
}

/// A category as the catalogue admin types it.
pub struct CategoryFields<'a> {
    pub name: &'a str,
    pub default_unit_id: Option<i64>,
    /// Its own working days to resolve; none: the deadline policy's.
    pub resolve_days: Option<u32>,
}

pub async fn add_category(
    store: &Store,
    admin: &Staff,
    parent_id: Option<i64>,
    fields: CategoryFields<'_>,
    now: Millis,
) -> Result<Category> {
    let CategoryFields { name, default_unit_id, resolve_days } = fields;
    Ok(store.add_category_as_admin(admin, parent_id, name, default_unit_id, resolve_days, now).await?)
}

/// Changes a category and, when `words` are given, the words that route requests to it.
pub async fn change_category(
    store: &Store,
    admin: &Staff,
    id: i64,
    fields: CategoryFields<'_>,
    words: Option<&[String]>,
    now: Millis,
) -> Result<()> {
    let CategoryFields { name, default_unit_id, resolve_days } = fields;
    store.change_category(admin, id, name, default_unit_id, resolve_days, now).await?;
    if let Some(words) = words {
        store.set_category_words_as_admin(admin, id, words, now).await?;
    }
    Ok(())
}

pub async fn set_policy(store: &Store, admin: &Staff, policy: &DeadlinePolicy, now: Millis) -> Result<()> {
    Ok(store.set_policy_as_admin(admin, policy, now).await?)
}

pub async fn set_scoring(store: &Store, admin: &Staff, scoring: &Scoring, now: Millis) -> Result<()> {
    Ok(store.set_scoring_as_admin(admin, scoring, now).await?)
}

/// Turns a working day into a day off or back; says whether the day is now a working day.
pub async fn toggle_day(store: &Store, admin: &Staff, date: NaiveDate, now: Millis) -> Result<bool> {
    Ok(store.toggle_day(admin, date, now).await?)
}

/// Loads an official calendar file (`date,kind,festival` lines) as an admin.
pub async fn load_calendar(store: &Store, admin: &Staff, csv: &str, now: Millis) -> Result<WorkCalendar> {
    Ok(store.load_calendar_as_admin(admin, csv, now).await?)
}

/// Loads an official calendar file from the command line, which acts for the district.
pub async fn replace_calendar(store: &Store, csv: &str) -> Result<WorkCalendar> {
    Ok(store.set_calendar(csv).await?)
}
