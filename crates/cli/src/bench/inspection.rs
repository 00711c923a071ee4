//! The inspection side of `gongzhi bench-proactive`: 500 points with their chains in the
//! district's communities and villages, a checklist of 40 items, a campaign a quarter,
//! and a year of rounds — then a round's phone page saving items, the figures pages and
//! the monthly bulletin with its inspection section, measured over HTTP.
//!
//! Points, the checklist and the campaigns go through the app as an admin adds them.
//! Rounds go in bulk (`inspection::load_past_rounds`) except the newest few hundred, which
//! are finished through the app: only their failed items became rectification requests.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, Result};
use gongzhi_app::inspection as inspect;
use gongzhi_domain::inspection::{self as rules, ItemDraft, Mark, Severity};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::unit::UnitKind;
use gongzhi_store::history::{PastFinding, PastRound};
use gongzhi_store::inspection::{Assignment, Chain, NewPoint};
use gongzhi_store::{Account, Store};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::proactive::Measuring;
use super::publishing::{dashboard_urls, monthly_bulletins, CSRF};
use super::{round, timed, timed_requests};

/// What the issue asks for.
pub const POINTS: usize = 500;
pub const ROUNDS: usize = 200_000;
/// The newest rounds, finished through the app: their failed items become rectification
/// requests; older rounds keep their failed findings without one.
const RECTIFIED: usize = 500;
/// Rounds written per transaction.
const BATCH: usize = 2_000;

/// The benchmark's checklist: the three shipped examples' items and eight more.
pub const CHECKLIST: &str = "创文迎检常态化测评（四十项）";
const MORE_ITEMS: &[(&str, u32, Severity, &str)] = &[
    ("楼道、消防通道无堆放杂物，消防设施完好有效", 5, Severity::Severe, "城乡建设 / 城市建设和市政管理 / 城市公共设施"),
    ("电动车不进楼入户，无飞线充电", 5, Severity::Severe, "城乡建设 / 城市建设和市政管理 / 城市公共设施"),
    ("小区出入口有门岗值守，来访登记", 3, Severity::Minor, "党务政务 / 宣传舆论 / 精神文明建设"),
    ("建筑工地围挡规范，渣土车密闭运输", 4, Severity::Major, "城乡建设 / 城市建设和市政管理 / 城管执法"),
    ("餐饮店油烟净化设施正常使用", 4, Severity::Major, "城乡建设 / 城市建设和市政管理 / 城管执法"),
    ("农贸市场划行归市，活禽宰杀区隔离", 4, Severity::Major, "城乡建设 / 城市建设和市政管理 / 城管执法"),
    ("公交站台整洁，线路信息清晰", 3, Severity::Minor, "政法 / 交通管理 / 交通安全管理"),
    ("社区宣传栏内容及时更新，无过期信息", 2, Severity::Minor, "党务政务 / 宣传舆论 / 精神文明建设"),
];

/// (kind, name, department code): the kinds of point a district inspects, and the
/// department a point's failures are sent to.
const KINDS: &[(&str, &str, &str)] = &[
    ("back_street", "背街小巷", "CG"),
    ("market", "农贸市场", "SJ"),
    ("old_estate", "老旧小区", "ZJ"),
    ("transport_hub", "公交站点", "JT"),
    ("school", "学校周边", "JY"),
    ("river_section", "河段", "SW"),
    ("hospital", "医院周边", "WJ"),
    ("community", "社区服务站", "MZ"),
];

const NOTES: &[&str] = &[
    "垃圾桶满溢，地面有烟头和包装袋",
    "商户出店经营，占用人行道",
    "非机动车乱停放，堵塞盲道",
    "设施破损，存在安全隐患",
    "墙面有小广告，未及时清理",
    "宣传栏破损，内容过期",
];

/// The points, checklist and campaigns the rounds are on.
pub struct Setup {
    pub checklist_id: i64,
    items: Vec<i64>,
    /// Each point with the inspector of its subdistrict or town.
    points: Vec<(i64, i64)>,
    /// (campaign id, starts, ends), oldest first; the last one is under way.
    campaigns: Vec<(i64, Millis, Millis)>,
}

fn staff_named<'a>(accounts: &'a [Account], login: &str) -> Result<&'a Account> {
    accounts.iter().find(|a| a.login == login).with_context(|| format!("no account {login}"))
}

