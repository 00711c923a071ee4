//! Drawing samples: the candidates of a scope and period, the seeded draw, and drawing
//! again from the recorded seed to show the draw was what the seed says.

use chrono::NaiveDate;
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::sample::{self, Candidate, SampleRule, MAX_SEED};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Actor;
use rand::Rng;
use serde::Serialize;
use sqlx::Row;

use super::rows::{item_from_row, sample_from_row, ITEM_COLUMNS, SAMPLE_COLUMNS};
use super::write::{Act, Drawn};
use super::{page, period, prefix, require_supervisor, Sample, SampleItem};
use crate::{Listing, Result, Store, StoreError};

/// What a supervisor asks to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawSpec {
    /// The subtree drawn from: requests handled by its units.
    pub unit_id: i64,
    /// Local dates of first resolution, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rule: SampleRule,
    /// A seed to use; a fresh random one when none is given.
    pub seed: Option<u64>,
}

/// A recorded draw beside the same draw made again now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reproduction {
    pub recorded: Vec<i64>,
    pub drawn_again: Vec<i64>,
    /// The candidates now; it differs from the recorded population when requests were
    /// reopened, merged or moved since.
    pub population_now: i64,
}

impl Reproduction {
    pub fn matches(&self) -> bool {
        self.recorded == self.drawn_again
    }
}

impl Store {
    /// Requests first resolved in the period and handled in the subtree, with a number to
    /// call: the candidates of a draw. Rejected and merged requests are not work to audit;
    /// rectifications found by inspectors are left out too: no resident raised them, and
    /// reinspection on site is their check.
    async fn candidates(&self, path: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<(Candidate, Drawn)>> {
        let (start, end) = period(from, to)?;
        let rows = sqlx::query(
            "SELECT id, unit_id, unit_path, assignee_unit_id, assignee_path FROM requests \
             WHERE first_resolved_at >= $1 AND first_resolved_at < $2 AND status NOT IN ('rejected', 'merged') \
             AND requester_phone <> '' AND channel <> 'inspection' AND (assignee_path LIKE $3 OR (assignee_path IS NULL AND unit_path LIKE $3))",
        )
        .bind(start)
        .bind(end)
        .bind(format!("{path}%"))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let request_id: i64 = row.try_get("id")?;
                let place_path: String = row.try_get("unit_path")?;
                let assignee: Option<i64> = row.try_get("assignee_unit_id")?;
                let assignee_path: Option<String> = row.try_get("assignee_path")?;
                let unit_id = match assignee {
                    Some(unit) => unit,
                    None => row.try_get("unit_id")?,
                };
                let unit_path = assignee_path.unwrap_or_else(|| place_path.clone());
                Ok((Candidate { unit_id, request_id }, Drawn { request_id, unit_id, unit_path, place_path }))
            })
            .collect()
    }

    /// Draws a sample of the finished requests of a subtree and period, records it with
    /// its seed, and notes the draw in each drawn request's timeline.
    pub async fn draw_sample(&self, staff: &Staff, spec: &DrawSpec, at: Millis) -> Result<Sample> {
        require_supervisor(staff)?;
        spec.rule.check()?;
        let unit = self.unit(spec.unit_id).await.map_err(|_| StoreError::NotFound)?;
        if !staff.covers(&unit.path) {
            return Err(StoreError::NotFound);
        }
        let seed = match spec.seed {
            Some(seed) if seed > MAX_SEED => {
                return Err(StoreError::Invalid(format!("a seed is a whole number up to {MAX_SEED}")))
            }
            Some(seed) => seed,
            None => rand::thread_rng().gen_range(0..=MAX_SEED),
        };
        let found = self.candidates(&unit.path, spec.from, spec.to).await?;
        let candidates: Vec<Candidate> = found.iter().map(|(c, _)| *c).collect();
        let drawn = sample::draw(&candidates, spec.rule, seed);
        let by_id: std::collections::HashMap<i64, &Drawn> = found.iter().map(|(c, d)| (c.request_id, d)).collect();
        let items = drawn.iter().filter_map(|c| by_id.get(&c.request_id).map(|d| (*d).clone())).collect();
        let act = Act::Draw {
            scope_unit_id: unit.id,
            scope_path: unit.path.clone(),
            period: (time::date_to_day(spec.from), time::date_to_day(spec.to)),
            rate_percent: spec.rule.rate_percent,
            minimum: spec.rule.minimum,
            seed: seed as i64,
            population: candidates.len() as i64,
            items,
        };
        let written = self.supervise(act, Actor::Staff(staff.clone()), at).await?;
        self.sample(staff, written.id).await
    }

    /// Draws a recorded sample again from its seed, for an audit of the draw.
    pub async fn reproduce_sample(&self, staff: &Staff, id: i64) -> Result<Reproduction> {
        let recorded = self.sample(staff, id).await?;
        let items = self.sample_items(staff, id).await?;
        let found = self.candidates(&recorded.scope_path, recorded.from, recorded.to).await?;
        let candidates: Vec<Candidate> = found.into_iter().map(|(c, _)| c).collect();
        let again = sample::draw(&candidates, recorded.rule, recorded.seed);
        let mut recorded_ids: Vec<i64> = items.iter().map(|i| i.request_id).collect();
        recorded_ids.sort_unstable();
        let mut drawn_again: Vec<i64> = again.iter().map(|c| c.request_id).collect();
        drawn_again.sort_unstable();
        Ok(Reproduction { recorded: recorded_ids, drawn_again, population_now: candidates.len() as i64 })
    }

    /// One sample, if it lies in the supervisor's subtree.
    pub async fn sample(&self, staff: &Staff, id: i64) -> Result<Sample> {
        require_supervisor(staff)?;
        let sql = format!("SELECT {SAMPLE_COLUMNS} FROM samples s WHERE s.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let sample = sample_from_row(&row)?;
        if staff.covers(&sample.scope_path) {
            Ok(sample)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The samples drawn in the supervisor's subtree, newest first.
    pub async fn samples(&self, staff: &Staff, offset: i64, limit: i64) -> Result<Listing<Sample>> {
        require_supervisor(staff)?;
        let (offset, limit) = page(offset, limit);
        let sql = format!(
            "SELECT {SAMPLE_COLUMNS} FROM samples s WHERE s.scope_path LIKE $1 ORDER BY s.drawn_at DESC, s.id DESC \
             LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(&sql).bind(prefix(staff)).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM samples WHERE scope_path LIKE $1")
            .bind(prefix(staff))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items: rows.iter().map(sample_from_row).collect::<Result<_>>()?, total })
    }

    /// The requests a sample drew, with their callbacks' state.
    pub async fn sample_items(&self, staff: &Staff, sample_id: i64) -> Result<Vec<SampleItem>> {
        self.sample(staff, sample_id).await?;
        let sql = format!("SELECT {ITEM_COLUMNS} FROM sample_items WHERE sample_id = $1 ORDER BY unit_id, request_id");
        let rows = sqlx::query(&sql).bind(sample_id).fetch_all(self.pool()).await?;
        rows.iter().map(item_from_row).collect()
    }
}
