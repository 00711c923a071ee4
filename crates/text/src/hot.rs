//! Hot issues: many residents writing about the same thing, and more of them
//! lately. Requests are clustered in time order; each joins the cluster whose
//! centroid it resembles most (average link, so a cluster cannot drift from
//! estate to estate one similar pair at a time), and clusters are ranked by
//! size, growth over the recent window and residents' supports.

use serde::Serialize;

use crate::dupes::{Doc, DupeConfig, DuplicateIndex};
use crate::fasthash::FastMap;
use crate::stock::StockPhrases;

#[derive(Debug, Clone, PartialEq)]
pub struct HotDoc {
    pub doc: Doc,
    /// Shown as the cluster's title when this request is its most central.
    pub title: Option<String>,
    /// Residents' supports (点赞) of this request.
    pub supports: i64,
    /// Opaque id of the requester, when known: one resident posting twenty
    /// times is not twenty residents.
    pub requester: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HotConfig {
    /// Minimum similarity between a request and the cluster's centroid.
    pub similarity: f32,
    /// "Recent" for growth: this long before `now`.
    pub window_secs: i64,
    pub min_size: usize,
}

impl Default for HotConfig {
    fn default() -> Self {
        HotConfig { similarity: 0.2, window_secs: 30 * 86_400, min_size: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotIssue {
    /// A title a person reads at a glance: the member's own title that says best what the
    /// cluster is about, e.g. "丽发新城小区附近搅拌站噪音扰民", never a cut fragment.
    pub label: String,
    /// Title (or opening) of the most central request.
    pub title: String,
    pub score: f64,
    pub size: usize,
    /// Distinct requesters (requests without one count one each).
    pub requesters: usize,
    /// Members within the recent window.
    pub recent: usize,
    pub supports: i64,
    pub first_time: i64,
    pub last_time: i64,
    /// Ids in order of time.
    pub members: Vec<i64>,
}

struct Cluster {
    members: Vec<usize>,
    centroid: FastMap<u32, f32>,
}

/// Hot issues among `docs` as of `now` (unix seconds), best first; `stock` phrases of
/// complaint letters hold no cluster together.
pub fn hot_issues(docs: &[HotDoc], now: i64, config: &HotConfig, stock: &StockPhrases) -> Vec<HotIssue> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].doc.time, docs[i].doc.id));
    // Candidate neighbours come from the duplicate index with a looser
    // threshold and no time limit: an issue may simmer for months.
    let dupe = DupeConfig {
        threshold: config.similarity * 0.8,
        window_secs: i64::MAX / 4,
        max_matches: 20,
        ..DupeConfig::default()
    };
    let mut index = DuplicateIndex::with_stock(dupe, stock.clone());
    for &i in &order {
        index.add(&docs[i].doc);
    }
    let vectors: Vec<Vec<(u32, f32)>> =
        docs.iter().map(|d| index.query_vector(&index.stock().mask(&d.doc.text))).collect();
    let id_slot: FastMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.doc.id, i)).collect();
    let mut cluster_of: Vec<Option<usize>> = vec![None; docs.len()];
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut seen = vec![false; docs.len()];
    for &i in &order {
        let mut best: Option<(usize, f32)> = None;
        for m in index.candidates(&docs[i].doc) {
            let Some(&j) = id_slot.get(&m.id) else { continue };
            if !seen[j] {
                continue;
            }
            let Some(c) = cluster_of[j] else { continue };
            let sim = centroid_similarity(&vectors[i], &clusters[c].centroid);
            if sim >= config.similarity && best.is_none_or(|(_, b)| sim > b) {
                best = Some((c, sim));
            }
        }
        let c = match best {
            Some((c, _)) => c,
            None => {
                clusters.push(Cluster { members: Vec::new(), centroid: FastMap::default() });
                clusters.len() - 1
            }
        };
        clusters[c].members.push(i);
        for &(t, w) in &vectors[i] {
            *clusters[c].centroid.entry(t).or_default() += w;
        }
        cluster_of[i] = Some(c);
        seen[i] = true;
    }
    let mut issues: Vec<HotIssue> = clusters
        .iter()
        .filter(|c| c.members.len() >= config.min_size)
        .map(|c| describe(c, docs, &vectors, &index, now, config))
        .collect();
    issues.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.members[0].cmp(&b.members[0])));
    issues
}

