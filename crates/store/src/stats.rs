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

/// Cells a statement adds to: with 20-odd counters each, well within both databases'
/// parameter limits, and few enough round trips for an import touching thousands of
/// unit-days.
const CELLS_PER_STATEMENT: usize = 100;

/// Adds values to cells of a table of daily cells per unit, creating those that are the
/// first of their day. Each cell is (unit, day) with one value per field; no cell may come
/// twice (PostgreSQL refuses to change a row twice in one statement).
pub(crate) async fn add_to_cells(
    conn: &mut AnyConnection,
    table: &str,
    fields: &[&str],
    cells: &[((i64, i64), Vec<i64>)],
) -> Result<()> {
    let backend = crate::Backend::of_connection(conn);
    let updates: Vec<String> = fields.iter().map(|f| format!("{f} = {table}.{f} + excluded.{f}")).collect();
    for chunk in cells.chunks(CELLS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO {table} (unit_id, day, {}) VALUES {} ON CONFLICT (unit_id, day) DO UPDATE SET {}",
            fields.join(", "),
            crate::rows::values(backend, chunk.len(), 2 + fields.len(), ""),
            updates.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for ((unit_id, day), values) in chunk {
            query = query.bind(*unit_id).bind(*day);
            for value in values {
                query = query.bind(*value);
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds the deltas to their cells.
pub(crate) async fn apply(conn: &mut AnyConnection, cells: &BTreeMap<(i64, i64), Counters>) -> Result<()> {
    let cells: Vec<_> = cells.iter().map(|(cell, delta)| (*cell, delta.values())).collect();
    add_to_cells(conn, "unit_day_stats", Counters::FIELDS, &cells).await
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
