//! Title and body of one message around its core sentence: salutation, introduction,
//! details, duration, impact, demand — more of them the more verbose the writer.

use rand::rngs::StdRng;
use rand::Rng;

use super::fill::{fill, filled, Ctx};
use super::phrases as ph;

/// Bounds that real messages keep to: a title a list can show, a text neither a bare
/// fragment nor a petition.
const MIN_CONTENT: usize = 40;
const MAX_CONTENT: usize = 400;
const MIN_TITLE: usize = 8;
const MAX_TITLE: usize = 30;

fn pick<'a, R: Rng + ?Sized>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

pub fn make_title(rng: &mut StdRng, kind: &str, ctx: &Ctx) -> String {
    let frames = match kind {
        "help" => ph::TITLES_HELP,
        "consult" => ph::TITLES_CONSULT,
        "report" => ph::TITLES_REPORT,
        "suggestion" => ph::TITLES_SUGGESTION,
        "praise" => ph::TITLES_PRAISE,
        _ => ph::TITLES_COMPLAINT,
    };
    let mut title = filled(pick(rng, frames), ctx);
    // Generic issues already end in 问题; frames that add it again would stutter.
    for (twice, once) in [("的问题的问题", "的问题"), ("问题问题", "问题")] {
        if title.contains(twice) {
            title = title.replace(twice, once);
        }
    }
    let len = title.chars().count();
    if (MIN_TITLE..=MAX_TITLE).contains(&len) {
        return title;
    }
    // Long place names make long titles; residents then drop the place. Short ones gain
    // the 街道 or 镇.
    let fallback = if len > MAX_TITLE { filled("{i}", ctx) } else { filled("{z}{p}{i}", ctx) };
    let mut t: String = fallback.chars().take(MAX_TITLE).collect();
    if t.chars().count() < MIN_TITLE {
        t.insert_str(0, "反映");
        t.push_str("问题");
    }
    t
}

/// Writes the body of a non-praise message; `verbosity` decides how much surrounds the core.
pub fn compose(
    rng: &mut StdRng,
    out: &mut String,
    kind: &str,
    enterprise: bool,
    ctx: &Ctx,
    body: &str,
    details: &[&str],
) {
    // 0: a bare line typed into a phone; 3: a long letter to the leadership.
    let verbosity = match rng.gen_range(0..100) {
        0..=19 => 0,
        20..=54 => 1,
        55..=81 => 2,
        _ => 3,
    };
    if verbosity >= 2 && rng.gen_bool(0.6) {
        out.push_str(pick(rng, ph::SALUTATIONS));
    }
    // A body that starts with "我…" introduces its writer already.
    if verbosity >= 1 && !body.starts_with('我') && rng.gen_bool(0.5) {
        let intros = if enterprise { ph::ENTERPRISE_INTROS } else { ph::INTROS };
        fill(out, pick(rng, intros), ctx);
    }
    fill(out, body, ctx);
    let extra = match verbosity {
        0 => 0,
        1 => rng.gen_range(0..=1),
        2 => rng.gen_range(1..=2),
        _ => rng.gen_range(2..=3),
    };
    // Details are taken in order from a random start, so no sentence appears twice.
    let start = rng.gen_range(0..details.len().max(1));
    for k in 0..extra.min(details.len()) {
        fill(out, details[(start + k) % details.len()], ctx);
    }
    if verbosity >= 1 && rng.gen_bool(0.7) {
        fill(out, pick(rng, ph::DURATIONS), ctx);
    }
    if verbosity >= 2 && rng.gen_bool(0.5) {
        out.push_str(pick(rng, ph::TRIED));
    }
    if verbosity >= 1 && rng.gen_bool(0.6) {
        out.push_str(pick(rng, if enterprise { ph::ENTERPRISE_IMPACTS } else { ph::IMPACTS }));
    }
    if verbosity == 3 {
        // Long letters argue: one or two sentences of history and appeal.
        let start = rng.gen_range(0..ph::ELABORATIONS.len());
        for k in 0..rng.gen_range(1..=2) {
            fill(out, ph::ELABORATIONS[(start + k) % ph::ELABORATIONS.len()], ctx);
        }
        if rng.gen_bool(0.5) {
            fill(out, pick(rng, ph::CONSEQUENCES), ctx);
        }
    }
    let demands = match kind {
        "help" => ph::DEMANDS_HELP,
        "consult" => ph::DEMANDS_CONSULT,
        "report" => ph::DEMANDS_REPORT,
        "suggestion" => ph::DEMANDS_SUGGESTION,
        _ => ph::DEMANDS_COMPLAINT,
    };
    let demand = pick(rng, demands);
    out.push_str(demand);
    if verbosity >= 2 && !demand.ends_with("谢谢！") {
        out.push_str(pick(rng, ph::THANKS));
    }
}

/// Keeps content within MIN_CONTENT..=MAX_CONTENT characters, cutting at a sentence end.
pub fn clamp_content(content: &mut String, ctx: &Ctx) {
    let len = content.chars().count();
    if len > MAX_CONTENT {
        let cut = content
            .char_indices()
            .take(MAX_CONTENT)
            .filter(|(_, ch)| matches!(ch, '。' | '！' | '？'))
            .last()
            .map(|(i, ch)| i + ch.len_utf8())
            .unwrap_or_else(|| content.char_indices().nth(MAX_CONTENT).map_or(content.len(), |(i, _)| i));
        content.truncate(cut);
    }
    if content.chars().count() < MIN_CONTENT {
        fill(content, "{p}周边的居民都有同样的困扰，希望有关部门重视。", ctx);
    }
}
