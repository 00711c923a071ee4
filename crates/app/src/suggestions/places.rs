//! Handlers as seen from the place: who handled a request, told as "the place's own
//! community" or "its 街道" when the unit sits on the place's branch of the unit tree,
//! and as the unit itself otherwise (a bureau); and back from that to a unit for a new
//! request's place.

use std::collections::HashMap;

use gongzhi_domain::unit::path_ids;
use gongzhi_domain::{Kind, Unit, UnitKind};
use gongzhi_text::route::{Handler, PLACE};

/// The tier a unit stands for on a place's branch; departments stand for themselves.
fn tier(kind: UnitKind) -> Option<&'static str> {
    match kind {
        UnitKind::Grid => Some("grid"),
        UnitKind::Community | UnitKind::Village => Some("community"),
        UnitKind::Subdistrict | UnitKind::Town => Some("township"),
        UnitKind::District => Some("district"),
        UnitKind::Department => None,
    }
}

/// What is not for a bureau: thanks, and questions, which are answered where the
/// resident lives.
pub(super) fn stays_local(kind: Kind) -> bool {
    matches!(kind, Kind::Praise | Kind::Consult)
}

/// The unit tree, as handlers need it.
pub(super) struct Places {
    units: HashMap<i64, (String, UnitKind)>,
}

impl Places {
    pub fn new(units: &[Unit]) -> Places {
        Places { units: units.iter().map(|u| (u.id, (u.path.clone(), u.kind))).collect() }
    }

    pub fn contains(&self, unit: i64) -> bool {
        self.units.contains_key(&unit)
    }

    /// Who `handler` was for a request about `place`.
    pub fn handler(&self, place: i64, handler: i64) -> Option<Handler> {
        let (place_path, _) = self.units.get(&place)?;
        let (handler_path, kind) = self.units.get(&handler)?;
        // On the place's branch: one of its ancestors, itself, or a unit inside it.
        let on_branch = place_path.starts_with(handler_path.as_str()) || handler_path.starts_with(place_path.as_str());
        match tier(*kind) {
            Some(tier) if on_branch => Some(Handler::Local(tier.to_string())),
            _ => Some(Handler::Unit(handler.to_string())),
        }
    }

    /// The unit `handler` means for a request about `place`: the unit of that tier on the
    /// place's branch (the place itself when there is none, such as a grid for a request
    /// about a whole community), or the named unit if it still exists.
    pub fn unit(&self, handler: &Handler, place: i64) -> Option<i64> {
        match handler {
            Handler::Unit(id) => id.parse().ok().filter(|id| self.contains(*id)),
            Handler::Local(wanted) => {
                let (path, _) = self.units.get(&place)?;
                if wanted == PLACE {
                    return Some(place);
                }
                let ids: Vec<i64> = path_ids(path).collect();
                let found = ids
                    .iter()
                    .rev()
                    .find(|id| self.units.get(id).is_some_and(|(_, kind)| tier(*kind).is_some_and(|t| t == wanted)));
                Some(found.copied().unwrap_or(place))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, kind: UnitKind, path: &str) -> Unit {
        Unit { id, parent_id: None, kind, code: id.to_string(), name: id.to_string(), path: path.into() }
    }

    fn tree() -> Places {
        Places::new(&[
            unit(1, UnitKind::District, "/1/"),
            unit(2, UnitKind::Subdistrict, "/1/2/"),
            unit(3, UnitKind::Community, "/1/2/3/"),
            unit(4, UnitKind::Community, "/1/2/4/"),
            unit(5, UnitKind::Grid, "/1/2/3/5/"),
            unit(9, UnitKind::Department, "/1/9/"),
            unit(6, UnitKind::Town, "/1/6/"),
            unit(7, UnitKind::Village, "/1/6/7/"),
        ])
    }

    #[test]
    fn a_community_handling_its_own_problem_is_the_place_s_community() {
        let places = tree();
        let local = |tier: &str| Some(Handler::Local(tier.into()));
        assert_eq!(places.handler(3, 3), local("community"));
        assert_eq!(places.handler(4, 2), local("township"));
        assert_eq!(places.handler(3, 5), local("grid"));
        assert_eq!(places.handler(3, 9), Some(Handler::Unit("9".into())));
        // Another community is a particular unit, not "the place's own".
        assert_eq!(places.handler(3, 4), Some(Handler::Unit("4".into())));
    }

    #[test]
    fn a_tier_means_the_unit_of_the_new_request_s_own_branch() {
        let places = tree();
        let local = |tier: &str| Handler::Local(tier.into());
        assert_eq!(places.unit(&local("community"), 4), Some(4));
        assert_eq!(places.unit(&local("community"), 7), Some(7), "a village is its community");
        assert_eq!(places.unit(&local("township"), 7), Some(6));
        assert_eq!(places.unit(&local("grid"), 4), Some(4), "no grid to choose: the place");
        assert_eq!(places.unit(&local(PLACE), 5), Some(5));
        assert_eq!(places.unit(&Handler::Unit("9".into()), 4), Some(9));
        assert_eq!(places.unit(&Handler::Unit("99".into()), 4), None, "a unit since removed");
    }
}
