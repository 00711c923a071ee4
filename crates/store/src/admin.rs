//! What an admin changes: units, staff accounts, categories, the deadline policy and the
//! working calendar. Every change and its audit row commit in one transaction, so the
//! record of who changed what cannot miss a change.
//!
//! An admin's scope is their unit's subtree: units and users outside it look absent.
//! What holds for the whole district — categories, deadlines, the calendar — only an
//! admin of a root unit may change.

use chrono::NaiveDate;
use gongzhi_domain::admin as rules;
use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::measures::Scoring;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::{path_ids, Unit, UnitKind};
use gongzhi_domain::Broken;
use sqlx::{AnyConnection, Row};

use crate::accounts::{account_from_row, check_login, end_sessions, hash_new_password, replace_password, ACCOUNT};
use crate::settings::{put_setting_in, CALENDAR, POLICY, SCORING};
use crate::units::{insert_category, insert_unit};
use crate::{Account, Result, Store, StoreError};

/// A unit as the admin pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    pub unit: Unit,
    pub active: bool,
    /// How many staff accounts belong to it.
    pub users: i64,
}

impl UnitEntry {
    /// 0 for a root unit, 1 for its children, …
    pub fn depth(&self) -> usize {
        path_ids(&self.unit.path).count().saturating_sub(1)
    }
}

/// One change an admin made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Millis,
    pub user_id: i64,
    pub user_name: String,
    /// `unit.add`, `user.password`, `calendar.toggle`, …
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// One page of a longer list, and how long the whole list is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: i64,
}

fn require_admin(admin: &Staff) -> Result<()> {
    if rules::may_administer(admin) {
        Ok(())
    } else {
        Err(StoreError::Rule(Broken::OutOfScope))
    }
}

/// District-wide settings belong to the admins of a root unit.
pub(crate) fn require_root_admin(admin: &Staff) -> Result<()> {
    require_admin(admin)?;
    if rules::may_set_for_district(admin) {
        Ok(())
    } else {
        Err(StoreError::Refused("district_admin_only"))
    }
}

fn check_name(name: &str) -> Result<&str> {
    rules::name(name).map_err(StoreError::Refused)
}