/// Adds what is missing of the points, checklist and campaigns, through the app.
pub async fn prepare(store: &Store) -> Result<Setup> {
    let accounts = store.accounts().await?;
    let admin = staff_named(&accounts, "admin")?.staff();
    let units = store.units().await?;
    let now = time::now();
    let start = now - 365 * DAY;

    let checklist_id = match store.checklists().await?.into_iter().find(|c| c.name == CHECKLIST) {
        Some(found) => found.id,
        None => {
            let mut items = Vec::new();
            for (_, text) in rules::EXAMPLE_CHECKLISTS {
                items.extend(rules::parse_checklist(text)?);
            }
            items.extend(MORE_ITEMS.iter().map(|(text, points, severity, category)| ItemDraft {
                text: text.to_string(),
                points: *points,
                severity: *severity,
                category: category.to_string(),
                category_id: None,
            }));
            items.truncate(40);
            inspect::add_checklist(store, &admin, CHECKLIST, &items, start).await?
        }
    };
    let (_, items) = store.checklist(checklist_id).await?;

    // Points a place at a time, in turn, so that every community and village has some.
    let places: Vec<_> = units.iter().filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village)).collect();
    let existing = store.points(&admin).await?;
    let staff_of = |role: Role, unit: Option<i64>| {
        accounts.iter().find(|a| a.role == role && Some(a.unit_id) == unit && a.active).map(|a| a.id)
    };
    let mut points = Vec::with_capacity(POINTS);
    for n in 0..POINTS {
        let place = places[n % places.len()];
        let (kind, label, department) = KINDS[(n / places.len()) % KINDS.len()];
        let short = place.name.trim_end_matches("社区").trim_end_matches('村');
        let name = format!("{short}{label}{}号", n / places.len() + 1);
        let inspector = staff_of(Role::Inspector, place.parent_id).context("no inspector over a community")?;
        if let Some(found) = existing.iter().find(|p| p.unit_id == place.id && p.name == name) {
            points.push((found.id, inspector));
            continue;
        }
        let new = NewPoint {
            kind: kind.to_string(),
            name,
            address: format!("{}{label}", place.name),
            unit_id: place.id,
            lat: None,
            long: None,
        };
        let id = inspect::add_point(store, &admin, new, start).await?;
        let chain = Chain {
            leader_id: staff_of(Role::Leader, place.parent_id),
            department_id: units.iter().find(|u| u.code.ends_with(&format!("-D-{department}"))).map(|u| u.id),
            cadre_id: staff_of(Role::Handler, Some(place.id)),
            volunteer_ids: staff_of(Role::Volunteer, Some(place.id)).into_iter().collect(),
        };
        inspect::set_chain(store, &admin, id, chain).await?;
        points.push((id, inspector));
    }

    // A campaign a quarter over the past year, and the one under way.
    let quarter = 365 * DAY / 4;
    let planned = store.campaigns().await?;
    let mut campaigns = Vec::new();
    for q in 0..5 {
        let name = format!("创文迎检常态化测评（基准）第{}轮", q + 1);
        let (from, to) = (start + q * quarter, start + (q + 1) * quarter);
        let id = match planned.iter().find(|c| c.name == name) {
            Some(found) => found.id,
            None => {
                let on: Vec<Assignment> = points
                    .iter()
                    .map(|(point_id, inspector)| Assignment { point_id: *point_id, inspector_id: Some(*inspector) })
                    .collect();
                inspect::plan_campaign(store, &admin, &name, checklist_id, (from, to), &on, from).await?
            }
        };
        let found = store.campaigns().await?.into_iter().find(|c| c.id == id).context("campaign")?;
        campaigns.push((id, found.starts_at, found.ends_at));
    }
    Ok(Setup { checklist_id, items: items.iter().map(|i| i.id).collect(), points, campaigns })
}

/// The `i`th round of the year, always the same for the same `i`: a point (some are
/// inspected more often), its inspector, and every item marked — a point's items fail
/// at its own rate, 1% to 9%, and a few do not apply.
fn past_round(setup: &Setup, i: usize, start: Millis, now: Millis) -> PastRound {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x1_5bec7 ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let slot = (now - start - DAY) / ROUNDS as i64;
    let started_at = start + i as i64 * slot + rng.gen_range(0..slot.max(1));
    let n = setup.points.len();
    let u: f64 = rng.gen();
    let which = ((u * u) * n as f64) as usize % n;
    let (point_id, inspector_id) = setup.points[which];
    let failing = 0.01 + 0.08 * ((which * 7919) % 100) as f64 / 100.0;
    let findings = setup
        .items
        .iter()
        .enumerate()
        .map(|(k, item_id)| {
            let draw: f64 = rng.gen();
            let (mark, note) = if draw < failing {
                (Mark::Fail, NOTES[rng.gen_range(0..NOTES.len())])
            } else if draw < failing + 0.03 {
                (Mark::NotApplicable, "")
            } else {
                (Mark::Pass, "")
            };
            PastFinding { item_id: *item_id, mark, note: note.to_string(), marked_at: started_at + k as i64 * 45_000 }
        })
        .collect();
    let campaign_id =
        setup.campaigns.iter().find(|(_, from, to)| (*from..*to).contains(&started_at)).map(|(id, ..)| *id);
    PastRound {
        point_id,
        checklist_id: setup.checklist_id,
        campaign_id,
        inspector_id,
        started_at,
        finished_at: Some(started_at + 40 * 45_000 + rng.gen_range(0..600_000)),
        findings,
    }
}

