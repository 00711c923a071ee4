//! Co-units (协办): the units that help the lead unit with a request. The request row
//! keeps their ids for the rules; `request_co_units` keeps one row per unit and request,
//! so that a unit's lists and queues find the requests it helps with from a key.

use std::collections::BTreeSet;

use sea_query::{Expr, SimpleExpr};
use sqlx::AnyConnection;

use crate::{Result, Store};

/// Puts a request's co-units on record as they now are, inside the writer's transaction.
pub(crate) async fn record(conn: &mut AnyConnection, request_id: i64, units: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM request_co_units WHERE request_id = $1").bind(request_id).execute(&mut *conn).await?;
    let units: BTreeSet<i64> = units.iter().copied().collect();
    if units.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..units.len()).map(|i| format!("(${}, $1)", i + 2)).collect();
    let sql = format!("INSERT INTO request_co_units (unit_id, request_id) VALUES {}", rows.join(", "));
    let mut query = sqlx::query(&sql).bind(request_id);
    for unit in units {
        query = query.bind(unit);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The condition "the unit helps with this request" on a query over `requests`.
pub(crate) fn helped_by(unit_id: i64) -> SimpleExpr {
    Expr::cust_with_values("requests.id IN (SELECT request_id FROM request_co_units WHERE unit_id = $1)", [unit_id])
}

impl Store {
    /// Whether a unit helps with any request at all. Most units help with none, and their
    /// lists then keep the plain scope, which their indexes answer best.
    pub(crate) async fn helps_any(&self, unit_id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT unit_id FROM request_co_units WHERE unit_id = $1 LIMIT 1")
            .bind(unit_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }
}
