//! Reading requests: one request, filtered pages, the queues of the workbench, and the
//! public tracking view. Every query a staff member runs is limited to their scope here.

use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::path_ids;
use gongzhi_domain::*;
use sea_query::{Alias, Cond, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, Value};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyArguments;
use sqlx::Row;

use crate::chain::EventRecord;
use crate::co_units;
use crate::rows::{self, FIXED, MOVING};
use crate::{Result, Store, StoreError};

/// Filters of a request list. All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListFilter {
    #[serde(default)]
    pub status: Vec<Status>,
    /// Requests placed in or assigned into this unit's subtree.
    pub unit_id: Option<i64>,
    /// Requests assigned to exactly this unit.
    pub assignee_unit_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub category_id: Option<i64>,
    pub kind: Option<Kind>,
    pub channel: Option<Channel>,
    /// Raised by residents or by enterprises (市场主体诉求).
    pub requester_type: Option<RequesterType>,
    pub created_from: Option<Millis>,
    pub created_to: Option<Millis>,
    /// Open and past the resolve deadline.
    pub overdue: Option<bool>,
    pub urgent: Option<bool>,
    /// Words the title or content must hold (full-text search).
    #[serde(default)]
    pub text: Option<String>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl ListFilter {
    /// Whether the filter alone leaves few requests: only passing states (open work is a
    /// small share of all requests ever made), or only overdue ones.
    pub(crate) fn selects_few(&self) -> bool {
        (!self.status.is_empty() && self.status.iter().all(|s| s.is_passing())) || self.overdue == Some(true)
    }

    /// The states a list can be read in one by one: those asked for, and of those only
    /// the working ones when overdue work is asked for. `None` when the filter names no
    /// state and does not ask for overdue work.
    fn states_to_read(&self) -> Option<Vec<Status>> {
        let overdue = self.overdue == Some(true);
        if self.status.is_empty() && !overdue {
            return None;
        }
        let asked = if self.status.is_empty() { WORKING.to_vec() } else { self.status.clone() };
        let mut states: Vec<Status> = asked.into_iter().filter(|s| !overdue || WORKING.contains(s)).collect();
        states.sort_unstable_by_key(|s| s.as_str());
        states.dedup();
        Some(states)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; none on the last page.
    pub next_cursor: Option<String>,
}

/// The queues of the workbench (待受理, 待派单, 待领办, 办理中, 即将超期, 已超期, and 协办:
/// work in hand that one's unit helps with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Queue {
    Intake,
    Dispatch,
    Claim,
    Handling,
    DueSoon,
    Overdue,
    CoUnit,
}

impl Queue {
    pub const ALL: &'static [Queue] =
        &[Queue::Intake, Queue::Dispatch, Queue::Claim, Queue::Handling, Queue::DueSoon, Queue::Overdue, Queue::CoUnit];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Intake => "intake",
            Queue::Dispatch => "dispatch",
            Queue::Claim => "claim",
            Queue::Handling => "handling",
            Queue::DueSoon => "due_soon",
            Queue::Overdue => "overdue",
            Queue::CoUnit => "co_unit",
        }
    }

    pub fn parse(text: &str) -> Option<Queue> {
        Queue::ALL.iter().copied().find(|q| q.as_str() == text)
    }
}

pub const MAX_PAGE: u32 = 100;
pub(crate) const DEFAULT_PAGE: u32 = 20;
const WORKING: [Status; 2] = [Status::Dispatched, Status::InProgress];

/// Work in hand, written as literals: the partial index `requests_working_by_deadline`
/// (migration 0008) covers exactly these rows, and a database can only prove a query
/// stays inside it when the statuses are in the SQL rather than bound later.
/// The open states (`Status::is_open`) as an SQL list, for `status IN …`.
pub(crate) const OPEN_STATES: &str = "('submitted', 'pending_dispatch', 'dispatched', 'in_progress')";

const WORKING_SQL: &str = "status IN ('dispatched', 'in_progress')";

pub(crate) fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

pub(crate) fn select_requests() -> SelectStatement {
    let mut query = Query::select();
    query.columns(FIXED.iter().chain(MOVING).map(|c| Alias::new(*c))).from(Alias::new("requests"));
    query
}

