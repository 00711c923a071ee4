//! Submitting a request: one path for every channel — the public form, the API, the
//! intake desk, Open311, imports of historical records, demo data. Each channel turns
//! what it received into a `NewRequest` and calls `submit` (or `import` for records
//! with their history); the rules are the domain's (`NewRequest::check`,
//! `unit::may_take`), so no channel can accept what another refuses.
//!
//! The intake desk (受理台) adds what an operator needs while a caller waits: the
//! caller's earlier requests by phone (`callers`), suggestions for the call as it is
//! typed (`suggest_draft`), a call recorded — and accepted, or a consultation answered,
//! at once — through `submit` (`record`), and a call about work already open counted on
//! that request instead of made into a new one (`repeat_call`).

use std::future::Future;

use gongzhi_domain::intake;
use gongzhi_domain::phone;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::role::Staff;
use gongzhi_domain::{Actor, Broken, Command, Request};
use gongzhi_store::open311::Origin;
use gongzhi_store::{Created, Imported, Listing, NewSuggestion, Store, StoreError};

use crate::handling::{act, Act};
use crate::Result;

/// What intake suggests for a new request (category, unit, possible duplicates), and
/// hears of each request it created. A suggestion that cannot be made is none; it never
/// fails a submission.
pub trait Suggest: Sync {
    fn suggest(&self, new: &NewRequest) -> impl Future<Output = Option<NewSuggestion>> + Send;
    fn remember(&self, request: &Request);
}

/// Intake without suggestions: tools and demo data.
pub struct NoSuggestions;

impl Suggest for NoSuggestions {
    async fn suggest(&self, _new: &NewRequest) -> Option<NewSuggestion> {
        None
    }

    fn remember(&self, _request: &Request) {}
}

/// A request as a channel received it.
pub struct Submission {
    pub new: NewRequest,
    /// The caller's idempotency key, already scoped to the caller: a repeated
    /// submission with it returns the request the first one created.
    pub key: Option<String>,
    pub actor: Actor,
    /// Photos sent with it: kept with its first event, in the same transaction.
    pub photos: Vec<Vec<u8>>,
    /// What its recorder does with it at once (accept, answer), in the same transaction.
    pub then: Option<Command>,
}

impl Submission {
    pub fn new(new: NewRequest, actor: Actor) -> Submission {
        Submission { new, key: None, actor, photos: Vec::new(), then: None }
    }
}

/// Stores a new request with its suggestion and photos, or refuses it by a rule. The
/// phone number is kept as its digits, so that the caller is found by it again.
pub async fn submit(store: &Store, suggester: &impl Suggest, submission: Submission) -> Result<Created> {
    submit_from(store, suggester, submission, None).await
}

/// As `submit`, for a request an Open311 client sent: which client is recorded with it.
pub async fn submit_from(
    store: &Store,
    suggester: &impl Suggest,
    submission: Submission,
    origin: Option<Origin>,
) -> Result<Created> {
    let Submission { mut new, key, actor, photos, then } = submission;
    new.check()?;
    new.requester_phone = phone::normalize(&new.requester_phone);
    let suggestion = suggester.suggest(&new).await;
    let created = store.create_with(new, key, actor, suggestion, photos, then, origin).await?;
    if !created.replayed {
        suggester.remember(&created.request);
    }
    Ok(created)
}

/// Writes requests with their histories as they stand (historical records, demo data)
/// in one transaction, held to the same rules as a submission; returns their ids.
pub async fn import(store: &Store, items: Vec<Imported>) -> Result<Vec<i64>> {
    for item in &items {
        item.request.new.check()?;
    }
    Ok(store.import(items).await?)
}

/// Earlier requests a desk shows of one caller.
pub const CALLER_HISTORY: u32 = 10;

/// The requests a caller raised before, in the operator's scope: how many, and the
/// newest. Finding them shows the operator whose requests they are, so every request
/// found is recorded as a look at its requester's number (`audit::saw_phones`).
pub async fn callers(store: &Store, staff: &Staff, phone: &str) -> Result<Listing<Request>> {
    let found = store.requests_by_phone(&phone::normalize(phone), staff, CALLER_HISTORY).await?;
    crate::audit::saw_phones(store, staff.user_id, found.items.iter().map(|r| r.id).collect()).await;
    Ok(found)
}

/// A call as the desk took it down.
pub struct Call {
    pub new: NewRequest,
    /// The answer given at once to a consultation; empty when there is none.
    pub answer: String,
    /// Made when the desk showed its form: a second press of Enter records one request.
    pub key: Option<String>,
    pub staff: Staff,
}

/// Records a call through `submit`, as every channel does: in the operator's scope, on
/// a channel of the desk, accepted at once — or, a consultation with its answer,
/// answered at once.
pub async fn record(store: &Store, suggester: &impl Suggest, call: Call) -> Result<Created> {
    let Call { new, answer, key, staff } = call;
    if !intake::CHANNELS.contains(&new.channel) {
        return Err(Broken::Missing("channel").into());
    }
    if new.unit_id <= 0 {
        return Err(Broken::Missing("unit_id").into());
    }
    intake::may_place(&staff, &store.unit(new.unit_id).await?)?;
    let then = intake::follow_up(staff.role, new.kind, &answer)?;
    let key = key.map(|key| format!("desk:{}:{key}", staff.user_id));
    submit(store, suggester, Submission { new, key, actor: Actor::Staff(staff), photos: Vec::new(), then }).await
}

/// Another call about an open request (重复来电): counted on it, with the caller's number
/// (kept masked in its history) and what they said; no new request is made.
pub async fn repeat_call(store: &Store, staff: Staff, id: i64, phone: &str, note: &str) -> Result<Request> {
    // Checked as typed, then kept as its digits: a stray letter is refused, not dropped.
    phone::check(phone, "phone")?;
    let command = Command::RepeatCall { phone: phone::normalize(phone), note: note.trim().to_string() };
    act(store, Act::new(id, None, command, Actor::Staff(staff))).await
}

/// What intake would suggest for a call as typed so far: its category and unit, and the
/// earlier requests it may repeat that the operator may see, most similar first.
pub struct Draft {
    pub suggestion: Option<NewSuggestion>,
    pub duplicates: Vec<Request>,
}

/// The suggestion for a call still being typed. A suggestion that cannot be made is
/// none; a duplicate outside the operator's scope is left out.
pub async fn suggest_draft(store: &Store, suggester: &impl Suggest, staff: &Staff, new: &NewRequest) -> Result<Draft> {
    let suggestion = suggester.suggest(new).await;
    let mut duplicates = Vec::new();
    for duplicate in suggestion.iter().flat_map(|s| &s.duplicates) {
        match store.request(duplicate.id, staff).await {
            Ok(request) => duplicates.push(request),
            Err(StoreError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(Draft { suggestion, duplicates })
}
