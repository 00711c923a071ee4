//! Submitting a request: one path for every channel — the public form, the API, the
//! intake desk, Open311, imports of historical records, demo data. Each channel turns
//! what it received into a `NewRequest` and calls `submit` (or `import` for records
//! with their history); the rules are the domain's (`NewRequest::check`,
//! `unit::may_take`), so no channel can accept what another refuses.

use std::future::Future;

use gongzhi_domain::request::NewRequest;
use gongzhi_domain::{Actor, Request};
use gongzhi_store::open311::Origin;
use gongzhi_store::{Created, Imported, NewSuggestion, Store};

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
}

impl Submission {
    pub fn new(new: NewRequest, actor: Actor) -> Submission {
        Submission { new, key: None, actor, photos: Vec::new() }
    }
}

/// Stores a new request with its suggestion and photos, or refuses it by a rule.
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
    let Submission { new, key, actor, photos } = submission;
    new.check()?;
    let suggestion = suggester.suggest(&new).await;
    let created = store.create_with(new, key, actor, suggestion, photos, origin).await?;
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
