//! The map's reads: open requests with coordinates in a viewer's scope and viewport,
//! grouped into grid cells by the database (`GROUP BY` the cell), or, when few enough,
//! one by one. A district of a million requests sends a map a few hundred rows.

use gongzhi_domain::map::{Cluster, Viewport, POINTS_UP_TO};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Status;
use sea_query::{Alias, Expr, PostgresQueryBuilder, Query, SelectStatement};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::queries::{bind, col, scope};
use crate::rows;
use crate::{Backend, Result, Store};

/// Open work, written as literals so that the partial index `requests_open_located`
/// (migration 0025) is seen to cover the query.
const OPEN_LOCATED_SQL: &str =
    "status IN ('submitted', 'pending_dispatch', 'dispatched', 'in_progress') AND lat IS NOT NULL";
/// 1 for a request past its deadline and not done, as the overdue queue counts it; 0
/// for any other. `$1` is the time now.
/// (PostgreSQL sums it as a `bigint`, and would sum a `bigint` as a `numeric`.)
const LATE_SQL: &str = "CASE WHEN status IN ('dispatched', 'in_progress') AND resolve_by < $1 THEN 1 ELSE 0 END";

/// What the map shows besides the viewport.
#[derive(Debug, Clone, Default)]
pub struct MapFilter {
    /// The categories taken in (one chosen and those below it); all when empty.
    pub category_ids: Vec<i64>,
    /// Requests created at or after this instant only.
    pub since: Option<Millis>,
}

/// One open request on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapPoint {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: Status,
    pub overdue: bool,
    pub lat: f64,
    pub long: f64,
}

/// What is in a viewport: clusters when many, each request when few.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum MapView {
    Clusters(Vec<Cluster>),
    Points(Vec<MapPoint>),
}

/// The number of a grid cell along one axis: degrees shifted to start at 0, so that
/// truncation is the floor on both databases (SQLite has no `FLOOR` unless built with
/// its maths functions).
fn cell_index(backend: Backend, column: &str, offset: f64, cell: f64) -> String {
    match backend {
        Backend::Sqlite => format!("CAST(({column} + {offset:.1}) / {cell:e} AS INTEGER)"),
        Backend::Postgres => format!("FLOOR(({column} + {offset:.1}) / {cell:e})"),
    }
}

impl Store {
    async fn fetch(&self, query: &SelectStatement) -> Result<Vec<AnyRow>> {
        let (sql, values) = query.build(PostgresQueryBuilder);
        Ok(bind(&sql, values).fetch_all(self.pool()).await?)
    }

    /// The open requests in view, in the staff member's scope (their subtree, and the
    /// requests their unit helps with, as their queues show).
    pub async fn map(&self, staff: &Staff, view: &Viewport, filter: &MapFilter, now: Millis) -> Result<MapView> {
        let base = self.in_view(staff, view, filter).await?;
        let clusters = self.clusters(base.clone(), view, now).await?;
        if clusters.iter().map(|c| c.count).sum::<i64>() > POINTS_UP_TO {
            return Ok(MapView::Clusters(clusters));
        }
        self.located_points(base, now).await.map(MapView::Points)
    }

    /// Open located requests in the viewport, the scope and the filter; selects nothing yet.
    async fn in_view(&self, staff: &Staff, view: &Viewport, filter: &MapFilter) -> Result<SelectStatement> {
        let mut query = Query::select();
        query
            .from(Alias::new("requests"))
            .and_where(Expr::cust(OPEN_LOCATED_SQL))
            .and_where(Expr::cust_with_values("lat BETWEEN $1 AND $2", [view.south, view.north]))
            .and_where(Expr::cust_with_values("long BETWEEN $1 AND $2", [view.west, view.east]));
        scope(&mut query, staff, self.helps(staff).await?);
        if !filter.category_ids.is_empty() {
            query.and_where(col("category_id").is_in(filter.category_ids.iter().copied()));
        }
        if let Some(since) = filter.since {
            query.and_where(col("created_at").gte(since));
        }
        Ok(query)
    }

    async fn clusters(&self, mut query: SelectStatement, view: &Viewport, now: Millis) -> Result<Vec<Cluster>> {
        let cell = view.cell();
        let (x, y) = (cell_index(self.backend(), "long", 180.0, cell), cell_index(self.backend(), "lat", 90.0, cell));
        query
            .expr_as(Expr::cust(x.as_str()), Alias::new("cell_x"))
            .expr_as(Expr::cust(y.as_str()), Alias::new("cell_y"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .expr_as(Expr::cust("AVG(lat)"), Alias::new("mean_lat"))
            .expr_as(Expr::cust("AVG(long)"), Alias::new("mean_long"))
            .expr_as(Expr::cust("MIN(long)"), Alias::new("west"))
            .expr_as(Expr::cust("MIN(lat)"), Alias::new("south"))
            .expr_as(Expr::cust("MAX(long)"), Alias::new("east"))
            .expr_as(Expr::cust("MAX(lat)"), Alias::new("north"))
            .expr_as(Expr::cust_with_values(format!("SUM({LATE_SQL})"), [now]), Alias::new("late"))
            .add_group_by([Expr::cust(x), Expr::cust(y)]);
        self.fetch(&query)
            .await?
            .iter()
            .map(|row| {
                Ok(Cluster {
                    lat: row.try_get("mean_lat")?,
                    long: row.try_get("mean_long")?,
                    count: row.try_get("n")?,
                    overdue: row.try_get("late")?,
                    bounds: [row.try_get("west")?, row.try_get("south")?, row.try_get("east")?, row.try_get("north")?],
                })
            })
            .collect()
    }

    async fn located_points(&self, mut query: SelectStatement, now: Millis) -> Result<Vec<MapPoint>> {
        query
            .columns(["id", "number", "title", "status", "lat", "long"].map(Alias::new))
            .expr_as(Expr::cust_with_values(format!("CAST({LATE_SQL} AS BIGINT)"), [now]), Alias::new("late"))
            .order_by(Alias::new("id"), sea_query::Order::Asc)
            .limit(POINTS_UP_TO as u64);
        self.fetch(&query)
            .await?
            .iter()
            .map(|row| {
                Ok(MapPoint {
                    id: row.try_get("id")?,
                    number: row.try_get("number")?,
                    title: row.try_get("title")?,
                    status: rows::vocab(row, "status", Status::parse)?,
                    overdue: row.try_get::<i64, _>("late")? == 1,
                    lat: row.try_get("lat")?,
                    long: row.try_get("long")?,
                })
            })
            .collect()
    }
}
