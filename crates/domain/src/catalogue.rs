//! The three-level category catalogue (分类目录). The shipped default is a real
//! provincial catalogue; categories carry an optional default unit and their own
//! resolve deadline, set by an admin.

use serde::{Deserialize, Serialize};

pub const DEFAULT_CSV: &str = include_str!("../data/taxonomy.csv");

/// The words people use for the shipped catalogue's categories: `level1,level2,level3,words`.
pub const DEFAULT_WORDS_CSV: &str = include_str!("../data/category_words.csv");

/// At most this many words per category, each at most `LONGEST_WORD` characters.
pub const MOST_WORDS: usize = 60;
pub const LONGEST_WORD: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// 1, 2 or 3.
    pub level: i64,
    pub name: String,
    /// The unit a request of this category is dispatched to unless the dispatcher
    /// chooses otherwise.
    pub default_unit_id: Option<i64>,
    pub resolve_days: Option<u32>,
}

/// Where a category's working days to resolve come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaysFrom {
    Own(u32),
    /// A parent's days, and which parent.
    Parent(u32, i64),
    /// None set up the tree: the deadline policy's default for the request's kind.
    Policy,
}

/// The days that apply to `id`: its own, else its nearest parent's, else the policy's
/// (as dispatch computes them).
pub fn days_from(categories: &[Category], id: i64) -> DaysFrom {
    let by_id = |id: i64| categories.iter().find(|c| c.id == id);
    let mut next = by_id(id);
    let mut depth = 0;
    while let Some(category) = next.filter(|_| depth < 8) {
        if let Some(days) = category.resolve_days {
            return if category.id == id { DaysFrom::Own(days) } else { DaysFrom::Parent(days, category.id) };
        }
        next = category.parent_id.and_then(by_id);
        depth += 1;
    }
    DaysFrom::Policy
}

/// A category and every category below it: what a filter on a level-1 or level-2
/// category takes in.
pub fn with_descendants(categories: &[Category], id: i64) -> Vec<i64> {
    let mut ids = vec![id];
    let mut next = 0;
    while next < ids.len() {
        let parent = ids[next];
        ids.extend(categories.iter().filter(|c| c.parent_id == Some(parent)).map(|c| c.id));
        next += 1;
    }
    ids
}

/// The `level1,level2,level3` rows of a catalogue file, header skipped, blanks dropped.
pub fn parse(csv: &str) -> Vec<[String; 3]> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split(',').map(|p| p.trim().to_string());
            let row = [parts.next()?, parts.next()?, parts.next()?];
            row.iter().all(|p| !p.is_empty()).then_some(row)
        })
        .collect()
}

/// The default words file as (path, words) pairs.
pub fn default_words() -> Vec<([String; 3], Vec<String>)> {
    DEFAULT_WORDS_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(4, ',').map(|p| p.trim().to_string());
            let path = [parts.next()?, parts.next()?, parts.next()?];
            Some((path, words(&parts.next()?).ok()?))
        })
        .collect()
}

/// Words as an admin types them — separated by spaces, commas or 、 — each once, in
/// order. Too many or too long a word is refused rather than cut.
pub fn words(text: &str) -> Result<Vec<String>, WordsRefused> {
    let mut found: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')) {
        if word.is_empty() || found.iter().any(|w| w == word) {
            continue;
        }
        if word.chars().count() > LONGEST_WORD {
            return Err(WordsRefused::TooLong);
        }
        found.push(word.to_string());
    }
    if found.len() > MOST_WORDS {
        return Err(WordsRefused::TooMany);
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordsRefused {
    TooLong,
    TooMany,
}

/// A category as the portal offers it: its whole path and the words people use for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub path: String,
    pub words: Vec<String>,
}

/// What a typed category means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Left empty.
    Nothing,
    One(i64),
    /// More than one category fits: the requester chooses among these.
    Choice(Vec<i64>),
    Unknown,
}

