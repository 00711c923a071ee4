//! The supervision acts as the writer runs them: each in the batch's transaction, inside
//! its own savepoint, with its events linked into the chain beside the lifecycle's. A
//! refused act leaves nothing behind.

use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::callback::{AttemptResult, CallbackState};
use gongzhi_domain::supervision::order::{self, Order, OrderKind, OrderStatus, OrderStep, Then};
use gongzhi_domain::supervision::{required, Refused};
use gongzhi_domain::time::Millis;
use gongzhi_domain::{Actor, Channel, Request, Status};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

use super::rows::{item_from_row, order_from_row, ITEM_COLUMNS, ORDER_COLUMNS};
use crate::chain::{self, NewEvent};
use crate::notify::write::Said;
use crate::writer::{self, actor_name, Batch};
use crate::{Result, StoreError};
use gongzhi_domain::notify::{self, Cause};

/// A drawn request, as the draw hands it to the writer.
#[derive(Debug, Clone)]
pub(crate) struct Drawn {
    pub request_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub place_path: String,
}

/// What a supervision act needs; the writer runs it.
#[derive(Debug, Clone)]
pub(crate) enum Act {
    Draw {
        scope_unit_id: i64,
        scope_path: String,
        period: (i64, i64),
        rate_percent: u32,
        minimum: u32,
        seed: i64,
        population: i64,
        items: Vec<Drawn>,
    },
    Call {
        item_id: i64,
        result: AttemptResult,
        note: String,
        /// The rework order a failing answer opens: its reason and due date.
        rework: (String, Millis),
    },
    Order(NewOrder),
    Answer {
        order_id: i64,
        answer: String,
    },
    Close {
        order_id: i64,
        note: String,
    },
    SendBack {
        order_id: i64,
        note: String,
        due_at: Millis,
    },
    Escalate {
        order_id: i64,
        parent: Option<i64>,
        next_due: Millis,
    },
    Talk {
        cadre_id: i64,
        held_at: Millis,
        reason: String,
        request_ids: Vec<i64>,
    },
}

/// A rework or press order as a supervisor opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub kind: OrderKind,
    pub request_id: i64,
    pub reason: String,
    pub due_at: Millis,
}

/// What an act wrote: the row it is about, and the order a failing callback opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub order_id: Option<i64>,
}

impl From<Refused> for StoreError {
    fn from(refused: Refused) -> StoreError {
        match refused {
            Refused::Missing(field) => StoreError::Rule(gongzhi_domain::Broken::Missing(field)),
            Refused::Invalid { field, reason } => StoreError::Rule(gongzhi_domain::Broken::Invalid { field, reason }),
            Refused::AlreadyOpen { kind, order_id } => StoreError::AlreadyOpen {
                what: match kind {
                    OrderKind::Rework => "rework_order",
                    OrderKind::Press => "press_order",
                },
                id: order_id,
            },
            other => StoreError::Refused(other.code()),
        }
    }
}

/// Runs one act. Its savepoint makes a refusal, or a failed statement, undo all of it.
pub(crate) async fn run(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    act: &Act,
    actor: &Actor,
    at: Millis,
) -> Result<Written> {
    writer::in_savepoint(conn, async |conn| apply(conn, batch, act, actor, at).await).await
}

fn supervisor(actor: &Actor) -> Result<&Staff> {
    match actor {
        Actor::Staff(staff) if staff.role == gongzhi_domain::Role::Supervisor => Ok(staff),
        _ => Err(Refused::NotSupervisor.into()),
    }
}