/// Writes the rounds not there yet; the newest `RECTIFIED` are finished through the app.
pub async fn load(store: &Store, setup: &Setup, rounds: usize) -> Result<Value> {
    let started = Instant::now();
    let have = store.rounds_on(setup.checklist_id).await? as usize;
    let now = time::now();
    let start = now - 365 * DAY;
    let accounts = store.accounts().await?;
    let staff: HashMap<i64, Staff> = accounts.iter().map(|a| (a.id, a.staff())).collect();
    let mut rectifications = 0;
    let mut findings = 0;
    let mut failed = 0;
    let mut i = have;
    while i < rounds {
        let end = (i + BATCH).min(rounds);
        let batch: Vec<PastRound> = (i..end)
            .map(|i| {
                let mut round = past_round(setup, i, start, now);
                if i >= rounds.saturating_sub(RECTIFIED) {
                    round.finished_at = None;
                }
                round
            })
            .collect();
        findings += batch.iter().map(|r| r.findings.len()).sum::<usize>();
        failed += batch.iter().flat_map(|r| &r.findings).filter(|f| f.mark == Mark::Fail).count();
        let ids = inspect::load_past_rounds(store, &batch).await?;
        for (id, round) in ids.iter().zip(&batch).filter(|(_, r)| r.finished_at.is_none()) {
            let inspector = staff.get(&round.inspector_id).context("inspector")?;
            rectifications += inspect::finish_round(store, inspector, *id, time::now()).await?.len();
        }
        // Every 20,000, wherever an earlier run stopped.
        let reported = end / 20_000 > i / 20_000 || end == rounds;
        i = end;
        if reported {
            eprintln!("bench-proactive: {i} rounds written after {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(json!({
        "points": setup.points.len(),
        "checklist_items": setup.items.len(),
        "rounds_before": have,
        "rounds_written": rounds.saturating_sub(have),
        "findings_written": findings,
        "failed_findings_written": failed,
        "rectifications_made": rectifications,
        "seconds": round(started.elapsed().as_secs_f64()),
    }))
}

/// Who the measures are made as, with their API tokens, made before the server starts.
pub struct Cast {
    /// Each point of the campaign under way with its inspector's token.
    inspectors: Vec<(i64, String)>,
    campaign_id: i64,
    items: Vec<i64>,
    leader: String,
    subdistrict_leader: String,
    supervisor: String,
    district: i64,
    subdistrict: i64,
    point_ids: Vec<i64>,
}

pub async fn cast(store: &Store, setup: &Setup) -> Result<Cast> {
    let accounts = store.accounts().await?;
    let mut tokens: HashMap<i64, String> = HashMap::new();
    let mut inspectors = Vec::new();
    for (point, inspector) in &setup.points {
        if !tokens.contains_key(inspector) {
            let login = &accounts.iter().find(|a| a.id == *inspector).context("inspector")?.login;
            tokens.insert(*inspector, gongzhi_app::accounts::create_api_token(store, login, "bench").await?);
        }
        inspectors.push((*point, tokens[inspector].clone()));
    }
    let token = |login: &'static str| gongzhi_app::accounts::create_api_token(store, login, "bench");
    Ok(Cast {
        inspectors,
        campaign_id: setup.campaigns.last().context("campaigns")?.0,
        items: setup.items.clone(),
        leader: token("leader").await?,
        subdistrict_leader: token("leader_s01").await?,
        supervisor: token("supervisor").await?,
        district: store.units().await?.first().map(|u| u.id).unwrap_or(1),
        subdistrict: accounts.iter().find(|a| a.login == "leader_s01").map(|a| a.unit_id).context("leader_s01")?,
        point_ids: setup.points.iter().map(|(p, _)| *p).collect(),
    })
}

/// A multipart form as a browser sends the round page's item form: its fields, and the
/// photo input left empty.
fn item_form(mark: Mark, note: &str) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----gongzhi-bench-2f9c1e";
    let mut body = String::new();
    for (name, value) in [("_csrf", CSRF), ("mark", mark.as_str()), ("note", note)] {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n\r\n--{BOUNDARY}--\r\n"
    ));
    (format!("multipart/form-data; boundary={BOUNDARY}"), body.into_bytes())
}

