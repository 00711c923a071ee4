//! Supervision (回头看): samples drawn for callbacks, the callbacks themselves, rework and
//! press orders, review flags, stale and overdue lists, reminder talks.
//!
//! The rules are `gongzhi_domain::supervision`'s; this module finds the candidates,
//! records the acts and answers the lists. Every act on a request goes through the
//! writer, so it is also an event in the request's hash chain, in the same transaction
//! as the rows the pages list. Every read is limited to the reader's subtree, and out of
//! scope reads as absent.

mod draw;
mod lists;
mod orders;
mod rows;
mod verdicts;
mod write;

use chrono::NaiveDate;
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::callback::{callback_rate, Answers, AttemptResult, CallbackState, Question};
use gongzhi_domain::supervision::{Refused, SampleRule};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::{Actor, Request, Role};
use serde::Serialize;
use sqlx::Row;
use tokio::sync::oneshot;

pub use draw::{DrawSpec, Reproduction};
pub use lists::{Late, LateGroup, Lateness, ReviewFlag, ReviewRun};
pub use orders::OrderFilter;
pub use verdicts::{Verdict, VerdictFilter};
pub(crate) use write::{no_open_order, run, Act};
pub use write::{NewOrder, Written};

use crate::{Listing, Result, Store, StoreError};
use rows::{attempt_from_row, item_from_row, ATTEMPT_COLUMNS, ITEM_COLUMNS};

/// A draw of finished requests for callbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sample {
    pub id: i64,
    pub scope_unit_id: i64,
    pub scope_path: String,
    /// The local dates whose first resolutions it drew from, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rule: SampleRule,
    pub seed: u64,
    /// How many finished requests it chose from.
    pub population: i64,
    pub drawn_by: i64,
    pub drawn_at: Millis,
    /// How many it drew, and how many of their callbacks are finished.
    pub items: i64,
    pub finished: i64,
}

/// A drawn request and where its callback stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleItem {
    pub id: i64,
    pub sample_id: i64,
    pub request_id: i64,
    /// The unit that handled the request: the one the callback judges.
    pub unit_id: i64,
    pub unit_path: String,
    pub place_path: String,
    pub drawn_at: Millis,
    pub state: CallbackState,
    pub attempts: i64,
    pub last_attempt_at: Option<Millis>,
    /// The answers, once the requester was reached.
    pub answers: Option<Answers>,
}

/// One call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub id: i64,
    pub item_id: i64,
    pub at: Millis,
    pub by_user: i64,
    pub result: AttemptResult,
    pub note: String,
}

/// A call as the workspace records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput {
    pub result: AttemptResult,
    pub note: String,
    /// When an answer fails, the rework order it opens has this reason and due date.
    pub rework_reason: String,
    pub rework_due: Millis,
}

/// A reminder talk (谈话提醒) with a cadre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talk {
    pub id: i64,
    pub cadre_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub held_at: Millis,
    pub reason: String,
    pub recorded_by: i64,
    pub recorded_at: Millis,
    pub request_ids: Vec<i64>,
}

/// A figure and exactly the requests behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackFigure {
    /// Callbacks counted. A request drawn in two samples counts twice and is listed once.
    pub count: i64,
    pub request_ids: Vec<i64>,
}

impl CallbackFigure {
    fn add(&mut self, request_id: i64) {
        self.count += 1;
        if let Err(at) = self.request_ids.binary_search(&request_id) {
            self.request_ids.insert(at, request_id);
        }
    }
}

/// How one question was answered by those reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionTally {
    pub question: Question,
    pub passed: CallbackFigure,
    pub failed: CallbackFigure,
}

/// The callbacks of a unit subtree and period: the callback rate (回访率) and the answers
/// to the four questions, each figure with the requests behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackSummary {
    /// Callbacks drawn in the period at units of the subtree.
    pub sampled: CallbackFigure,
    /// Of those, reached and answered.
    pub reached: CallbackFigure,
    /// Not reached on every allowed try.
    pub unreachable: CallbackFigure,
    /// Not finished yet: not called, or to be tried again.
    pub pending: CallbackFigure,
    pub questions: Vec<QuestionTally>,
    /// reached ÷ sampled; `None` when nothing was sampled.
    pub callback_rate: Option<f64>,
}

