//! The daily aggregates behind the measures: kept current by every write, summed for a
//! scope and period when asked.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongzhi_domain::measures::{Counters, Measures};
use gongzhi_domain::time::{self, Millis};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// Every counter summed over the cells of a query, named as in `Counters::FIELDS`.
pub(crate) fn sums() -> Vec<String> {
    sums_of(Counters::FIELDS)
}

/// The given columns of daily cells (`s`) summed, each named as its column.
fn sums_of(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| format!("CAST(COALESCE(SUM(s.{f}), 0) AS BIGINT) AS {f}")).collect()
}

/// One row with the sums of `fields` over a table of daily cells per unit, for a unit's
/// subtree (by its path) and the local dates `from..=to`.
pub(crate) async fn subtree_sums(
    store: &Store,
    table: &str,
    fields: &[&str],
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<AnyRow> {
    let sql = format!(
        "SELECT {} FROM {table} s JOIN units u ON u.id = s.unit_id \
         WHERE s.day >= $1 AND s.day <= $2 AND u.path LIKE $3",
        sums_of(fields).join(", ")
    );
    Ok(sqlx::query(&sql)
        .bind(time::date_to_day(from))
        .bind(time::date_to_day(to))
        .bind(format!("{path}%"))
        .fetch_one(store.pool())
        .await?)
}

/// The statement that adds to one cell of a table of daily cells per unit, creating it
/// when it is the first of its day: unit and day, then one value per field.
pub(crate) fn add_to_cell_sql(table: &str, fields: &[&str]) -> String {
    let updates: Vec<String> = fields.iter().map(|f| format!("{f} = {table}.{f} + excluded.{f}")).collect();
    format!(
        "INSERT INTO {table} (unit_id, day, {}) VALUES ($1, $2, {}) ON CONFLICT (unit_id, day) DO UPDATE SET {}",
        fields.join(", "),
        crate::rows::placeholders(3, fields.len()),
        updates.join(", ")
    )
}

/// Adds `values` to the cell (`unit_id`, `day`) with a statement of `add_to_cell_sql`.
pub(crate) async fn add_to_cell(
    conn: &mut AnyConnection,
    sql: &str,
    (unit_id, day): (i64, i64),
    values: &[i64],
) -> Result<()> {
    let mut query = sqlx::query(sql).bind(unit_id).bind(day);
    for value in values {
        query = query.bind(*value);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Adds the deltas to their cells.
pub(crate) async fn apply(conn: &mut AnyConnection, cells: &BTreeMap<(i64, i64), Counters>) -> Result<()> {
    if cells.is_empty() {
        return Ok(());
    }
    let sql = add_to_cell_sql("unit_day_stats", Counters::FIELDS);
    for (cell, delta) in cells {
        add_to_cell(conn, &sql, *cell, &delta.values()).await?;
    }
    Ok(())
}

impl Store {
    /// The measures of a unit's subtree for the local dates `from..=to`.
    pub async fn measures(&self, unit_id: i64, from: NaiveDate, to: NaiveDate, now: Millis) -> Result<Measures> {
        if to < from {
            return Err(StoreError::Invalid("the period ends before it starts".into()));
        }
        let path = self.unit(unit_id).await?.path;
        let row = subtree_sums(self, "unit_day_stats", Counters::FIELDS, &path, from, to).await?;
        let values: Vec<i64> = Counters::FIELDS.iter().map(|f| row.try_get::<i64, _>(*f)).collect::<Result<_, _>>()?;
        let counters = Counters::from_values(&values);
        let open_overdue = self.open_overdue(&path, from, to, now).await?;
        Ok(Measures::from_counters(counters, open_overdue, &self.settings().scoring))
    }

    /// A unit subtree's counters day by day, for trends; days without any are left out.
    pub async fn daily_counters(
        &self,
        unit_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counters)>> {
        let path = self.unit(unit_id).await?.path;
        let sums = sums();
        let sql = format!(
            "SELECT s.day AS day, {} FROM unit_day_stats s JOIN units u ON u.id = s.unit_id \
             WHERE s.day >= $1 AND s.day <= $2 AND u.path LIKE $3 GROUP BY s.day ORDER BY s.day",
            sums.join(", ")
        );
        let rows = sqlx::query(&sql)
            .bind(time::date_to_day(from))
            .bind(time::date_to_day(to))
            .bind(format!("{path}%"))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let values: Vec<i64> =
                    Counters::FIELDS.iter().map(|f| row.try_get::<i64, _>(*f)).collect::<Result<_, _>>()?;
                Ok((time::day_to_date(row.try_get("day")?), Counters::from_values(&values)))
            })
            .collect()
    }

    /// Requests still open whose resolve deadline fell in the period and has passed. Open
    /// requests are few, and the (status, resolve_by) index finds them.
    async fn open_overdue(&self, path: &str, from: NaiveDate, to: NaiveDate, now: Millis) -> Result<i64> {
        let start = time::start_of(from);
        let end = time::start_of(to.succ_opt().unwrap_or(to)).min(now);
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM requests WHERE status IN ('dispatched', 'in_progress') \
             AND resolve_by >= $1 AND resolve_by < $2 AND assignee_path LIKE $3",
        )
        .bind(start)
        .bind(end)
        .bind(format!("{path}%"))
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }
}
