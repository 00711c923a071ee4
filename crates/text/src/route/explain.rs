//! Explanations in whole words.
//!
//! The model weighs character unigrams and bigrams; shown as they are, they read as
//! fragments ("压不", "司违"). Here every n-gram's contribution to the chosen label is
//! shared among its occurrences in the message, the message is cut into words (see
//! [`Lexicon::segment`]), and each word collects what the n-grams inside it contributed;
//! a pair that straddles two words gives each half. What is shown is then the words of
//! the message itself that weighed most: 水压, 公司, 违法. Single characters are not shown.

use super::features::{feature_chars, gram_key};
use super::model::Evidence;
use crate::fasthash::FastMap;
use crate::normalize::is_cjk;
use crate::words::{pack, Lexicon};

/// The `k` words of `title` and `text` that pushed most toward the label, strongest
/// first, given each n-gram key's contribution (title bit cleared), sorted by key.
///
/// Only the stretches of text where the strongest n-grams occur are cut into words: a
/// word elsewhere cannot outweigh them, and cutting costs lookups in a table too large
/// for the processor's caches.
pub(super) fn words_behind(
    lexicon: &Lexicon,
    title: Option<&str>,
    text: &str,
    contributions: &[(u64, f32)],
    k: usize,
) -> Vec<Evidence> {
    if k == 0 || contributions.is_empty() {
        return Vec::new();
    }
    // The title usually opens the text already; otherwise its words count too.
    let mut chars = feature_chars(text);
    if let Some(title) = title.filter(|t| !text.contains(t)) {
        chars.push(None);
        chars.extend(feature_chars(title));
    }
    // Each position's unigram and the bigram it ends, as indices into `contributions`.
    let index = |key: u64| contributions.binary_search_by_key(&key, |&(k, _)| k).ok();
    let mut occurrences = vec![0u32; contributions.len()];
    let mut grams: Vec<[Option<usize>; 2]> = Vec::with_capacity(chars.len());
    for (p, c) in chars.iter().enumerate() {
        let Some(c) = *c else {
            grams.push([None, None]);
            continue;
        };
        let prev = p.checked_sub(1).and_then(|q| chars[q]);
        let here = [index(gram_key(c, None)), prev.and_then(|prev| index(gram_key(prev, Some(c))))];
        for i in here.into_iter().flatten() {
            occurrences[i] += 1;
        }
        grams.push(here);
    }
    let share = |i: Option<usize>| i.map_or(0.0, |i| contributions[i].1 / occurrences[i].max(1) as f32);
    // The strongest n-grams: at least this much each.
    let mut strongest: Vec<f32> = contributions.iter().map(|c| c.1).filter(|&c| c > 0.0).collect();
    let keep = (4 * k).max(8).min(strongest.len());
    if keep == 0 {
        return Vec::new();
    }
    strongest.select_nth_unstable_by(keep - 1, |a, b| b.total_cmp(a));
    let floor = strongest[keep - 1];
    let strong = |i: Option<usize>| i.is_some_and(|i| contributions[i].1 >= floor);

    let mut totals: FastMap<u128, (String, f32)> = FastMap::default();
    let mut start = 0;
    while start < chars.len() {
        // Han characters are cut into words; a run of Latin letters is one word; digits
        // and anything else are no word.
        let Some(class) = chars[start].map(class) else {
            start += 1;
            continue;
        };
        let end = start + chars[start..].iter().take_while(|c| c.map(self::class) == Some(class)).count();
        let part: Vec<char> = chars[start..end].iter().flatten().copied().collect();
        let grams = &grams[start..end];
        start = end;
        if class == Class::Other || !grams.iter().any(|g| strong(g[0]) || strong(g[1])) {
            continue;
        }
        let words: Vec<std::ops::Range<usize>> = match class {
            Class::Han => lexicon.segment(&part),
            _ => std::iter::once(0..part.len()).collect(),
        };
        let mut weight = vec![0f32; words.len()];
        let mut word_of = vec![0usize; part.len()];
        for (w, range) in words.iter().enumerate() {
            word_of[range.clone()].fill(w);
        }
        for (p, g) in grams.iter().enumerate() {
            weight[word_of[p]] += share(g[0]);
            // The bigram ending here; the one that begins the part crosses into another.
            if p > 0 {
                let s = share(g[1]);
                let (a, b) = (word_of[p - 1], word_of[p]);
                // A pair across two words speaks for both, half each.
                if a == b {
                    weight[a] += s;
                } else {
                    weight[a] += s / 2.0;
                    weight[b] += s / 2.0;
                }
            }
        }
        for (range, w) in words.into_iter().zip(weight) {
            if range.len() >= 2 {
                let word = &part[range];
                totals.entry(pack(word)).or_insert_with(|| (word.iter().collect(), 0.0)).1 += w;
            }
        }
    }
    let mut ranked: Vec<(String, f32)> = totals.into_values().filter(|(_, w)| *w > 0.0).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(k);
    ranked.into_iter().map(|(term, weight)| Evidence { term, weight }).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Han,
    Latin,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Han
    } else if c.is_ascii_alphabetic() {
        Class::Latin
    } else {
        Class::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::LexiconFile;

    fn lexicon(words: &[&str]) -> Lexicon {
        let mut entries: Vec<(String, u32)> = words.iter().map(|w| (w.to_string(), 50)).collect();
        for w in words {
            for c in w.chars() {
                entries.push((c.to_string(), 100));
            }
        }
        Lexicon::from_file(LexiconFile { total: 10_000, max_len: 6, entries })
    }

    fn key(term: &str) -> u64 {
        let cs: Vec<char> = term.chars().collect();
        gram_key(cs[0], cs.get(1).copied())
    }

    #[test]
    fn fragments_that_weigh_become_the_words_they_sit_in() {
        let lexicon = lexicon(&["公司", "违法", "拖欠", "工资", "水压", "不足"]);
        // The model's strongest n-grams straddle words: 司违 and 压不.
        let mut contributions = vec![
            (key("司违"), 0.9),
            (key("压不"), 0.8),
            (key("水压"), 0.2),
            (key("工资"), 0.3),
            (key("欠"), 0.1),
            (key("违"), 0.05),
        ];
        contributions.sort_by_key(|&(k, _)| k);
        let words = words_behind(&lexicon, None, "公司违法拖欠工资，水压不足", &contributions, 4);
        let terms: Vec<&str> = words.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(terms, ["水压", "违法", "公司", "不足"], "{words:?}");
        assert!((words[0].weight - 0.6).abs() < 1e-6 && (words[1].weight - 0.5).abs() < 1e-6);
        for term in terms {
            assert!(lexicon.contains(term), "{term} is a word");
        }
    }

    #[test]
    fn a_word_said_twice_counts_twice_and_a_separate_title_counts_too() {
        let lexicon = lexicon(&["噪音", "扰民", "wifi"]);
        let mut contributions = vec![(key("噪音"), 1.0), (key("扰民"), 0.6), (key("wi"), 0.2)];
        contributions.sort_by_key(|&(k, _)| k);
        let words = words_behind(&lexicon, Some("扰民"), "噪音，噪音，wifi", &contributions, 5);
        let terms: Vec<&str> = words.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(terms, ["噪音", "扰民", "wifi"]);
        assert!((words[0].weight - 1.0).abs() < 1e-6);
    }
}
