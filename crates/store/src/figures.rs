//! The requests behind a figure, and the figures of a scope's sub-units and categories.
//!
//! A figure's requests are found from the request columns its counter is built on
//! (`gongzhi_domain::figures::SELECTIONS`): a range on the instant that places a request
//! in the period, read from its own index, and the unit path as a prefix. The count this
//! gives equals the counter the aggregates hold; the stories check it on both databases.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::figures::{Condition, Place, Selection};
use gongzhi_domain::measures::{Counters, Measures};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::{path_ids, Unit};
use gongzhi_domain::{Request, Satisfaction, Status};
use sea_query::{Alias, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SimpleExpr};
use sqlx::Row;

use crate::queries::{bind, col, select_requests};
use crate::{rows, Listing, Result, Store, StoreError};

/// The instants a local-date period covers: from the start of `from` to the start of the
/// day after `to`.
pub(crate) fn instants(from: NaiveDate, to: NaiveDate) -> Result<(Millis, Millis)> {
    if to < from {
        return Err(StoreError::Invalid("the period ends before it starts".into()));
    }
    Ok((time::start_of(from), time::start_of(to.succ_opt().unwrap_or(to))))
}

fn texts(statuses: impl IntoIterator<Item = Status>) -> Vec<&'static str> {
    statuses.into_iter().map(Status::as_str).collect()
}

fn condition(c: Condition, now: Millis) -> SimpleExpr {
    let done = || col("status").is_in(texts([Status::Resolved, Status::Closed]));
    match c {
        Condition::Merged => col("status").eq(Status::Merged.as_str()),
        Condition::Assigned => col("dispatched_at").is_not_null().and(col("assignee_unit_id").is_not_null()),
        Condition::Done => done(),
        Condition::Returned => col("return_count").gt(0),
        Condition::ClaimedInTime => col("claimed_at").lte(col("respond_by")),
        Condition::ResolvedInTime => done().and(col("resolved_at").lte(col("resolve_by"))),
        Condition::ResolvedLate => done().and(col("resolved_at").gt(col("resolve_by"))),
        Condition::Reopened => col("reopen_count").gt(0),
        Condition::Evaluated => col("satisfaction").is_not_null(),
        Condition::Solved => col("solved").eq(1),
        Condition::Satisfied => {
            col("satisfaction").is_in(Satisfaction::ALL.iter().filter(|s| s.counts_as_satisfied()).map(|s| s.as_str()))
        }
        Condition::Working => col("status").is_in(texts([Status::Dispatched, Status::InProgress])),
        Condition::Passed => col("resolve_by").lt(now),
        Condition::RepeatCalled => col("repeat_calls").gt(0),
    }
}

fn place(p: Place) -> SimpleExpr {
    match p {
        Place::Raised => col("unit_path").into(),
        Place::Assigned => col("assignee_path").into(),
        Place::Handling => Expr::cust("COALESCE(assignee_path, unit_path)"),
    }
}

/// What a figure's list is narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureScope<'a> {
    pub unit: &'a Unit,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only requests of this category; `Some(0)` for those filed without one.
    pub category: Option<i64>,
}

fn filtered(query: &mut SelectStatement, selection: &Selection, scope: &FigureScope, now: Millis) -> Result<()> {
    let (start, end) = instants(scope.from, scope.to)?;
    let at = selection.at.column();
    query.and_where(col(at).gte(start)).and_where(col(at).lt(end));
    // At the root everything is in scope; leaving the prefix out keeps the plan simple.
    if path_ids(&scope.unit.path).count() > 1 {
        query.and_where(Expr::expr(place(selection.place)).like(format!("{}%", scope.unit.path)));
    }
    for c in selection.conditions {
        query.and_where(condition(*c, now));
    }
    match scope.category {
        Some(0) => query.and_where(col("category_id").is_null()),
        Some(id) => query.and_where(col("category_id").eq(id)),
        None => query,
    };
    Ok(())
}

