//! `RequestGen`: an endless, seeded stream of residents' messages.
//!
//! Each message is one *incident* (a problem of one category at one place, with its figures)
//! wrapped in words chosen afresh. Most incidents are new; some are taken again from a ring
//! of recent ones or from a few long-lived hot issues, so that several residents write
//! about the same place and problem, as they do on a real hotline.

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::fill::{fill, filled, Ctx, Numbers};
use super::people::{cadre_title, enterprise_name, mobile_phone, person_name};
use super::phrases as ph;
use super::places::{self, PlaceKind, Places};
use super::problems::{self, generic, Template};
use super::units::default_department_name;
use super::{District, RequestSpec};

/// Share of each first-level category, close to a district hotline's: housing and city
/// management first, then labour, schools, shops, health, environment and transport.
const LEVEL1_WEIGHTS: &[(&str, f64)] = &[
    ("城乡建设", 22.0),
    ("劳动和社会保障", 16.0),
    ("教育文体", 12.0),
    ("商贸旅游", 10.0),
    ("环境保护", 9.0),
    ("卫生计生", 8.0),
    ("交通运输", 7.0),
    ("政法", 5.0),
    ("民政", 3.5),
    ("农村农业", 3.0),
    ("国土资源", 1.5),
    ("经济管理", 1.2),
    ("科技与信息产业", 1.0),
    ("纪检监察", 0.6),
    ("党务政务", 0.4),
];
/// Weight of a first-level category missing from the table above (a custom catalogue).
const OTHER_LEVEL1_WEIGHT: f64 = 0.5;

const KINDS: &[(&str, u32)] = &[
    ("complaint", 31),
    ("help", 25),
    ("consult", 22),
    ("suggestion", 10),
    ("report", 10),
    ("praise", 2),
];
const CHANNELS: &[(&str, u32)] = &[
    ("hotline", 48),
    ("mobile", 20),
    ("web", 18),
    ("walk_in", 8),
    ("meeting", 2),
    ("superior", 2),
    ("open311", 2),
];

/// How long recent incidents stay available for repetition, and how often they repeat.
const RECENT_CAPACITY: usize = 512;
const REPEAT_RECENT: f64 = 0.10;
/// Hot issues: a handful of incidents that keep attracting messages for thousands of requests.
const HOT_ISSUES: usize = 6;
const REPEAT_HOT: f64 = 0.04;
const HOT_TURNOVER: f64 = 1.0 / 4000.0;

const MIN_CONTENT: usize = 40;
const MAX_CONTENT: usize = 400;
const MIN_TITLE: usize = 8;
const MAX_TITLE: usize = 30;

struct Community {
    unit: usize,
    township: String,
    village: bool,
    places: Places,
}

struct Row {
    level1: String,
    level2: String,
    level3: String,
    /// Indices into `RequestGen::templates`; empty means the generic texts.
    templates: Vec<usize>,
    rural: bool,
    /// The name generic texts talk about: level3, or level2 when level3 says nothing.
    label: String,
}

/// What stays the same when several people write about one problem.
#[derive(Clone)]
struct Incident {
    community: usize,
    row: usize,
    template: Option<usize>,
    place: PlaceKind,
    pick: usize,
    body: usize,
    nums: Numbers,
    /// Name, phone and enterprise flag of whoever wrote last about it.
    requester: Option<(String, String, bool)>,
}

pub struct RequestGen {
    rng: StdRng,
    district_name: String,
    communities: Vec<Community>,
    urban: Vec<usize>,
    rural: Vec<usize>,
    rows: Vec<Row>,
    row_pick: WeightedIndex<f64>,
    kind_pick: WeightedIndex<u32>,
    channel_pick: WeightedIndex<u32>,
    templates: Vec<&'static Template>,
    recent: Vec<Incident>,
    recent_next: usize,
    hot: Vec<Incident>,
}

fn rural_category(level1: &str, level2: &str) -> bool {
    matches!(level1, "农村农业" | "国土资源") || matches!(level2, "村镇建设" | "集体土地上房屋拆迁与补偿")
}

fn pick<'a, R: Rng + ?Sized>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

