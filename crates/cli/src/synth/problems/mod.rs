//! Problem templates: what residents write about, per category of the catalogue.
//!
//! A template belongs to a (level1, level2) pair and optionally to some level3 names. It
//! knows which kind of place the problem happens at, short issue phrases for titles, body
//! sentences and optional detail sentences for longer messages. Categories without a
//! template get a generic text built from the level3 name (see `generic`).
//!
//! Placeholders, filled by `request::fill`: {p} the place, {u} the community, {r} a road,
//! {f} the property firm, {s} the school, {c} a company, {n} a count (2-30), {m} a sum of
//! money in yuan, {y} years (2-8), {d} months (2-11), {t} a time of night.

mod rural_legal;
mod social;
mod urban;

use super::places::PlaceKind;

pub struct Template {
    pub level1: &'static str,
    pub level2: &'static str,
    /// The level3 names the template is written for; empty means any level3 of `level2`.
    pub level3: &'static [&'static str],
    pub place: PlaceKind,
    /// Title phrases ("物业擅自上调停车费"), one per body: `issues[i]` names what
    /// `bodies[i]` tells. The place name is put in front of it.
    pub issues: &'static [&'static str],
    /// Core sentences; near-duplicates share one and differ in everything around it. A
    /// body that does not mention {p} is about its road {r}, its school {s} or, failing
    /// both, the community as a whole, and its title and address follow suit.
    pub bodies: &'static [&'static str],
    /// Extra facts that make a message longer.
    pub details: &'static [&'static str],
}

/// The place a body is really about: the template's own place kind unless the body
/// never names it.
pub fn place_of(template_place: PlaceKind, body: &str) -> PlaceKind {
    if body.contains("{p}") {
        template_place
    } else if body.contains("{r}") {
        PlaceKind::Road
    } else if body.contains("{s}") {
        PlaceKind::School
    } else {
        PlaceKind::Community
    }
}

/// Every template, in a fixed order so generator output depends only on the seed.
pub fn all() -> impl Iterator<Item = &'static Template> {
    urban::TEMPLATES.iter().chain(social::TEMPLATES).chain(rural_legal::TEMPLATES)
}

/// Generic texts for categories without a template. {l} is the level3 name (or the level2
/// name when level3 is "其他"), {p} a place nearby.
pub mod generic {
    pub const ISSUES: &[&str] = &["{l}问题", "{l}方面的问题", "{l}相关问题"];
    pub const BODIES: &[&str] = &[
        "我想反映一个{l}方面的问题，就发生在{p}附近，涉及不少居民的切身利益，一直没有得到妥善处理。",
        "关于{p}的{l}问题，之前已经有居民反映过，但是到现在还是老样子，大家意见很大。",
        "{p}这边的{l}问题存在很久了，我们多次找过相关单位，每次都说在研究，始终没有下文。",
        "本人住在{u}，想就{l}问题向有关部门反映一下情况，{p}一带的居民都有同感。",
        "我们{u}{p}一带存在{l}方面的问题，具体情况希望工作人员到现场了解。",
    ];
    pub const DETAILS: &[&str] = &[
        "我们也查过相关政策，但是说法不一，老百姓搞不清楚到底该怎么办。",
        "找了好几个部门，都说不归自己管，互相推来推去。",
        "身边有好几户人家都遇到了同样的情况。",
        "希望能给一个明确的说法和办理时限。",
        "听说其他街道已经解决了类似的问题，我们这里却一直没有动静。",
    ];
}
