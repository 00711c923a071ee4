//! Open311 GeoReport v2: how a service request sent by a client system becomes one of
//! ours, how our states read in its two words (open, closed), and the bounds a query of
//! requests is held to.

use chrono::{DateTime, FixedOffset, SecondsFormat};

use crate::error::Broken;
use crate::geo::Point;
use crate::request::{Channel, Kind, NewRequest, RequesterType, Status};
use crate::time::{self, Millis, DAY};

/// A query of requests spans at most this long, and by default the last this long.
pub const MAX_SPAN: Millis = 90 * DAY;
/// A query of requests answers at most this many, newest first.
pub const MAX_REQUESTS: u32 = 1_000;
/// A title is the first words of the description, cut here.
const TITLE_CHARS: usize = 40;
/// The specification's bound on a description.
pub const MAX_DESCRIPTION: usize = 4_000;
pub const MAX_MEDIA_URL: usize = 1_000;

/// Open311's two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        match text.trim() {
            "open" => Some(State::Open),
            "closed" => Some(State::Closed),
            _ => None,
        }
    }

    /// Open while someone still has to work on it. A resolved request is closed for the
    /// client: the answer is given, only the requester's verdict is awaited.
    pub fn of(status: Status) -> State {
        if status.is_open() {
            State::Open
        } else {
            State::Closed
        }
    }

    /// Our states that read as this one.
    pub fn statuses(self) -> Vec<Status> {
        Status::ALL.iter().copied().filter(|s| State::of(*s) == self).collect()
    }
}

/// A service request as a client posted it, its fields as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Posted {
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub description: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub media_url: Option<String>,
}

/// A text field as sent: absent and blank are alike (the specification's "optional").
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl Posted {
    /// Where it is: `lat` and `long` together, or an address; one is required.
    pub fn location(&self) -> Result<Option<Point>, Broken> {
        let number = |field: &'static str, text: &str| {
            text.parse::<f64>().map_err(|_| Broken::Invalid { field, reason: "not a number".into() })
        };
        match (given(&self.lat), given(&self.long)) {
            (Some(lat), Some(long)) => Ok(Some(Point::new(number("lat", lat)?, number("long", long)?)?)),
            (Some(_), None) => Err(Broken::Missing("long")),
            (None, Some(_)) => Err(Broken::Missing("lat")),
            (None, None) if given(&self.address_string).is_some() => Ok(None),
            (None, None) => Err(Broken::Missing("address_string")),
        }
    }

    /// The media URL, if one was sent: an http(s) address.
    pub fn media_url(&self) -> Result<Option<&str>, Broken> {
        let Some(url) = given(&self.media_url) else { return Ok(None) };
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.chars().count() > MAX_MEDIA_URL || url.chars().any(char::is_whitespace) {
            return Err(Broken::Invalid { field: "media_url", reason: "an http or https address".into() });
        }
        Ok(Some(url))
    }

    /// Our request for it: a request for help (求助) with `service` as its category and
    /// name, about `place`. The title is the description's first words, or the
    /// service's name without one; a requester who leaves no phone is anonymous.
    pub fn request(&self, category_id: i64, service: &str, place: i64) -> Result<NewRequest, Broken> {
        let location = self.location()?;
        self.media_url()?;
        let description = given(&self.description).unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(Broken::Invalid {
                field: "description",
                reason: format!("longer than {MAX_DESCRIPTION} characters"),
            });
        }
        let first_line = description.lines().next().unwrap_or_default().trim();
        let title =
            if first_line.is_empty() { service.to_string() } else { first_line.chars().take(TITLE_CHARS).collect() };
        let content = if description.is_empty() { service.to_string() } else { description.to_string() };
        // A Chinese name is said family name first.
        let name = [given(&self.last_name), given(&self.first_name)].into_iter().flatten().collect::<Vec<_>>();
        let name = if name.iter().any(|part| !part.is_ascii()) { name.concat() } else { name.join(" ") };
        let phone = given(&self.phone).unwrap_or_default().to_string();
        let new = NewRequest {
            kind: Kind::Help,
            channel: Channel::Open311,
            title,
            content,
            address: given(&self.address_string).unwrap_or_default().to_string(),
            unit_id: place,
            category_id: Some(category_id),
            urgent: false,
            requester_type: RequesterType::Resident,
            requester_name: name,
            anonymous: phone.is_empty(),
            requester_phone: phone,
            location,
        };
        new.check()?;
        Ok(new)
    }
}

