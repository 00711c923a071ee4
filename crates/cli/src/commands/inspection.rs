//! The demo district's inspections: the three shipped checklists (创文 public spaces,
//! 开学 "八个到位", 河湖巡查), points in its first communities with their four-level
//! chains, a campaign on each checklist, and rounds done through the same use cases a
//! phone uses — some passed, some with failures that became rectification requests, one
//! put right and passed on reinspection, one failed again and pressed, and one round left
//! half done for the demo inspector to finish.

use anyhow::{Context as _, Result};
use gongzhi_app::inspection::{self as inspect};
use gongzhi_domain::inspection::Mark;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::unit::UnitKind;
use gongzhi_domain::{Actor, Command, Unit};
use gongzhi_store::inspection::{Assignment, Chain, NewPoint};
use gongzhi_store::{Account, Store};

/// (kind, name, address, department code suffix, checklist index)
const POINTS: &[(&str, &str, &str, &str, usize)] = &[
    ("back_street", "{c}背街小巷", "{c}中段", "CG", 0),
    ("market", "{c}农贸市场", "{c}综合市场", "SJ", 0),
    ("old_estate", "{c}老旧小区", "{c}1至6栋", "ZJ", 0),
    ("transport_hub", "{c}公交首末站", "{c}公交站", "JT", 0),
    ("school", "{c}小学", "{c}小学校门口", "JY", 1),
    ("river_section", "{c}段河道", "{c}沿河步道", "SW", 2),
];

pub async fn demo(store: &Store) -> Result<()> {
    let accounts = store.accounts().await?;
    let find = |login: &str| accounts.iter().find(|a| a.login == login).map(Account::staff);
    let admin = find("admin").context("the demo has an admin")?;
    let inspector = find("inspector").context("the demo has an inspector")?;
    let units = store.units().await?;
    let now = time::now();
    let checklists = inspect::load_example_checklists(store, now - 30 * DAY).await?;
    let communities: Vec<&Unit> = units.iter().filter(|u| u.kind == UnitKind::Community).take(POINTS.len()).collect();
    let mut points = Vec::new();
    for ((kind, name, address, department, checklist), community) in POINTS.iter().zip(&communities) {
        let short = community.name.trim_end_matches("社区");
        let new = NewPoint {
            kind: kind.to_string(),
            name: name.replace("{c}", short),
            address: address.replace("{c}", short),
            unit_id: community.id,
            lat: None,
            long: None,
        };
        let point = inspect::add_point(store, &admin, new, now - 30 * DAY).await?;
        let staff_of = |role: Role, unit: Option<i64>| {
            accounts.iter().find(|a| a.role == role && Some(a.unit_id) == unit).map(|a| a.id)
        };
        let department = units.iter().find(|u| u.code.ends_with(&format!("-D-{department}"))).map(|u| u.id);
        let chain = Chain {
            leader_id: staff_of(Role::Leader, community.parent_id),
            department_id: department,
            cadre_id: staff_of(Role::Handler, Some(community.id)),
            volunteer_ids: staff_of(Role::Volunteer, Some(community.id)).into_iter().collect(),
        };
        inspect::set_chain(store, &admin, point, chain).await?;
        points.push((point, checklists[*checklist]));
    }
    let campaigns = [("2026年创文迎检第一轮", 0), ("2026年秋季开学安全检查", 1), ("2026年第四季度河湖巡查", 2)];
    let mut campaign_ids = Vec::new();
    for (name, index) in campaigns {
        let on: Vec<Assignment> = points
            .iter()
            .filter(|(_, checklist)| *checklist == checklists[index])
            .map(|(point, _)| Assignment { point_id: *point, inspector_id: Some(inspector.user_id) })
            .collect();
        let bounds = (now - 20 * DAY, now + 40 * DAY);
        campaign_ids
            .push(inspect::plan_campaign(store, &admin, name, checklists[index], bounds, &on, now - 20 * DAY).await?);
    }
    let campaign_of = |checklist: i64| checklists.iter().position(|c| *c == checklist).map(|i| campaign_ids[i]);
    // Every point once, failing a few items each: the figures have something to rank.
    let mut made = Vec::new();
    for (n, (point, checklist)) in points.iter().enumerate() {
        let failing: Vec<usize> = match n {
            0 => vec![0, 2, 6],
            1 => vec![2],
            2 => vec![0, 7],
            3 => vec![],
            4 => vec![4],
            _ => vec![0, 4],
        };
        let round = round(store, &inspector, *point, *checklist, campaign_of(*checklist), &failing, None).await?;
        made.extend(inspect::finish_round(store, &inspector, round, time::now()).await?);
    }
    // The department puts the first two right; one passes on reinspection, the other is
    // found again: back for rework, and pressed as a repeated failure.
    let handler_of = |unit: Option<i64>| accounts.iter().find(|a| a.role == Role::Handler && Some(a.unit_id) == unit);
    for (i, request) in made.iter().take(2).enumerate() {
        let Some(handler) = handler_of(request.assignee_unit_id) else { continue };
        let actor = Actor::Staff(handler.staff());
        gongzhi_app::act(store, gongzhi_app::Act::new(request.id, None, Command::Claim, actor.clone())).await?;
        let reply = if i == 0 {
            "已清理垃圾并安排保洁员每日两次巡回保洁"
        } else {
            "已协调商户退店经营"
        };
        let resolve = Command::Resolve { reply: reply.into(), contacted: false };
        gongzhi_app::act(store, gongzhi_app::Act::new(request.id, None, resolve, actor)).await?;
        let note = if i == 0 { "现场复查，已整改到位" } else { "现场复查，仍有出店经营" };
        inspect::reinspect(store, &inspector, request.id, i == 0, note, Vec::new(), time::now()).await?;
    }
    // A round at the first point, half done: the demo inspector finishes it on a phone.
    let (point, checklist) = points[0];
    round(store, &inspector, point, checklist, campaign_of(checklist), &[], Some(5)).await?;
    println!(
        "巡查演示 / inspection demo: {} 个点位 points, 3 个巡查活动 campaigns, {} 张整改工单 rectifications",
        points.len(),
        made.len()
    );
    Ok(())
}

/// Starts a round and marks its items (only the first `marked` of them, when given);
/// the items in `failing` fail with a note.
async fn round(
    store: &Store,
    inspector: &Staff,
    point: i64,
    checklist: i64,
    campaign: Option<i64>,
    failing: &[usize],
    marked: Option<usize>,
) -> Result<i64> {
    let started = time::now() - 2 * HOUR;
    let round = inspect::start_round(store, inspector, point, checklist, campaign, started).await?;
    let view = inspect::round(store, inspector, round).await?;
    let notes = [
        "垃圾桶满溢，地面有烟头和包装袋",
        "商户出店经营，占用人行道",
        "非机动车乱停放，堵塞盲道",
        "设施破损，存在安全隐患",
    ];
    for (i, (item, _)) in view.items.iter().enumerate().take(marked.unwrap_or(usize::MAX)) {
        let (mark, note) = if failing.contains(&i) { (Mark::Fail, notes[i % notes.len()]) } else { (Mark::Pass, "") };
        inspect::mark_item(store, inspector, round, item.id, mark, note, Vec::new(), started + i as i64 * 60_000)
            .await?;
    }
    Ok(round)
}