/// Longest period one draw or summary may cover, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The instants a local-date period covers: from the start of `from` to the start of the
/// day after `to`.
fn period(from: NaiveDate, to: NaiveDate) -> Result<(Millis, Millis)> {
    if to < from {
        return Err(StoreError::Invalid("the period ends before it starts".into()));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(StoreError::Invalid(format!("a period spans at most {MAX_PERIOD_DAYS} days")));
    }
    Ok((time::start_of(from), time::start_of(to.succ_opt().unwrap_or(to))))
}

fn prefix(staff: &Staff) -> String {
    format!("{}%", staff.unit_path)
}

fn require_supervisor(staff: &Staff) -> Result<()> {
    if staff.role == Role::Supervisor {
        Ok(())
    } else {
        Err(Refused::NotSupervisor.into())
    }
}

pub(crate) fn limited_note(note: &str) -> Result<(), Refused> {
    gongzhi_domain::supervision::limited(note, "note")
}

/// Clamps a page request to sane numbers.
fn page(offset: i64, limit: i64) -> (i64, i64) {
    (offset.max(0), limit.clamp(1, 500))
}

impl Store {
    /// Hands an act to the writer and waits for it to commit.
    async fn supervise(&self, act: write::Act, actor: Actor, at: Millis) -> Result<Written> {
        let (reply, answer) = oneshot::channel();
        self.send(crate::writer::Job::Supervise { act, actor, at, reply }, answer).await
    }

    /// The requests with these ids that the staff member may see; the rest are left out.
    /// For lists that show requests beside their own rows.
    pub async fn requests_by_ids(&self, staff: &Staff, ids: &[i64]) -> Result<Vec<Request>> {
        let mut found = self.requests_with_ids(ids).await?;
        found.retain(|request| request.visible_to(staff));
        Ok(found)
    }

