//! Suggestions at intake: the first-level category and the unit a new request most likely
//! belongs to, with the words behind them, and the earlier requests it may duplicate.
//!
//! The model and the duplicate index are a cache in this instance's memory. The database
//! keeps the one copy of everything: the model's versions (`route_models`) and the
//! requests. The cache is built from it on the first use, tops itself up every few
//! seconds from requests other instances took in, picks up a newer model when one is
//! trained, and is rebuilt hourly so that old, rejected and merged requests drop out. A
//! suggestion that cannot be made is no suggestion; it never fails the create.

mod places;
mod train;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::Duration;

use gongzhi_domain::geo::{self, Point};
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::{Kind, Request, Role, Status};
use gongzhi_store::{DuplicateRef, NewSuggestion, RequestText, Store, StoreError, TEXTS_AT_ONCE};
use gongzhi_text::dupes::{Doc, DupeConfig, DuplicateIndex};
use gongzhi_text::route::RoutingModel;
use gongzhi_text::stock::StockPhrases;

use places::{stays_local, Places};

pub use train::{retrain, suggest_waiting, RetrainError, TrainReport};

/// Requests a new one may be merged into: all but those rejected or merged themselves.
/// A repeated call about a problem resolved last week is a duplicate too: merged into it,
/// its requester hears the outcome already given.
pub const MERGEABLE: [Status; 6] = [
    Status::Submitted,
    Status::PendingDispatch,
    Status::Dispatched,
    Status::InProgress,
    Status::Resolved,
    Status::Closed,
];

/// Requests older than this are not looked at for duplicates (the index's window).
const RECENT: Millis = 90 * DAY;
/// At most this many requests are kept for duplicates; the newest win.
const INDEX_CAP: u32 = 50_000;
/// How often the background task looks for new requests and a newer model.
const REFRESH_EVERY: Duration = Duration::from_secs(2);
/// Without the background task (tests, tools), a suggestion refreshes first when the
/// cache is older than this.
const STALE: Millis = 30_000;
/// The index is built anew this often, which drops requests closed meanwhile.
const REBUILD: Millis = 3_600_000;
const MAX_DUPLICATES: usize = 5;
const EXPLAIN_TERMS: usize = 6;

/// The text both the model and duplicate detection read: the title opens the message.
pub fn message(title: &str, content: &str) -> String {
    format!("{title}\n{content}")
}

/// Duplicate detection's "same place": the community or village the request is about.
fn place(unit_id: i64) -> Option<String> {
    Some(format!("unit:{unit_id}"))
}

/// A loaded model with what it needs to name platform categories and units.
struct Routing {
    version: i64,
    model: RoutingModel,
    /// First-level category name → its id.
    categories: HashMap<String, i64>,
    /// First-level category id → its default unit.
    default_units: HashMap<i64, i64>,
    places: Places,
}

impl Routing {
    /// The suggestion for a request of `kind` about `place`.
    fn suggest(&self, title: &str, text: &str, kind: Kind, place: i64, out: &mut NewSuggestion) {
        let prediction = self.model.predict(Some(title), text, EXPLAIN_TERMS);
        let category = self.categories.get(&prediction.label).copied();
        // Who handled this category (and kind) most often, seen from where the request
        // is: the place's own community where that is how it was handled. A unit since
        // removed, or a category never handled yet, falls back to the category's default
        // unit, unless the request is not for a bureau.
        let local_only = stays_local(kind);
        let handler = self.model.handler_for(&prediction.label, Some(kind.as_str()), local_only);
        out.category_id = category;
        out.unit_id = handler.and_then(|h| self.places.unit(&h, place)).or_else(|| {
            if local_only {
                Some(place).filter(|p| self.places.contains(*p))
            } else {
                category.and_then(|c| self.default_units.get(&c).copied())
            }
        });
        out.confidence = Some(round3(f64::from(prediction.confidence)));
        out.terms = prediction.explanation.into_iter().map(|e| e.term).collect();
        out.model_version = Some(self.version);
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Default)]
struct Cache {
    routing: Option<Arc<Routing>>,
    index: DuplicateIndex,
    /// Number of every indexed request; also says which ids are in the index.
    numbers: HashMap<i64, String>,
    /// Where the indexed requests are, for those whose channel said.
    points: HashMap<i64, Point>,
    /// Every request id up to this one has been read from the database.
    seen: i64,
    built_at: Option<Millis>,
}

