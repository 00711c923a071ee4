//! What the store counts for the metrics page: the writer's queue, batches and commits,
//! the connection pool, and the work done through the writer (requests created per
//! channel, actions per kind).
//!
//! Counts are atomics the writer bumps without a lock. Every label comes from a closed
//! vocabulary of the domain, so no input can grow the number of series.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gongzhi_domain::lifecycle::Action;
use gongzhi_domain::Channel;

use crate::Store;

/// Upper bounds of the writer's batch-size buckets, in jobs (a batch holds at most 256).
pub const BATCH_BOUNDS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
/// Upper bounds of the time buckets, in seconds.
pub const SECONDS_BOUNDS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// A histogram in the Prometheus sense, filled without a lock.
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    /// The sum in millionths, so that it can be an atomic integer.
    sum_micros: AtomicU64,
    count: AtomicU64,
}

/// A histogram as it stood when read: cumulative bucket counts, as Prometheus wants them.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    pub bounds: &'static [f64],
    pub cumulative: Vec<u64>,
    pub sum: f64,
    pub count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|bound| value <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micros.fetch_add((value.max(0.0) * 1e6) as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut running = 0;
        let cumulative = self
            .buckets
            .iter()
            .map(|bucket| {
                running += bucket.load(Ordering::Relaxed);
                running
            })
            .collect();
        HistogramSnapshot {
            bounds: self.bounds,
            cumulative,
            sum: self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
            count: self.count.load(Ordering::Relaxed),
        }
    }
}

/// The counters one store and its writer share.
pub(crate) struct Tally {
    pub(crate) batch_size: Histogram,
    pub(crate) commit_seconds: Histogram,
    created: Vec<AtomicU64>,
    acted: Vec<AtomicU64>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            batch_size: Histogram::new(&BATCH_BOUNDS),
            commit_seconds: Histogram::new(&SECONDS_BOUNDS),
            created: Channel::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            acted: Action::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Tally {
    pub(crate) fn created(&self, channel: Channel) {
        if let Some(i) = Channel::ALL.iter().position(|c| *c == channel) {
            self.created[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn acted(&self, action: Action) {
        if let Some(i) = Action::ALL.iter().position(|a| *a == action) {
            self.acted[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The store's figures at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Jobs waiting for the writer, and how many the queue holds before callers wait.
    pub queue_depth: usize,
    pub queue_capacity: usize,
    /// Jobs per committed batch.
    pub batch_size: HistogramSnapshot,
    /// Time to write and commit one batch.
    pub commit_seconds: HistogramSnapshot,
    /// Connections open in the read pool, idle among them, and its ceiling.
    pub pool_size: u32,
    pub pool_idle: usize,
    pub pool_max: u32,
    /// How long taking a connection from the pool took when the figures were read: the
    /// wait a page's first query has at that moment.
    pub pool_acquire_seconds: f64,
    /// Requests created, by channel; every channel is listed, with 0 when none.
    pub created: Vec<(&'static str, u64)>,
    /// Actions taken on requests, by kind; every kind is listed.
    pub acted: Vec<(&'static str, u64)>,
}

/// Longest a metrics read waits for a connection: a starved pool is what it reports.
const ACQUIRE_PROBE: Duration = Duration::from_secs(2);

impl Store {
    /// The store's figures for the metrics page.
    pub async fn metrics(&self) -> Snapshot {
        let started = Instant::now();
        let probe = tokio::time::timeout(ACQUIRE_PROBE, self.pool.acquire()).await;
        let pool_acquire_seconds = started.elapsed().as_secs_f64();
        drop(probe);
        let counters = &self.counters;
        let load = |values: &[AtomicU64]| -> Vec<u64> { values.iter().map(|v| v.load(Ordering::Relaxed)).collect() };
        Snapshot {
            queue_depth: self.writer.max_capacity() - self.writer.capacity(),
            queue_capacity: self.writer.max_capacity(),
            batch_size: counters.batch_size.snapshot(),
            commit_seconds: counters.commit_seconds.snapshot(),
            pool_size: self.pool.size(),
            pool_idle: self.pool.num_idle(),
            pool_max: self.pool.options().get_max_connections(),
            pool_acquire_seconds,
            created: Channel::ALL.iter().map(|c| c.as_str()).zip(load(&counters.created)).collect(),
            acted: Action::ALL.iter().map(|a| a.as_str()).zip(load(&counters.acted)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_each_value_in_its_bucket_and_those_above() {
        let h = Histogram::new(&BATCH_BOUNDS);
        for value in [1.0, 3.0, 3.0, 300.0] {
            h.observe(value);
        }
        let s = h.snapshot();
        assert_eq!(s.cumulative, vec![1, 1, 3, 3, 3, 3, 3, 3, 3]);
        assert_eq!(s.count, 4);
        assert_eq!(s.sum, 307.0);
    }
}
