//! Duplicate requests: several residents (or one resident several times)
//! writing about the same thing — same place, same problem, close in time.
//!
//! Texts are compared by cosine similarity of TF-IDF weighted search tokens
//! (CJK bigrams and ASCII words). Rare bigrams are mostly names of estates,
//! roads and companies, so IDF makes "same place" weigh most, and the shared
//! problem words do the rest. Candidates come from an inverted index over the
//! rarer tokens of the query only, which keeps a lookup far below a
//! millisecond at 100k requests; the few best candidates are then scored
//! exactly.
//!
//! Two things never make a duplicate. Stock phrases of complaint letters
//! ([`StockPhrases`]: "之前已经有居民反映过") are masked before any token is taken, so
//! they weigh nothing. And where the requests' addresses are known, the tokens of the
//! addresses are set aside and what is left — the problem — must be alike too: two
//! requests about one road, one about a lawyer and one about electromagnetic pollution,
//! share only their address. A different stated address (another road, estate or
//! building, [`Address`]) counts against a pair as a different community does.

use std::collections::HashMap;

use serde::Serialize;

use crate::address::Address;
use crate::fasthash::FastMap;
use crate::normalize::normalize;
use crate::stock::StockPhrases;
use crate::tokens::token_keys;

/// One request as duplicate detection sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub id: i64,
    pub text: String,
    /// Place or unit the request is about, when the caller knows it.
    pub place: Option<String>,
    /// The street address the request gives, when it gives one.
    pub address: Option<String>,
    /// Unix seconds.
    pub time: i64,
}