impl Cache {
    fn add(&mut self, text: &RequestText) {
        if self.numbers.contains_key(&text.id) {
            return;
        }
        self.index.add(&Asked::from(text).doc(text.id, text.created_at));
        self.numbers.insert(text.id, text.number.clone());
        if let Some(point) = text.location {
            self.points.insert(text.id, point);
        }
    }
}

/// What a suggestion is asked for: a request about to be created, or one waiting.
pub struct Asked<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub kind: Kind,
    /// The place the request is about.
    pub unit_id: i64,
    pub address: &'a str,
    pub location: Option<Point>,
}

impl<'a> From<&'a NewRequest> for Asked<'a> {
    fn from(new: &'a NewRequest) -> Self {
        Asked {
            title: &new.title,
            content: &new.content,
            kind: new.kind,
            unit_id: new.unit_id,
            address: &new.address,
            location: new.location,
        }
    }
}

impl<'a> From<&'a RequestText> for Asked<'a> {
    fn from(text: &'a RequestText) -> Self {
        Asked {
            title: &text.title,
            content: &text.content,
            kind: text.kind,
            unit_id: text.unit_id,
            address: &text.address,
            location: text.location,
        }
    }
}

impl Asked<'_> {
    /// As duplicate detection sees it.
    fn doc(&self, id: i64, created_at: Millis) -> Doc {
        Doc {
            id,
            text: message(self.title, self.content),
            place: place(self.unit_id),
            address: Some(self.address.to_string()).filter(|a| !a.trim().is_empty()),
            time: created_at / 1000,
        }
    }
}

/// The suggestion service of one app instance.
pub struct Suggester {
    store: Store,
    cache: RwLock<Cache>,
    /// One refresh at a time; the others wait for it rather than repeat it.
    refreshing: tokio::sync::Mutex<()>,
    /// When the last refresh started (ms), 0 before the first.
    refreshed_at: AtomicI64,
    /// Set once the first refresh has finished: until then intake waits for it.
    loaded: AtomicBool,
}

impl Suggester {
    /// A service on `store` that keeps itself fresh in the background while the returned
    /// handle lives.
    pub fn start(store: Store) -> Arc<Suggester> {
        let suggester = Arc::new(Suggester {
            store,
            cache: RwLock::new(Cache::default()),
            refreshing: tokio::sync::Mutex::new(()),
            refreshed_at: AtomicI64::new(0),
            loaded: AtomicBool::new(false),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(keep_fresh(Arc::downgrade(&suggester)));
        }
        suggester
    }

    fn read(&self) -> RwLockReadGuard<'_, Cache> {
        // A panic while holding the lock leaves a cache that is at worst incomplete.
        self.cache.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many requests the duplicate index holds.
    pub fn indexed(&self) -> usize {
        self.read().index.len()
    }

    /// The version of the model suggestions come from now, if any.
    pub fn model_version(&self) -> Option<i64> {
        self.read().routing.as_ref().map(|r| r.version)
    }

    /// The stock phrases of complaint letters the model learned, which hot issues and
    /// duplicates give no weight; none without a model.
    pub fn stock_phrases(&self) -> StockPhrases {
        self.read().routing.as_ref().map(|r| r.model.stock_phrases().clone()).unwrap_or_default()
    }

    /// Brings the cache up to the database: a newer model, requests taken in since, and
    /// every hour a fresh index. Skipped when another refresh finished less than
    /// `max_age_ms` ago.
    pub async fn refresh_if_older(&self, max_age_ms: Millis) -> Result<(), StoreError> {
        let _one = self.refreshing.lock().await;
        self.refresh_locked(max_age_ms).await
    }

    /// The refresh, by whoever holds `refreshing`.
    async fn refresh_locked(&self, max_age_ms: Millis) -> Result<(), StoreError> {
        let now = time::now();
        if now - self.refreshed_at.load(Ordering::Relaxed) < max_age_ms {
            return Ok(());
        }
        self.refreshed_at.store(now, Ordering::Relaxed);
        // A new model may mask other stock phrases: the index is built again with them.
        let new_model = self.refresh_model().await?;
        let rebuild = new_model || self.read().built_at.is_none_or(|at| now - at > REBUILD);
        if rebuild {
            self.rebuild_index(now).await?;
        }
        self.top_up().await?;
        self.loaded.store(true, Ordering::Release);
        Ok(())
    }

    /// Refreshes now, whatever the age of the cache.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        self.refresh_if_older(0).await
    }

