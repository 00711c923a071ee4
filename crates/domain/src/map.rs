//! The map's rules: which part of the earth a viewer looks at (`Viewport`), how coarse
//! the grid that groups requests into clusters is at each zoom, and when there are few
//! enough requests to show each one.

use serde::Serialize;

/// The deepest zoom a map asks for; web maps stop at 18 or 19.
pub const MAX_ZOOM: u8 = 22;

/// At most this many requests in view are shown one by one; more are grouped.
pub const POINTS_UP_TO: i64 = 300;

/// Grid cells per map tile side (256 px): cells of 128 px, a group for each part of a
/// neighbourhood rather than a carpet of small ones.
const CELLS_PER_TILE: f64 = 2.0;

/// What a viewer looks at: a box in WGS-84 degrees and the zoom of the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Viewport {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    pub zoom: u8,
}

/// Why a viewport was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadViewport {
    #[error("bbox is four numbers: west,south,east,north")]
    Bbox,
    #[error("a bbox's west is left of its east and its south below its north")]
    Inverted,
    #[error("zoom is a whole number from 0 to {MAX_ZOOM}")]
    Zoom,
}

impl Viewport {
    /// Reads `west,south,east,north` and a zoom as a map library sends them. A box
    /// reaching past the poles or round the antimeridian (a map zoomed far out) is cut
    /// to the earth.
    pub fn parse(bbox: &str, zoom: &str) -> Result<Viewport, BadViewport> {
        let numbers: Vec<f64> = bbox
            .split(',')
            .map(|n| n.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| BadViewport::Bbox)?;
        let [west, south, east, north] = numbers[..] else { return Err(BadViewport::Bbox) };
        if numbers.iter().any(|n| !n.is_finite()) {
            return Err(BadViewport::Bbox);
        }
        if west > east || south > north {
            return Err(BadViewport::Inverted);
        }
        let zoom = zoom.trim().parse::<u8>().ok().filter(|z| *z <= MAX_ZOOM).ok_or(BadViewport::Zoom)?;
        Ok(Viewport {
            west: west.max(-180.0),
            south: south.max(-90.0),
            east: east.min(180.0),
            north: north.min(90.0),
            zoom,
        })
    }

    /// The side of a grid cell in degrees: half a map tile's width at this zoom.
    pub fn cell(&self) -> f64 {
        360.0 / 2f64.powi(i32::from(self.zoom)) / CELLS_PER_TILE
    }
}

/// A group of requests in one grid cell, shown at their centroid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cluster {
    pub lat: f64,
    pub long: f64,
    pub count: i64,
    /// How many of them are past their deadline.
    pub overdue: i64,
    /// The box its requests lie in, `[west, south, east, north]`: where a click on the
    /// cluster zooms to.
    pub bounds: [f64; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewport_is_read_as_leaflet_sends_it() {
        let v = Viewport::parse("112.9,28.2,113.0,28.3", "14").unwrap();
        assert_eq!((v.west, v.south, v.east, v.north, v.zoom), (112.9, 28.2, 113.0, 28.3, 14));
        // Zoomed far out, the box goes round the earth more than once: cut to it.
        let world = Viewport::parse("-540,-100,540,100", "0").unwrap();
        assert_eq!((world.west, world.south, world.east, world.north), (-180.0, -90.0, 180.0, 90.0));
    }

    #[test]
    fn bad_viewports_are_refused_by_what_is_wrong() {
        assert_eq!(Viewport::parse("1,2,3", "5"), Err(BadViewport::Bbox));
        assert_eq!(Viewport::parse("a,b,c,d", "5"), Err(BadViewport::Bbox));
        assert_eq!(Viewport::parse("1,2,3,NaN", "5"), Err(BadViewport::Bbox));
        assert_eq!(Viewport::parse("1,2,3,4,5", "5"), Err(BadViewport::Bbox));
        assert_eq!(Viewport::parse("3,2,1,4", "5"), Err(BadViewport::Inverted));
        assert_eq!(Viewport::parse("1,4,3,2", "5"), Err(BadViewport::Inverted));
        assert_eq!(Viewport::parse("1,2,3,4", "23"), Err(BadViewport::Zoom));
        assert_eq!(Viewport::parse("1,2,3,4", "-1"), Err(BadViewport::Zoom));
        assert_eq!(Viewport::parse("1,2,3,4", ""), Err(BadViewport::Zoom));
    }

    #[test]
    fn cells_halve_with_every_zoom_step() {
        let at = |zoom| Viewport { west: 0.0, south: 0.0, east: 1.0, north: 1.0, zoom }.cell();
        assert_eq!(at(0), 180.0);
        assert_eq!(at(1), 90.0);
        assert!((at(14) - 360.0 / 16384.0 / 2.0).abs() < 1e-12);
    }
}