fn centroid_similarity(v: &[(u32, f32)], centroid: &FastMap<u32, f32>) -> f32 {
    let norm = centroid.values().map(|w| w * w).sum::<f32>().sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    v.iter().filter_map(|(t, w)| centroid.get(t).map(|c| c * w)).sum::<f32>() / norm
}

fn describe(
    c: &Cluster,
    docs: &[HotDoc],
    vectors: &[Vec<(u32, f32)>],
    index: &DuplicateIndex,
    now: i64,
    config: &HotConfig,
) -> HotIssue {
    let size = c.members.len();
    let recent = c.members.iter().filter(|&&i| docs[i].doc.time >= now - config.window_secs).count();
    let supports: i64 = c.members.iter().map(|&i| docs[i].supports.max(0)).sum();
    let mut people: Vec<Option<&str>> = c.members.iter().map(|&i| docs[i].requester.as_deref()).collect();
    people.sort_unstable();
    let anonymous = people.iter().filter(|p| p.is_none()).count();
    people.dedup();
    let requesters = people.iter().filter(|p| p.is_some()).count() + anonymous;
    // Residents count most; growth (the recent share) multiplies them, so a
    // cluster that is all recent ranks up to twice an old one of the same
    // size; supports add on a log scale so one viral post cannot outrank many
    // residents.
    let growth = recent as f64 / size as f64;
    let score = (1.0 + requesters as f64).ln() * (1.0 + growth) + 0.5 * (1.0 + supports as f64).ln();
    let central = *c
        .members
        .iter()
        .max_by(|&&a, &&b| {
            centroid_similarity(&vectors[a], &c.centroid)
                .total_cmp(&centroid_similarity(&vectors[b], &c.centroid))
                .then(b.cmp(&a))
        })
        .expect("clusters are never empty");
    let label = readable_label(c, docs, vectors, index);
    let mut members: Vec<usize> = c.members.clone();
    members.sort_by_key(|&i| (docs[i].doc.time, docs[i].doc.id));
    let title = docs[central].title.clone().unwrap_or_else(|| docs[central].doc.text.chars().take(30).collect());
    HotIssue {
        label,
        title,
        score,
        size,
        requesters,
        recent,
        supports,
        first_time: docs[members[0]].doc.time,
        last_time: docs[members[size - 1]].doc.time,
        members: members.into_iter().map(|i| docs[i].doc.id).collect(),
    }
}

/// Titles longer than this are shortened to their first clause, where they have one.
const LABEL_CHARS: usize = 30;

/// The cluster's label: of its members' titles (the opening sentence where a request has
/// none), the one nearest the centroid, whole. A shorter title wins a near tie, for a
/// label is read at a glance; a long one keeps its first clause only.
fn readable_label(c: &Cluster, docs: &[HotDoc], vectors: &[Vec<(u32, f32)>], index: &DuplicateIndex) -> String {
    let mut best: Option<(f32, String)> = None;
    for &i in &c.members {
        let title = match &docs[i].title {
            Some(t) if !t.trim().is_empty() => first_clause(t.trim()),
            _ => first_clause(first_sentence(&docs[i].doc.text)),
        };
        let vector = index.query_vector(&index.stock().mask(&title));
        let near = if vector.is_empty() {
            centroid_similarity(&vectors[i], &c.centroid) * 0.5
        } else {
            centroid_similarity(&vector, &c.centroid)
        };
        // A title twice as long must be clearly nearer to win.
        let score = near - 0.002 * title.chars().count() as f32;
        if best.as_ref().is_none_or(|(s, t)| score > *s || (score == *s && title < *t)) {
            best = Some((score, title));
        }
    }
    best.map(|(_, t)| t).unwrap_or_default()
}

/// The text up to its first full stop, question or exclamation mark.
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let end = text.find(['。', '！', '？', '!', '?', '\n']).unwrap_or(text.len());
    &text[..end]
}

