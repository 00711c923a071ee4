//! Where the demo district lies: every place unit a point on the map, and every request a
//! spot near its community, as a district's geocoder would put an address. Deterministic,
//! like everything here: the same district always lies in the same place.

use gongzhi_domain::geo::Point;

use super::District;

/// The district's centre (a plain in central China, WGS-84).
const CENTRE: (f64, f64) = (28.196, 112.972);

/// How far (degrees) a unit of each depth lies from its parent, and how far a request
/// lies from its unit's centre.
const RINGS: [f64; 4] = [0.0, 0.055, 0.014, 0.004];
const SPREAD: f64 = 0.004;

/// The centre of every unit, by index in `district.units`: the district in the middle,
/// each unit on a ring around its parent, siblings spread evenly around it.
pub fn centres(district: &District) -> Vec<(f64, f64)> {
    let mut centres = vec![CENTRE; district.units.len()];
    let mut depth = vec![0usize; district.units.len()];
    let mut placed_children = vec![0usize; district.units.len()];
    let mut children = vec![0usize; district.units.len()];
    for unit in district.units.iter().filter(|u| u.kind != "department") {
        if let Some(parent) = unit.parent {
            children[parent] += 1;
        }
    }
    for (i, unit) in district.units.iter().enumerate() {
        // Departments serve the whole district: they stay at its centre.
        let (Some(parent), false) = (unit.parent, unit.kind == "department") else { continue };
        depth[i] = depth[parent] + 1;
        let n = placed_children[parent];
        placed_children[parent] += 1;
        let angle = std::f64::consts::TAU * n as f64 / children[parent].max(1) as f64 + depth[i] as f64;
        let ring = RINGS[depth[i].min(RINGS.len() - 1)];
        let (lat, long) = centres[parent];
        centres[i] = (lat + ring * angle.sin(), long + ring * angle.cos() / lat.to_radians().cos());
    }
    centres
}

/// A spot near `centre` for a request, chosen by its words: the same address falls on
/// the same spot.
pub fn spot(centre: (f64, f64), words: &str) -> Option<Point> {
    // FNV-1a: a stable hash, the same on every machine and release.
    let hash = words.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let unit = |bits: u64| (bits & 0xffff) as f64 / 65_535.0 * 2.0 - 1.0;
    let (lat, long) = centre;
    Point::new(lat + SPREAD * unit(hash), long + SPREAD * unit(hash >> 16) / lat.to_radians().cos()).ok()
}
