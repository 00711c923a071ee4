//! Stock phrases: what letters of complaint say whatever they are about.
//!
//! "之前已经有居民反映过，但是到现在还是老样子", "希望领导高度重视", "尊敬的领导：您好":
//! two requests about a lawyer and about electromagnetic pollution that both say so are
//! not duplicates. A stock phrase is learned as a string of four characters that recurs
//! in many messages that are not about one thing: messages of several categories, none
//! of which has most of them, and, where places are known, at several places. The name
//! of an estate recurs too, but in messages about that estate; "井盖缺失" in messages
//! about covers, of one category. Duplicate detection then gives the characters such
//! strings cover no weight at all.
//!
//! Without the messages' categories there is nothing to tell a stock phrase from a
//! common problem by, and nothing is learned: letters that are written one by one, like
//! those of a message board, share words but seldom whole sentences. (Messages that
//! merely share a string are no guide: long letters about one problem at different
//! estates are as unalike as letters about different problems.)

use serde::{Deserialize, Serialize};

use crate::fasthash::FastMap;
use crate::words::{han_runs, pack};

/// Characters in one learned string; a stock phrase is any run covered by such strings.
const GRAM: usize = 4;
/// Messages looked at when learning, spread evenly over those given.
const MAX_LEARN: usize = 8_000;

/// How stock phrases are recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct StockConfig {
    /// A stock string occurs in at least this share of the messages,
    pub min_share: f64,
    /// and in at least this many;
    pub min_messages: u32,
    /// at this many places at least, where places are known;
    pub min_places: usize,
    /// in this many categories at least, none of which has more than
    /// `max_category_share` of its messages.
    pub min_categories: usize,
    pub max_category_share: f64,
}

impl Default for StockConfig {
    fn default() -> Self {
        StockConfig { min_share: 0.003, min_messages: 5, min_places: 4, min_categories: 3, max_category_share: 0.6 }
    }
}

/// One message to learn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample<'a> {
    pub text: &'a str,
    /// The place it is about (a community, a unit), when known.
    pub place: Option<&'a str>,
    /// Its category; messages without one teach nothing.
    pub category: Option<&'a str>,
}

/// The stock strings of a body of messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StockPhrases {
    grams: FastMap<u128, ()>,
}

/// As a model file keeps them: the strings, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StockFile {
    pub grams: Vec<String>,
}