impl Doc {
    /// A request known by its text and time only.
    pub fn new(id: i64, text: impl Into<String>, time: i64) -> Doc {
        Doc { id, text: text.into(), place: None, address: None, time }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: i64,
    pub similarity: f32,
    /// The phrases both texts share that weighed most, strongest first.
    pub shared_terms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Ids in order of time, first request first.
    pub members: Vec<i64>,
    /// Mean similarity of the links that formed the group.
    pub similarity: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DupeConfig {
    /// Pairs at or above this similarity are duplicates. Chosen on
    /// hot_messages.csv for precision ≥ 0.9 (tests/data/duplicate_pairs.csv).
    pub threshold: f32,
    /// Where an address is known, the similarity of the two texts without the
    /// addresses' tokens must reach this too.
    pub min_problem_similarity: f32,
    /// Requests further apart in time are never duplicates.
    pub window_secs: i64,
    /// How many of the query's rarest tokens probe the index.
    pub probe_terms: usize,
    /// How many best-probed candidates get an exact similarity.
    pub rerank: usize,
    pub max_matches: usize,
}

impl Default for DupeConfig {
    fn default() -> Self {
        DupeConfig {
            threshold: 0.45,
            min_problem_similarity: 0.3,
            window_secs: 90 * 86_400,
            probe_terms: 32,
            rerank: 24,
            max_matches: 10,
        }
    }
}

/// Stored document: terms with their counts, kept sorted by term id.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    place: Option<String>,
    /// The terms of its address, sorted.
    address: Vec<u32>,
    /// Its address by parts: road, estate, building.
    where_: Address,
    terms: Vec<(u32, u16)>,
}

thread_local! {
    /// One query's score per slot, and the slots it touched: reused from query to query,
    /// because a hash map of tens of thousands of candidates cost more than the scoring.
    static PROBE_SCORES: std::cell::RefCell<(Vec<f32>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Incremental index for intake: add requests one by one, ask for the likely
/// duplicates of a new one before or after adding it.
#[derive(Debug, Clone, Default)]
pub struct DuplicateIndex {
    config: DupeConfig,
    stock: StockPhrases,
    vocab: FastMap<u64, u32>,
    df: Vec<u32>,
    /// ln(df + 1) per term, kept with `df` so IDF costs a subtraction.
    ln_df: Vec<f32>,
    postings: Vec<Vec<u32>>,
    entries: Vec<Entry>,
    /// Each entry's time, apart from the rest of it: probing reads the time of every
    /// slot a posting names, and these sit eight to a cache line.
    times: Vec<i64>,
}

impl DuplicateIndex {
    pub fn new(config: DupeConfig) -> Self {
        DuplicateIndex { config, ..Default::default() }
    }

    /// An index that gives `stock` phrases no weight.
    pub fn with_stock(config: DupeConfig, stock: StockPhrases) -> Self {
        DuplicateIndex { config, stock, ..Default::default() }
    }

    pub fn stock(&self) -> &StockPhrases {
        &self.stock
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn config(&self) -> &DupeConfig {
        &self.config
    }

    pub fn add(&mut self, doc: &Doc) {
        let slot = self.entries.len() as u32;
        let mut counts: FastMap<u32, u16> = FastMap::default();
        for token in token_keys(&self.stock.mask(&doc.text)) {
            let next = self.df.len() as u32;
            let t = *self.vocab.entry(token).or_insert(next);
            if t == next {
                self.df.push(0);
                self.ln_df.push(0.0);
                self.postings.push(Vec::new());
            }
            let c = counts.entry(t).or_default();
            *c = c.saturating_add(1);
        }
        let mut terms: Vec<(u32, u16)> = counts.into_iter().collect();
        terms.sort_unstable();
        for &(t, _) in &terms {
            self.df[t as usize] += 1;
            self.ln_df[t as usize] = (self.df[t as usize] as f32 + 1.0).ln();
            self.postings[t as usize].push(slot);
        }
        let address = self.address_terms(doc.address.as_deref());
        let where_ = Address::parse(doc.address.as_deref().unwrap_or_default());
        self.entries.push(Entry { id: doc.id, place: place_key(doc.place.as_deref()), address, where_, terms });
        self.times.push(doc.time);
    }

    /// The known terms of an address, sorted.
    fn address_terms(&self, address: Option<&str>) -> Vec<u32> {
        let mut terms: Vec<u32> =
            address.map(token_keys).unwrap_or_default().iter().filter_map(|k| self.vocab.get(k).copied()).collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    }

    /// Cosine of the query with `e` over the terms of neither address: how alike the
    /// problems are, the places aside. `None` when neither gives an address.
    fn problem_similarity(&self, query: &[(u32, f32)], query_address: &[u32], e: &Entry) -> Option<f32> {
        if query_address.is_empty() && e.address.is_empty() {
            return None;
        }
        let aside = |t: u32| query_address.binary_search(&t).is_ok() || e.address.binary_search(&t).is_ok();
        let ln_n = (self.entries.len() as f32 + 1.0).ln();
        let (mut dot, mut norm_e) = (0.0f32, 0.0f32);
        let mut q = query.iter().peekable();
        for &(t, c) in e.terms.iter().filter(|&&(t, _)| !aside(t)) {
            let w = (1.0 + (c as f32).ln()) * (ln_n - self.ln_df[t as usize] + 1.0);
            norm_e += w * w;
            while q.next_if(|&&(qt, _)| qt < t).is_some() {}
            if let Some(&&(qt, qw)) = q.peek() {
                if qt == t {
                    dot += qw * w;
                }
            }
        }
        let norm_q: f32 = query.iter().filter(|&&(t, _)| !aside(t)).map(|(_, w)| w * w).sum();
        Some(if norm_e > 0.0 && norm_q > 0.0 { dot / (norm_e.sqrt() * norm_q.sqrt()) } else { 0.0 })
    }

    /// Smoothed IDF; `None` is a token the index has never seen.
    fn idf(&self, term: Option<u32>) -> f32 {
        let ln_n = (self.entries.len() as f32 + 1.0).ln();
        ln_n - term.map_or(0.0, |t| self.ln_df[t as usize]) + 1.0
    }

    /// Cosine of a normalised query with a stored entry, whose weights are
    /// computed here because IDF moves as the index grows.
    fn similarity_to(&self, query: &[(u32, f32)], e: &Entry) -> f32 {
        let ln_n = (self.entries.len() as f32 + 1.0).ln();
        let (mut dot, mut norm) = (0.0f32, 0.0f32);
        // Both sides are sorted by term: a merge, no hashing.
        let mut q = query.iter().peekable();
        for &(t, c) in &e.terms {
            let w = (1.0 + (c as f32).ln()) * (ln_n - self.ln_df[t as usize] + 1.0);
            norm += w * w;
            while q.next_if(|&&(qt, _)| qt < t).is_some() {}
            if let Some(&&(qt, qw)) = q.peek() {
                if qt == t {
                    dot += qw * w;
                }
            }
        }
        if norm > 0.0 {
            dot / norm.sqrt()
        } else {
            0.0
        }
    }

    fn entry_vector(&self, e: &Entry) -> FastMap<u32, f32> {
        let mut w: FastMap<u32, f32> =
            e.terms.iter().map(|&(t, c)| (t, (1.0 + (c as f32).ln()) * self.idf(Some(t)))).collect();
        normalise(&mut w);
        w
    }

    /// Likely duplicates of `doc` among the indexed requests (never `doc`'s own
    /// id), most similar first.
    pub fn candidates(&self, doc: &Doc) -> Vec<Match> {
        self.candidates_where(doc, |_| true, |_| 1.0)
    }

    /// As `candidates`, with each indexed request's similarity multiplied by
    /// `weigh(its id)` before the threshold: what the caller knows beyond the text,
    /// such as how far apart the two places are.
    pub fn candidates_weighed(&self, doc: &Doc, weigh: impl Fn(i64) -> f32) -> Vec<Match> {
        self.candidates_where(doc, |_| true, weigh)
    }

    fn candidates_where(&self, doc: &Doc, keep: impl Fn(usize) -> bool, weigh: impl Fn(i64) -> f32) -> Vec<Match> {
        let text = self.stock.mask(&doc.text);
        let query = self.query_vector(&text);
        if query.is_empty() || self.entries.is_empty() {
            return Vec::new();
        }
        // Probe with the rarest terms: they identify places and names, and
        // their posting lists are short. Common terms ("小区", "问题") would
        // only add work; the exact score still counts them.
        let max_df = (self.entries.len() / 20).clamp(20, 2000) as u32;
        let mut probes: Vec<(u32, f32)> =
            query.iter().copied().filter(|&(t, _)| self.df[t as usize] <= max_df).collect();
        probes.sort_by(|a, b| self.df[a.0 as usize].cmp(&self.df[b.0 as usize]).then(a.0.cmp(&b.0)));
        probes.truncate(self.config.probe_terms);
        let place = place_key(doc.place.as_deref());
        let address = self.address_terms(doc.address.as_deref());
        let where_ = Address::parse(doc.address.as_deref().unwrap_or_default());
        let mut ranked: Vec<(u32, f32)> = PROBE_SCORES.with(|cell| {
            let (score, touched) = &mut *cell.borrow_mut();
            if score.len() < self.entries.len() {
                score.resize(self.entries.len(), 0.0);
            }
            touched.clear();
            for (t, w) in probes {
                let idf = self.idf(Some(t));
                for &slot in &self.postings[t as usize] {
                    if (self.times[slot as usize] - doc.time).abs() > self.config.window_secs {
                        continue;
                    }
                    // Every addition is positive, so zero marks a slot not yet touched.
                    let s = &mut score[slot as usize];
                    if *s == 0.0 {
                        touched.push(slot);
                    }
                    *s += w * idf;
                }
            }
            // Taking the scores leaves the buffer zeroed for the next query.
            touched
                .iter()
                .map(|&slot| (slot, std::mem::take(&mut score[slot as usize])))
                .filter(|&(slot, _)| self.entries[slot as usize].id != doc.id && keep(slot as usize))
                .collect()
        });
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(self.config.rerank);
        let mut scored: Vec<(f32, usize)> = ranked
            .into_iter()
            .filter_map(|(slot, _)| {
                let e = &self.entries[slot as usize];
                let sim = adjust_for_place(self.similarity_to(&query, e), place.as_deref(), e.place.as_deref());
                // A different stated address (another estate, road or building) counts
                // against the pair as a different place does.
                let sim = if where_.differs_from(&e.where_) { sim * 0.5 } else { sim };
                let sim = (sim * weigh(e.id)).min(1.0);
                let problem = || self.problem_similarity(&query, &address, e);
                (sim >= self.config.threshold && problem().is_none_or(|p| p >= self.config.min_problem_similarity))
                    .then_some((sim, slot as usize))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(self.entries[a.1].id.cmp(&self.entries[b.1].id)));
        scored.truncate(self.config.max_matches);
        // Explanations only for what is returned: they cost more than scoring.
        scored
            .into_iter()
            .map(|(sim, slot)| {
                let e = &self.entries[slot];
                let other = self.entry_vector(e);
                Match { id: e.id, similarity: sim, shared_terms: self.shared_phrases(&text, &query, &other, 6) }
            })
            .collect()
    }

    /// Normalised vector of a text (its stock phrases masked already) over the index's
    /// vocabulary, sorted by term. Tokens the index has never seen still count in the
    /// norm (with the highest IDF), because they are words the other text does not have.
    pub(crate) fn query_vector(&self, text: &str) -> Vec<(u32, f32)> {
        let mut known: Vec<u32> = Vec::new();
        let mut unknown: FastMap<u64, u16> = FastMap::default();
        for token in token_keys(text) {
            match self.vocab.get(&token) {
                Some(&t) => known.push(t),
                None => *unknown.entry(token).or_default() += 1,
            }
        }
        known.sort_unstable();
        let mut w: Vec<(u32, f32)> = Vec::with_capacity(known.len());
        for run in known.chunk_by(|a, b| a == b) {
            w.push((run[0], (1.0 + (run.len() as f32).ln()) * self.idf(Some(run[0]))));
        }
        let unseen: f32 = unknown.values().map(|&c| ((1.0 + (c as f32).ln()) * self.idf(None)).powi(2)).sum();
        let norm = (w.iter().map(|(_, v)| v * v).sum::<f32>() + unseen).sqrt();
        if norm > 0.0 {
            w.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        w
    }

    pub(crate) fn term_of_pair(&self, pair: [char; 2]) -> Option<&u32> {
        self.vocab.get(&crate::tokens::pair_key(pair[0], pair[1]))
    }

    /// Readable shared evidence: runs of the text whose consecutive bigrams
    /// both texts contain ("丽发新城" rather than "丽发", "发新", "新城").
    fn shared_phrases(&self, text: &str, a: &[(u32, f32)], b: &FastMap<u32, f32>, k: usize) -> Vec<String> {
        let weight = |pair: [char; 2]| -> Option<f32> {
            let t = self.term_of_pair(pair)?;
            let qa = a.binary_search_by_key(t, |&(x, _)| x).ok().map(|i| a[i].1)?;
            Some(qa * b.get(t)?)
        };
        phrases(text, weight, k)
    }
}

/// Maximal runs of `text` made of consecutive tokens that all have a weight,
/// ranked by total weight; each distinct run once.
pub(crate) fn phrases(text: &str, weight: impl Fn([char; 2]) -> Option<f32>, k: usize) -> Vec<String> {
    let chars: Vec<char> = normalize(text).chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut found: HashMap<String, f32> = HashMap::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        let mut j = i;
        let mut total = 0.0;
        while j + 1 < chars.len() {
            match weight([chars[j], chars[j + 1]]) {
                Some(w) if chars[j].is_alphanumeric() && chars[j + 1].is_alphanumeric() => total += w,
                _ => break,
            }
            j += 1;
        }
        if j > i {
            let phrase: String = chars[i..=j].iter().collect();
            let e = found.entry(phrase).or_default();
            *e = e.max(total);
            i = j;
        } else {
            i += 1;
        }
    }
    let mut ranked: Vec<(String, f32)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<String> = Vec::new();
    for (p, _) in ranked {
        if !out.iter().any(|o| o.contains(&p)) {
            out.push(p);
        }
        if out.len() == k {
            break;
        }
    }
    out
}

fn place_key(place: Option<&str>) -> Option<String> {
    place.map(normalize).map(|p| p.to_lowercase()).filter(|p| !p.is_empty())
}

/// The same stated place or unit makes a duplicate more likely; different
/// ones make it unlikely but not impossible (units get renamed, residents
/// name the estate or the road).
fn adjust_for_place(sim: f32, a: Option<&str>, b: Option<&str>) -> f32 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => (sim + 0.1).min(1.0),
        (Some(_), Some(_)) => sim * 0.5,
        _ => sim,
    }
}

fn normalise(w: &mut FastMap<u32, f32>) {
    let norm = w.values().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        w.values_mut().for_each(|v| *v /= norm);
    }
}

/// Every duplicate pair of a batch, once, as positions in `docs` (later, earlier) and
/// similarity. Everything is indexed first, so that IDF reflects the whole batch.
pub fn duplicate_pairs(docs: &[Doc], config: &DupeConfig, stock: &StockPhrases) -> Vec<(usize, usize, f32)> {
    let mut index = DuplicateIndex::with_stock(config.clone(), stock.clone());
    for d in docs {
        index.add(d);
    }
    let slot_of: HashMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let mut links = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        // Each pair once: only look at requests indexed before this one.
        for m in index.candidates_where(d, |slot| slot < i, |_| 1.0) {
            if let Some(&j) = slot_of.get(&m.id) {
                links.push((i, j, m.similarity));
            }
        }
    }
    links
}

/// Groups of duplicates in a batch. Every request is compared with the others
/// inside the time window; linked requests form one group (single link, which
/// the high threshold keeps from chaining unrelated requests). `stock` phrases
/// weigh nothing.
pub fn duplicate_groups(docs: &[Doc], config: &DupeConfig, stock: &StockPhrases) -> Vec<Group> {
    let links = duplicate_pairs(docs, config, stock);
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    for &(i, j, _) in &links {
        union(&mut parent, i, j);
    }
    let mut groups: HashMap<usize, (Vec<usize>, f32, usize)> = HashMap::new();
    for i in 0..docs.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_insert_with(|| (Vec::new(), 0.0, 0)).0.push(i);
    }
    for (i, _, s) in &links {
        let r = find(&mut parent, *i);
        let g = groups.get_mut(&r).expect("root has a group");
        g.1 += s;
        g.2 += 1;
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .filter(|g| g.0.len() > 1)
        .map(|(mut members, sum, n)| {
            members.sort_by_key(|&i| (docs[i].time, docs[i].id));
            Group { members: members.into_iter().map(|i| docs[i].id).collect(), similarity: sum / n.max(1) as f32 }
        })
        .collect();
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    out
}

pub(crate) fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

pub(crate) fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn doc(id: i64, text: &str, day: i64) -> Doc {
        Doc::new(id, text, day * DAY)
    }

