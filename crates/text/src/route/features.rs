//! Character n-gram features for routing.
//!
//! Chinese has no spaces and the crate carries no segmenter, so words are
//! approximated by character 1..n-grams. Each n-gram is packed into a `u64`
//! (three 21-bit code points, plus a bit for "came from the title") so that
//! extraction allocates nothing per n-gram and lookups are a multiply and a probe.

use crate::normalize::{fold_char, is_cjk};

/// Set on n-grams taken from the title: the title names the problem in a few
/// words, so the same n-gram there is separate, stronger evidence.
pub const TITLE_BIT: u64 = 1 << 63;
const CHAR_BITS: u32 = 21;
const CHAR_MASK: u64 = (1 << CHAR_BITS) - 1;
/// Digits carry house numbers and dates, not topics; they all become one symbol.
const DIGIT: char = '#';

/// Maps one normalised character to what the n-grams see, `None` for a break.
fn feature_char(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        Some(DIGIT)
    } else if c.is_ascii_alphabetic() {
        Some(c.to_ascii_lowercase())
    } else if is_cjk(c) || c.is_alphanumeric() {
        Some(c)
    } else {
        None
    }
}

/// Calls `emit` with every packed 1..=`max_n`-gram of `text`, `field_bit`
/// ORed in. N-grams never span a break. Works on the raw text a character at
/// a time, folding each one as [`normalize`](crate::normalize::normalize)
/// would: prediction is on the intake path, and building the normalised
/// string and a character vector first cost more than the model itself.
#[inline]
pub fn for_each_ngram(text: &str, max_n: usize, field_bit: u64, mut emit: impl FnMut(u64)) {
    let max_n = max_n.clamp(1, 3);
    // Keep only the characters that fit in a key of `max_n`.
    let window: u64 = if max_n == 3 { u64::MAX >> 1 } else { (1u64 << (CHAR_BITS * max_n as u32)) - 1 };
    // Packed last (up to) max_n characters since the last break; 0 = none.
    let mut recent: u64 = 0;
    let mut last_digit = false;
    for raw in text.chars() {
        // Common Han characters are most of the text and fold to themselves;
        // skip the general folding for them.
        let c = if ('\u{4E00}'..='\u{9FFF}').contains(&raw) {
            Some(raw)
        } else {
            // Characters normalisation drops (zero-width, control) join their neighbours.
            let Some(folded) = fold_char(raw) else { continue };
            feature_char(folded)
        };
        let Some(c) = c else {
            recent = 0;
            last_digit = false;
            continue;
        };
        if c == DIGIT {
            if last_digit {
                continue;
            }
            last_digit = true;
        } else {
            last_digit = false;
        }
        // +1 so that a packed prefix never collides with a shorter n-gram.
        recent = ((recent << CHAR_BITS) | (c as u64 + 1)) & window;
        let mut key = recent;
        // The n-grams ending here: the longest first, then drop the oldest character.
        while key != 0 {
            emit(key | field_bit);
            key &= (1u64 << (CHAR_BITS * ((64 - key.leading_zeros() - 1) / CHAR_BITS))) - 1;
        }
    }
}

/// The characters the n-grams of `text` are made of, in order, `None` where a break
/// stands: what [`for_each_ngram`] sees, for finding where an n-gram occurs.
pub fn feature_chars(text: &str) -> Vec<Option<char>> {
    let mut out: Vec<Option<char>> = Vec::with_capacity(text.len() / 2);
    for raw in text.chars() {
        let Some(folded) = fold_char(raw) else { continue };
        let c = feature_char(folded);
        match (out.last(), c) {
            (Some(Some(DIGIT)), Some(DIGIT)) | (Some(None), None) => {}
            _ => out.push(c),
        }
    }
    out
}

/// Key of the unigram `a`, or of the bigram `a b`, as [`for_each_ngram`] packs them.
pub fn gram_key(a: char, b: Option<char>) -> u64 {
    let first = a as u64 + 1;
    match b {
        Some(b) => (first << CHAR_BITS) | (b as u64 + 1),
        None => first,
    }
}

/// Appends the packed n-grams of `text` to `out`; see [`for_each_ngram`].
pub fn push_ngrams(text: &str, max_n: usize, field_bit: u64, out: &mut Vec<u64>) {
    for_each_ngram(text, max_n, field_bit, |k| out.push(k));
}

/// Readable form of a packed key, for explanations and the model file.
pub fn key_to_term(key: u64) -> (String, bool) {
    let in_title = key & TITLE_BIT != 0;
    let mut k = key & !TITLE_BIT;
    let mut chars = Vec::with_capacity(3);
    while k != 0 {
        let c = (k & CHAR_MASK) as u32;
        chars.push(char::from_u32(c.saturating_sub(1)).unwrap_or('\u{FFFD}'));
        k >>= CHAR_BITS;
    }
    chars.reverse();
    (chars.into_iter().collect(), in_title)
}

/// Inverse of [`key_to_term`]; `None` for terms longer than three characters.
pub fn term_to_key(term: &str, in_title: bool) -> Option<u64> {
    let mut key: u64 = 0;
    let mut n = 0;
    for c in term.chars() {
        n += 1;
        if n > 3 {
            return None;
        }
        key = (key << CHAR_BITS) | (c as u64 + 1);
    }
    (n > 0).then_some(key | if in_title { TITLE_BIT } else { 0 })
}

