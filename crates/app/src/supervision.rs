//! Supervision (共管, 回头看): samples drawn for callbacks, the calls themselves, rework
//! and press orders, reminder talks. Who may do each is the domain's rule
//! (`gongzhi_domain::supervision`); each act is one writer job with its events.

use chrono::NaiveDate;
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::order::Order;
use gongzhi_domain::time::Millis;
use gongzhi_store::{Attempt, CallInput, DrawSpec, NewOrder, ReviewRun, Sample, SampleItem, Store, Talk, Written};

use crate::Result;

/// Draws a sample for callbacks; returns it with the requests it drew.
pub async fn draw(store: &Store, staff: &Staff, spec: &DrawSpec, at: Millis) -> Result<(Sample, Vec<SampleItem>)> {
    let sample = store.draw_sample(staff, spec, at).await?;
    let items = store.sample_items(staff, sample.id).await?;
    Ok((sample, items))
}

/// Records one callback; a reached call with a failing answer opens a rework order in
/// the same transaction. Returns what was written with the callback as it now stands.
pub async fn call(
    store: &Store,
    staff: &Staff,
    item_id: i64,
    call: CallInput,
    at: Millis,
) -> Result<(Written, SampleItem, Vec<Attempt>)> {
    let written = store.record_callback(staff, item_id, call, at).await?;
    let (item, attempts) = store.callback_item(staff, written.id).await?;
    Ok((written, item, attempts))
}

/// Opens a rework or press order.
pub async fn open_order(store: &Store, staff: &Staff, new: NewOrder, at: Millis) -> Result<Order> {
    Ok(store.open_order(staff, new, at).await?)
}

/// A step on an open order.
pub enum OrderStep {
    /// The unit's written answer.
    Answer(String),
    /// The supervisor accepts the answer.
    Close(String),
    /// The supervisor does not: the order is open again until `due_at`.
    SendBack { note: String, due_at: Millis },
}

/// Takes a step on an order; returns the order as it now stands.
pub async fn order_step(store: &Store, staff: &Staff, order_id: i64, step: OrderStep, at: Millis) -> Result<Order> {
    Ok(match step {
        OrderStep::Answer(text) => store.answer_order(staff, order_id, &text, at).await?,
        OrderStep::Close(note) => store.close_order(staff, order_id, &note, at).await?,
        OrderStep::SendBack { note, due_at } => store.send_back_order(staff, order_id, &note, due_at, at).await?,
    })
}

/// Records a reminder talk with a cadre, linked to the requests it was about.
pub async fn record_talk(
    store: &Store,
    staff: &Staff,
    cadre_id: i64,
    held_at: Millis,
    reason: &str,
    request_ids: Vec<i64>,
    at: Millis,
) -> Result<Talk> {
    Ok(store.record_talk(staff, cadre_id, held_at, reason, request_ids, at).await?)
}

/// Raises orders past their due date one level up the unit tree; returns how many moved.
pub async fn escalate_orders(store: &Store, now: Millis) -> Result<usize> {
    Ok(store.escalate_orders(now).await?)
}

/// Reviews the entries of the last days against the review rules (the timer's part).
pub async fn review_recent(store: &Store, now: Millis) -> Result<ReviewRun> {
    Ok(store.review_recent(now).await?)
}

/// Reviews the entries of a supervisor's subtree and the local dates `from..=to`.
pub async fn review_entries(
    store: &Store,
    staff: &Staff,
    from: NaiveDate,
    to: NaiveDate,
    now: Millis,
) -> Result<ReviewRun> {
    Ok(store.review_entries(staff, from, to, now).await?)
}