impl RequestGen {
    /// A generator over the communities and villages of `district`, choosing categories
    /// from `taxonomy` rows (level1, level2, level3).
    ///
    /// # Panics
    /// If the taxonomy is empty or the district has no community or village.
    pub fn new(district: &District, taxonomy: &[(String, String, String)], seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let units = &district.units;
        let mut communities = Vec::new();
        for (i, u) in units.iter().enumerate() {
            if u.kind != "community" && u.kind != "village" {
                continue;
            }
            let township = u.parent.map(|p| units[p].name.clone()).unwrap_or_default();
            let village = u.kind == "village";
            let places = places::make(&mut rng, &township, &u.name, village);
            communities.push(Community { unit: i, township, village, places });
        }
        assert!(!communities.is_empty(), "the district has no community or village");
        let urban: Vec<usize> = (0..communities.len()).filter(|&c| !communities[c].village).collect();
        let rural: Vec<usize> = (0..communities.len()).filter(|&c| communities[c].village).collect();

        let templates: Vec<&'static Template> = problems::all().collect();
        let mut rows = Vec::with_capacity(taxonomy.len());
        for (l1, l2, l3) in taxonomy {
            let matching = |specific: bool| -> Vec<usize> {
                (0..templates.len())
                    .filter(|&t| {
                        let tp = templates[t];
                        tp.level1 == l1.as_str()
                            && tp.level2 == l2.as_str()
                            && if specific { tp.level3.iter().any(|x| *x == l3.as_str()) } else { tp.level3.is_empty() }
                    })
                    .collect()
            };
            let mut found = matching(true);
            if found.is_empty() {
                found = matching(false);
            }
            let label = if l3 == "其他" || l3.is_empty() {
                if l2 == "其他" { l1.clone() } else { l2.clone() }
            } else {
                l3.clone()
            };
            rows.push(Row {
                level1: l1.clone(),
                level2: l2.clone(),
                level3: l3.clone(),
                templates: found,
                rural: rural_category(l1, l2),
                label,
            });
        }
        assert!(!rows.is_empty(), "the taxonomy is empty");

        // Within a first-level category, rows with written templates are preferred (they
        // read best and are what real messages are mostly about); "其他" rows are rare.
        let mut raw: Vec<f64> = rows
            .iter()
            .map(|r| {
                let base = if r.templates.is_empty() { 1.0 } else { 4.0 };
                if r.level3 == "其他" { base * 0.3 } else { base }
            })
            .collect();
        let mut totals: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        for (r, w) in rows.iter().zip(&raw) {
            *totals.entry(r.level1.as_str()).or_default() += w;
        }
        for (r, w) in rows.iter().zip(raw.iter_mut()) {
            let share = LEVEL1_WEIGHTS
                .iter()
                .find(|(l1, _)| *l1 == r.level1)
                .map_or(OTHER_LEVEL1_WEIGHT, |(_, s)| *s);
            *w = *w / totals[r.level1.as_str()] * share;
        }
        let row_pick = WeightedIndex::new(&raw).expect("row weights are positive");

        RequestGen {
            rng,
            district_name: units.first().map(|u| u.name.clone()).unwrap_or_default(),
            communities,
            urban,
            rural,
            rows,
            row_pick,
            kind_pick: WeightedIndex::new(KINDS.iter().map(|k| k.1)).expect("kind weights"),
            channel_pick: WeightedIndex::new(CHANNELS.iter().map(|c| c.1)).expect("channel weights"),
            templates,
            recent: Vec::with_capacity(RECENT_CAPACITY),
            recent_next: 0,
            hot: Vec::with_capacity(HOT_ISSUES),
        }
    }

    fn fresh_incident(&mut self) -> Incident {
        let row = self.row_pick.sample(&mut self.rng);
        let r = &self.rows[row];
        // Rural categories happen in villages; everything else mostly in the city.
        let pool = if (r.rural || self.rng.gen_bool(0.12)) && !self.rural.is_empty() { &self.rural } else { &self.urban };
        let pool = if pool.is_empty() { &self.rural } else { pool };
        let community = pool[self.rng.gen_range(0..pool.len())];
        let template = if r.templates.is_empty() {
            None
        } else {
            Some(r.templates[self.rng.gen_range(0..r.templates.len())])
        };
        let (place, bodies) = match template {
            Some(t) => (self.templates[t].place, self.templates[t].bodies.len()),
            None => {
                let kinds: &[PlaceKind] = if r.rural {
                    &[PlaceKind::Group]
                } else {
                    &[PlaceKind::Estate, PlaceKind::Road, PlaceKind::Group, PlaceKind::Company]
                };
                (kinds[self.rng.gen_range(0..kinds.len())], generic::BODIES.len())
            }
        };
        Incident {
            community,
            row,
            template,
            place,
            pick: self.rng.gen_range(0..16),
            body: self.rng.gen_range(0..bodies),
            nums: Numbers::random(&mut self.rng),
            requester: None,
        }
    }