    fn board() -> Vec<Doc> {
        vec![
            doc(1, "丽发新城小区附近搅拌站噪音扰民，灰尘很大，晚上无法休息", 0),
            doc(2, "投诉丽发新城小区附近搅拌站噪音扰民，灰尘很大，请尽快处理", 2),
            doc(3, "梅溪湖看云路润芳园小区临街门面油烟扰民", 3),
            doc(4, "A3区学士街道裕园小区绿化带变成菜市场了", 4),
            doc(5, "公交线路调整，希望增加到火车站的班次", 5),
            doc(6, "丽发新城小区附近搅拌站噪音扰民，灰尘很大，晚上无法休息", 400),
        ]
    }

    /// The board's first five requests indexed, and a new letter about the plant.
    fn plant_and_a_new_letter() -> (DuplicateIndex, Doc) {
        let mut index = DuplicateIndex::new(DupeConfig::default());
        for d in &board()[..5] {
            index.add(d);
        }
        (index, doc(7, "丽发新城小区附近的搅拌站噪音扰民，灰尘太大", 6))
    }

    #[test]
    fn a_dispatcher_sees_the_earlier_request_about_the_same_plant() {
        let (index, new) = plant_and_a_new_letter();
        let found = index.candidates(&new);
        let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
        assert!(ids.contains(&1) && ids.contains(&2), "{found:?}");
        assert!(!ids.contains(&3) && !ids.contains(&5));
        assert!(found.windows(2).all(|w| w[0].similarity >= w[1].similarity));
        assert!(found[0].shared_terms.iter().any(|t| t.contains("丽发新城") || t.contains("搅拌站")), "{found:?}");
    }

