//! Words, found in the messages themselves.
//!
//! The crate carries no dictionary. A string of characters is taken for a word when it
//! recurs, holds together (its characters come together far more often than chance
//! would pair them: cohesion) and stands free (many different characters come before
//! and after it: branching entropy). "丽发新城" recurs and holds together, and is
//! followed by 小区, 附近, 的…; "发新城" is always preceded by 丽, so it is no word.
//! Names the project already has — the category catalogue's names and keywords — are
//! words too, whatever their counts.
//!
//! A [`Lexicon`] then cuts a message into its most likely words (each word as likely as
//! its share of the texts, as in a unigram language model), which is how explanations
//! name whole words instead of the character pairs the models weigh.

use serde::{Deserialize, Serialize};

use crate::fasthash::FastMap;
use crate::normalize::{fold_char, is_cjk};

/// How words are found.
#[derive(Debug, Clone, PartialEq)]
pub struct WordConfig {
    /// Longest word, in characters.
    pub max_len: usize,
    /// A word occurs at least this often in the texts,
    pub min_count: u32,
    /// and in at least this many of them: one long letter repeating a phrase does not
    /// make it a word.
    pub min_texts: u32,
    /// Natural log of how much more often than chance the two halves of a word meet,
    /// at its weakest split.
    pub min_cohesion: f32,
    /// Entropy (nats) of the characters before it, and of those after it, at least.
    pub min_entropy: f32,
}

impl Default for WordConfig {
    fn default() -> Self {
        WordConfig { max_len: 6, min_count: 4, min_texts: 3, min_cohesion: 3.0, min_entropy: 1.2 }
    }
}

/// Words with their counts, and the characters' counts, over the texts they came from.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Every word, every character seen and every beginning of a word, packed (see
    /// [`pack`]): what cutting a text looks up, one table for all of it.
    pieces: FastMap<u128, Piece>,
    /// Words of two or more characters.
    words: usize,
    /// What an unseen character scores.
    unseen: f32,
    max_len: usize,
    /// The serialised form, kept to write the model out again unchanged.
    file: LexiconFile,
}

/// A lexicon as the model file keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LexiconFile {
    /// Characters counted.
    pub total: u64,
    pub max_len: usize,
    /// Words and single characters with their counts, most frequent first.
    pub entries: Vec<(String, u32)>,
}

/// One entry of [`Lexicon::pieces`].
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// ln of its share of all characters; −∞ for the beginning of a word that is no
    /// word itself.
    score: f32,
    /// Some longer word begins with it.
    longer: bool,
}

/// Bits of one character in a packed word: every code point fits.
const CHAR_BITS: u32 = 21;

/// Up to six characters in one integer, for lookups that allocate nothing.
pub(crate) fn pack(chars: &[char]) -> u128 {
    chars.iter().fold(0u128, |k, &c| (k << CHAR_BITS) | (c as u128 + 1))
}

