//! Where a request is on the earth: optional WGS-84 coordinates, as a phone's GPS or an
//! Open311 client gives them, and how far apart two such places are.

use serde::{Deserialize, Serialize};

use crate::error::Broken;

/// A point in WGS-84 degrees. Only a point that passed `check` is stored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub long: f64,
}

/// The mean radius of the earth, in metres: the sphere haversine distances are taken on.
const EARTH_RADIUS: f64 = 6_371_008.8;

impl Point {
    /// A checked point, or which coordinate is wrong.
    pub fn new(lat: f64, long: f64) -> Result<Point, Broken> {
        let point = Point { lat, long };
        point.check()?;
        Ok(point)
    }

    /// Finite, latitude within ±90° and longitude within ±180°.
    pub fn check(&self) -> Result<(), Broken> {
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            return Err(Broken::Invalid { field: "lat", reason: "a latitude is between -90 and 90".into() });
        }
        if !self.long.is_finite() || !(-180.0..=180.0).contains(&self.long) {
            return Err(Broken::Invalid { field: "long", reason: "a longitude is between -180 and 180".into() });
        }
        Ok(())
    }

    /// The great-circle distance to `other` in metres (haversine; within 0.5% of the
    /// ellipsoid, which is far finer than deciding whether two reports are one place).
    pub fn metres_to(&self, other: &Point) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_long = (other.long - self.long).to_radians();
        let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_long / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS * h.sqrt().min(1.0).asin()
    }
}

/// Reports this close are about the same spot: a lamp, a manhole, a shop front.
pub const SAME_SPOT: f64 = 100.0;
/// Reports this far apart are about different things, however alike their words.
pub const APART: f64 = 2_000.0;

/// How the distance between two requests' points bears on whether they are duplicates:
/// a factor on their text similarity. Near each other it raises the similarity, further
/// off it fades it until, at `APART`, nothing is left. Without both points it says nothing.
pub fn duplicate_weight(a: Option<&Point>, b: Option<&Point>) -> f32 {
    let (Some(a), Some(b)) = (a, b) else { return 1.0 };
    let metres = a.metres_to(b);
    if metres <= SAME_SPOT {
        1.25
    } else if metres >= APART {
        0.0
    } else {
        // From 1 just past the same spot down to 0 at `APART`.
        (1.0 - (metres - SAME_SPOT) / (APART - SAME_SPOT)) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tian'anmen and the Forbidden City's north gate (Shenwumen), about 1.9 km apart.
    const TIANANMEN: Point = Point { lat: 39.9087, long: 116.3975 };
    const SHENWUMEN: Point = Point { lat: 39.9254, long: 116.3972 };

    #[test]
    fn a_point_out_of_range_or_not_a_number_is_refused_by_name() {
        assert!(Point::new(39.9, 116.4).is_ok());
        assert!(Point::new(-90.0, 180.0).is_ok(), "the edges are on the earth");
        let field = |p: Result<Point, Broken>| match p {
            Err(Broken::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(Point::new(90.5, 0.0)), "lat");
        assert_eq!(field(Point::new(f64::NAN, 0.0)), "lat");
        assert_eq!(field(Point::new(0.0, -181.0)), "long");
        assert_eq!(field(Point::new(0.0, f64::INFINITY)), "long");
    }

    #[test]
    fn distances_are_in_metres() {
        let d = TIANANMEN.metres_to(&SHENWUMEN);
        assert!((1_800.0..1_900.0).contains(&d), "{d}");
        assert_eq!(TIANANMEN.metres_to(&TIANANMEN), 0.0);
        // A quarter of the equator.
        let quarter = Point { lat: 0.0, long: 0.0 }.metres_to(&Point { lat: 0.0, long: 90.0 });
        assert!((quarter - 10_007_557.0).abs() < 10.0, "{quarter}");
        // Antipodes do not overflow the arcsine.
        let half = Point { lat: 0.0, long: 0.0 }.metres_to(&Point { lat: 0.0, long: 180.0 });
        assert!((half - 2.0 * 10_007_557.0).abs() < 20.0, "{half}");
    }

    #[test]
    fn near_raises_far_removes_and_unknown_says_nothing() {
        let next_door = Point { lat: TIANANMEN.lat + 0.0003, long: TIANANMEN.long };
        assert!(duplicate_weight(Some(&TIANANMEN), Some(&next_door)) > 1.0);
        let across_town = Point { lat: TIANANMEN.lat + 0.02, long: TIANANMEN.long };
        assert_eq!(duplicate_weight(Some(&TIANANMEN), Some(&across_town)), 0.0);
        let between =
            duplicate_weight(Some(&TIANANMEN), Some(&Point { lat: TIANANMEN.lat + 0.005, long: TIANANMEN.long }));
        assert!(between > 0.0 && between < 1.0, "{between}");
        assert_eq!(duplicate_weight(Some(&TIANANMEN), None), 1.0);
        assert_eq!(duplicate_weight(None, None), 1.0);
    }
}
