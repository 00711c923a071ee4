//! The unit tree: district, subdistricts and towns, communities and villages, grids, and
//! the departments beside them.

use serde::{Deserialize, Serialize};

use crate::request::vocabulary;

vocabulary! {
    UnitKind {
        District = "district",
        Subdistrict = "subdistrict",
        Town = "town",
        Community = "community",
        Village = "village",
        Grid = "grid",
        Department = "department",
    }
}

/// A unit and its place in the tree. `path` lists the ids from the root down to this
/// unit, as "/1/4/17/", so that "is in the subtree of" is a prefix test that an index
/// and a `LIKE 'prefix%'` can answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    pub path: String,
}

pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The ids on a path, root first.
pub fn path_ids(path: &str) -> impl Iterator<Item = i64> + '_ {
    path.split('/').filter_map(|part| part.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_by_prefix() {
        let district = child_path(None, 1);
        let street = child_path(Some(&district), 4);
        assert_eq!(street, "/1/4/");
        assert!(street.starts_with(&district));
        assert_eq!(path_ids(&street).collect::<Vec<_>>(), vec![1, 4]);
        // "/1/4/" must not cover "/1/41/": the trailing slash keeps siblings apart.
        assert!(!child_path(Some("/1/"), 41).starts_with(&street));
    }
}