fn statuses(list: &[Status]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

/// Whether a staff member's scope is the whole tree.
fn at_root(staff: &Staff) -> bool {
    path_ids(&staff.unit_path).count() <= 1
}

/// Limits a query to what the staff member may see: their subtree, and with `helps` the
/// requests their unit helps with as a co-unit. At the root of the tree everything is in
/// scope and the condition is left out, so the planner keeps its best index.
pub(crate) fn scope(query: &mut SelectStatement, staff: &Staff, helps: bool) {
    if at_root(staff) {
        return;
    }
    let prefix = format!("{}%", staff.unit_path);
    let mut visible =
        Cond::any().add(col("unit_path").like(prefix.as_str())).add(col("assignee_path").like(prefix.as_str()));
    if helps {
        visible = visible.add(co_units::helped_by(staff.unit_id));
    }
    query.cond_where(visible);
}

/// A built statement with its values. Not kept prepared: these statements are shaped by
/// filters and scopes, and PostgreSQL, after a few runs of a kept statement, plans it
/// once for any value — a plan that cannot use an index for `unit_path LIKE $1`, nor see
/// that the pending search list is empty, and so walks the whole table. Planned afresh,
/// each run gets the plan for its own values.
pub(crate) fn bind(sql: &str, values: sea_query::Values) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
    let mut query = sqlx::query(sql).persistent(false);
    for value in values.0 {
        query = match value {
            Value::Bool(v) => query.bind(v.map(i64::from)),
            Value::Int(v) => query.bind(v.map(i64::from)),
            Value::BigInt(v) => query.bind(v),
            Value::Unsigned(v) => query.bind(v.map(i64::from)),
            Value::BigUnsigned(v) => query.bind(v.map(|v| v.min(i64::MAX as u64) as i64)),
            Value::String(v) => query.bind(v.map(|s| *s)),
            Value::Double(v) => query.bind(v),
            other => query.bind(format!("{other:?}")),
        };
    }
    query
}

fn cursor_of(request: &Request) -> String {
    format!("{}.{}", request.created_at, request.id)
}

fn parse_cursor(cursor: &str) -> Result<(i64, i64)> {
    let (at, id) = cursor.split_once('.').ok_or_else(|| StoreError::Invalid("bad cursor".into()))?;
    match (at.parse(), id.parse()) {
        (Ok(at), Ok(id)) => Ok((at, id)),
        _ => Err(StoreError::Invalid("bad cursor".into())),
    }
}