/// A time as the specification writes it: ISO 8601 with the local offset (+08:00).
pub fn datetime(at: Millis) -> String {
    time::to_datetime(at).with_timezone(&time::local()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A time a client sent: ISO 8601 (W3C) with `Z` or an offset; a date alone is the
/// start of that local day.
pub fn parse_datetime(text: &str, field: &'static str) -> Result<Millis, Broken> {
    let text = text.trim();
    if let Ok(at) = DateTime::<FixedOffset>::parse_from_rfc3339(text) {
        return Ok(at.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(time::start_of)
        .map_err(|_| Broken::Invalid { field, reason: "an ISO 8601 time such as 2026-05-01T08:00:00+08:00".into() })
}

/// The span a query of requests covers, from its `start_date` and `end_date`: at most
/// `MAX_SPAN`, and without either the `MAX_SPAN` up to now (or up to the end, or from
/// the start).
pub fn span(start: Option<Millis>, end: Option<Millis>, now: Millis) -> Result<(Millis, Millis), Broken> {
    let (from, to) = match (start, end) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => (from, from.saturating_add(MAX_SPAN).min(now.max(from))),
        (None, Some(to)) => (to.saturating_sub(MAX_SPAN), to),
        (None, None) => (now - MAX_SPAN, now),
    };
    if to < from {
        return Err(Broken::Invalid { field: "end_date", reason: "before start_date".into() });
    }
    if to - from > MAX_SPAN {
        return Err(Broken::Invalid { field: "end_date", reason: "more than 90 days after start_date".into() });
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted() -> Posted {
        Posted {
            lat: Some("28.2283".into()),
            long: Some("112.9388".into()),
            description: Some("柳湾路8号井盖缺失\n晚上很危险".into()),
            first_name: Some("芳".into()),
            last_name: Some("王".into()),
            phone: Some("13812341234".into()),
            ..Posted::default()
        }
    }

    #[test]
    fn a_posted_request_becomes_a_request_for_help_in_its_category() {
        let new = posted().request(7, "井盖", 3).unwrap();
        assert_eq!((new.kind, new.channel, new.category_id, new.unit_id), (Kind::Help, Channel::Open311, Some(7), 3));
        assert_eq!(new.title, "柳湾路8号井盖缺失");
        assert_eq!(new.requester_name, "王芳");
        assert!(!new.anonymous);
        assert_eq!(new.location, Some(Point { lat: 28.2283, long: 112.9388 }));
        let bare =
            Posted { address_string: Some("柳湾路8号".into()), ..Posted::default() }.request(7, "井盖", 3).unwrap();
        assert_eq!((bare.title.as_str(), bare.content.as_str(), bare.anonymous), ("井盖", "井盖", true));
        let english = Posted { first_name: Some("John".into()), last_name: Some("Smith".into()), ..posted() };
        assert_eq!(english.request(7, "井盖", 3).unwrap().requester_name, "Smith John");
    }

    #[test]
    fn a_place_is_required_and_checked() {
        let nowhere = Posted { lat: None, long: None, ..posted() };
        assert_eq!(nowhere.location(), Err(Broken::Missing("address_string")));
        assert_eq!(Posted { long: None, ..posted() }.location(), Err(Broken::Missing("long")));
        let words = Posted { lat: Some("north".into()), ..posted() };
        assert!(matches!(words.location(), Err(Broken::Invalid { field: "lat", .. })));
        let off = Posted { long: Some("200".into()), ..posted() };
        assert!(matches!(off.request(7, "井盖", 3), Err(Broken::Invalid { field: "long", .. })));
        let ftp = Posted { media_url: Some("ftp://x/y.jpg".into()), ..posted() };
        assert!(matches!(ftp.request(7, "井盖", 3), Err(Broken::Invalid { field: "media_url", .. })));
        let letters = Posted { phone: Some("call me".into()), ..posted() };
        assert!(matches!(letters.request(7, "井盖", 3), Err(Broken::Invalid { field: "requester_phone", .. })));
    }

    #[test]
    fn states_read_as_open_or_closed() {
        assert_eq!(State::of(Status::InProgress), State::Open);
        assert_eq!(State::of(Status::Resolved), State::Closed);
        assert_eq!(State::Open.statuses().len() + State::Closed.statuses().len(), Status::ALL.len());
        assert_eq!(State::parse("closed"), Some(State::Closed));
        assert_eq!(State::parse("done"), None);
    }

    #[test]
    fn times_carry_the_local_offset_and_queries_stay_within_ninety_days() {
        let at = parse_datetime("2026-05-01T08:00:00+08:00", "start_date").unwrap();
        assert_eq!(datetime(at), "2026-05-01T08:00:00+08:00");
        assert_eq!(parse_datetime("2026-05-01T00:00:00Z", "start_date").unwrap(), at, "the same instant");
        assert_eq!(parse_datetime("2026-05-01", "start_date").unwrap(), at - 8 * crate::time::HOUR);
        assert!(parse_datetime("yesterday", "start_date").is_err());
        let now = at + 200 * DAY;
        assert_eq!(span(None, None, now), Ok((now - MAX_SPAN, now)));
        assert_eq!(span(Some(at), None, now), Ok((at, at + MAX_SPAN)));
        assert!(span(Some(at), Some(at + 91 * DAY), now).is_err());
        assert!(span(Some(at), Some(at - DAY), now).is_err());
    }
}
