//! Which unit handles a request, learned from who handled earlier ones.
//!
//! A missing manhole cover in 金桥社区 is handled by 金桥社区, one in 柳湾社区 by 柳湾社区:
//! counted unit by unit, each community handled a few, and the bureau that took the rest
//! of the city's covers looks like the one that handles them. So a handler is recorded as
//! seen from the place the request was about: the place's own community (or its 街道,
//! its grid: a tier the caller names), or one particular unit wherever the request was,
//! such as a bureau. Counted that way, history says whether a category is handled where
//! it happens or by a unit of its own, and for which kinds of request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who handled a request, as seen from the place it was about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handler {
    /// The unit of this tier on the place's own branch of the unit tree ("community":
    /// the place's community or village; "township": its 街道 or 镇).
    Local(String),
    /// One particular unit, wherever the request happened.
    Unit(String),
}

impl Handler {
    pub fn is_local(&self) -> bool {
        matches!(self, Handler::Local(_))
    }
}

/// One handled request of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlingCase<'a> {
    /// The label the model routes to (a first-level category).
    pub label: &'a str,
    /// What kind of request it was (consultation, complaint, …), when known.
    pub kind: Option<&'a str>,
    pub handler: Handler,
}

/// How often each handler took each label's requests, per kind and over all kinds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Handling {
    rows: Vec<HandlingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct HandlingRow {
    label: String,
    /// `None`: all kinds together.
    kind: Option<String>,
    handler: Handler,
    count: u32,
}

/// A kind needs this many handled requests of a label before its own counts decide;
/// below, the label's counts over all kinds do.
const MIN_CASES: u32 = 5;

impl Handling {
    pub fn learn<'a>(cases: impl IntoIterator<Item = HandlingCase<'a>>) -> Handling {
        let mut counts: BTreeMap<(String, Option<String>, Handler), u32> = BTreeMap::new();
        for case in cases {
            let label = case.label.to_string();
            *counts.entry((label.clone(), None, case.handler.clone())).or_default() += 1;
            if let Some(kind) = case.kind {
                *counts.entry((label, Some(kind.to_string()), case.handler)).or_default() += 1;
            }
        }
        let rows = counts
            .into_iter()
            .map(|((label, kind, handler), count)| HandlingRow { label, kind, handler, count })
            .collect();
        Handling { rows }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Who most often handled `label` (for `kind`, when that kind has history enough).
    /// `local_only` keeps to the place's own units: what is not for a bureau (praise, a
    /// question) goes to the most usual local handler, or the place itself. Ties go to
    /// local handlers, then to the first in order, so the answer does not depend on the
    /// order history was read in.
    pub fn handler(&self, label: &str, kind: Option<&str>, local_only: bool) -> Option<Handler> {
        let rows_of = |kind: Option<&str>| -> Vec<&HandlingRow> {
            self.rows.iter().filter(|r| r.label == label && r.kind.as_deref() == kind && r.count > 0).collect()
        };
        let own = rows_of(kind);
        let rows =
            if kind.is_some() && own.iter().map(|r| r.count).sum::<u32>() >= MIN_CASES { own } else { rows_of(None) };
        let best = rows
            .iter()
            .filter(|r| !local_only || r.handler.is_local())
            .max_by(|a, b| {
                a.count
                    .cmp(&b.count)
                    .then(a.handler.is_local().cmp(&b.handler.is_local()))
                    .then(b.handler.cmp(&a.handler))
            })
            .map(|r| r.handler.clone());
        match best {
            Some(h) => Some(h),
            None if local_only => Some(Handler::Local(PLACE.to_string())),
            None => None,
        }
    }

    /// The one unit that most often handled `label`, when that is a particular unit.
    pub fn unit_for(&self, label: &str) -> Option<&str> {
        let best = self
            .rows
            .iter()
            .filter(|r| r.label == label && r.kind.is_none())
            .max_by(|a, b| a.count.cmp(&b.count).then(b.handler.cmp(&a.handler)))?;
        match &best.handler {
            Handler::Unit(unit) => Some(unit),
            Handler::Local(_) => None,
        }
    }
}

/// The tier that means the place's own unit, whatever its level.
pub const PLACE: &str = "place";

#[cfg(test)]
mod tests {
    use super::*;

    fn case<'a>(label: &'a str, kind: &'a str, handler: Handler) -> HandlingCase<'a> {
        HandlingCase { label, kind: Some(kind), handler }
    }

    fn local(tier: &str) -> Handler {
        Handler::Local(tier.into())
    }

    fn unit(id: &str) -> Handler {
        Handler::Unit(id.into())
    }

    #[test]
    fn what_each_community_handles_itself_is_handled_locally() {
        // Six communities handled their own covers, the housing bureau four.
        let mut history = Vec::new();
        for _ in 0..6 {
            history.push(case("城乡建设", "complaint", local("community")));
        }
        for _ in 0..4 {
            history.push(case("城乡建设", "complaint", unit("17")));
        }
        // Wage arrears go to the labour bureau.
        for _ in 0..8 {
            history.push(case("劳动和社会保障", "complaint", unit("23")));
        }
        history.push(case("劳动和社会保障", "help", local("township")));
        let handling = Handling::learn(history);
        assert_eq!(handling.handler("城乡建设", Some("complaint"), false), Some(local("community")));
        assert_eq!(handling.handler("劳动和社会保障", Some("complaint"), false), Some(unit("23")));
        // One help request is too few to decide for its kind: the label's history does.
        assert_eq!(handling.handler("劳动和社会保障", Some("help"), false), Some(unit("23")));
        assert_eq!(handling.handler("教育文体", None, false), None);
        assert_eq!(handling.unit_for("劳动和社会保障"), Some("23"));
        assert_eq!(handling.unit_for("城乡建设"), None);
    }

    #[test]
    fn praise_and_questions_stay_with_the_place() {
        let history: Vec<HandlingCase> = (0..10)
            .map(|i| case("劳动和社会保障", "complaint", if i < 8 { unit("23") } else { local("township") }))
            .collect();
        let handling = Handling::learn(history);
        assert_eq!(handling.handler("劳动和社会保障", Some("praise"), true), Some(local("township")));
        assert_eq!(handling.handler("教育文体", Some("consult"), true), Some(local(PLACE)));
    }

    #[test]
    fn a_kind_with_its_own_history_follows_it() {
        let mut history = Vec::new();
        for _ in 0..10 {
            history.push(case("卫生计生", "complaint", unit("31")));
        }
        for _ in 0..6 {
            history.push(case("卫生计生", "consult", local("community")));
        }
        let handling = Handling::learn(history);
        assert_eq!(handling.handler("卫生计生", Some("consult"), false), Some(local("community")));
        assert_eq!(handling.handler("卫生计生", Some("complaint"), false), Some(unit("31")));
        let json = serde_json::to_string(&handling).unwrap();
        assert_eq!(serde_json::from_str::<Handling>(&json).unwrap(), handling);
    }
}