    #[test]
    fn requests_a_year_apart_are_not_duplicates() {
        let docs = board();
        let mut index = DuplicateIndex::new(DupeConfig::default());
        for d in &docs {
            index.add(d);
        }
        let ids: Vec<i64> = index.candidates(&docs[5]).iter().map(|m| m.id).collect();
        assert!(ids.is_empty(), "{ids:?}");
        // And a request never matches itself.
        assert!(!index.candidates(&docs[0]).iter().any(|m| m.id == 1));
    }

    #[test]
    fn a_different_stated_place_lowers_similarity() {
        let mut index = DuplicateIndex::new(DupeConfig { threshold: 0.0, ..DupeConfig::default() });
        let mut a = doc(1, "小区门口路灯坏了很久没人修", 0);
        a.place = Some("东塘社区".into());
        index.add(&a);
        index.add(&doc(2, "公交线路调整", 0));
        let mut same = doc(3, "小区门口路灯坏了很久没人修", 1);
        same.place = Some("东塘社区".into());
        let mut other = same.clone();
        other.place = Some("洋湖社区".into());
        let s_same = index.candidates(&same)[0].similarity;
        let s_other = index.candidates(&other)[0].similarity;
        assert!(s_same > s_other * 1.5, "{s_same} vs {s_other}");
    }