/// Finds the category a requester meant: a whole path as offered; else a category whose
/// own name or one of whose words is exactly what was typed; else one whose word the
/// typed text contains (楼下噪音 → 噪音). More than one fit is a choice, never a guess.
pub fn resolve(typed: &str, entries: &[Entry]) -> Resolved {
    let typed = typed.trim();
    if typed.is_empty() {
        return Resolved::Nothing;
    }
    if let Some(entry) = entries.iter().find(|e| e.path == typed) {
        return Resolved::One(entry.id);
    }
    let name = |e: &Entry| e.path.rsplit(" / ").next().unwrap_or_default().to_string();
    let exact: Vec<i64> =
        entries.iter().filter(|e| name(e) == typed || e.words.iter().any(|w| w == typed)).map(|e| e.id).collect();
    let found = if exact.is_empty() {
        entries.iter().filter(|e| e.words.iter().any(|w| typed.contains(w.as_str()))).map(|e| e.id).collect()
    } else {
        exact
    };
    match found.as_slice() {
        [] => Resolved::Unknown,
        [one] => Resolved::One(*one),
        _ => Resolved::Choice(found),
    }
}

#[cfg(test)]
mod tests {
    use super::{resolve, words, Entry, Resolved, WordsRefused};

    fn entry(id: i64, path: &str, list: &str) -> Entry {
        Entry { id, path: path.into(), words: words(list).unwrap() }
    }

    #[test]
    fn a_word_people_use_finds_its_category_and_a_shared_one_offers_a_choice() {
        let entries = [
            entry(1, "环境保护 / 环境污染 / 噪音污染", "噪音 扰民"),
            entry(2, "劳动和社会保障 / 工资福利 / 工资发放", "欠薪 工资"),
            entry(3, "城乡建设 / 建筑市场 / 拖欠工程款", "欠薪 工程款"),
        ];
        assert_eq!(resolve("", &entries), Resolved::Nothing);
        assert_eq!(resolve("环境保护 / 环境污染 / 噪音污染", &entries), Resolved::One(1));
        assert_eq!(resolve("噪音", &entries), Resolved::One(1));
        assert_eq!(resolve("噪音污染", &entries), Resolved::One(1));
        assert_eq!(resolve("楼下噪音", &entries), Resolved::One(1));
        assert_eq!(resolve("欠薪", &entries), Resolved::Choice(vec![2, 3]));
        assert_eq!(resolve("不存在的分类", &entries), Resolved::Unknown);
    }

    #[test]
    fn words_are_split_on_any_separator_and_kept_once() {
        assert_eq!(words("井盖、窨井盖, 井盖  下水道").unwrap(), ["井盖", "窨井盖", "下水道"]);
        assert_eq!(words(&"长".repeat(21)), Err(WordsRefused::TooLong));
        assert_eq!(words(&(0..61).map(|n| n.to_string()).collect::<Vec<_>>().join(" ")), Err(WordsRefused::TooMany));
    }

    #[test]
    fn every_default_word_list_names_a_shipped_category() {
        let rows = super::parse(super::DEFAULT_CSV);
        let defaults = super::default_words();
        assert!(defaults.len() > 20);
        for (path, list) in defaults {
            assert!(rows.contains(&path), "{path:?} is not in the catalogue");
            assert!(!list.is_empty());
        }
    }

    #[test]
    fn the_shipped_catalogue_has_three_levels() {
        let rows = super::parse(super::DEFAULT_CSV);
        assert_eq!(rows.len(), 517);
        let level1: std::collections::BTreeSet<_> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(level1.len(), 15);
    }

    #[test]
    fn days_come_from_the_category_its_parents_or_the_policy() {
        use super::{days_from, Category, DaysFrom};
        let category = |id, parent_id, resolve_days| Category {
            id,
            parent_id,
            level: 1,
            name: String::new(),
            default_unit_id: None,
            resolve_days,
        };
        let all = [
            category(1, None, Some(10)),
            category(2, Some(1), None),
            category(3, Some(2), Some(2)),
            category(4, None, None),
        ];
        assert_eq!(days_from(&all, 3), DaysFrom::Own(2));
        assert_eq!(days_from(&all, 2), DaysFrom::Parent(10, 1));
        assert_eq!(days_from(&all, 4), DaysFrom::Policy);
        assert_eq!(days_from(&all, 99), DaysFrom::Policy);
    }
}