/// `title` itself when short; else its first clause (up to a comma or a stop) when that
/// says something; else all of it: a long title is still better than a cut one.
fn first_clause(title: &str) -> String {
    if title.chars().count() <= LABEL_CHARS {
        return title.to_string();
    }
    let head =
        title.split(['，', '。', '；', '！', '？', ',', ';', '!', '?', '：', ':']).next().unwrap_or(title).trim();
    if head.chars().count() >= 6 {
        head.to_string()
    } else {
        title.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot(id: i64, text: &str, day: i64, supports: i64, user: &str) -> HotDoc {
        HotDoc { doc: Doc::new(id, text, day * 86_400), title: None, supports, requester: Some(user.to_string()) }
    }

    #[test]
    fn the_growing_cluster_with_many_residents_ranks_first() {
        let mut docs = vec![
            hot(1, "丽发新城小区附近搅拌站噪音扰民灰尘大", 80, 2, "u1"),
            hot(2, "投诉丽发新城搅拌站噪音扰民", 85, 0, "u2"),
            hot(3, "丽发新城附近搅拌站灰尘噪音严重", 88, 5, "u3"),
            hot(4, "丽发新城搅拌站扰民，请求搬迁", 89, 1, "u4"),
            // One resident posting the same complaint three times, long ago.
            hot(5, "伊景园滨河苑捆绑销售车位", 1, 0, "u9"),
            hot(6, "伊景园滨河苑捆绑销售车位违法", 2, 0, "u9"),
            hot(7, "伊景园滨河苑强制捆绑销售车位", 3, 0, "u9"),
        ];
        docs.push(hot(8, "公交站台太远", 50, 0, "u5"));
        let issues = hot_issues(&docs, 90 * 86_400, &HotConfig::default(), &StockPhrases::default());
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert_eq!(issues[0].members, vec![1, 2, 3, 4]);
        assert_eq!((issues[0].requesters, issues[0].recent, issues[0].supports), (4, 4, 8));
        // The label is one resident's whole sentence, not a fragment cut at ten characters.
        assert_eq!(issues[0].label, "投诉丽发新城搅拌站噪音扰民");
        assert_eq!(issues[1].members, vec![5, 6, 7]);
        assert_eq!(issues[1].requesters, 1);
        assert!(issues[0].score > issues[1].score);
    }

    #[test]
    fn unrelated_requests_make_no_issue() {
        let docs =
            vec![hot(1, "路灯坏了", 1, 0, "a"), hot(2, "学校收费太高", 2, 0, "b"), hot(3, "公交站台太远", 3, 0, "c")];
        assert!(hot_issues(&docs, 10 * 86_400, &HotConfig::default(), &StockPhrases::default()).is_empty());
    }

    #[test]
    fn a_label_is_a_whole_title_a_person_reads() {
        let titled = |id: i64, title: &str, body: &str, user: &str| HotDoc {
            doc: Doc::new(id, format!("{title} {body}"), (80 + id) * 86_400),
            title: Some(title.to_string()),
            supports: 0,
            requester: Some(user.to_string()),
        };
        let body = "有一家搅拌厂在离居民区不到一百米的地方，每天晚上施工到凌晨，噪音和灰尘让人无法休息";
        let docs = vec![
            titled(1, "投诉东湖村搅拌厂噪音扰民", body, "a"),
            titled(2, "东湖村搅拌厂噪音灰尘扰民，晚上无法入睡，强烈要求有关部门尽快依法处理并给出答复", body, "b"),
            titled(3, "关于东湖村搅拌厂扰民的投诉", body, "c"),
            // A request without a title is known by its opening sentence.
            hot(4, &format!("东湖村搅拌厂噪音扰民。{body}"), 84, 0, "d"),
        ];
        let issues = hot_issues(&docs, 90 * 86_400, &HotConfig::default(), &StockPhrases::default());
        assert_eq!(issues.len(), 1, "{issues:?}");
        let label = &issues[0].label;
        let wholes = [
            "投诉东湖村搅拌厂噪音扰民",
            "东湖村搅拌厂噪音灰尘扰民",
            "关于东湖村搅拌厂扰民的投诉",
            "东湖村搅拌厂噪音扰民",
        ];
        assert!(wholes.contains(&label.as_str()), "{label}");
        assert!(!label.contains("不到一百"), "{label}");
        assert_eq!(
            first_clause("东湖村搅拌厂噪音灰尘扰民，晚上无法入睡，强烈要求有关部门尽快依法处理并给出答复"),
            "东湖村搅拌厂噪音灰尘扰民"
        );
        assert_eq!(first_sentence("路灯坏了。三天没人修"), "路灯坏了");
    }
}