/// Runs of Han characters of `text`, folded as the models see them; anything else breaks a run.
pub fn han_runs(text: &str) -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for raw in text.chars() {
        let Some(c) = fold_char(raw) else { continue };
        if is_cjk(c) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Runs of `text` as word discovery reads them: Han characters as they are, a number as
/// `#` and a Latin word as `a`; anything else ends a run.
fn symbol_runs(text: &str) -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    let mut run: Vec<char> = Vec::new();
    for raw in text.chars() {
        let Some(c) = fold_char(raw) else { continue };
        let symbol = if is_cjk(c) {
            c
        } else if c.is_ascii_digit() {
            '#'
        } else if c.is_ascii_alphabetic() {
            'a'
        } else {
            if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            continue;
        };
        if !(symbol == '#' || symbol == 'a') || run.last() != Some(&symbol) {
            run.push(symbol);
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// How often an n-gram occurs, and in how many texts.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    n: u32,
    docs: u32,
    /// The last text counted, plus one.
    last: u32,
}

impl Count {
    fn add(&mut self, doc: u32) {
        self.n += 1;
        if self.last != doc + 1 {
            self.docs += 1;
            self.last = doc + 1;
        }
    }
}

/// Pieces of a catalogue name that can stand as words: the name itself when it is short,
/// and its parts where 和, 与, 及 or punctuation join two longer ones
/// ("城市建设和市政管理" → 城市建设, 市政管理).
pub fn name_words(name: &str, max_len: usize) -> Vec<String> {
    let mut out = Vec::new();
    for run in han_runs(name) {
        let mut parts: Vec<&[char]> = Vec::new();
        let mut start = 0;
        for i in 0..run.len() {
            if matches!(run[i], '和' | '与' | '及') && i - start >= 2 && run.len() - i > 2 {
                parts.push(&run[start..i]);
                start = i + 1;
            }
        }
        parts.push(&run[start..]);
        if parts.len() > 1 && run.len() <= max_len {
            out.push(run.iter().collect());
        }
        for p in parts {
            if (2..=max_len).contains(&p.len()) {
                out.push(p.iter().collect());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Lexicon {
    /// Finds the words of `texts`; `known` (catalogue names, keywords) are words whatever
    /// their counts.
    pub fn discover<'a>(texts: impl IntoIterator<Item = &'a str>, known: &[&str], config: &WordConfig) -> Lexicon {
        let max_len = config.max_len.clamp(2, 6);
        // Characters become small numbers, so that seven of them fit a key. Digits and
        // Latin letters stay in the runs, each as one symbol: "500台出租车" is not a
        // word 台出租车 that happens to begin a run.
        let mut ids: FastMap<char, u16> = FastMap::default();
        let mut alphabet: Vec<char> = Vec::new();
        // Each run with the number of the text it came from.
        let mut runs: Vec<(u32, Vec<u16>)> = Vec::new();
        for (doc, text) in texts.into_iter().enumerate() {
            for run in symbol_runs(text) {
                let mut coded = Vec::with_capacity(run.len());
                for c in run {
                    let next = alphabet.len();
                    if next >= usize::from(u16::MAX) && !ids.contains_key(&c) {
                        // An alphabet this large is not Chinese text: what is left breaks runs.
                        runs.push((doc as u32, std::mem::take(&mut coded)));
                        continue;
                    }
                    let id = *ids.entry(c).or_insert_with(|| {
                        alphabet.push(c);
                        next as u16
                    });
                    coded.push(id);
                }
                runs.push((doc as u32, coded));
            }
        }
        let key = |w: &[u16]| w.iter().fold(0u128, |k, &c| (k << 16) | (c as u128 + 1));
        let total: u64 = runs.iter().map(|r| r.1.len() as u64).sum();
        // counts[n]: n-grams, counted only where both their (n-1)-grams are frequent
        // (every part of a frequent string is frequent), up to one past the longest word
        // so that the characters around each word are known.
        let mut counts: Vec<FastMap<u128, Count>> = vec![FastMap::default(); max_len + 2];
        for (doc, run) in &runs {
            for &c in run {
                counts[1].entry(key(&[c])).or_default().add(*doc);
            }
        }
        for n in 2..=max_len + 1 {
            let (shorter, this) = counts.split_at_mut(n);
            let frequent = |w: &[u16]| shorter[n - 1].get(&key(w)).is_some_and(|c| c.n >= config.min_count);
            for (doc, run) in &runs {
                for w in run.windows(n) {
                    if frequent(&w[..n - 1]) && frequent(&w[1..]) {
                        this[0].entry(key(w)).or_default().add(*doc);
                    }
                }
            }
        }
        // Entropy of the neighbours from the longer grams: Σ c·ln c over each side's
        // counted neighbours; occurrences not counted (rare neighbours, ends of runs)
        // are taken as all different, which adds nothing to the sum.
        let mut right: FastMap<u128, f64> = FastMap::default();
        let mut left: FastMap<u128, f64> = FastMap::default();
        for (n, grams) in counts.iter().enumerate().skip(3) {
            for (&k, c) in grams {
                let c = f64::from(c.n);
                *right.entry(k >> 16).or_default() += c * c.ln();
                let drop_first = k & ((1u128 << (16 * (n as u32 - 1))) - 1);
                *left.entry(drop_first).or_default() += c * c.ln();
            }
        }
        let ln_total = (total.max(1) as f64).ln();
        let count_of = |w: &[u16]| counts[w.len()].get(&key(w)).map_or(0, |c| c.n);
        // Every part of a counted string was counted; `max` only guards the logarithm.
        let ln_count = |w: &[u16]| f64::from(count_of(w).max(1)).ln();
        let han = |w: &[u16]| w.iter().all(|&c| is_cjk(alphabet[c as usize]));
        let mut entries: Vec<(String, u32)> = Vec::new();
        for (n, grams) in counts.iter().enumerate().take(max_len + 1).skip(2) {
            for (&k, c) in grams.iter().filter(|(_, c)| c.n >= config.min_count && c.docs >= config.min_texts) {
                let w: Vec<u16> = (0..n).rev().map(|i| ((k >> (16 * i)) & 0xFFFF) as u16 - 1).collect();
                if !han(&w) {
                    continue;
                }
                let cf = f64::from(c.n);
                let cohesion =
                    (1..n).map(|s| ln_total + cf.ln() - ln_count(&w[..s]) - ln_count(&w[s..])).fold(f64::MAX, f64::min);
                let entropy = |side: &FastMap<u128, f64>| cf.ln() - side.get(&k).copied().unwrap_or(0.0) / cf;
                let free = entropy(&left).min(entropy(&right));
                if cohesion >= f64::from(config.min_cohesion) && free >= f64::from(config.min_entropy) {
                    entries.push((decode(&w, &alphabet), c.n));
                }
            }
        }
        let mut known_count: FastMap<String, u32> = FastMap::default();
        for name in known {
            let w: Vec<char> = han_runs(name).concat();
            if (2..=max_len).contains(&w.len()) {
                let coded: Option<Vec<u16>> = w.iter().map(|c| ids.get(c).copied()).collect();
                let c = coded.map_or(0, |coded| count_of(&coded)).max(1);
                known_count.insert(w.into_iter().collect(), c);
            }
        }
        for (word, c) in known_count {
            if !entries.iter().any(|(w, _)| *w == word) {
                entries.push((word, c));
            }
        }
        for (i, &c) in alphabet.iter().enumerate().filter(|(_, c)| is_cjk(**c)) {
            entries.push((c.to_string(), count_of(&[i as u16])));
        }
        entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Lexicon::from_file(LexiconFile { total, max_len, entries })
    }

    /// The lexicon a model file kept.
    pub fn from_file(file: LexiconFile) -> Lexicon {
        let ln_total = (file.total.max(1) as f32).ln();
        let mut pieces: FastMap<u128, Piece> = FastMap::default();
        let mut words = 0;
        for (w, c) in &file.entries {
            let score = (*c.max(&1) as f32).ln() - ln_total;
            let cs: Vec<char> = w.chars().collect();
            if cs.is_empty() || cs.len() > 6 {
                continue;
            }
            words += usize::from(cs.len() >= 2);
            for end in 1..cs.len() {
                pieces.entry(pack(&cs[..end])).or_insert(Piece { score: f32::NEG_INFINITY, longer: true }).longer =
                    true;
            }
            pieces.entry(pack(&cs)).or_insert(Piece { score, longer: false }).score = score;
        }
        // An unseen character is rarer than any seen one.
        let unseen = (0.5f32).ln() - ln_total;
        Lexicon { pieces, words, unseen, max_len: file.max_len.clamp(2, 6), file }
    }

    pub fn file(&self) -> &LexiconFile {
        &self.file
    }

    /// Words of two or more characters.
    pub fn len(&self) -> usize {
        self.words
    }

    pub fn is_empty(&self) -> bool {
        self.words == 0
    }

    pub fn contains(&self, word: &str) -> bool {
        let cs: Vec<char> = word.chars().collect();
        cs.len() >= 2 && cs.len() <= 6 && self.pieces.get(&pack(&cs)).is_some_and(|p| p.score > f32::NEG_INFINITY)
    }

    /// The words of a run of Han characters, as ranges of it: the cut whose words are
    /// together most likely. Characters that are no word of the lexicon stand alone.
    ///
    /// From each position the words beginning there are found by extending one character
    /// at a time while some word still begins that way, so that most positions cost a
    /// lookup or two: explaining a suggestion cuts its whole message at intake.
    pub fn segment(&self, run: &[char]) -> Vec<std::ops::Range<usize>> {
        let n = run.len();
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        let mut relax = |best: &mut Vec<f32>, start: usize, end: usize, score: f32| {
            if best[start] + score > best[end] {
                best[end] = best[start] + score;
                from[end] = start;
            }
        };
        for start in 0..n {
            let mut key = 0u128;
            for end in start + 1..=(start + self.max_len).min(n) {
                key = (key << CHAR_BITS) | (run[end - 1] as u128 + 1);
                let piece = self.pieces.get(&key);
                let score = match piece {
                    Some(p) if p.score > f32::NEG_INFINITY => p.score,
                    _ if end == start + 1 => self.unseen,
                    _ => f32::NEG_INFINITY,
                };
                if score > f32::NEG_INFINITY {
                    relax(&mut best, start, end, score);
                }
                if !piece.is_some_and(|p| p.longer) {
                    break;
                }
            }
        }
        let mut cuts = Vec::new();
        let mut end = n;
        while end > 0 {
            cuts.push(from[end]..end);
            end = from[end];
        }
        cuts.reverse();
        cuts
    }
}

fn decode(w: &[u16], alphabet: &[char]) -> String {
    w.iter().map(|&i| alphabet[i as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages in which 搅拌站, 噪音 and 丽发新城 recur among varied neighbours.
    fn texts() -> Vec<String> {
        let places = ["丽发新城", "书院路", "金桂苑", "洋湖", "桂花坪", "月亮岛", "梅溪湖", "望城"];
        let problems = [
            "搅拌站噪音扰民",
            "噪音很大",
            "路灯不亮",
            "搅拌站灰尘大",
            "夜间施工噪音",
            "井盖缺失",
            "搅拌站夜间施工",
            "搅拌站污水横流",
        ];
        let tails = ["请尽快处理", "希望解决", "严重影响休息", "无人管理", "多次反映无果"];
        let mut out = Vec::new();
        for (i, p) in places.iter().enumerate() {
            for (j, q) in problems.iter().enumerate() {
                let t = tails[(i + j) % tails.len()];
                out.push(format!("{p}附近{q}，{t}。"));
                out.push(format!("投诉{p}{q}，{t}！"));
            }
        }
        out
    }

    #[test]
    fn recurring_free_standing_strings_are_words_and_their_fragments_are_not() {
        let texts = texts();
        let lexicon = Lexicon::discover(texts.iter().map(String::as_str), &[], &WordConfig::default());
        for word in ["搅拌站", "噪音", "丽发新城"] {
            assert!(lexicon.contains(word), "{word} should be a word");
        }
        // Always inside a longer word: no word of its own.
        for fragment in ["搅拌", "拌站", "发新城", "丽发"] {
            assert!(!lexicon.contains(fragment), "{fragment} is a fragment");
        }
    }

    #[test]
    fn a_message_is_cut_into_its_words() {
        let texts = texts();
        let known = ["井盖缺失"];
        let lexicon = Lexicon::discover(texts.iter().map(String::as_str), &known, &WordConfig::default());
        let run: Vec<char> = "丽发新城搅拌站噪音扰民".chars().collect();
        let words: Vec<String> = lexicon.segment(&run).into_iter().map(|r| run[r].iter().collect()).collect();
        assert_eq!(words[..3], ["丽发新城", "搅拌站", "噪音"], "{words:?}");
        // A catalogue name is a word even where the texts alone would not make it one.
        assert!(lexicon.contains("井盖缺失"));
        let back = Lexicon::from_file(lexicon.file().clone());
        assert_eq!(back.segment(&run), lexicon.segment(&run));
    }

    #[test]
    fn catalogue_names_give_their_parts() {
        assert_eq!(name_words("城市建设和市政管理", 6), vec!["城市建设", "市政管理"]);
        assert_eq!(name_words("房产证登记、办理", 6), vec!["办理", "房产证登记"]);
        assert_eq!(name_words("噪音污染", 6), vec!["噪音污染"]);
        assert_eq!(name_words("保健品化妆品管理", 6), Vec::<String>::new());
    }
}
