//! The random draw of finished requests for callbacks (随机抽查).
//!
//! Per unit, a share of its finished requests and at least a minimum is drawn. The draw
//! is a pure function of the candidates and a seed, with its own small generator
//! (SplitMix64) rather than a library's: a library may change its streams between
//! versions, and an audit years later must get the same draw from the same seed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Refused;

/// How much to draw: `rate_percent` of each unit's finished requests, rounded up, and
/// at least `minimum` (or all it has, when it has fewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleRule {
    pub rate_percent: u32,
    pub minimum: u32,
}

impl Default for SampleRule {
    fn default() -> Self {
        SampleRule { rate_percent: 10, minimum: 2 }
    }
}

/// Largest sample a unit can be asked for; a guard against typing 2000 for 20.
pub const MAX_MINIMUM: u32 = 500;

impl SampleRule {
    pub fn check(&self) -> Result<(), Refused> {
        if !(1..=100).contains(&self.rate_percent) {
            return Err(Refused::Invalid { field: "rate_percent", reason: "between 1 and 100".into() });
        }
        if self.minimum > MAX_MINIMUM {
            return Err(Refused::Invalid { field: "minimum", reason: format!("at most {MAX_MINIMUM}") });
        }
        Ok(())
    }

    /// How many of a unit's `population` finished requests are drawn.
    pub fn size(&self, population: usize) -> usize {
        let by_rate = (population * self.rate_percent as usize).div_ceil(100);
        by_rate.max(self.minimum as usize).min(population)
    }
}

/// A finished request that may be drawn, and the unit it is judged at (the unit that
/// handled it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Candidate {
    pub unit_id: i64,
    pub request_id: i64,
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever by its constants.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), without the bias of a plain modulo.
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Seeds are kept below 2^53 so that every client, JavaScript included, reads them
/// back exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Draws the sample: units in ascending id, each unit's candidates in ascending request
/// id, a partial Fisher–Yates shuffle per unit from one stream. The order the candidates
/// arrive in does not matter. Returns the drawn candidates sorted by unit and request.
pub fn draw(candidates: &[Candidate], rule: SampleRule, seed: u64) -> Vec<Candidate> {
    let mut by_unit: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in candidates {
        by_unit.entry(c.unit_id).or_default().push(c.request_id);
    }
    let mut rng = SplitMix64::new(seed);
    let mut drawn = Vec::new();
    for (unit_id, mut ids) in by_unit {
        ids.sort_unstable();
        ids.dedup();
        let k = rule.size(ids.len());
        for i in 0..k {
            let j = i + rng.below((ids.len() - i) as u64) as usize;
            ids.swap(i, j);
        }
        let mut picked: Vec<Candidate> = ids[..k].iter().map(|&request_id| Candidate { unit_id, request_id }).collect();
        picked.sort_unstable();
        drawn.extend(picked);
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(units: &[(i64, i64)]) -> Vec<Candidate> {
        // (unit, how many): request ids numbered across units.
        let mut next = 1;
        let mut all = Vec::new();
        for &(unit_id, n) in units {
            for _ in 0..n {
                all.push(Candidate { unit_id, request_id: next });
                next += 1;
            }
        }
        all
    }

    #[test]
    fn a_unit_gets_its_share_rounded_up_and_at_least_the_minimum() {
        let rule = SampleRule { rate_percent: 10, minimum: 3 };
        assert_eq!(rule.size(0), 0);
        assert_eq!(rule.size(2), 2, "fewer than the minimum: all of them");
        assert_eq!(rule.size(20), 3, "10% of 20 is 2, the minimum is 3");
        assert_eq!(rule.size(41), 5, "10% of 41 rounds up to 5");
        let drawn = draw(&candidates(&[(7, 41), (9, 2), (8, 20)]), rule, 42);
        let count = |unit| drawn.iter().filter(|c| c.unit_id == unit).count();
        assert_eq!((count(7), count(8), count(9)), (5, 3, 2));
    }

    #[test]
    fn the_same_seed_gives_the_same_draw_whatever_the_order_of_candidates() {
        let rule = SampleRule { rate_percent: 20, minimum: 1 };
        let all = candidates(&[(1, 30), (2, 50)]);
        let first = draw(&all, rule, 2026);
        let mut shuffled = all.clone();
        shuffled.reverse();
        assert_eq!(draw(&shuffled, rule, 2026), first);
        assert_ne!(draw(&all, rule, 2027), first, "another seed, another draw");
        // The stream is fixed by its constants: this is the draw an auditor will get.
        let ids: Vec<i64> = first.iter().map(|c| c.request_id).collect();
        assert_eq!(ids.len(), 16);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_generator_is_splitmix64() {
        // Reference values of SplitMix64 from seed 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn every_candidate_can_be_drawn() {
        let all = candidates(&[(1, 10)]);
        let rule = SampleRule { rate_percent: 10, minimum: 1 };
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            seen.extend(draw(&all, rule, seed).into_iter().map(|c| c.request_id));
        }
        assert_eq!(seen.len(), 10);
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        assert!(SampleRule { rate_percent: 0, minimum: 1 }.check().is_err());
        assert!(SampleRule { rate_percent: 101, minimum: 1 }.check().is_err());
        assert!(SampleRule { rate_percent: 5, minimum: MAX_MINIMUM + 1 }.check().is_err());
        assert!(SampleRule::default().check().is_ok());
    }
}