/// Public view of a request for its tracking code: state, dates and the reply, no
/// personal data and no internal notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackView {
    /// The unit handling it, once dispatched.
    pub unit: Option<String>,
    pub number: String,
    pub status: Status,
    pub kind: Kind,
    pub title: String,
    pub created_at: Millis,
    pub respond_by: Option<Millis>,
    pub resolve_by: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub reply: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub steps: Vec<TrackStep>,
    /// When the requester may still evaluate or reopen.
    pub evaluation_closes: Option<Millis>,
    /// Until when the requester may ask for it to be handled again: set only while they
    /// may (`lifecycle::requester_may_reopen`).
    pub reopen_until: Option<Millis>,
    /// For a duplicate: the request it joined, whose outcome is also this requester's.
    pub merged_into: Option<MergedInto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedInto {
    pub number: String,
    pub status: Status,
    pub reply: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackStep {
    pub at: Millis,
    pub action: String,
    pub status: String,
    /// What the handling unit wrote in a progress note: the requester sees the work go on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Steps a requester sees; the rest (extensions, presses, internal reasons) is internal.
const PUBLIC_ACTIONS: &[&str] = &[
    "progress",
    "submit",
    "accept",
    "reject",
    "answer",
    "dispatch",
    "adopt",
    "claim",
    "resolve",
    "evaluate",
    "auto-close",
    "reopen",
    "merge",
];

impl Store {
    /// One request, if it exists and the staff member may see it. Out of scope reads as
    /// not found, so that existence does not leak.
    pub async fn request(&self, id: i64, staff: &Staff) -> Result<Request> {
        let request = self.request_unscoped(id).await?;
        if request.visible_to(staff) {
            Ok(request)
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn request_unscoped(&self, id: i64) -> Result<Request> {
        let sql = format!("SELECT {} FROM requests WHERE id = $1", rows::select_columns());
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        rows::request_from_row(&row)
    }

    /// The requests with these ids, whoever asks, in no particular order; ids of no
    /// request are left out. A few hundred are read per statement.
    pub(crate) async fn requests_with_ids(&self, ids: &[i64]) -> Result<Vec<Request>> {
        const AT_ONCE: usize = 500;
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(AT_ONCE) {
            let sql = format!(
                "SELECT {} FROM requests WHERE id IN ({})",
                rows::select_columns(),
                rows::placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                found.push(rows::request_from_row(&row)?);
            }
        }
        Ok(found)
    }

    /// The id query behind a list: scope and every filter but the cursor and the text.
    pub(crate) async fn filtered_ids(
        &self,
        staff: &Staff,
        filter: &ListFilter,
        now: Millis,
    ) -> Result<SelectStatement> {
        self.filtered_ids_but_state(staff, filter, now, false).await
    }

    /// As `filtered_ids`; with `state_aside`, without the conditions on the state (the
    /// states asked for, and the working states of overdue work), which the caller then
    /// puts back one state at a time.
    async fn filtered_ids_but_state(
        &self,
        staff: &Staff,
        filter: &ListFilter,
        now: Millis,
        state_aside: bool,
    ) -> Result<SelectStatement> {
        let mut query = Query::select();
        query.column((Alias::new("requests"), Alias::new("id"))).from(Alias::new("requests"));
        scope(&mut query, staff, self.helps(staff).await?);
        if !filter.status.is_empty() && !state_aside {
            query.and_where(col("status").is_in(statuses(&filter.status)));
        }
        if let Some(unit) = filter.unit_id {
            let prefix = format!("{}%", self.unit(unit).await?.path);
            query.cond_where(
                Cond::any().add(col("unit_path").like(prefix.as_str())).add(col("assignee_path").like(prefix.as_str())),
            );
        }
        if let Some(unit) = filter.assignee_unit_id {
            query.and_where(col("assignee_unit_id").eq(unit));
        }
        if let Some(handler) = filter.handler_id {
            query.and_where(col("handler_id").eq(handler));
        }
        if let Some(category) = filter.category_id {
            query.and_where(col("category_id").eq(category));
        }
        if let Some(kind) = filter.kind {
            query.and_where(col("kind").eq(kind.as_str()));
        }
        if let Some(channel) = filter.channel {
            query.and_where(col("channel").eq(channel.as_str()));
        }
        if let Some(requester_type) = filter.requester_type {
            query.and_where(col("requester_type").eq(requester_type.as_str()));
        }
        if let Some(from) = filter.created_from {
            query.and_where(col("created_at").gte(from));
        }
        if let Some(to) = filter.created_to {
            query.and_where(col("created_at").lt(to));
        }
        if let Some(urgent) = filter.urgent {
            query.and_where(col("urgent").eq(i64::from(urgent)));
        }
        match filter.overdue {
            Some(true) => {
                if !state_aside {
                    query.and_where(Expr::cust(WORKING_SQL));
                }
                query.and_where(col("resolve_by").lt(now));
            }
            Some(false) => {
                query.cond_where(
                    Cond::any().add(col("status").is_not_in(statuses(&WORKING))).add(col("resolve_by").gte(now)),
                );
            }
            None => {}
        }
        Ok(query)
    }

    /// A page of requests in the staff member's scope, newest first; with `text`, those
    /// whose title or content holds it (see `search.rs`).
    pub async fn list(&self, staff: &Staff, filter: &ListFilter, now: Millis) -> Result<Page<Request>> {
        if filter.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            return self.search(staff, filter, now).await;
        }
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        // First the ids of the page, found from indexes as far as they go; then only
        // those rows are read whole.
        let states = filter.states_to_read();
        let mut query = self.filtered_ids_but_state(staff, filter, now, states.is_some()).await?;
        if let Some(cursor) = &filter.cursor {
            let (at, id) = parse_cursor(cursor)?;
            query.cond_where(
                Cond::any()
                    .add(col("created_at").lt(at))
                    .add(Cond::all().add(col("created_at").eq(at)).add(col("id").lt(id))),
            );
        }
        let mut page = select_requests();
        match states {
            // One state at a time: each is read newest first from the state's own index
            // (state, created_at, ...) and stops at a page. A single ordered scan for
            // several states at once does not exist, and the planners' other choices —
            // walking every request newest first, or reading every request in those
            // states and sorting — cost tens of milliseconds at a million requests.
            Some(states) => {
                let mut newest: Vec<(Millis, i64)> = Vec::new();
                for state in states {
                    let mut branch = query.clone();
                    branch
                        .clear_selects()
                        .columns([Alias::new("id"), Alias::new("created_at")])
                        // A range, not an equality: told the state is one value,
                        // PostgreSQL drops it from the order and walks the creation-time
                        // index through every other state instead.
                        .and_where(col("status").between(state.as_str(), state.as_str()))
                        .order_by(Alias::new("status"), Order::Desc)
                        .order_by(Alias::new("created_at"), Order::Desc)
                        .order_by(Alias::new("id"), Order::Desc)
                        .limit(u64::from(limit) + 1);
                    let (sql, values) = branch.build(PostgresQueryBuilder);
                    for row in bind(&sql, values).fetch_all(self.pool()).await? {
                        newest.push((row.try_get("created_at")?, row.try_get("id")?));
                    }
                }
                newest.sort_unstable_by(|a, b| b.cmp(a));
                newest.truncate(limit as usize + 1);
                page.and_where(col("id").is_in(newest.into_iter().map(|(_, id)| id)));
            }
            None => {
                query
                    .order_by(Alias::new("created_at"), Order::Desc)
                    .order_by(Alias::new("id"), Order::Desc)
                    .limit(u64::from(limit) + 1);
                page.and_where(col("id").in_subquery(query));
            }
        }
        page.order_by(Alias::new("created_at"), Order::Desc).order_by(Alias::new("id"), Order::Desc);
        let (sql, values) = page.build(PostgresQueryBuilder);
        let rows = bind(&sql, values).fetch_all(self.pool()).await?;
        let mut items = rows.iter().map(rows::request_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(cursor_of)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Whether lists in this staff member's scope must also take in the requests their
    /// unit helps with: not at the root, where everything is in scope already.
    pub(crate) async fn helps(&self, staff: &Staff) -> Result<bool> {
        Ok(!at_root(staff) && self.helps_any(staff.unit_id).await?)
    }

    fn queue_query(&self, staff: &Staff, queue: Queue, now: Millis, helps: bool) -> SelectStatement {
        let mut query = select_requests();
        // A handler's queues are their unit's; everyone else's are their scope's; the
        // co-unit queue is the work one's own unit helps with.
        let own_unit = staff.role == Role::Handler
            && matches!(queue, Queue::Claim | Queue::Handling | Queue::DueSoon | Queue::Overdue);
        if queue == Queue::CoUnit {
            query.and_where(co_units::helped_by(staff.unit_id));
        } else if own_unit {
            query.and_where(col("assignee_unit_id").eq(staff.unit_id));
        } else {
            scope(&mut query, staff, helps);
        }
        // Yellow as far ahead as the deadline policy says.
        let lead = gongzhi_domain::time::HOUR * self.settings().policy.warning_lead_hours;
        match queue {
            Queue::Intake => query.and_where(col("status").eq(Status::Submitted.as_str())),
            Queue::Dispatch => query.and_where(col("status").eq(Status::PendingDispatch.as_str())),
            Queue::Claim => query.and_where(col("status").eq(Status::Dispatched.as_str())),
            Queue::Handling => query.and_where(col("status").eq(Status::InProgress.as_str())),
            Queue::DueSoon => query
                .and_where(Expr::cust(WORKING_SQL))
                .and_where(col("resolve_by").gte(now))
                .and_where(col("resolve_by").lt(now + lead)),
            Queue::Overdue => query.and_where(Expr::cust(WORKING_SQL)).and_where(col("resolve_by").lt(now)),
            Queue::CoUnit => query.and_where(Expr::cust(WORKING_SQL)),
        };
        query
    }

    /// A queue, most pressing first: by deadline where there is one, else oldest first.
    pub async fn queue(&self, staff: &Staff, queue: Queue, now: Millis, limit: u32) -> Result<Vec<Request>> {
        self.queue_page(staff, queue, now, 0, limit).await
    }

    /// A later page of a queue, in the same order; `offset` rows are skipped.
    pub async fn queue_page(
        &self,
        staff: &Staff,
        queue: Queue,
        now: Millis,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Request>> {
        let mut query = self.queue_query(staff, queue, now, self.helps(staff).await?);
        let order = match queue {
            Queue::Intake | Queue::Dispatch => "created_at",
            _ => "resolve_by",
        };
        query
            .order_by(Alias::new(order), Order::Asc)
            .order_by(Alias::new("id"), Order::Asc)
            .limit(u64::from(limit.clamp(1, MAX_PAGE)))
            .offset(offset);
        let (sql, values) = query.build(PostgresQueryBuilder);
        let rows = bind(&sql, values).fetch_all(self.pool()).await?;
        rows.iter().map(rows::request_from_row).collect()
    }

    /// How many requests wait in each queue.
    pub async fn queue_counts(&self, staff: &Staff, now: Millis) -> Result<Vec<(Queue, i64)>> {
        let mut counts = Vec::with_capacity(Queue::ALL.len());
        let helps = self.helps(staff).await?;
        for queue in Queue::ALL {
            let mut query = self.queue_query(staff, *queue, now, helps);
            query.clear_selects();
            query.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
            let (sql, values) = query.build(PostgresQueryBuilder);
            let row = bind(&sql, values).fetch_one(self.pool()).await?;
            counts.push((*queue, row.try_get::<i64, _>("n")?));
        }
        Ok(counts)
    }

    /// The request behind a tracking code, for the requester's own actions.
    pub async fn request_by_tracking_code(&self, code: &str) -> Result<Request> {
        if code.len() > 32 {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {} FROM requests WHERE tracking_code = $1", rows::select_columns());
        let row = sqlx::query(&sql)
            .bind(code.to_ascii_uppercase())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        rows::request_from_row(&row)
    }

    pub async fn track(&self, code: &str) -> Result<TrackView> {
        let request = self.request_by_tracking_code(code).await?;
        let events: Vec<EventRecord> = self.events_of(request.id).await?;
        let policy = &self.settings().policy;
        let merged_into = match request.merged_into {
            Some(parent) => {
                let parent = self.request_unscoped(parent).await?;
                Some(MergedInto { number: parent.number, status: parent.status, reply: parent.reply })
            }
            None => None,
        };
        let evaluation_closes = match request.status {
            Status::Resolved | Status::Closed => request.resolved_at.map(|at| policy.evaluation_closes(at)),
            _ => None,
        };
        let may_reopen = gongzhi_domain::lifecycle::requester_may_reopen(&request, policy, time::now()).is_ok();
        let reopen_until = evaluation_closes.filter(|_| may_reopen);
        let unit = match request.assignee_unit_id {
            Some(id) => Some(self.unit(id).await?.name),
            None => None,
        };
        Ok(TrackView {
            unit,
            number: request.number,
            status: request.status,
            kind: request.new.kind,
            title: request.new.title,
            created_at: request.created_at,
            respond_by: request.respond_by,
            resolve_by: request.resolve_by,
            resolved_at: request.resolved_at,
            reply: request.reply,
            satisfaction: request.satisfaction,
            steps: events
                .into_iter()
                .filter(|e| PUBLIC_ACTIONS.contains(&e.action.as_str()))
                .map(|e| {
                    let note = (e.action == "progress" && !e.note.is_empty()).then(|| e.note.clone());
                    TrackStep { at: e.at, action: e.action, status: e.to_status, note }
                })
                .collect(),
            evaluation_closes,
            reopen_until,
            merged_into,
        })
    }

    /// Resolved requests whose evaluation window has passed: the auto-close timer's work.
    pub async fn due_for_auto_close(&self, now: Millis, limit: u32) -> Result<Vec<i64>> {
        let window = self.settings().policy.evaluation_window_days * gongzhi_domain::time::DAY;
        let rows = sqlx::query(
            "SELECT id FROM requests WHERE status = 'resolved' AND resolved_at < $1 ORDER BY resolved_at LIMIT $2",
        )
        .bind(now - window)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    pub async fn count_requests(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM requests").fetch_one(self.pool()).await?.try_get("n")?)
    }
}

impl Store {
    /// The highest request id so far; 0 when there is none.
    pub async fn max_request_id(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM requests").fetch_one(self.pool()).await?.try_get("n")?)
    }
}

#[cfg(test)]
mod working_tests {
    use super::*;

    #[test]
    fn the_literal_statuses_are_the_working_ones() {
        let listed: Vec<String> = statuses(&WORKING).iter().map(|s| format!("'{s}'")).collect();
        assert_eq!(WORKING_SQL, format!("status IN ({})", listed.join(", ")));
    }
}