/// Open-addressing map from packed key to feature index. The std `HashMap`
/// with SipHash was the bottleneck of prediction; keys are already well mixed
/// by a Fibonacci multiply, and the table is built once and only read.
#[derive(Debug, Clone)]
pub struct KeyTable {
    slots: Vec<(u64, u32)>,
    shift: u32,
}

const EMPTY: u64 = 0;

impl KeyTable {
    /// Maps `keys[i]` to `first + i`.
    pub fn new(keys: &[u64], first: u32) -> KeyTable {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut table = KeyTable { slots: vec![(EMPTY, 0); cap], shift: 64 - cap.trailing_zeros() };
        for (i, &k) in keys.iter().enumerate() {
            let mut pos = table.home(k);
            while table.slots[pos].0 != EMPTY {
                pos = (pos + 1) & (cap - 1);
            }
            table.slots[pos] = (k, first + i as u32);
        }
        table
    }

    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Reads the key's home slot, so that a probe soon after finds it in cache.
    fn touch(&self, key: u64) -> u64 {
        self.slots[self.home(key)].0
    }

    pub fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut pos = self.home(key);
        loop {
            let (k, v) = self.slots[pos];
            if k == key {
                return Some(v);
            }
            if k == EMPTY {
                return None;
            }
            pos = (pos + 1) & mask;
        }
    }
}

/// Keys looked up together: enough misses in flight to hide their latency,
/// few enough that what they bring in stays in L1.
const PROBE_CHUNK: usize = 32;

/// Feature numbers of packed keys. The table is larger than the core's
/// caches, so most probes miss; touching a chunk's home slots first, in a
/// loop with no branch on what it reads, lets those misses overlap instead
/// of each waiting behind the branch on the one before.
#[derive(Debug, Clone)]
pub struct FeatureIndex {
    table: KeyTable,
}

impl FeatureIndex {
    pub fn new(keys: &[u64]) -> FeatureIndex {
        FeatureIndex { table: KeyTable::new(keys, 0) }
    }

    pub fn get(&self, key: u64) -> Option<u32> {
        self.table.get(key)
    }

    /// Calls `found` with the feature of every key that has one.
    pub fn get_all(&self, keys: &[u64], mut found: impl FnMut(u32)) {
        for chunk in keys.chunks(PROBE_CHUNK) {
            std::hint::black_box(chunk.iter().fold(0, |acc, &k| acc ^ self.table.touch(k)));
            for &k in chunk {
                if let Some(f) = self.table.get(k) {
                    found(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_stop_at_punctuation_and_fold_digits() {
        let mut keys = Vec::new();
        push_ngrams("噪音，A12栋", 2, 0, &mut keys);
        let terms: Vec<String> = keys.iter().map(|&k| key_to_term(k).0).collect();
        let mut terms = terms;
        terms.sort();
        let mut want = ["噪", "噪音", "音", "a", "a#", "#", "#栋", "栋"];
        want.sort();
        assert_eq!(terms, want);
    }

    /// The streaming extraction must see exactly what n-grams of the
    /// normalised text would: models trained before it still load.
    #[test]
    fn streaming_matches_normalise_then_split() {
        fn reference(text: &str, max_n: usize) -> Vec<u64> {
            let mut chars: Vec<Option<char>> = Vec::new();
            for c in crate::normalize::normalize(text).chars() {
                let f = feature_char(c);
                match (chars.last(), f) {
                    (Some(Some(DIGIT)), Some(DIGIT)) | (Some(None), None) => {}
                    _ => chars.push(f),
                }
            }
            assert_eq!(chars, feature_chars(text), "the characters n-grams are made of");
            let mut out = Vec::new();
            for start in 0..chars.len() {
                let mut key = 0u64;
                for c in chars[start..].iter().take(max_n) {
                    let Some(c) = c else { break };
                    key = (key << CHAR_BITS) | (*c as u64 + 1);
                    out.push(key);
                }
            }
            out.sort_unstable();
            out
        }
        let text = "Ａ３区１２栋\u{200B}楼下，噪音…… 扰民!abc12 x\u{3000}y尊敬的领导您好";
        for n in 1..=3 {
            let mut got = Vec::new();
            push_ngrams(text, n, 0, &mut got);
            got.sort_unstable();
            assert_eq!(got, reference(text, n), "max_n {n}");
        }
    }

    #[test]
    fn title_ngrams_are_a_separate_field() {
        let mut keys = Vec::new();
        push_ngrams("噪音", 1, 0, &mut keys);
        push_ngrams("噪音", 1, TITLE_BIT, &mut keys);
        assert_eq!(keys.len(), 4);
        assert_ne!(keys[0], keys[2]);
        assert_eq!(key_to_term(keys[2]), ("噪".to_string(), true));
        assert_eq!(term_to_key("噪", true), Some(keys[2]));
    }

    #[test]
    fn table_finds_what_it_holds_only() {
        let keys: Vec<u64> = (1..1000u64).map(|i| i * 7919).collect();
        let t = KeyTable::new(&keys, 5);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32 + 5));
        }
        assert_eq!(t.get(3), None);
        let index = FeatureIndex::new(&keys);
        let mut probe: Vec<u64> = keys.iter().rev().copied().collect();
        probe.push(3);
        let mut found = Vec::new();
        index.get_all(&probe, |f| found.push(f));
        found.sort_unstable();
        assert_eq!(found, (0..999).collect::<Vec<u32>>());
        assert_eq!(index.get(keys[500]), Some(500));
    }
}
