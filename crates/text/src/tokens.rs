//! Search tokens that any SQL database can index the same way.
//!
//! Neither SQLite's FTS tokenizers nor PostgreSQL's text search segment Chinese,
//! and their rules for Latin text differ. So the application computes the
//! tokens itself and the store only keeps and matches plain strings: the same
//! request is then found by the same query on either backend.

use crate::normalize::{is_cjk, normalize};

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class_of(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_ascii_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

/// Splits normalised text into runs of CJK characters, of ASCII letters and
/// digits, and of anything else (kept as separators so adjacency is known).
fn runs(text: &str) -> Vec<(Class, Vec<char>)> {
    let mut out: Vec<(Class, Vec<char>)> = Vec::new();
    for c in normalize(text).chars() {
        let class = class_of(c);
        match out.last_mut() {
            Some((k, chars)) if *k == class => {
                if class != Class::Other {
                    chars.push(c.to_ascii_lowercase());
                }
            }
            _ => out.push((class, vec![c.to_ascii_lowercase()])),
        }
    }
    out
}

fn bigrams(chars: &[char]) -> impl Iterator<Item = String> + '_ {
    chars.windows(2).map(|w| w.iter().collect::<String>())
}

/// Tokens to index a text under: CJK bigrams (a lone CJK character stands for
/// itself, and so does a CJK character touching a number or word), lowercase
/// ASCII words and numbers. Each distinct token appears once,
/// in order of first occurrence.
pub fn search_tokens(text: &str) -> Vec<String> {
    dedup_keep_order(token_stream(text))
}

fn token_stream(text: &str) -> Vec<String> {
    let runs = runs(text);
    let mut all = Vec::new();
    for (i, (class, chars)) in runs.iter().enumerate() {
        match class {
            Class::Word => all.push(chars.iter().collect()),
            Class::Cjk if chars.len() == 1 => all.push(chars[0].to_string()),
            Class::Cjk => {
                // "A3区", "12号楼": a query such as "12号" must find "12号楼", so the
                // edge character touching a number or word is also indexed alone.
                if i > 0 && runs[i - 1].0 == Class::Word {
                    all.push(chars[0].to_string());
                }
                all.extend(bigrams(chars));
                if runs.get(i + 1).is_some_and(|r| r.0 == Class::Word) {
                    all.push(chars[chars.len() - 1].to_string());
                }
            }
            Class::Other => {}
        }
    }
    all
}

/// A CJK bigram packed into an integer, as [`token_keys`] makes them.
pub(crate) fn pair_key(a: char, b: char) -> u64 {
    ((a as u64) << 21) | b as u64
}

/// Set on keys of ASCII words (hashed) and single characters, which can
/// then never equal a packed bigram.
const WORD_BIT: u64 = 1 << 63;
const SINGLE_BIT: u64 = 1 << 62;

/// The tokens of [`token_stream`] as integers, repeats included. Duplicate
/// detection handles hundreds of tokens per request; allocating a string for
/// each was most of its cost.
pub(crate) fn token_keys(text: &str) -> Vec<u64> {
    let runs = runs(text);
    let mut out = Vec::with_capacity(text.len() / 2);
    for (i, (class, chars)) in runs.iter().enumerate() {
        match class {
            Class::Word => {
                // FNV-1a over the word's bytes.
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for &c in chars {
                    h = (h ^ c as u64).wrapping_mul(0x0100_0000_01b3);
                }
                out.push(h | WORD_BIT);
            }
            Class::Cjk if chars.len() == 1 => out.push(chars[0] as u64 | SINGLE_BIT),
            Class::Cjk => {
                if i > 0 && runs[i - 1].0 == Class::Word {
                    out.push(chars[0] as u64 | SINGLE_BIT);
                }
                out.extend(chars.windows(2).map(|w| pair_key(w[0], w[1])));
                if runs.get(i + 1).is_some_and(|r| r.0 == Class::Word) {
                    out.push(chars[chars.len() - 1] as u64 | SINGLE_BIT);
                }
            }
            Class::Other => {}
        }
    }
    out
}

/// Tokens of a search string; a text matches when it holds all of them. A text
/// that contains the query (after normalisation) holds every query token.
/// A one-character CJK query finds only texts where that character stands alone
/// or touches a number; indexing every character would double the index for
/// little use.
pub fn query_tokens(query: &str) -> Vec<String> {
    let mut all = Vec::new();
    for (class, chars) in runs(query) {
        match class {
            Class::Word => all.push(chars.iter().collect()),
            Class::Cjk if chars.len() == 1 => all.push(chars[0].to_string()),
            // Only bigrams: in a text the run may continue on either side.
            Class::Cjk => all.extend(bigrams(&chars)),
            Class::Other => {}
        }
    }
    dedup_keep_order(all)
}

fn dedup_keep_order(tokens: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(tokens.len());
    tokens.into_iter().filter(|t| seen.insert(t.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_bigrams_and_ascii_words() {
        assert_eq!(
            search_tokens("A3区井盖丢失，ＴＥＬ 12345"),
            vec!["a3", "区", "区井", "井盖", "盖丢", "丢失", "tel", "12345"]
        );
    }

    #[test]
    fn lone_cjk_char_is_its_own_token() {
        assert_eq!(search_tokens("路 灯"), vec!["路", "灯"]);
    }

    #[test]
    fn tokens_are_distinct() {
        assert_eq!(search_tokens("哈哈哈哈"), vec!["哈哈"]);
    }

    #[test]
    fn query_matches_text_containing_it() {
        let text: std::collections::HashSet<String> =
            search_tokens("小区门口的井盖已经坏了三个月").into_iter().collect();
        for q in ["井盖", "已经坏了", "小区门口", "三个月"] {
            let tokens = query_tokens(q);
            assert!(!tokens.is_empty());
            assert!(tokens.iter().all(|t| text.contains(t)), "query {q}");
        }
        // A query for something absent must not match.
        assert!(!query_tokens("路灯").iter().all(|t| text.contains(t)));
    }

    #[test]
    fn numbered_place_is_found_by_its_prefix() {
        let text: std::collections::HashSet<String> = search_tokens("住在12号楼3单元").into_iter().collect();
        assert!(query_tokens("12号").iter().all(|t| text.contains(t)));
        assert!(query_tokens("3单元").iter().all(|t| text.contains(t)));
        assert!(!query_tokens("13号").iter().all(|t| text.contains(t)));
    }

    #[test]
    fn integer_tokens_mirror_string_tokens() {
        let text = "A3区井盖丢失，井盖 12号";
        let keys = token_keys(text);
        assert_eq!(keys.len(), token_stream(text).len());
        assert_eq!(keys[2], pair_key('区', '井'));
        assert_eq!(keys[3], keys[6]); // 井盖 twice
        assert_ne!(keys[0], keys[7]); // a3 vs 12
    }

    #[test]
    fn full_width_query_matches_half_width_text() {
        let text: std::collections::HashSet<String> = search_tokens("A3区 WiFi").into_iter().collect();
        assert!(query_tokens("Ａ３区 ｗｉｆｉ").iter().all(|t| text.contains(t)));
    }
}