    /// Letters of many categories at many places, each opening "关于…的" and saying that
    /// residents wrote before: what every letter says, and so no sign of one problem.
    fn stock_of_letters() -> StockPhrases {
        use crate::stock::{Sample, StockConfig};
        let places = ["金桂苑", "书院路", "洋湖湾", "桂花坪", "月亮岛", "梅溪湖", "望城坡", "东塘村"];
        let problems =
            ["律师收费不合理", "电磁辐射超标", "路灯晚上不亮", "垃圾无人清运", "学校乱收补课费", "工地拖欠工资"];
        let mut letters = Vec::new();
        for (i, place) in places.iter().enumerate() {
            for (j, problem) in problems.iter().enumerate() {
                let text = format!("关于{place}的{problem}问题。之前已经有居民反映过，希望有关部门尽快处理。");
                letters.push((text, place.to_string(), format!("category {j}"), i));
            }
        }
        let samples: Vec<Sample> = letters
            .iter()
            .map(|(text, place, category, _)| Sample { text, place: Some(place), category: Some(category) })
            .collect();
        StockPhrases::learn(&samples, &StockConfig::default())
    }

    #[test]
    fn stock_phrases_and_a_shared_road_make_no_duplicate() {
        let lawyer = Doc {
            address: Some("东风中路".into()),
            ..doc(1, "关于东风中路的律师问题。之前已经有居民反映过，律所收了钱不办事，希望有关部门尽快处理。", 0)
        };
        let radiation = Doc {
            address: Some("东风中路".into()),
            ..doc(2, "关于东风中路的电磁污染。之前已经有居民反映过，基站辐射很大，希望有关部门尽快处理。", 3)
        };
        let plant = doc(3, "丽发新城小区附近搅拌站噪音扰民，灰尘很大，晚上无法休息", 1);
        // Without knowing the stock phrases, the two letters look alike.
        let mut plain = DuplicateIndex::new(DupeConfig::default());
        plain.add(&Doc { address: None, ..lawyer.clone() });
        plain.add(&plant);
        assert!(!plain.candidates(&Doc { address: None, ..radiation.clone() }).is_empty());

        let stock = stock_of_letters();
        assert!(!stock.is_empty());
        let mut index = DuplicateIndex::with_stock(DupeConfig::default(), stock);
        index.add(&lawyer);
        index.add(&plant);
        assert!(index.candidates(&radiation).is_empty(), "{:?}", index.candidates(&radiation));
        // The same complaint about the lawyer, worded otherwise, is still found, and is
        // explained by what it says, not by the letter's stock phrases.
        let again = Doc {
            address: Some("东风中路".into()),
            ..doc(4, "东风中路律所收了钱不办事，律师问题。之前已经有居民反映过", 5)
        };
        let found = index.candidates(&again);
        assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), [1], "{found:?}");
        assert!(found[0].shared_terms.iter().all(|t| !t.contains("反映过")), "{found:?}");
    }

    #[test]
    fn the_same_letter_about_another_road_is_no_duplicate() {
        let letter = |id: i64, road: &str, day: i64| Doc {
            address: Some(format!("城关街道霞湾社区{road}")),
            ..doc(id, &format!("{road}旁边有一块空地成了卫生死角，建筑垃圾和生活垃圾混在一起，一直没人管。"), day)
        };
        let mut index = DuplicateIndex::new(DupeConfig::default());
        index.add(&letter(1, "振兴北路", 0));
        index.add(&doc(2, "公交线路调整，希望增加到火车站的班次", 1));
        index.add(&letter(3, "新华路", 2));
        let found: Vec<i64> = index.candidates(&letter(4, "新华路", 5)).iter().map(|m| m.id).collect();
        assert_eq!(found, [3], "only the letter about the same road");
        // Saying only the community is no different place.
        let vague = Doc { address: Some("城关街道霞湾社区".into()), ..letter(5, "新华路", 6) };
        let found: Vec<i64> = index.candidates(&vague).iter().map(|m| m.id).collect();
        assert!(found.contains(&3), "{found:?}");
    }

    #[test]
    fn a_weight_from_outside_the_text_can_remove_or_raise_a_match() {
        let (index, new) = plant_and_a_new_letter();
        let plain = index.candidates(&new);
        let far = index.candidates_weighed(&new, |id| if id == 1 { 0.0 } else { 1.0 });
        assert!(plain.iter().any(|m| m.id == 1) && !far.iter().any(|m| m.id == 1), "{far:?}");
        let near = index.candidates_weighed(&new, |id| if id == 2 { 1.25 } else { 1.0 });
        let similarity = |found: &[Match], id| found.iter().find(|m| m.id == id).map(|m| m.similarity);
        assert!(similarity(&near, 2) > similarity(&plain, 2), "{near:?}");
    }

    #[test]
    fn batch_groups_join_only_duplicates() {
        let mut docs = board();
        docs.push(doc(8, "润芳园小区临街门面油烟扰民严重", 7));
        let groups = duplicate_groups(&docs, &DupeConfig::default(), &StockPhrases::default());
        let sets: Vec<Vec<i64>> = groups.iter().map(|g| g.members.clone()).collect();
        assert!(sets.contains(&vec![1, 2]), "{sets:?}");
        assert!(sets.contains(&vec![3, 8]), "{sets:?}");
        assert!(groups.iter().all(|g| g.similarity >= 0.45 && g.similarity <= 1.0));
        assert!(!sets.iter().any(|s| s.contains(&4) || s.contains(&5) || s.contains(&6)));
    }
}
