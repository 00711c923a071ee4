//! What staff write back: the official reply (答复) and progress notes (办理进展).

use rand::Rng;

use super::fill::{fill, filled, Ctx, Numbers};
use super::phrases as ph;
use super::units::default_department_name;
use super::RequestSpec;

fn pick<'a, R: Rng + ?Sized>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// The measures a reply may report for the request's category, most specific first.
fn measures(spec: &RequestSpec) -> &'static [&'static str] {
    let find = |key: &str| ph::REPLY_MEASURES.iter().find(|(k, _)| *k == key).map(|(_, m)| *m);
    find(&spec.level3)
        .or_else(|| find(&spec.level2))
        .or_else(|| find(&spec.level1))
        .unwrap_or(ph::REPLY_MEASURES_GENERIC)
}

/// The 街道/镇 and the 社区/村 at the start of an address written by `places`.
fn split_address(address: &str) -> (&str, &str) {
    let town_end = ["街道", "镇"].iter().filter_map(|m| address.find(m).map(|i| i + m.len())).min();
    let Some(te) = town_end else {
        return ("属地街道", "所在社区");
    };
    let rest = &address[te..];
    let community_end = ["社区", "村"].iter().filter_map(|m| rest.find(m).map(|i| i + m.len())).min();
    match community_end {
        Some(ce) => (&address[..te], &rest[..ce]),
        None => (&address[..te], "所在社区"),
    }
}

fn addressee(spec: &RequestSpec, rng: &mut impl Rng) -> String {
    if spec.anonymous || spec.requester_name.is_empty() {
        return "尊敬的市民".to_string();
    }
    if spec.enterprise {
        return spec.requester_name.clone();
    }
    let surname: String = spec.requester_name.chars().take(1).collect();
    format!("{surname}{}", if rng.gen_bool(0.5) { "先生" } else { "女士" })
}

/// An official reply (答复) to `spec`, as the handling unit would write it.
pub fn reply_text(spec: &RequestSpec, rng: &mut impl Rng) -> String {
    let (township, community) = split_address(&spec.address);
    let dept = default_department_name(&spec.level1).unwrap_or(township);
    let who = addressee(spec, rng);
    let landline = format!("0{}-8{:07}", rng.gen_range(700..800), rng.gen_range(0..10_000_000));
    let ctx = Ctx {
        place: &spec.address,
        community,
        issue: &spec.title,
        dept,
        township,
        addressee: &who,
        landline: &landline,
        nums: Numbers::random(rng),
        ..Ctx::default()
    };
    let mut out = String::with_capacity(512);
    if spec.kind == "praise" {
        fill(&mut out, pick(rng, ph::REPLY_PRAISE), &ctx);
        return out;
    }
    fill(&mut out, pick(rng, ph::REPLY_OPENINGS), &ctx);
    if spec.kind == "consult" {
        fill(&mut out, pick(rng, ph::REPLY_CONSULT), &ctx);
    } else {
        fill(&mut out, pick(rng, ph::REPLY_CHECKS), &ctx);
        out.push_str(pick(rng, ph::REPLY_FINDINGS));
        out.push_str(pick(rng, measures(spec)));
        out.push_str(pick(rng, ph::REPLY_FOLLOWUPS));
    }
    fill(&mut out, pick(rng, ph::REPLY_CLOSINGS), &ctx);
    out
}

/// A handler's progress note (办理进展) on `spec`.
pub fn progress_note(spec: &RequestSpec, rng: &mut impl Rng) -> String {
    let (township, community) = split_address(&spec.address);
    let ctx = Ctx {
        place: &spec.address,
        community,
        dept: default_department_name(&spec.level1).unwrap_or(township),
        township,
        nums: Numbers { n: rng.gen_range(3..=7), ..Numbers::default() },
        ..Ctx::default()
    };
    filled(ph::PROGRESS_NOTES[rng.gen_range(0..ph::PROGRESS_NOTES.len())], &ctx)
}