    fn incident(&mut self) -> Incident {
        let roll: f64 = self.rng.gen();
        if roll < REPEAT_HOT && self.hot.len() == HOT_ISSUES {
            let mut inc = self.hot[self.rng.gen_range(0..HOT_ISSUES)].clone();
            // Hot issues are written up by many hands: the core sentence varies too.
            inc.body = self.rng.gen_range(0..16);
            return inc;
        }
        if roll < REPEAT_HOT + REPEAT_RECENT && !self.recent.is_empty() {
            let mut inc = self.recent[self.rng.gen_range(0..self.recent.len())].clone();
            if self.rng.gen_bool(0.3) {
                inc.body = self.rng.gen_range(0..16);
            }
            // A fifth of repeats are the same person chasing their own problem.
            if inc.requester.is_some() && self.rng.gen_bool(0.8) {
                inc.requester = None;
            }
            return inc;
        }
        let inc = self.fresh_incident();
        if self.hot.len() < HOT_ISSUES {
            self.hot.push(inc.clone());
        } else if self.rng.gen_bool(HOT_TURNOVER) {
            let slot = self.rng.gen_range(0..HOT_ISSUES);
            self.hot[slot] = inc.clone();
        }
        inc
    }

    fn remember(&mut self, inc: Incident) {
        if self.recent.len() < RECENT_CAPACITY {
            self.recent.push(inc);
        } else {
            self.recent[self.recent_next] = inc;
            self.recent_next = (self.recent_next + 1) % RECENT_CAPACITY;
        }
    }

    /// The next message.
    pub fn next(&mut self) -> RequestSpec {
        let mut inc = self.incident();
        let kind = KINDS[self.kind_pick.sample(&mut self.rng)].0;
        let channel = CHANNELS[self.channel_pick.sample(&mut self.rng)].0;
        let urgent = kind != "praise" && kind != "consult" && self.rng.gen_bool(0.035);
        let anonymous = kind != "praise" && self.rng.gen_bool(0.05);
        let (requester_name, requester_phone, enterprise) = match &inc.requester {
            Some(who) => who.clone(),
            None => {
                let enterprise = self.rng.gen_bool(0.10);
                let name = if enterprise {
                    enterprise_name(&self.district_name, &mut self.rng)
                } else {
                    person_name(&mut self.rng)
                };
                (name, mobile_phone(&mut self.rng), enterprise)
            }
        };

        let rng = &mut self.rng;
        let row = &self.rows[inc.row];
        let c = &self.communities[inc.community];
        let pl = &c.places;
        let place = pl.get(inc.place, inc.pick);
        let template = inc.template.map(|t| self.templates[t]);
        let dept = default_department_name(&row.level1).unwrap_or(c.township.as_str());
        let cadre = cadre_title(rng);
        let ctx = Ctx {
            place: &place.name,
            community: &pl.community,
            road: &pl.roads[inc.pick % pl.roads.len()].name,
            firm: &pl.property_firm,
            school: &pl.school.name,
            company: &pl.companies[inc.pick % pl.companies.len()].name,
            label: &row.label,
            dept,
            township: &c.township,
            cadre: &cadre,
            nums: inc.nums,
            ..Ctx::default()
        };

        let (issues, bodies, details) = match template {
            Some(t) => (t.issues, t.bodies, t.details),
            None => (generic::ISSUES, generic::BODIES, generic::DETAILS),
        };
        let issue = filled(issues[inc.pick % issues.len()], &ctx);
        let ctx = Ctx { issue: &issue, ..ctx };

        let title = make_title(rng, kind, &ctx);
        let mut content = String::with_capacity(640);
        if urgent {
            content.push_str(pick(rng, &["情况紧急！", "十万火急！", "紧急求助！"]));
        }
        if kind == "praise" {
            fill(&mut content, pick(rng, ph::PRAISE_BODIES), &ctx);
            fill(&mut content, pick(rng, ph::PRAISE_CLOSINGS), &ctx);
        } else {
            compose(rng, &mut content, kind, enterprise, &ctx, bodies[inc.body % bodies.len()], details);
        }
        clamp_content(&mut content, &ctx);

        let spec = RequestSpec {
            title,
            content,
            address: place.address.clone(),
            unit: c.unit,
            level1: row.level1.clone(),
            level2: row.level2.clone(),
            level3: row.level3.clone(),
            kind,
            channel,
            urgent,
            requester_name,
            requester_phone,
            enterprise,
            anonymous,
        };
        inc.requester = Some((spec.requester_name.clone(), spec.requester_phone.clone(), spec.enterprise));
        self.remember(inc);
        spec
    }
}

