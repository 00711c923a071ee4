//! `RequestGen`: an endless, seeded stream of residents' messages.
//!
//! Each message is one *incident* (a problem of one category at one place, with its figures)
//! wrapped in words chosen afresh. Most incidents are new; some are taken again from a ring
//! of recent ones or from a few long-lived hot issues, so that several residents write
//! about the same place and problem, as they do on a real hotline.

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::compose::{clamp_content, compose, make_title};
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

const KINDS: &[(&str, u32)] =
    &[("complaint", 31), ("help", 25), ("consult", 22), ("suggestion", 10), ("report", 10), ("praise", 2)];
const CHANNELS: &[(&str, u32)] =
    &[("hotline", 48), ("mobile", 20), ("web", 18), ("walk_in", 8), ("meeting", 2), ("superior", 2), ("open311", 2)];

/// How long recent incidents stay available for repetition, and how often they repeat.
const RECENT_CAPACITY: usize = 512;
const REPEAT_RECENT: f64 = 0.10;
/// Hot issues: a handful of incidents that keep attracting messages for thousands of requests.
const HOT_ISSUES: usize = 6;
const REPEAT_HOT: f64 = 0.04;
const HOT_TURNOVER: f64 = 1.0 / 4000.0;

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
    enterprise_share: f64,
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

/// How likely a message in this category comes from a firm (市场主体) rather than a
/// resident: firms write about contracts, money and permits, seldom about school fees.
/// The mix averages out near one message in ten.
fn enterprise_share(level1: &str, level2: &str) -> f64 {
    const FIRM_MATTERS: &[&str] = &[
        "建筑市场",
        "商业贸易",
        "金融财税",
        "企业破产",
        "宏观调控",
        "能源管理",
        "国资监管",
        "知识产权",
        "信息化建设",
        "科学技术",
        "质监检验检疫",
        "安全生产",
    ];
    if FIRM_MATTERS.contains(&level2) || level1 == "经济管理" {
        0.6
    } else if matches!(level1, "城乡建设" | "商贸旅游" | "交通运输" | "环境保护" | "国土资源" | "科技与信息产业")
    {
        0.12
    } else {
        0.03
    }
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
                            && if specific { tp.level3.contains(&l3.as_str()) } else { tp.level3.is_empty() }
                    })
                    .collect()
            };
            let mut found = matching(true);
            if found.is_empty() {
                found = matching(false);
            }
            let label = if l3 == "其他" || l3.is_empty() {
                if l2 == "其他" {
                    l1.clone()
                } else {
                    l2.clone()
                }
            } else {
                l3.clone()
            };
            rows.push(Row {
                level1: l1.clone(),
                level2: l2.clone(),
                level3: l3.clone(),
                templates: found,
                rural: rural_category(l1, l2),
                enterprise_share: enterprise_share(l1, l2),
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
                if r.level3 == "其他" {
                    base * 0.3
                } else {
                    base
                }
            })
            .collect();
        let mut totals: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        for (r, w) in rows.iter().zip(&raw) {
            *totals.entry(r.level1.as_str()).or_default() += w;
        }
        for (r, w) in rows.iter().zip(raw.iter_mut()) {
            let share = LEVEL1_WEIGHTS.iter().find(|(l1, _)| *l1 == r.level1).map_or(OTHER_LEVEL1_WEIGHT, |(_, s)| *s);
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
        let pool =
            if (r.rural || self.rng.gen_bool(0.12)) && !self.rural.is_empty() { &self.rural } else { &self.urban };
        let pool = if pool.is_empty() { &self.rural } else { pool };
        let community = pool[self.rng.gen_range(0..pool.len())];
        let template =
            if r.templates.is_empty() { None } else { Some(r.templates[self.rng.gen_range(0..r.templates.len())]) };
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

    /// The next message. The stream never ends; `RequestGen` is also an `Iterator` for
    /// `take(n)`-style use.
    // The inherent method is the name other modules code against; the trait impl below
    // forwards to it.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> RequestSpec {
        let mut inc = self.incident();
        let kind = KINDS[self.kind_pick.sample(&mut self.rng)].0;
        let channel = CHANNELS[self.channel_pick.sample(&mut self.rng)].0;
        let urgent = kind != "praise" && kind != "consult" && self.rng.gen_bool(0.035);
        let anonymous = kind != "praise" && self.rng.gen_bool(0.05);
        let (requester_name, requester_phone, enterprise) = match &inc.requester {
            Some(who) => who.clone(),
            None => {
                let enterprise = self.rng.gen_bool(self.rows[inc.row].enterprise_share);
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
        let template = inc.template.map(|t| self.templates[t]);
        let (issues, bodies, details) = match template {
            Some(t) => (t.issues, t.bodies, t.details),
            None => (generic::ISSUES, generic::BODIES, generic::DETAILS),
        };
        let body = bodies[inc.body % bodies.len()];
        // Template issues pair with bodies; the generic ones fit every body.
        let issue_tpl =
            if template.is_some() { issues[inc.body % issues.len()] } else { issues[inc.pick % issues.len()] };
        let place = pl.get(problems::place_of(inc.place, body), inc.pick);
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

        let issue = filled(issue_tpl, &ctx);
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
            compose(rng, &mut content, kind, enterprise, &ctx, body, details);
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
            problem: format!("{}-{}-{:?}-{:?}-{}", inc.community, inc.row, inc.template, inc.place, inc.pick),
        };
        inc.requester = Some((spec.requester_name.clone(), spec.requester_phone.clone(), spec.enterprise));
        self.remember(inc);
        spec
    }
}

impl Iterator for RequestGen {
    type Item = RequestSpec;

    fn next(&mut self) -> Option<RequestSpec> {
        Some(RequestGen::next(self))
    }
}