pub(crate) async fn record(
    conn: &mut AnyConnection,
    admin: &Staff,
    unit_path: &str,
    action: &str,
    subject: &str,
    detail: &str,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO admin_audit (at, user_id, unit_path, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now)
    .bind(admin.user_id)
    .bind(unit_path)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn unit_label(unit: &Unit) -> String {
    format!("{}（{}）", unit.name, unit.code)
}

impl Store {
    /// A unit in the admin's subtree; others look absent.
    async fn unit_in_scope(&self, admin: &Staff, id: i64) -> Result<Unit> {
        require_admin(admin)?;
        match self.unit(id).await {
            Ok(unit) if admin.covers(&unit.path) => Ok(unit),
            _ => Err(StoreError::NotFound),
        }
    }

    /// An account in the admin's subtree; others look absent.
    async fn user_in_scope(&self, admin: &Staff, id: i64) -> Result<Account> {
        require_admin(admin)?;
        match self.account(id).await {
            Ok(account) if admin.covers(&account.unit_path) => Ok(account),
            _ => Err(StoreError::NotFound),
        }
    }

    /// The units of the admin's subtree, each parent right before its children.
    pub async fn unit_entries(&self, admin: &Staff) -> Result<Vec<UnitEntry>> {
        require_admin(admin)?;
        // Paths sort so that a subtree is contiguous: "/1/1/" and "/1/1/5/" before "/1/10/".
        let rows = sqlx::query(
            "SELECT n.id, n.parent_id, n.kind, n.code, n.name, n.path, n.active, \
             (SELECT COUNT(*) FROM users u WHERE u.unit_id = n.id) AS users \
             FROM units n WHERE n.path LIKE $1 ORDER BY n.path",
        )
        .bind(format!("{}%", admin.unit_path))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnitEntry {
                    unit: crate::units::unit_from_row(row)?,
                    active: row.try_get::<i64, _>("active")? != 0,
                    users: row.try_get("users")?,
                })
            })
            .collect()
    }

    /// Units that take no new requests.
    pub async fn inactive_units(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM units WHERE active = 0").fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// Adds a unit under one of the admin's subtree.
    pub async fn add_child_unit(
        &self,
        admin: &Staff,
        parent_id: i64,
        kind: UnitKind,
        code: &str,
        name: &str,
        now: Millis,
    ) -> Result<Unit> {
        let parent = self.unit_in_scope(admin, parent_id).await?;
        let name = check_name(name)?;
        let code = rules::unit_code(code).map_err(StoreError::Refused)?;
        rules::may_add_under_parent(kind).map_err(StoreError::Refused)?;
        let mut tx = self.pool().begin().await?;
        let unit = insert_unit(&mut tx, Some(parent.id), Some(&parent.path), kind, code, name).await?;
        record(&mut tx, admin, &unit.path, "unit.add", &unit_label(&unit), &unit_label(&parent), now).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn rename_unit(&self, admin: &Staff, id: i64, name: &str, now: Millis) -> Result<()> {
        let unit = self.unit_in_scope(admin, id).await?;
        let name = check_name(name)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2").bind(name).bind(id).execute(&mut *tx).await?;
        let detail = format!("{} → {name}", unit.name);
        record(&mut tx, admin, &unit.path, "unit.rename", &unit_label(&unit), &detail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A deactivated unit keeps its requests and people but is no longer offered to
    /// residents as a place. An admin cannot deactivate their own unit.
    pub async fn set_unit_active(&self, admin: &Staff, id: i64, active: bool, now: Millis) -> Result<()> {
        let unit = self.unit_in_scope(admin, id).await?;
        if unit.id == admin.unit_id {
            return Err(StoreError::Refused("own_unit"));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE units SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let action = if active { "unit.activate" } else { "unit.deactivate" };
        record(&mut tx, admin, &unit.path, action, &unit_label(&unit), "", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a unit added by mistake: one with no units under it, no people, no
    /// categories sent to it and no requests. Any other is deactivated instead.
    pub async fn delete_unit(&self, admin: &Staff, id: i64, now: Millis) -> Result<()> {
        let unit = self.unit_in_scope(admin, id).await?;
        if unit.id == admin.unit_id {
            return Err(StoreError::Refused("own_unit"));
        }
        // Rare enough that reading the requests without an index of their own is fine.
        let used = sqlx::query(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM units WHERE parent_id = $1) \
             OR EXISTS (SELECT 1 FROM users WHERE unit_id = $1) \
             OR EXISTS (SELECT 1 FROM categories WHERE default_unit_id = $1) \
             OR EXISTS (SELECT 1 FROM requests WHERE unit_id = $1 OR assignee_unit_id = $1) \
             OR EXISTS (SELECT 1 FROM request_co_units WHERE unit_id = $1) \
             OR EXISTS (SELECT 1 FROM unit_day_stats WHERE unit_id = $1) THEN 1 ELSE 0 END AS used",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        if used.try_get::<i64, _>("used")? != 0 {
            return Err(StoreError::Refused("unit_in_use"));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM units WHERE id = $1").bind(id).execute(&mut *tx).await?;
        record(&mut tx, admin, &unit.path, "unit.delete", &unit_label(&unit), "", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the accounts in the admin's subtree, in the order they were made.
    pub async fn users_page(&self, admin: &Staff, offset: i64, limit: i64) -> Result<Listing<Account>> {
        require_admin(admin)?;
        let prefix = format!("{}%", admin.unit_path);
        let rows = sqlx::query(&format!("{ACCOUNT} WHERE n.path LIKE $1 ORDER BY u.id LIMIT $2 OFFSET $3"))
            .bind(&prefix)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let total =
            sqlx::query("SELECT COUNT(*) AS n FROM users u JOIN units n ON n.id = u.unit_id WHERE n.path LIKE $1")
                .bind(&prefix)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        Ok(Listing { items: rows.iter().map(account_from_row).collect::<Result<_>>()?, total })
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn add_user_as_admin(
        &self,
        admin: &Staff,
        login: &str,
        name: &str,
        role: Role,
        unit_id: i64,
        password: &str,
        now: Millis,
    ) -> Result<Account> {
        let unit = self.unit_in_scope(admin, unit_id).await?;
        let login = check_login(login).map_err(|_| StoreError::Refused("bad_login"))?;
        let name = check_name(name)?;
        let hash = hash_new_password(password).await?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO users (login, name, role, unit_id, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)")
            .bind(login)
            .bind(name)
            .bind(role.as_str())
            .bind(unit_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, login))?;
        let detail = format!("{name} · {role} · {}", unit_label(&unit));
        record(&mut tx, admin, &unit.path, "user.add", login, &detail, now).await?;
        tx.commit().await?;
        self.account_by_login(login).await?.ok_or(StoreError::NotFound)
    }

    /// Gives an account another role or unit, both within the admin's subtree. Admins
    /// do not change their own, which could lock them out.
    pub async fn change_user(&self, admin: &Staff, id: i64, role: Role, unit_id: i64, now: Millis) -> Result<()> {
        let user = self.user_in_scope(admin, id).await?;
        let unit = self.unit_in_scope(admin, unit_id).await?;
        if user.id == admin.user_id {
            return Err(StoreError::Refused("own_account"));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET role = $1, unit_id = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(unit_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let before = self.unit(user.unit_id).await.map(|u| unit_label(&u)).unwrap_or_default();
        let detail = format!("{} · {before} → {role} · {}", user.role, unit_label(&unit));
        record(&mut tx, admin, &unit.path, "user.change", &user.login, &detail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password for someone who forgot theirs; their sessions end.
    pub async fn reset_password(&self, admin: &Staff, id: i64, password: &str, now: Millis) -> Result<()> {
        let user = self.user_in_scope(admin, id).await?;
        let hash = hash_new_password(password).await?;
        let mut tx = self.pool().begin().await?;
        replace_password(&mut tx, id, &hash, None).await?;
        record(&mut tx, admin, &user.unit_path, "user.password", &user.login, "", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The API tokens of an account in the admin's subtree.
    pub async fn tokens_as_admin(&self, admin: &Staff, id: i64) -> Result<Vec<crate::TokenInfo>> {
        let user = self.user_in_scope(admin, id).await?;
        self.api_tokens(Some(user.id)).await
    }

    /// Revokes one API token of an account in the admin's subtree.
    pub async fn revoke_token_as_admin(&self, admin: &Staff, id: i64, token_id: i64, now: Millis) -> Result<()> {
        let user = self.user_in_scope(admin, id).await?;
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query("SELECT name FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let name: String = row.try_get("name")?;
        sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(token_id).execute(&mut *tx).await?;
        record(&mut tx, admin, &user.unit_path, "user.token_revoke", &user.login, &name, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops or allows an account's logins; stopping ends its sessions and revokes its API
    /// tokens at once, so allowing it again brings back neither.
    pub async fn set_user_active(&self, admin: &Staff, id: i64, active: bool, now: Millis) -> Result<()> {
        let user = self.user_in_scope(admin, id).await?;
        if user.id == admin.user_id {
            return Err(StoreError::Refused("own_account"));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !active {
            end_sessions(&mut tx, id, None).await?;
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        let action = if active { "user.enable" } else { "user.disable" };
        record(&mut tx, admin, &user.unit_path, action, &user.login, "", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A category's default unit must be a unit that takes work.
    async fn check_default_unit(&self, unit_id: Option<i64>) -> Result<()> {
        if let Some(id) = unit_id {
            self.unit(id).await?;
            if self.inactive_units().await?.contains(&id) {
                return Err(StoreError::Refused("unit_inactive"));
            }
        }
        Ok(())
    }

    pub async fn add_category_as_admin(
        &self,
        admin: &Staff,
        parent_id: Option<i64>,
        name: &str,
        default_unit_id: Option<i64>,
        resolve_days: Option<u32>,
        now: Millis,
    ) -> Result<Category> {
        require_root_admin(admin)?;
        let name = check_name(name)?;
        check_days(resolve_days)?;
        self.check_default_unit(default_unit_id).await?;
        let level = self.level_under(parent_id).await.map_err(|error| match error {
            StoreError::Invalid(_) => StoreError::Refused("three_levels"),
            other => other,
        })?;
        let mut tx = self.pool().begin().await?;
        let draft = Category { id: 0, parent_id, level, name: name.into(), default_unit_id, resolve_days };
        let category = insert_category(&mut tx, draft).await?;
        let detail = category_detail(&category);
        record(&mut tx, admin, &admin.unit_path, "category.add", name, &detail, now).await?;
        tx.commit().await?;
        Ok(category)
    }

    /// Renames a category and sets its default unit and its own working days to
    /// resolve (none: the deadline policy's days for the request's kind).
    pub async fn change_category(
        &self,
        admin: &Staff,
        id: i64,
        name: &str,
        default_unit_id: Option<i64>,
        resolve_days: Option<u32>,
        now: Millis,
    ) -> Result<Category> {
        require_root_admin(admin)?;
        let before = self.category(id).await?;
        let name = check_name(name)?;
        check_days(resolve_days)?;
        self.check_default_unit(default_unit_id).await?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE categories SET name = $1, default_unit_id = $2, resolve_days = $3 WHERE id = $4")
            .bind(name)
            .bind(default_unit_id)
            .bind(resolve_days.map(i64::from))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, name))?;
        let after = Category { name: name.into(), default_unit_id, resolve_days, ..before.clone() };
        let detail = format!("{} → {}", category_detail(&before), category_detail(&after));
        record(&mut tx, admin, &admin.unit_path, "category.change", name, &detail, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_policy_as_admin(&self, admin: &Staff, policy: &DeadlinePolicy, now: Millis) -> Result<()> {
        require_root_admin(admin)?;
        check_policy(policy)?;
        let before = serde_json::to_string(&self.settings().policy).unwrap_or_default();
        let after = serde_json::to_string(policy).unwrap_or_default();
        let mut tx = self.pool().begin().await?;
        put_setting_in(&mut tx, POLICY, &after).await?;
        record(&mut tx, admin, &admin.unit_path, "policy.change", "", &format!("{before} → {after}"), now).await?;
        tx.commit().await?;
        self.refresh_settings().await?;
        Ok(())
    }

    /// How the composite score is made from now on: the weights and the minimum behind
    /// each weighed rate. District admins only, as it judges every unit.
    pub async fn set_scoring_as_admin(&self, admin: &Staff, scoring: &Scoring, now: Millis) -> Result<()> {
        require_root_admin(admin)?;
        scoring.check().map_err(|_| StoreError::Refused("bad_scoring"))?;
        let before = serde_json::to_string(&self.settings().scoring).unwrap_or_default();
        let after = serde_json::to_string(scoring).unwrap_or_default();
        let mut tx = self.pool().begin().await?;
        put_setting_in(&mut tx, SCORING, &after).await?;
        record(&mut tx, admin, &admin.unit_path, "scoring.change", "", &format!("{before} → {after}"), now).await?;
        tx.commit().await?;
        self.refresh_settings().await?;
        Ok(())
    }

    /// Loads an official calendar file in place of the one in force.
    pub async fn load_calendar_as_admin(&self, admin: &Staff, csv: &str, now: Millis) -> Result<WorkCalendar> {
        require_root_admin(admin)?;
        let calendar = WorkCalendar::parse(csv).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let years: Vec<String> = calendar.years().map(|y| y.to_string()).collect();
        let mut tx = self.pool().begin().await?;
        put_setting_in(&mut tx, CALENDAR, csv).await?;
        let detail = format!("{} · {}", years.join(", "), csv.lines().count());
        record(&mut tx, admin, &admin.unit_path, "calendar.load", "", &detail, now).await?;
        tx.commit().await?;
        self.refresh_settings().await?;
        Ok(calendar)
    }

    /// Makes a working day a day off, or a day off a working day (调休). Returns whether
    /// the date is now a working day.
    pub async fn toggle_day(&self, admin: &Staff, date: NaiveDate, now: Millis) -> Result<bool> {
        require_root_admin(admin)?;
        let csv = self.calendar_csv().await?;
        let calendar = WorkCalendar::parse(&csv).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let working = !calendar.is_working_day(date);
        let edited = with_day(&csv, date, working);
        let mut tx = self.pool().begin().await?;
        put_setting_in(&mut tx, CALENDAR, &edited).await?;
        let kind = if working { "workday" } else { "holiday" };
        record(&mut tx, admin, &admin.unit_path, "calendar.toggle", &date.to_string(), kind, now).await?;
        tx.commit().await?;
        self.refresh_settings().await?;
        Ok(working)
    }

    /// A page of the changes made in the admin's subtree, newest first.
    pub async fn admin_changes(&self, admin: &Staff, offset: i64, limit: i64) -> Result<Listing<AuditEntry>> {
        require_admin(admin)?;
        let prefix = format!("{}%", admin.unit_path);
        let rows = sqlx::query(
            "SELECT a.id, a.at, a.user_id, u.name AS user_name, a.action, a.subject, a.detail FROM admin_audit a \
             JOIN users u ON u.id = a.user_id WHERE a.unit_path LIKE $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(&prefix)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total = sqlx::query("SELECT COUNT(*) AS n FROM admin_audit WHERE unit_path LIKE $1")
            .bind(&prefix)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    user_id: row.try_get("user_id")?,
                    user_name: row.try_get("user_name")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Listing { items, total })
    }
}

fn check_days(days: Option<u32>) -> Result<()> {
    match days {
        Some(d) if !(1..=365).contains(&d) => Err(StoreError::Refused("bad_days")),
        _ => Ok(()),
    }
}

fn category_detail(category: &Category) -> String {
    let unit = category.default_unit_id.map(|u| u.to_string()).unwrap_or_else(|| "-".into());
    let days = category.resolve_days.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    format!("{} · unit {unit} · {days} d", category.name)
}

/// Deadlines must leave time to work: every span at least one hour or one day, and the
/// urgent ones shorter than a month.
fn check_policy(p: &DeadlinePolicy) -> Result<()> {
    let hours_ok = (1..=720).contains(&p.urgent_respond_hours)
        && (1..=720).contains(&p.urgent_resolve_hours)
        && p.urgent_respond_hours <= p.urgent_resolve_hours
        && (0..=720).contains(&p.warning_lead_hours);
    let days = [p.quick_respond_days, p.quick_resolve_days, p.standard_respond_days, p.standard_resolve_days];
    let days_ok = days.iter().all(|d| (1..=365).contains(d))
        && p.quick_respond_days <= p.quick_resolve_days
        && p.standard_respond_days <= p.standard_resolve_days
        && (1..=90).contains(&p.evaluation_window_days);
    if hours_ok && days_ok {
        Ok(())
    } else {
        Err(StoreError::Refused("bad_policy"))
    }
}

/// The calendar file with `date` set to a working day or a day off, replacing any line
/// it had; lines stay in date order.
fn with_day(csv: &str, date: NaiveDate, working: bool) -> String {
    let day = date.format("%Y-%m-%d").to_string();
    let mut lines: Vec<String> = csv
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("date") && line.split(',').next() != Some(day.as_str()))
        .map(str::to_string)
        .collect();
    let kind = if working { "workday" } else { "holiday" };
    lines.push(format!("{day},{kind},admin"));
    lines.sort();
    format!("date,kind,festival\n{}\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toggled_day_replaces_its_line_and_keeps_the_order() {
        let csv = "date,kind,festival\n2025-01-01,holiday,New Year\n2025-10-01,holiday,National Day\n";
        let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let edited = with_day(csv, date, true);
        assert_eq!(edited, "date,kind,festival\n2025-01-01,workday,admin\n2025-10-01,holiday,National Day\n");
        let calendar = WorkCalendar::parse(&edited).unwrap();
        assert!(calendar.is_working_day(date));
        let saturday = NaiveDate::from_ymd_opt(2025, 5, 10).unwrap();
        let edited = with_day(&edited, saturday, true);
        assert!(WorkCalendar::parse(&edited).unwrap().is_working_day(saturday));
        assert!(edited.find("2025-05-10").unwrap() < edited.find("2025-10-01").unwrap());
    }

    #[test]
    fn a_policy_leaves_time_to_work() {
        assert!(check_policy(&DeadlinePolicy::default()).is_ok());
        let none = DeadlinePolicy { standard_resolve_days: 0, ..DeadlinePolicy::default() };
        assert!(check_policy(&none).is_err());
        let backwards = DeadlinePolicy { urgent_respond_hours: 48, ..DeadlinePolicy::default() };
        assert!(check_policy(&backwards).is_err());
    }
}