    /// Loads the newest model if it is not the one in use; says whether it changed.
    async fn refresh_model(&self) -> Result<bool, StoreError> {
        let latest = self.store.route_model_version().await?;
        if latest == self.model_version() {
            return Ok(false);
        }
        let routing = match self.store.route_model().await? {
            Some(record) => {
                let version = record.version;
                let parsed = tokio::task::spawn_blocking(move || gongzhi_text::model_text::from_json(&record.model))
                    .await
                    .map_err(|e| StoreError::Invalid(format!("loading the routing model: {e}")))?;
                match parsed {
                    Ok(model) => Some(Arc::new(self.routing(version, model).await?)),
                    Err(error) => {
                        // A model this build cannot read is as good as none; intake goes on.
                        tracing::error!(version, %error, "the routing model cannot be read; no suggestions");
                        None
                    }
                }
            }
            None => None,
        };
        self.write().routing = routing;
        Ok(true)
    }

    async fn routing(&self, version: i64, model: RoutingModel) -> Result<Routing, StoreError> {
        let categories = self.store.categories().await?;
        let units = self.store.units().await?;
        let first_level = categories.iter().filter(|c| c.level == 1);
        Ok(Routing {
            version,
            model,
            categories: first_level.clone().map(|c| (c.name.clone(), c.id)).collect(),
            default_units: first_level.filter_map(|c| Some((c.id, c.default_unit_id?))).collect(),
            places: Places::new(&units),
        })
    }

    /// A new index of the recent open requests, built aside and then swapped in. The
    /// texts are read and added a chunk at a time, oldest first as they came in: only
    /// what the index keeps of them stays in memory.
    async fn rebuild_index(&self, now: Millis) -> Result<(), StoreError> {
        // Read the high-water mark first: whatever comes after it, the top-up finds.
        let seen = self.store.max_request_id().await?;
        let ids = self.store.ids_in_states(&MERGEABLE, now - RECENT, INDEX_CAP).await?;
        // Only the duplicates shown are explained: explaining costs more than finding.
        let config = DupeConfig { max_matches: MAX_DUPLICATES, ..DupeConfig::default() };
        let index = DuplicateIndex::with_stock(config, self.stock_phrases());
        let mut fresh = Cache { index, ..Cache::default() };
        for chunk in ids.rchunks(TEXTS_AT_ONCE) {
            let texts = self.store.texts_of(chunk).await?;
            fresh = tokio::task::spawn_blocking(move || {
                for text in texts.iter().rev() {
                    fresh.add(text);
                }
                fresh
            })
            .await
            .map_err(|e| StoreError::Invalid(format!("building the duplicate index: {e}")))?;
        }
        let mut cache = self.write();
        cache.index = fresh.index;
        cache.numbers = fresh.numbers;
        cache.points = fresh.points;
        cache.seen = seen;
        cache.built_at = Some(now);
        Ok(())
    }

    /// Adds the requests created since the last look, by this instance or another.
    async fn top_up(&self) -> Result<(), StoreError> {
        const BATCH: u32 = 2_000;
        loop {
            let after = self.read().seen;
            let texts = self.store.texts_after(after, BATCH).await?;
            let Some(last) = texts.last().map(|t| t.id) else { return Ok(()) };
            // Only recent requests belong in the index, as when it is built: historical
            // records imported by the million would otherwise fill it until the next
            // rebuild. A few hundred at a time, so that intake never waits long for the lock.
            let since = time::now() - RECENT;
            for chunk in texts.chunks(200) {
                let mut cache = self.write();
                for text in chunk.iter().filter(|t| t.created_at >= since) {
                    cache.add(text);
                }
            }
            let mut cache = self.write();
            cache.seen = cache.seen.max(last);
            if texts.len() < BATCH as usize {
                return Ok(());
            }
        }
    }

