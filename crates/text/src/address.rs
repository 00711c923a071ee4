//! The parts of a street address as residents write it: 街道/镇, 社区/村, 组, road,
//! number, the estate or unit, building. Two addresses name different places when
//! both give a part of one kind and the parts differ; one that says less (only the
//! community) differs from none of the addresses inside it.

use crate::normalize::normalize;

/// What a part of an address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Township,
    Community,
    Group,
    Road,
    Number,
    /// The estate, company, shop or school: what is left between the markers.
    Name,
    Building,
}

/// The parts an address gives in order, each closed by one of its endings.
const LEVELS: &[(Part, &[&str])] = &[
    (Part::Township, &["街道", "镇", "乡"]),
    (Part::Community, &["社区", "村"]),
    (Part::Group, &["组"]),
    (Part::Road, &["大道", "路", "街", "巷"]),
    (Part::Number, &["号"]),
];

/// Longer than this, what ends in "路" is a name ("...路边烧烤店"), not a part.
const LONGEST_PART: usize = 10;

/// An address split into its parts, sorted by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    parts: Vec<(Part, String)>,
}

impl Address {
    pub fn parse(address: &str) -> Address {
        let text: Vec<char> =
            normalize(address).chars().filter(|c| c.is_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
        let mut parts = Vec::new();
        let mut rest: &[char] = &text;
        // Each level in turn, from the township down: its earliest ending closes it.
        for &(kind, endings) in LEVELS {
            let end = endings
                .iter()
                .filter_map(|e| {
                    let e: Vec<char> = e.chars().collect();
                    (1..rest.len()).find(|&i| rest[i..].starts_with(&e)).map(|i| i + e.len())
                })
                .min();
            if let Some(end) = end.filter(|&end| end <= LONGEST_PART) {
                parts.push((kind, rest[..end].iter().collect()));
                rest = &rest[end..];
            }
        }
        // What is left is the estate or unit, then its building: "紫薇小区14栋".
        let building_at = rest.iter().position(|c| c.is_ascii_digit()).filter(|&i| i > 0);
        let (name, building) = rest.split_at(building_at.unwrap_or(rest.len()));
        for (kind, part) in [(Part::Name, name), (Part::Building, building)] {
            if !part.is_empty() {
                parts.push((kind, part.iter().collect()));
            }
        }
        parts.sort();
        parts.dedup();
        Address { parts }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Whether the two name different places: a part of one kind that both give,
    /// and that differs.
    pub fn differs_from(&self, other: &Address) -> bool {
        self.parts.iter().any(|(kind, _)| {
            let mine = self.of(*kind);
            let theirs = other.of(*kind);
            theirs.clone().next().is_some() && !mine.eq(theirs)
        })
    }

    fn of(&self, kind: Part) -> impl Iterator<Item = &str> + Clone {
        self.parts.iter().filter(move |(k, _)| *k == kind).map(|(_, p)| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn differ(a: &str, b: &str) -> bool {
        let (a, b) = (Address::parse(a), Address::parse(b));
        assert_eq!(a.differs_from(&b), b.differs_from(&a), "symmetric");
        a.differs_from(&b)
    }

    #[test]
    fn different_estates_roads_groups_and_buildings_are_different_places() {
        assert!(differ("新桥街道竹巷社区", "新桥街道松巷社区"));
        assert!(differ("清水镇永田村三组", "清水镇永田村二组"));
        assert!(differ("北辰街道柳亭社区创业北路", "北辰街道柳亭社区振兴路"));
        assert!(differ("东湖街道荷街社区长青北路91号紫薇小区14栋", "东湖街道荷街社区长青北路91号紫薇小区15栋"));
        assert!(differ("长青路150号恒达塑料制品厂", "长青路150号聚源包装材料有限公司"));
    }

    #[test]
    fn an_address_that_says_less_is_not_a_different_place() {
        assert!(!differ("清水镇柳坡村柳坡大道31号安邦农业合作社", "清水镇柳坡村"));
        assert!(!differ("清水镇柳坡村柳坡大道31号安邦农业合作社", "柳坡大道安邦农业合作社"));
        assert!(!differ("东湖街道荷街社区长青北路91号紫薇小区14栋", "紫薇小区"));
        assert!(!differ("东风中路", "东风中路"));
        assert!(!differ("", "东风中路"));
    }

    #[test]
    fn parts_are_read_from_the_markers() {
        let a = Address::parse("东湖街道荷街社区长青北路91号紫薇小区14栋");
        let parts: Vec<&str> = a.parts.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(parts, ["东湖街道", "荷街社区", "长青北路", "91号", "紫薇小区", "14栋"]);
    }
}