pub async fn measure(measuring: &Measuring<'_>, cast: &Cast) -> Result<Vec<(&'static str, Value)>> {
    let Measuring { client, base, samples, clients } = *measuring;
    let mut out = Vec::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(time::now() as u64);
    let poster = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;

    // Rounds started as an inspector starts them on the campaign's points, enough for
    // every sample to save an item of its own.
    let per_round = cast.items.len();
    let needed = samples.div_ceil(per_round).max(1);
    let mut rounds = Vec::with_capacity(needed);
    for _ in 0..needed {
        let (point, token) = &cast.inspectors[rng.gen_range(0..cast.inspectors.len())];
        let response = poster
            .post(format!("{base}/work/inspections/rounds"))
            .bearer_auth(token)
            .header("cookie", format!("gongzhi_csrf={CSRF}"))
            .form(&[
                ("_csrf", CSRF.to_string()),
                ("point", point.to_string()),
                ("campaign", cast.campaign_id.to_string()),
            ])
            .send()
            .await?;
        let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
        let id: i64 = location
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .with_context(|| format!("starting a round answered {}", response.status()))?;
        rounds.push((id, token.clone()));
    }
    // Each sample saves one item as the page's script does; a few fail, with a note.
    let saves: Vec<(String, String, Mark, &str)> = (0..needed * per_round)
        .map(|s| {
            let (round_id, token) = &rounds[s / per_round];
            let item = cast.items[s % per_round];
            let draw: f64 = rng.gen();
            let (mark, note) = match draw {
                d if d < 0.04 => (Mark::Fail, NOTES[s % NOTES.len()]),
                d if d < 0.07 => (Mark::NotApplicable, ""),
                _ => (Mark::Pass, ""),
            };
            (format!("{base}/work/inspections/rounds/{round_id}/items/{item}"), token.clone(), mark, note)
        })
        .collect();
    let (timed_saves, rest) = saves.split_at(samples.min(saves.len()));
    let send = |saves: Vec<(String, String, Mark, &'static str)>| {
        let client = client.clone();
        move |i: usize| {
            let (url, token, mark, note) = &saves[i];
            let (content_type, body) = item_form(*mark, note);
            client
                .post(url)
                .bearer_auth(token)
                .header("cookie", format!("gongzhi_csrf={CSRF}"))
                .header("x-requested-with", "fetch")
                .header("content-type", content_type)
                .body(body)
        }
    };
    out.push((
        "round_item_save",
        timed_requests(timed_saves.len(), clients, send(timed_saves.to_vec()), |s| s.is_success()).await?,
    ));
    // The rounds' other items, unmeasured, then each round finished as the page does.
    timed_requests(rest.len(), clients, send(rest.to_vec()), |s| s.is_success()).await?;
    for (round_id, token) in &rounds {
        let response = poster
            .post(format!("{base}/work/inspections/rounds/{round_id}/finish"))
            .bearer_auth(token)
            .header("cookie", format!("gongzhi_csrf={CSRF}"))
            .form(&[("_csrf", CSRF)])
            .send()
            .await?;
        anyhow::ensure!(response.status().is_redirection(), "finishing a round answered {}", response.status());
    }
    out.push(("rounds_started_and_finished", json!(rounds.len())));

    // The figures: the district's and a subdistrict's ranking page over the last 30 days,
    // the district's over a quarter, the ranking as a spreadsheet, and a point's page.
    let today = time::local_date(time::now());
    let quarter = today - chrono::Duration::days(89);
    let urls = |path: String, token: &str| -> Vec<(String, String)> {
        (0..samples).map(|_| (format!("{base}{path}"), token.to_string())).collect()
    };
    out.push((
        "inspection_ranking_district",
        timed(client, urls("/work/inspections".into(), &cast.leader), clients).await?,
    ));
    out.push((
        "inspection_ranking_subdistrict",
        timed(client, urls("/work/inspections".into(), &cast.subdistrict_leader), clients).await?,
    ));
    out.push((
        "inspection_ranking_district_quarter",
        timed(client, urls(format!("/work/inspections?from={quarter}&to={today}"), &cast.leader), clients).await?,
    ));
    out.push((
        "inspection_ranking_xlsx",
        timed(client, urls("/work/inspections.xlsx".into(), &cast.leader), clients).await?,
    ));
    let points: Vec<(String, String)> = (0..samples)
        .map(|_| {
            let point = cast.point_ids[rng.gen_range(0..cast.point_ids.len())];
            (format!("{base}/work/inspections/points/{point}"), cast.leader.clone())
        })
        .collect();
    out.push(("inspection_point_page", timed(client, points, clients).await?));
    // The dashboards, whose content holds the same inspection section as a bulletin's.
    let dashboards = [
        ("page_dashboard_district", cast.district, &cast.supervisor),
        ("page_dashboard_subdistrict", cast.subdistrict, &cast.subdistrict_leader),
    ];
    for (name, unit, token) in dashboards {
        out.push((name, timed(client, dashboard_urls(base, unit, token, samples), clients).await?));
    }
    out.push(("bulletin_monthly_district", monthly_bulletins(base, &cast.supervisor, cast.district).await?));
    Ok(out)
}
