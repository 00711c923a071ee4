//! The three-level category catalogue (分类目录). The shipped default is a real
//! provincial catalogue; categories carry an optional default unit and their own
//! resolve deadline, set by an admin.

use serde::{Deserialize, Serialize};

pub const DEFAULT_CSV: &str = include_str!("../data/taxonomy.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[cfg(test)]
mod tests {
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