async fn apply(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    act: &Act,
    actor: &Actor,
    at: Millis,
) -> Result<Written> {
    match act {
        Act::Draw { scope_unit_id, scope_path, period, rate_percent, minimum, seed, population, items } => {
            let staff = supervisor(actor)?;
            let row = sqlx::query(
                "INSERT INTO samples (scope_unit_id, scope_path, period_from, period_to, rate_percent, minimum, seed, \
                 population, drawn_by, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(*scope_unit_id)
            .bind(scope_path.as_str())
            .bind(period.0)
            .bind(period.1)
            .bind(i64::from(*rate_percent))
            .bind(i64::from(*minimum))
            .bind(*seed)
            .bind(*population)
            .bind(staff.user_id)
            .bind(at)
            .fetch_one(&mut *conn)
            .await?;
            let sample_id: i64 = row.try_get("id")?;
            for item in items {
                let request = visible(conn, staff, item.request_id).await?;
                sqlx::query(
                    "INSERT INTO sample_items (sample_id, request_id, unit_id, unit_path, place_path, drawn_at, state, \
                     attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
                )
                .bind(sample_id)
                .bind(item.request_id)
                .bind(item.unit_id)
                .bind(item.unit_path.as_str())
                .bind(item.place_path.as_str())
                .bind(at)
                .bind(CallbackState::Pending.as_str())
                .execute(&mut *conn)
                .await?;
                let payload = json!({ "sample_id": sample_id, "seed": seed });
                record(conn, batch, &request, actor, at, "sample", "", payload).await?;
            }
            Ok(Written { id: sample_id, order_id: None })
        }
        Act::Call { item_id, result, note, rework } => {
            let staff = supervisor(actor)?;
            super::limited_note(note)?;
            let sql = format!("SELECT {ITEM_COLUMNS} FROM sample_items WHERE id = $1");
            let row = sqlx::query(&sql).bind(*item_id).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
            let item = item_from_row(&row)?;
            if !staff.covers(&item.unit_path) && !staff.covers(&item.place_path) {
                return Err(StoreError::NotFound);
            }
            let state = item.state.after(item.attempts, result)?;
            let request = visible(conn, staff, item.request_id).await?;
            let answers = match result {
                AttemptResult::Reached(answers) => Some(*answers),
                AttemptResult::NotReached => None,
            };
            let failing = answers.map(|a| a.failing()).unwrap_or_default();
            let flags = |f: fn(&gongzhi_domain::supervision::Answers) -> bool| answers.map(|a| i64::from(f(&a)));
            let payload = json!({
                "item_id": item.id,
                "reached": answers.is_some(),
                "answers": answers,
                "failing": failing,
            });
            let event_id = record(conn, batch, &request, actor, at, "callback", note, payload).await?;
            sqlx::query(
                "INSERT INTO callback_attempts (item_id, request_id, at, by_user, reached, from_public, measures_known, \
                 result_fed_back, satisfied, note, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(item.id)
            .bind(item.request_id)
            .bind(at)
            .bind(staff.user_id)
            .bind(i64::from(answers.is_some()))
            .bind(flags(|a| a.from_public))
            .bind(flags(|a| a.measures_known))
            .bind(flags(|a| a.result_fed_back))
            .bind(flags(|a| a.satisfied))
            .bind(note.trim())
            .bind(event_id)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE sample_items SET state = $1, attempts = attempts + 1, last_attempt_at = $2, from_public = $3, \
                 measures_known = $4, result_fed_back = $5, satisfied = $6 WHERE id = $7",
            )
            .bind(state.as_str())
            .bind(at)
            .bind(flags(|a| a.from_public))
            .bind(flags(|a| a.measures_known))
            .bind(flags(|a| a.result_fed_back))
            .bind(flags(|a| a.satisfied))
            .bind(item.id)
            .execute(&mut *conn)
            .await?;
            let reworking = match failing.is_empty() {
                true => None,
                false => match order::may_open(OrderKind::Rework, &orders_of(conn, item.request_id).await?) {
                    Err(Refused::AlreadyOpen { order_id, .. }) => Some(order_id),
                    _ => None,
                },
            };
            let order_id = if failing.is_empty() {
                None
            } else if reworking.is_some() {
                // The request is already being reworked: the call joins that order, whose
                // answer the supervisor checks against it.
                reworking
            } else {
                let (reason, due_at) = rework;
                let new = NewOrder {
                    kind: OrderKind::Rework,
                    request_id: item.request_id,
                    reason: reason.clone(),
                    due_at: *due_at,
                };
                Some(open_order(conn, batch, &new, staff, Some(item.id), at).await?)
            };
            Ok(Written { id: item.id, order_id })
        }
        Act::Order(new) => {
            let staff = supervisor(actor)?;
            let id = open_order(conn, batch, new, staff, None, at).await?;
            Ok(Written { id, order_id: Some(id) })
        }
        Act::Answer { order_id, answer } => {
            let Actor::Staff(staff) = actor else { return Err(StoreError::NotFound) };
            let order = load_order(conn, *order_id, staff).await?;
            let next = order.answered(staff, answer, at)?;
            moved(conn, batch, actor, at, &next, OrderStep::Answer, "order-answer", answer).await
        }
        Act::Close { order_id, note } => {
            let staff = supervisor(actor)?;
            let order = load_order(conn, *order_id, staff).await?;
            let request = writer::load(conn, order.request_id).await?;
            let next = order.closed(staff, note, at, request.status)?;
            moved(conn, batch, actor, at, &next, OrderStep::Close, "order-close", note).await
        }
        Act::SendBack { order_id, note, due_at } => {
            let staff = supervisor(actor)?;
            let next = load_order(conn, *order_id, staff).await?.sent_back(staff, note, *due_at)?;
            let request = writer::load(conn, next.request_id).await?;
            let rule = OrderStep::SendBack.rule(next.kind);
            if rule.then == Then::ReopenFinished && matches!(request.status, Status::Resolved | Status::Closed) {
                // The redone work is not accepted: it goes back, due by the order's new date.
                let reopen = Command::Reopen { reason: note.trim().to_string() };
                writer::act(conn, batch, request.id, None, &reopen, actor, at, Some(*due_at)).await?;
            }
            moved(conn, batch, actor, at, &next, OrderStep::SendBack, "order-return", note).await
        }
        Act::Escalate { order_id, parent, next_due } => {
            let order = fetch_order(conn, *order_id).await?;
            // Answered or escalated by another instance meanwhile: nothing to do.
            match order.escalated(at, *parent, *next_due) {
                Some(next) => moved(conn, batch, actor, at, &next, OrderStep::Escalate, "order-escalate", "").await,
                None => Ok(Written { id: order.id, order_id: None }),
            }
        }
        Act::Talk { cadre_id, held_at, reason, request_ids } => {
            let staff = supervisor(actor)?;
            required(reason, "reason")?;
            let cadre =
                sqlx::query("SELECT u.unit_id, n.path FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1")
                    .bind(*cadre_id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| Refused::Invalid { field: "cadre_id", reason: format!("no user {cadre_id}") })?;
            let (unit_id, path): (i64, String) = (cadre.try_get("unit_id")?, cadre.try_get("path")?);
            if !staff.covers(&path) {
                return Err(Refused::Invalid { field: "cadre_id", reason: "outside your scope".into() }.into());
            }
            let mut requests = Vec::with_capacity(request_ids.len());
            for id in request_ids {
                requests.push(visible(conn, staff, *id).await?);
            }
            let row = sqlx::query(
                "INSERT INTO reminder_talks (cadre_id, unit_id, unit_path, held_at, reason, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(*cadre_id)
            .bind(unit_id)
            .bind(path.as_str())
            .bind(*held_at)
            .bind(reason.trim())
            .bind(staff.user_id)
            .bind(at)
            .fetch_one(&mut *conn)
            .await?;
            let talk_id: i64 = row.try_get("id")?;
            for request in &requests {
                sqlx::query("INSERT INTO reminder_talk_requests (talk_id, request_id) VALUES ($1, $2)")
                    .bind(talk_id)
                    .bind(request.id)
                    .execute(&mut *conn)
                    .await?;
                // The timeline says a talk was held about the request; what was said stays
                // with the supervisors.
                let payload = json!({ "talk_id": talk_id, "cadre_id": cadre_id });
                record(conn, batch, request, actor, at, "talk", "", payload).await?;
            }
            Ok(Written { id: talk_id, order_id: None })
        }
    }
}

/// A request the staff member may see; out of scope reads as absent.
async fn visible(conn: &mut AnyConnection, staff: &Staff, id: i64) -> Result<Request> {
    let request = writer::load(conn, id).await?;
    if request.visible_to(staff) {
        Ok(request)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Links an event that records a supervision act on a request without moving it.
#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    request: &Request,
    actor: &Actor,
    at: Millis,
    action: &str,
    note: &str,
    payload: Value,
) -> Result<i64> {
    let status = request.status.as_str();
    let event = batch.head.link(NewEvent {
        request_id: request.id,
        at,
        actor: actor_name(actor),
        action,
        from_status: status,
        to_status: status,
        note,
        payload: payload.to_string(),
        snapshot: crate::snapshot::unchanged(),
    });
    let id = event.id;
    chain::insert(conn, &[event]).await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn note_on(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    request_id: i64,
    actor: &Actor,
    at: Millis,
    action: &str,
    note: &str,
    payload: Value,
) -> Result<i64> {
    let request = writer::load(conn, request_id).await?;
    record(conn, batch, &request, actor, at, action, note, payload).await
}

/// Opens an order on a request. A press goes through the lifecycle's own `press`; a
/// rework on finished work reopens it (the supervisor's reopen of the lifecycle table)
/// and records the order beside it.
async fn open_order(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    new: &NewOrder,
    staff: &Staff,
    callback_item_id: Option<i64>,
    at: Millis,
) -> Result<i64> {
    required(&new.reason, "reason")?;
    if new.due_at <= at {
        return Err(Refused::Invalid { field: "due", reason: "must be later than now".into() }.into());
    }
    let request = visible(conn, staff, new.request_id).await?;
    no_open_order(conn, request.id, new.kind).await?;
    if matches!(request.status, Status::Rejected | Status::Merged) {
        return Err(gongzhi_domain::Broken::WrongState {
            action: gongzhi_domain::Action::Reopen,
            from: request.status,
        }
        .into());
    }
    let unit_id = request.assignee_unit_id.unwrap_or(request.new.unit_id);
    let unit_path = request.assignee_path.clone().unwrap_or_else(|| request.unit_path.clone());
    if !order::supervises(staff, &unit_path) {
        return Err(StoreError::NotFound);
    }
    let actor = Actor::Staff(staff.clone());
    let reason = new.reason.trim();
    match new.kind {
        OrderKind::Press => {
            let press = Command::Press { note: reason.to_string(), due: Some(new.due_at) };
            writer::act(conn, batch, request.id, None, &press, &actor, at, None).await?;
        }
        OrderKind::Rework if matches!(request.status, Status::Resolved | Status::Closed) => {
            let reopen = Command::Reopen { reason: reason.to_string() };
            writer::act(conn, batch, request.id, None, &reopen, &actor, at, Some(new.due_at)).await?;
        }
        OrderKind::Rework => {}
    }
    let row = sqlx::query(
        "INSERT INTO supervision_orders (kind, request_id, unit_id, unit_path, holder_unit_id, reason, due_at, status, \
         level, created_at, created_by, callback_item_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11) \
         RETURNING id",
    )
    .bind(new.kind.as_str())
    .bind(request.id)
    .bind(unit_id)
    .bind(unit_path.as_str())
    .bind(unit_id)
    .bind(reason)
    .bind(new.due_at)
    .bind(OrderStatus::Open.as_str())
    .bind(at)
    .bind(staff.user_id)
    .bind(callback_item_id)
    .fetch_one(&mut *conn)
    .await?;
    let order_id: i64 = row.try_get("id")?;
    // A press order's event is the lifecycle's press, which told the unit already.
    let event_id = match new.kind {
        OrderKind::Rework => {
            let payload = json!({ "order_id": order_id, "due": new.due_at, "callback_item_id": callback_item_id });
            note_on(conn, batch, request.id, &actor, at, "rework", reason, payload).await?
        }
        OrderKind::Press => batch.head.seq,
    };
    let request = writer::load(conn, request.id).await?;
    let said = Said::of(Cause::OrderOpened(new.kind), event_id, &request, reason, at);
    let related = notify::Related { order_opener: None, point_leader: point_leader(conn, &request).await? };
    batch.tell(conn, &Said { key: format!("{}:order{order_id}", said.key), related, ..said }).await?;
    Ok(order_id)
}

/// The 包保领导 of the inspection point a rectification request came from.
async fn point_leader(conn: &mut AnyConnection, request: &Request) -> Result<Option<i64>> {
    if request.new.channel != Channel::Inspection {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT p.leader_id FROM rectifications r JOIN inspection_points p ON p.id = r.point_id WHERE r.request_id = $1",
    )
    .bind(request.id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get("leader_id")).transpose()?.flatten())
}

/// Refuses, naming it, when the request has an order of this kind not closed yet.
pub(crate) async fn no_open_order(conn: &mut AnyConnection, request_id: i64, kind: OrderKind) -> Result<()> {
    Ok(order::may_open(kind, &orders_of(conn, request_id).await?)?)
}

/// Every order on a request, oldest first.
async fn orders_of(conn: &mut AnyConnection, request_id: i64) -> Result<Vec<Order>> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM supervision_orders WHERE request_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(request_id).fetch_all(&mut *conn).await?;
    rows.iter().map(order_from_row).collect()
}

async fn fetch_order(conn: &mut AnyConnection, id: i64) -> Result<Order> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM supervision_orders WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
    order_from_row(&row)
}

/// An order the staff member may see; otherwise absent.
async fn load_order(conn: &mut AnyConnection, id: i64, staff: &Staff) -> Result<Order> {
    let order = fetch_order(conn, id).await?;
    if order.visible_to(staff) {
        Ok(order)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Saves an order's new state and notes the step, with that state, on its request.
async fn moved(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    actor: &Actor,
    at: Millis,
    order: &Order,
    step: OrderStep,
    action: &str,
    note: &str,
) -> Result<Written> {
    save_order(conn, order).await?;
    let payload = json!({
        "order_id": order.id,
        "kind": order.kind,
        "status": order.status,
        "level": order.level,
        "holder_unit_id": order.holder_unit_id,
        "due": order.due_at,
    });
    let request = writer::load(conn, order.request_id).await?;
    let event_id = record(conn, batch, &request, actor, at, action, note.trim(), payload).await?;
    let said = Said {
        related: notify::Related { order_opener: Some(order.created_by), point_leader: None },
        ..Said::of(Cause::OrderStep(step), event_id, &request, note.trim(), at)
    };
    batch.tell(conn, &said).await?;
    Ok(Written { id: order.id, order_id: Some(order.id) })
}

async fn save_order(conn: &mut AnyConnection, order: &Order) -> Result<()> {
    sqlx::query(
        "UPDATE supervision_orders SET holder_unit_id = $1, due_at = $2, status = $3, level = $4, answer = $5, \
         answered_at = $6, answered_by = $7, close_note = $8, closed_at = $9, closed_by = $10 WHERE id = $11",
    )
    .bind(order.holder_unit_id)
    .bind(order.due_at)
    .bind(order.status.as_str())
    .bind(order.level)
    .bind(order.answer.as_deref())
    .bind(order.answered_at)
    .bind(order.answered_by)
    .bind(order.close_note.as_deref())
    .bind(order.closed_at)
    .bind(order.closed_by)
    .bind(order.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
