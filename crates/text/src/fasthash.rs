//! The hasher for the crate's internal maps: rustc-hash's FxHasher.
//!
//! The keys are our own tokens and ids, not attacker-chosen in a way that
//! matters (a request's text only reaches a map it owns), and SipHash was a
//! third of the time of a duplicate lookup.

pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
