//! Character n-gram features for routing.
//!
//! Chinese has no spaces and the crate carries no segmenter, so words are
//! approximated by character 1..n-grams. Each n-gram is packed into a `u64`
//! (three 21-bit code points, plus a bit for "came from the title") so that
//! extraction allocates nothing per n-gram and lookups are a multiply and a probe.

use crate::normalize::{is_cjk, normalize};

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

/// The characters n-grams are made of, with `None` where punctuation or
/// space breaks the text; runs of digits shrink to one symbol.
fn feature_chars(text: &str) -> Vec<Option<char>> {
    let mut out: Vec<Option<char>> = Vec::with_capacity(text.len() / 2);
    for c in normalize(text).chars() {
        let f = feature_char(c);
        match (out.last(), f) {
            (Some(Some(DIGIT)), Some(DIGIT)) | (Some(None), None) => {}
            _ => out.push(f),
        }
    }
    out
}

/// Appends the packed 1..=`max_n`-grams of `text` to `out`, with `field_bit`
/// ORed in. N-grams never span a break.
pub fn push_ngrams(text: &str, max_n: usize, field_bit: u64, out: &mut Vec<u64>) {
    let chars = feature_chars(text);
    for start in 0..chars.len() {
        let mut key: u64 = 0;
        for c in chars[start..].iter().take(max_n.min(3)) {
            let Some(c) = c else { break };
            // +1 so that a packed prefix never collides with a shorter n-gram.
            key = (key << CHAR_BITS) | (*c as u64 + 1);
            out.push(key | field_bit);
        }
    }
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
    pub fn new(keys: &[u64]) -> KeyTable {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut table = KeyTable { slots: vec![(EMPTY, 0); cap], shift: 64 - cap.trailing_zeros() };
        for (i, &k) in keys.iter().enumerate() {
            let mut pos = table.home(k);
            while table.slots[pos].0 != EMPTY {
                pos = (pos + 1) & (cap - 1);
            }
            table.slots[pos] = (k, i as u32);
        }
        table
    }

    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_stop_at_punctuation_and_fold_digits() {
        let mut keys = Vec::new();
        push_ngrams("噪音，A12栋", 2, 0, &mut keys);
        let terms: Vec<String> = keys.iter().map(|&k| key_to_term(k).0).collect();
        assert_eq!(terms, ["噪", "噪音", "音", "a", "a#", "#", "#栋", "栋"]);
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
        let t = KeyTable::new(&keys);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32));
        }
        assert_eq!(t.get(3), None);
    }
}