fn make_title(rng: &mut StdRng, kind: &str, ctx: &Ctx) -> String {
    let frames = match kind {
        "help" => ph::TITLES_HELP,
        "consult" => ph::TITLES_CONSULT,
        "report" => ph::TITLES_REPORT,
        "suggestion" => ph::TITLES_SUGGESTION,
        "praise" => ph::TITLES_PRAISE,
        _ => ph::TITLES_COMPLAINT,
    };
    let title = filled(pick(rng, frames), ctx);
    let len = title.chars().count();
    if (MIN_TITLE..=MAX_TITLE).contains(&len) {
        return title;
    }
    // Long place names make long titles; residents then drop the place. Short ones gain
    // the community name.
    let fallback = if len > MAX_TITLE { filled("{i}", ctx) } else { filled("{u}{p}{i}", ctx) };
    let mut t: String = fallback.chars().take(MAX_TITLE).collect();
    if t.chars().count() < MIN_TITLE {
        t.insert_str(0, "反映");
        t.push_str("问题");
    }
    t
}

/// Writes the body of a non-praise message; `verbosity` decides how much surrounds the core.
fn compose(rng: &mut StdRng, out: &mut String, kind: &str, enterprise: bool, ctx: &Ctx, body: &str, details: &[&str]) {
    // 0: a bare line typed into a phone; 3: a long letter to the leadership.
    let verbosity = match rng.gen_range(0..100) {
        0..=24 => 0,
        25..=59 => 1,
        60..=84 => 2,
        _ => 3,
    };
    if verbosity >= 2 && rng.gen_bool(0.6) {
        out.push_str(pick(rng, ph::SALUTATIONS));
    }
    if verbosity >= 1 && rng.gen_bool(0.5) {
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
        fill(out, pick(rng, ph::ELABORATIONS), ctx);
    }
    let demands = match kind {
        "help" => ph::DEMANDS_HELP,
        "consult" => ph::DEMANDS_CONSULT,
        "report" => ph::DEMANDS_REPORT,
        "suggestion" => ph::DEMANDS_SUGGESTION,
        _ => ph::DEMANDS_COMPLAINT,
    };
    out.push_str(pick(rng, demands));
    if verbosity >= 2 {
        out.push_str(pick(rng, ph::THANKS));
    }
}

/// Keeps content within MIN_CONTENT..=MAX_CONTENT characters, cutting at a sentence end.
fn clamp_content(content: &mut String, ctx: &Ctx) {
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

/// Picks the phrases of a first-level category's reply measures, or the generic ones.
fn measures(level1: &str) -> &'static [&'static str] {
    ph::REPLY_MEASURES
        .iter()
        .find(|(l1, _)| *l1 == level1)
        .map_or(ph::REPLY_MEASURES_GENERIC, |(_, m)| m)
}

/// The 街道/镇 and the 社区/村 at the start of an address written by `places`.
fn split_address(address: &str) -> (&str, &str) {
    let town_end = ["街道", "镇"]
        .iter()
        .filter_map(|m| address.find(m).map(|i| i + m.len()))
        .min();
    let Some(te) = town_end else { return ("属地街道", "所在社区") };
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
    fill(&mut out, pick(rng, ph::REPLY_OPENINGS), &ctx);
    fill(&mut out, pick(rng, ph::REPLY_CHECKS), &ctx);
    out.push_str(pick(rng, ph::REPLY_FINDINGS));
    out.push_str(pick(rng, measures(&spec.level1)));
    out.push_str(pick(rng, ph::REPLY_FOLLOWUPS));
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