    /// What to suggest for a request about to be created. `None` when there is nothing to
    /// suggest or something went wrong; either way the create goes on.
    pub async fn suggest(&self, new: &NewRequest) -> Option<NewSuggestion> {
        // Only the very first create waits for the cache to load. Later, a stale cache is
        // refreshed by the create that notices, unless a refresh is under way already:
        // then this create goes on with what is cached rather than wait for it.
        let refreshed_at = self.refreshed_at.load(Ordering::Relaxed);
        let outcome = if !self.loaded.load(Ordering::Acquire) {
            self.refresh_if_older(STALE).await
        } else if time::now() - refreshed_at > STALE {
            match self.refreshing.try_lock() {
                Ok(_one) => self.refresh_locked(STALE).await,
                Err(_) => Ok(()),
            }
        } else {
            Ok(())
        };
        if let Err(error) = outcome {
            tracing::warn!(%error, "suggestions could not refresh; using what is cached");
        }
        self.suggest_cached(new.into(), None, time::now())
    }

    /// The suggestion from what is cached, without touching the database: the part of
    /// intake the benchmark times. `own` is the request's id when it already exists
    /// (suggesting afterwards): then only earlier requests are its possible duplicates.
    pub fn suggest_cached(&self, asked: Asked<'_>, own: Option<i64>, at: Millis) -> Option<NewSuggestion> {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let cache = self.read();
            let mut out = NewSuggestion::default();
            let query = asked.doc(own.unwrap_or(0), at);
            if let Some(routing) = &cache.routing {
                routing.suggest(asked.title, &query.text, asked.kind, asked.unit_id, &mut out);
            }
            // Two requests with coordinates are one problem only where they are close.
            let weigh = |id: i64| geo::duplicate_weight(asked.location.as_ref(), cache.points.get(&id));
            out.duplicates = cache
                .index
                .candidates_weighed(&query, weigh)
                .into_iter()
                .filter(|m| own.is_none_or(|id| m.id < id))
                .filter_map(|m| {
                    Some(DuplicateRef {
                        id: m.id,
                        number: cache.numbers.get(&m.id)?.clone(),
                        similarity: round3(f64::from(m.similarity)),
                        shared_terms: m.shared_terms,
                    })
                })
                .take(MAX_DUPLICATES)
                .collect();
            out
        }));
        match outcome {
            Ok(suggestion) => (!suggestion.is_empty()).then_some(suggestion),
            Err(_) => {
                tracing::error!("suggesting panicked; the request goes in without a suggestion");
                None
            }
        }
    }

    /// Adds a request this instance just created, so the next one can find it at once.
    pub fn remember(&self, request: &Request) {
        let text = RequestText {
            id: request.id,
            number: request.number.clone(),
            title: request.new.title.clone(),
            content: request.new.content.clone(),
            kind: request.new.kind,
            unit_id: request.new.unit_id,
            address: request.new.address.clone(),
            created_at: request.created_at,
            requester: None,
            location: request.new.location,
        };
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| self.write().add(&text)));
    }
}

/// Refreshes while anyone holds the service; ends when the last handle is dropped.
async fn keep_fresh(suggester: Weak<Suggester>) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(suggester) = suggester.upgrade() else { return };
        if let Err(error) = suggester.refresh_if_older(REFRESH_EVERY.as_millis() as Millis / 2).await {
            tracing::warn!(%error, "suggestions could not refresh");
        }
    }
}

/// Who sees suggestions: those who dispatch and those above them.
pub fn sees_suggestions(role: Role) -> bool {
    matches!(role, Role::Dispatcher | Role::Leader | Role::Supervisor | Role::Admin)
}

impl crate::Suggest for Suggester {
    async fn suggest(&self, new: &NewRequest) -> Option<NewSuggestion> {
        Suggester::suggest(self, new).await
    }

    fn remember(&self, request: &Request) {
        Suggester::remember(self, request)
    }
}