impl Store {
    /// What a selection counts in a subtree and period — its requests, or what they
    /// weigh (their repeat calls) — and one page of them, latest first by the
    /// selection's instant.
    pub async fn figure_requests(
        &self,
        selection: &Selection,
        scope: &FigureScope<'_>,
        now: Millis,
        offset: i64,
        limit: i64,
    ) -> Result<Listing<Request>> {
        let mut count = Query::select();
        let counted = match selection.weight.column() {
            Some(column) => format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"),
            None => "COUNT(*)".to_string(),
        };
        count.expr_as(Expr::cust(counted), Alias::new("n")).from(Alias::new("requests"));
        filtered(&mut count, selection, scope, now)?;
        let (sql, values) = count.build(PostgresQueryBuilder);
        let total: i64 = bind(&sql, values).fetch_one(self.pool()).await?.try_get("n")?;

        let mut page = select_requests();
        filtered(&mut page, selection, scope, now)?;
        page.order_by(Alias::new(selection.at.column()), Order::Desc)
            .order_by(Alias::new("id"), Order::Desc)
            .limit(limit.clamp(1, 500) as u64)
            .offset(offset.max(0) as u64);
        let (sql, values) = page.build(PostgresQueryBuilder);
        let rows = bind(&sql, values).fetch_all(self.pool()).await?;
        let items = rows.iter().map(rows::request_from_row).collect::<Result<_>>()?;
        Ok(Listing { items, total })
    }

    /// Each direct sub-unit of a unit with its measures for the period, as
    /// `Store::measures` would give them one by one, in one pass over the aggregates.
    pub async fn measures_of_children(
        &self,
        unit_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        now: Millis,
    ) -> Result<Vec<(Unit, Measures)>> {
        let (start, end) = instants(from, to)?;
        let children: Vec<Unit> = self.units().await?.into_iter().filter(|u| u.parent_id == Some(unit_id)).collect();
        // Child, then each unit under it, then that unit's cells of the period by their
        // key: SQLite keeps the order CROSS JOIN writes, and reads only the period's
        // cells instead of every cell of the year.
        let sql = format!(
            "SELECT c.id AS child, {} FROM units c CROSS JOIN units u CROSS JOIN unit_day_stats s \
             WHERE c.parent_id = $1 AND u.path LIKE c.path || '%' AND s.unit_id = u.id \
             AND s.day >= $2 AND s.day <= $3 GROUP BY c.id",
            crate::stats::sums().join(", ")
        );
        let rows = sqlx::query(&sql)
            .bind(unit_id)
            .bind(time::date_to_day(from))
            .bind(time::date_to_day(to))
            .fetch_all(self.pool())
            .await?;
        let mut counters: HashMap<i64, Counters> = HashMap::new();
        for row in &rows {
            let values: Vec<i64> =
                Counters::FIELDS.iter().map(|f| row.try_get::<i64, _>(*f)).collect::<Result<_, _>>()?;
            counters.insert(row.try_get("child")?, Counters::from_values(&values));
        }
        // Open requests past their deadline are few: the deadline index finds them all,
        // and their paths say which sub-unit each belongs to.
        let open = sqlx::query(
            "SELECT assignee_path FROM requests WHERE status IN ('dispatched', 'in_progress') \
             AND resolve_by >= $1 AND resolve_by < $2 AND assignee_path LIKE $3",
        )
        .bind(start)
        .bind(end.min(now))
        .bind(format!("{}%", self.unit(unit_id).await?.path))
        .fetch_all(self.pool())
        .await?;
        let mut overdue: HashMap<i64, i64> = HashMap::new();
        for row in &open {
            let path: String = row.try_get("assignee_path")?;
            if let Some(child) = children.iter().find(|c| path.starts_with(&c.path)) {
                *overdue.entry(child.id).or_default() += 1;
            }
        }
        let scoring = self.settings().scoring;
        Ok(children
            .into_iter()
            .map(|child| {
                let c = counters.get(&child.id).copied().unwrap_or_default();
                let m = Measures::from_counters(c, overdue.get(&child.id).copied().unwrap_or(0), &scoring);
                (child, m)
            })
            .collect())
    }

    /// Requests created in a subtree and period per category (`None` for those filed
    /// without one), from the per-scope daily category counts: one key range.
    pub async fn category_intake(
        &self,
        unit_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(Option<i64>, i64)>> {
        instants(from, to)?;
        let rows = sqlx::query(
            "SELECT category_id, CAST(SUM(intake) AS BIGINT) AS n FROM scope_day_categories \
             WHERE unit_id = $1 AND day >= $2 AND day <= $3 GROUP BY category_id",
        )
        .bind(unit_id)
        .bind(time::date_to_day(from))
        .bind(time::date_to_day(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("category_id")?;
                Ok(((id != 0).then_some(id), row.try_get("n")?))
            })
            .collect()
    }

    /// The names of these categories.
    pub async fn category_names(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut query = Query::select();
        query
            .columns([Alias::new("id"), Alias::new("name")])
            .from(Alias::new("categories"))
            .and_where(col("id").is_in(ids.iter().copied()));
        let (sql, values) = query.build(PostgresQueryBuilder);
        let rows = bind(&sql, values).fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("name")?))).collect()
    }
}
