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
use crate::words::Lexicon;

/// The `k` words of `title` and `text` that pushed most toward the label, strongest
/// first, given each n-gram key's contribution (title bit cleared), sorted by key.
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
    let mut pieces = vec![feature_chars(text)];
    if let Some(title) = title.filter(|t| !text.contains(t)) {
        pieces.push(feature_chars(title));
    }
    let contribution =
        |key: u64| contributions.binary_search_by_key(&key, |&(k, _)| k).map_or(0.0, |i| contributions[i].1);
    let mut occurrences: FastMap<u64, u32> = FastMap::default();
    for chars in &pieces {
        for (i, c) in chars.iter().enumerate() {
            let Some(c) = *c else { continue };
            *occurrences.entry(gram_key(c, None)).or_default() += 1;
            if let Some(Some(prev)) = i.checked_sub(1).map(|p| chars[p]) {
                *occurrences.entry(gram_key(prev, Some(c))).or_default() += 1;
            }
        }
    }
    let share = |key: u64| match occurrences.get(&key) {
        Some(&n) if n > 0 => contribution(key) / n as f32,
        _ => 0.0,
    };
    let mut totals: FastMap<String, f32> = FastMap::default();
    for chars in &pieces {
        for run in chars.split(Option::is_none) {
            let run: Vec<char> = run.iter().flatten().copied().collect();
            // Han characters are cut into words; a run of Latin letters is one word;
            // digits and anything else are no word.
            for part in run.chunk_by(|a, b| class(*a) == class(*b)) {
                let words: Vec<std::ops::Range<usize>> = match class(part[0]) {
                    Class::Han => lexicon.segment(part),
                    Class::Latin => std::iter::once(0..part.len()).collect(),
                    Class::Other => continue,
                };
                let mut weight = vec![0f32; words.len()];
                let mut word_of = vec![0usize; part.len()];
                for (w, range) in words.iter().enumerate() {
                    word_of[range.clone()].fill(w);
                }
                for (p, &c) in part.iter().enumerate() {
                    weight[word_of[p]] += share(gram_key(c, None));
                    if let Some(&next) = part.get(p + 1) {
                        let s = share(gram_key(c, Some(next)));
                        let (a, b) = (word_of[p], word_of[p + 1]);
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
                        *totals.entry(part[range].iter().collect()).or_default() += w;
                    }
                }
            }
        }
    }
    let mut ranked: Vec<(String, f32)> = totals.into_iter().filter(|(_, w)| *w > 0.0).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(k);
    ranked.into_iter().map(|(term, weight)| Evidence { term, weight }).collect()
}

#[derive(PartialEq)]
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
