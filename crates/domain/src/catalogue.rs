//! The three-level category catalogue (分类目录). The shipped default is a real
//! provincial catalogue; categories carry an optional default unit and their own
//! resolve deadline, set by an admin.

use serde::{Deserialize, Serialize};

pub const DEFAULT_CSV: &str = include_str!("../data/taxonomy.csv");

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
}