    /// The callbacks waiting in the supervisor's subtree, oldest draw first: not called
    /// yet, or to be tried again.
    pub async fn callback_queue(&self, staff: &Staff, offset: i64, limit: i64) -> Result<Listing<SampleItem>> {
        require_supervisor(staff)?;
        let (offset, limit) = page(offset, limit);
        let scope = "state IN ('pending', 'retry') AND (unit_path LIKE $1 OR place_path LIKE $1)";
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM sample_items WHERE {scope} ORDER BY drawn_at, id LIMIT $2 OFFSET $3");
        let rows = sqlx::query(&sql).bind(prefix(staff)).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM sample_items WHERE {scope}"))
            .bind(prefix(staff))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items: rows.iter().map(item_from_row).collect::<Result<_>>()?, total })
    }

    /// One callback with its calls so far, for the supervisor's workspace.
    pub async fn callback_item(&self, staff: &Staff, item_id: i64) -> Result<(SampleItem, Vec<Attempt>)> {
        require_supervisor(staff)?;
        let sql = format!("SELECT {ITEM_COLUMNS} FROM sample_items WHERE id = $1");
        let row = sqlx::query(&sql).bind(item_id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let item = item_from_row(&row)?;
        if !staff.covers(&item.unit_path) && !staff.covers(&item.place_path) {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM callback_attempts WHERE item_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(item_id).fetch_all(self.pool()).await?;
        Ok((item, rows.iter().map(attempt_from_row).collect::<Result<_>>()?))
    }

    /// Records one call. A reached call with a failing answer opens a rework order on the
    /// request in the same transaction; `Written::order_id` names it.
    pub async fn record_callback(&self, staff: &Staff, item_id: i64, call: CallInput, at: Millis) -> Result<Written> {
        require_supervisor(staff)?;
        let reason = if call.rework_reason.trim().is_empty() { call.note.clone() } else { call.rework_reason };
        let act = write::Act::Call { item_id, result: call.result, note: call.note, rework: (reason, call.rework_due) };
        self.supervise(act, Actor::Staff(staff.clone()), at).await
    }

    /// The callbacks drawn on the local dates `from..=to` at the units of a subtree (the
    /// units that handled the requests, as the other measures count them).
    pub async fn callback_summary(&self, unit_id: i64, from: NaiveDate, to: NaiveDate) -> Result<CallbackSummary> {
        let (start, end) = period(from, to)?;
        let path = self.unit(unit_id).await?.path;
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM sample_items WHERE drawn_at >= $1 AND drawn_at < $2 AND unit_path LIKE $3"
        );
        let rows = sqlx::query(&sql).bind(start).bind(end).bind(format!("{path}%")).fetch_all(self.pool()).await?;
        let mut sampled = CallbackFigure::default();
        let mut reached = CallbackFigure::default();
        let mut unreachable = CallbackFigure::default();
        let mut pending = CallbackFigure::default();
        let mut questions: Vec<QuestionTally> = Question::ALL
            .iter()
            .map(|q| QuestionTally {
                question: *q,
                passed: CallbackFigure::default(),
                failed: CallbackFigure::default(),
            })
            .collect();
        for row in &rows {
            let item = item_from_row(row)?;
            sampled.add(item.request_id);
            match (item.state, item.answers) {
                (CallbackState::Reached, Some(answers)) => {
                    reached.add(item.request_id);
                    for tally in &mut questions {
                        let figure = if answers.get(tally.question) { &mut tally.passed } else { &mut tally.failed };
                        figure.add(item.request_id);
                    }
                }
                (CallbackState::Unreachable, _) => unreachable.add(item.request_id),
                _ => pending.add(item.request_id),
            }
        }
        let callback_rate = callback_rate(reached.count, sampled.count);
        Ok(CallbackSummary { sampled, reached, unreachable, pending, questions, callback_rate })
    }

    /// Records a reminder talk with a cadre of the supervisor's subtree, linked to the
    /// requests it was about; each of them notes in its timeline that a talk was held.
    pub async fn record_talk(
        &self,
        staff: &Staff,
        cadre_id: i64,
        held_at: Millis,
        reason: &str,
        request_ids: Vec<i64>,
        at: Millis,
    ) -> Result<Talk> {
        require_supervisor(staff)?;
        if request_ids.len() > 50 {
            return Err(Refused::Invalid { field: "request_ids", reason: "at most 50 requests".into() }.into());
        }
        let act = write::Act::Talk { cadre_id, held_at, reason: reason.to_string(), request_ids };
        let written = self.supervise(act, Actor::Staff(staff.clone()), at).await?;
        self.talk(staff, written.id).await
    }

    /// One talk, for supervisors of the cadre's unit only.
    pub async fn talk(&self, staff: &Staff, id: i64) -> Result<Talk> {
        require_supervisor(staff)?;
        let sql = format!("SELECT {} FROM reminder_talks WHERE id = $1", rows::TALK_COLUMNS);
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut talk = rows::talk_from_row(&row)?;
        if !staff.covers(&talk.unit_path) {
            return Err(StoreError::NotFound);
        }
        talk.request_ids = self.talk_requests(talk.id).await?;
        Ok(talk)
    }

    async fn talk_requests(&self, talk_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT request_id FROM reminder_talk_requests WHERE talk_id = $1 ORDER BY request_id")
            .bind(talk_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("request_id")?)).collect()
    }

    /// The talks with cadres of the supervisor's subtree, newest first; `cadre` narrows
    /// them to one person.
    pub async fn talks(&self, staff: &Staff, cadre: Option<i64>, offset: i64, limit: i64) -> Result<Listing<Talk>> {
        require_supervisor(staff)?;
        let (offset, limit) = page(offset, limit);
        let filter = "unit_path LIKE $1 AND ($2 = 0 OR cadre_id = $2)";
        let sql = format!(
            "SELECT {} FROM reminder_talks WHERE {filter} ORDER BY held_at DESC, id DESC LIMIT $3 OFFSET $4",
            rows::TALK_COLUMNS
        );
        let cadre = cadre.unwrap_or(0);
        let found =
            sqlx::query(&sql).bind(prefix(staff)).bind(cadre).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let mut items = Vec::with_capacity(found.len());
        for row in &found {
            let mut talk = rows::talk_from_row(row)?;
            talk.request_ids = self.talk_requests(talk.id).await?;
            items.push(talk);
        }
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM reminder_talks WHERE {filter}"))
            .bind(prefix(staff))
            .bind(cadre)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items, total })
    }
}