impl StockPhrases {
    /// Learns the stock strings of `messages` that have a category.
    pub fn learn(messages: &[Sample<'_>], config: &StockConfig) -> StockPhrases {
        let categorised: Vec<Sample> = messages.iter().filter(|m| m.category.is_some()).copied().collect();
        let step = categorised.len().div_ceil(MAX_LEARN).max(1);
        let sample: Vec<Sample> = categorised.into_iter().step_by(step).collect();
        let n = sample.len();
        if n == 0 {
            return StockPhrases::default();
        }
        // Messages per string, counted once per message.
        let grams_of = |text: &str| -> Vec<u128> {
            let mut grams: Vec<u128> =
                han_runs(text).iter().flat_map(|run| run.windows(GRAM).map(pack).collect::<Vec<_>>()).collect();
            grams.sort_unstable();
            grams.dedup();
            grams
        };
        let mut count: FastMap<u128, u32> = FastMap::default();
        for m in &sample {
            for g in grams_of(m.text) {
                *count.entry(g).or_default() += 1;
            }
        }
        let floor = (config.min_share * n as f64).ceil().max(f64::from(config.min_messages)) as u32;
        let mut found: FastMap<u128, Vec<usize>> =
            count.into_iter().filter(|&(_, c)| c >= floor).map(|(g, _)| (g, Vec::new())).collect();
        if found.is_empty() {
            return StockPhrases::default();
        }
        // Every message of each frequent string, to count its places and categories.
        for (i, m) in sample.iter().enumerate() {
            for g in grams_of(m.text) {
                if let Some(list) = found.get_mut(&g) {
                    list.push(i);
                }
            }
        }
        let placed = sample.iter().any(|m| m.place.is_some());
        let mut grams = FastMap::default();
        for (g, docs) in found {
            let places = distinct(docs.iter().filter_map(|&d| sample[d].place));
            let categories = distinct(docs.iter().filter_map(|&d| sample[d].category));
            let most = categories.iter().map(|c| c.1).max().unwrap_or(0);
            if (!placed || places.len() >= config.min_places)
                && categories.len() >= config.min_categories
                && most as f64 <= config.max_category_share * docs.len() as f64
            {
                grams.insert(g, ());
            }
        }
        StockPhrases { grams }
    }

    pub fn from_file(file: &StockFile) -> StockPhrases {
        let grams = file
            .grams
            .iter()
            .filter_map(|g| {
                let cs: Vec<char> = g.chars().collect();
                (cs.len() == GRAM).then(|| (pack(&cs), ()))
            })
            .collect();
        StockPhrases { grams }
    }

    pub fn to_file(&self) -> StockFile {
        let mut grams: Vec<String> = self.grams.keys().map(|&g| unpack(g)).collect();
        grams.sort();
        StockFile { grams }
    }

    pub fn len(&self) -> usize {
        self.grams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// `text` with every character of a stock phrase turned into a space, so that no
    /// token spans or includes one.
    pub fn mask(&self, text: &str) -> String {
        if self.grams.is_empty() {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut covered = vec![false; chars.len()];
        let mut i = 0;
        while i + GRAM <= chars.len() {
            if self.grams.contains_key(&pack(&chars[i..i + GRAM])) {
                covered[i..i + GRAM].fill(true);
            }
            i += 1;
        }
        chars.iter().zip(&covered).map(|(&c, &stock)| if stock { ' ' } else { c }).collect()
    }

    /// The maximal stock phrases of `text`, for showing what was learned.
    pub fn phrases_in(&self, text: &str) -> Vec<String> {
        let masked: Vec<char> = self.mask(text).chars().collect();
        let mut out = Vec::new();
        let mut run = String::new();
        for (c, m) in text.chars().zip(masked) {
            if m == ' ' && c != ' ' {
                run.push(c);
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
        out
    }
}

/// The distinct values and how often each occurs.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut all: Vec<&str> = values.collect();
    all.sort_unstable();
    all.chunk_by(|a, b| a == b).map(|run| (run[0], run.len())).collect()
}

fn unpack(mut g: u128) -> String {
    let mut cs = Vec::with_capacity(GRAM);
    while g != 0 {
        cs.push(char::from_u32(((g & 0x1F_FFFF) as u32).saturating_sub(1)).unwrap_or('\u{FFFD}'));
        g >>= 21;
    }
    cs.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Letters about many problems at many places, half of them saying the same stock
    /// sentence; and several residents of one estate about its mixing plant. Each with
    /// its place and category.
    fn letters() -> Vec<(String, String, String)> {
        let places = ["金桂苑", "书院路", "洋湖湾", "桂花坪", "月亮岛", "梅溪湖", "望城坡", "东塘村"];
        let problems = [
            "律师收费不合理",
            "电磁辐射超标",
            "路灯晚上不亮",
            "垃圾无人清运",
            "学校乱收补课费",
            "工地拖欠工资",
            "公交站台太远",
            "菜市场占道经营",
        ];
        let mut out = Vec::new();
        for (i, place) in places.iter().enumerate() {
            for (j, problem) in problems.iter().enumerate() {
                let stock = if (i + j) % 2 == 0 {
                    "之前已经有居民反映过，但是到现在还是老样子。"
                } else {
                    ""
                };
                let text = format!("关于{place}的{problem}问题，{stock}请尽快处理。");
                out.push((text, place.to_string(), format!("category {j}")));
            }
        }
        for k in 0..6 {
            let text = format!("丽发新城小区附近搅拌站噪音扰民，灰尘很大，第{k}次反映");
            out.push((text, "丽发新城".to_string(), "category 0".to_string()));
        }
        out
    }

    fn samples(letters: &[(String, String, String)], known: bool) -> Vec<Sample<'_>> {
        letters
            .iter()
            .map(|(text, place, category)| Sample {
                text,
                place: known.then_some(place.as_str()),
                category: known.then_some(category.as_str()),
            })
            .collect()
    }

    #[test]
    fn what_letters_say_about_anything_is_stock_and_a_place_or_a_shared_problem_is_not() {
        let letters = letters();
        let stock = StockPhrases::learn(&samples(&letters, true), &StockConfig::default());
        let phrases = stock
            .phrases_in("关于金桂苑的律师收费不合理问题，之前已经有居民反映过，但是到现在还是老样子。请尽快处理。");
        assert_eq!(phrases, ["之前已经有居民反映过", "但是到现在还是老样子", "请尽快处理"], "{:?}", stock.to_file());
        // The mixing plant's residents share much more than this: it is their problem.
        assert!(stock.phrases_in("丽发新城小区附近搅拌站噪音扰民").is_empty());
        // An estate's name recurs, but in letters about one place only; a problem, in
        // letters of one category.
        assert!(stock.phrases_in("金桂苑小区").is_empty());
        assert!(stock.phrases_in("律师收费不合理").is_empty());
        assert_eq!(StockPhrases::from_file(&stock.to_file()), stock);
        assert_eq!(stock.mask("反映过，但是到现在还是老样子啊"), "反映过，          啊");
    }

    #[test]
    fn without_categories_nothing_is_learned() {
        let stock = StockPhrases::learn(&samples(&letters(), false), &StockConfig::default());
        assert!(stock.is_empty());
        assert_eq!(stock.mask("之前已经有居民反映过"), "之前已经有居民反映过");
    }
}
