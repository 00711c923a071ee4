//! Duplicate detection scored against hand-judged pairs
//! (tests/data/duplicate_pairs.csv, or the demo district's pairs that the example
//! `judge_demo_pairs` writes): how
//! many of the judged pairs that detection reports now are real duplicates
//! (precision), and how many of the real ones the batch grouping puts in one
//! group (recall on the groups found).
//!
//! The judged pairs are pairs detection reported when they were judged, so the
//! recall here is the grouping's, relative to what pairwise detection finds:
//! duplicates too different to reach the threshold are in no judged pair and
//! cannot count as missed. Pairs reported now that nobody judged are counted
//! apart: when there are many, the file needs judging again.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::dupes::{duplicate_groups, duplicate_pairs, Doc, DupeConfig};
use crate::error::{Result, TextError};
use crate::stock::StockPhrases;

/// Characters of title + detail that identify a message in the judged file.
const EXCERPT_CHARS: usize = 80;

/// One judged pair, by the excerpts of its two messages.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedPair {
    pub a: String,
    pub b: String,
    pub similarity: f32,
    pub is_duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgedScores {
    pub judged_pairs: usize,
    pub duplicate_pairs: usize,
    /// Judged pairs that detection reports now.
    pub reported: usize,
    /// Share of those that are real duplicates.
    pub precision: f64,
    /// Pairs detection reports now that are not among the judged ones.
    pub reported_not_judged: usize,
    /// Real duplicate pairs whose two messages the grouping put in one group.
    pub duplicates_grouped: usize,
    /// `duplicates_grouped / duplicate_pairs`.
    pub recall: f64,
    /// Pairs judged not duplicates that still ended in one group.
    pub non_duplicates_grouped: usize,
    /// Pairs whose excerpts match no message of the data.
    pub unmatched: usize,
}

/// Reads `a_text_excerpt,b_text_excerpt,similarity,is_duplicate`.
pub fn read_judged_pairs(path: &Path) -> Result<Vec<JudgedPair>> {
    let csv_err = |source| TextError::Csv { path: path.to_path_buf(), source };
    let mut reader = csv::Reader::from_path(path).map_err(csv_err)?;
    let headers = reader.headers().map_err(csv_err)?.clone();
    let want = ["a_text_excerpt", "b_text_excerpt", "similarity", "is_duplicate"];
    if headers.iter().collect::<Vec<_>>() != want {
        return Err(TextError::Columns { path: path.into(), detail: format!("need {}", want.join(",")) });
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        out.push(JudgedPair {
            a: record[0].to_string(),
            b: record[1].to_string(),
            similarity: record[2].parse().unwrap_or(0.0),
            is_duplicate: &record[3] == "1",
        });
    }
    Ok(out)
}

fn ordered(a: String, b: String) -> (String, String) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The excerpt a message is known by: its first characters, whitespace as spaces.
fn excerpt(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).map(|c| if c.is_whitespace() { ' ' } else { c }).collect()
}

/// Detects duplicates in `docs` with `config` (`stock` phrases weighing nothing) and
/// scores the pairs it reports and its grouping on `pairs`. Several messages can share
/// an excerpt (reposts); a pair counts as reported, or grouped, when some message of each
/// side is.
pub fn score_judged(docs: &[Doc], pairs: &[JudgedPair], config: &DupeConfig, stock: &StockPhrases) -> JudgedScores {
    let mut by_excerpt: HashMap<String, Vec<i64>> = HashMap::new();
    for d in docs {
        by_excerpt.entry(excerpt(&d.text)).or_default().push(d.id);
    }
    let mut group_of: HashMap<i64, usize> = HashMap::new();
    for (g, group) in duplicate_groups(docs, config, stock).iter().enumerate() {
        for &id in &group.members {
            group_of.insert(id, g);
        }
    }
    let found: std::collections::HashSet<(String, String)> = duplicate_pairs(docs, config, stock)
        .into_iter()
        .map(|(i, j, _)| ordered(excerpt(&docs[i].text), excerpt(&docs[j].text)))
        .collect();
    let mut judged: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let (mut duplicate_pairs, mut duplicates_grouped, mut non_duplicates_grouped, mut unmatched) = (0, 0, 0, 0);
    let (mut reported, mut reported_duplicates) = (0, 0);
    for p in pairs {
        duplicate_pairs += usize::from(p.is_duplicate);
        let side = |e: &str| by_excerpt.get(&excerpt(e)).map(Vec::as_slice).unwrap_or_default();
        let (a, b) = (side(&p.a), side(&p.b));
        if a.is_empty() || b.is_empty() {
            unmatched += 1;
            continue;
        }
        let key = ordered(excerpt(&p.a), excerpt(&p.b));
        if found.contains(&key) {
            reported += 1;
            reported_duplicates += usize::from(p.is_duplicate);
        }
        judged.insert(key);
        let together =
            a.iter().any(|x| b.iter().any(|y| x != y && group_of.get(x).is_some_and(|g| group_of.get(y) == Some(g))));
        match (together, p.is_duplicate) {
            (true, true) => duplicates_grouped += 1,
            (true, false) => non_duplicates_grouped += 1,
            _ => {}
        }
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    JudgedScores {
        judged_pairs: pairs.len(),
        duplicate_pairs,
        reported,
        precision: share(reported_duplicates, reported),
        // Reposts of one text pair with themselves; those are no judgement to miss.
        reported_not_judged: found.iter().filter(|k| k.0 != k.1 && !judged.contains(*k)).count(),
        duplicates_grouped,
        recall: share(duplicates_grouped, duplicate_pairs),
        non_duplicates_grouped,
        unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, text: &str) -> Doc {
        Doc::new(id, text, id * 86_400)
    }

    #[test]
    fn a_pair_split_by_the_grouping_is_a_miss() {
        let docs = [
            doc(1, "丽发新城小区附近搅拌站噪音扰民，灰尘很大，晚上无法休息"),
            doc(2, "投诉丽发新城小区附近搅拌站噪音扰民，灰尘很大，请尽快处理"),
            doc(3, "书院路路灯坏了一个月"),
            doc(4, "A3区公交站台破损无人修理"),
        ];
        let pair = |a: &Doc, b: &Doc, dup: bool| JudgedPair {
            a: a.text.clone(),
            b: b.text.clone(),
            similarity: 0.5,
            is_duplicate: dup,
        };
        let pairs = [pair(&docs[0], &docs[1], true), pair(&docs[2], &docs[3], true), pair(&docs[0], &docs[2], false)];
        let s = score_judged(&docs, &pairs, &DupeConfig::default(), &StockPhrases::default());
        assert_eq!((s.duplicate_pairs, s.duplicates_grouped, s.non_duplicates_grouped), (2, 1, 0));
        assert_eq!(s.recall, 0.5);
        // Only the first pair is reported, and it is a duplicate.
        assert_eq!((s.reported, s.precision, s.reported_not_judged), (1, 1.0, 0));
    }
}
