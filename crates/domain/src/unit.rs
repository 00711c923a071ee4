//! The unit tree: district, subdistricts and towns, communities and villages, grids, and
//! the departments beside them.

use serde::{Deserialize, Serialize};

use crate::error::Broken;
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    pub path: String,
}

/// What a request names a unit for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Where the problem is (`unit_id` at intake): the community, village or grid.
    Place,
    /// The unit that answers for it (主办) or helps (协办), named at dispatch.
    Handling,
}

impl UnitKind {
    /// Communities, villages and their grids are where people live and problems are;
    /// a department or a subdistrict is no place, and neither is the district.
    pub fn is_place(self) -> bool {
        matches!(self, UnitKind::Community | UnitKind::Village | UnitKind::Grid)
    }
}

/// Whether a unit may be named for a duty on a request, on every channel alike: an
/// inactive unit takes no new requests and no work, and a problem's place is a place.
/// `field` names the input that named it, for the error.
pub fn may_take(unit: &Unit, active: bool, duty: Duty, field: &'static str) -> Result<(), Broken> {
    if !active {
        return Err(Broken::UnitInactive { field, unit: unit.name.clone() });
    }
    if duty == Duty::Place && !unit.kind.is_place() {
        return Err(Broken::NotAPlace { unit: unit.name.clone() });
    }
    Ok(())
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

    fn unit(kind: UnitKind) -> Unit {
        Unit { id: 7, parent_id: Some(4), kind, code: "U7".into(), name: "柳湾社区".into(), path: "/1/4/7/".into() }
    }

    #[test]
    fn only_an_active_place_takes_a_problem_and_only_an_active_unit_takes_work() {
        for kind in [UnitKind::Community, UnitKind::Village, UnitKind::Grid] {
            assert_eq!(may_take(&unit(kind), true, Duty::Place, "unit_id"), Ok(()));
        }
        for kind in [UnitKind::District, UnitKind::Subdistrict, UnitKind::Town, UnitKind::Department] {
            assert_eq!(
                may_take(&unit(kind), true, Duty::Place, "unit_id"),
                Err(Broken::NotAPlace { unit: "柳湾社区".into() })
            );
            assert_eq!(may_take(&unit(kind), true, Duty::Handling, "unit_id"), Ok(()));
        }
        for duty in [Duty::Place, Duty::Handling] {
            assert_eq!(
                may_take(&unit(UnitKind::Community), false, duty, "co_unit_ids"),
                Err(Broken::UnitInactive { field: "co_unit_ids", unit: "柳湾社区".into() })
            );
        }
    }
}
