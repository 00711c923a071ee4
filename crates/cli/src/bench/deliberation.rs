//! The deliberation side of `gongzhi bench-proactive`: a year of proposals and wishes in
//! the district's communities and villages, with their supports and comments — then a
//! community's page, a proposal's page and a resident's support, measured over HTTP.
//!
//! Proposals go in bulk (`deliberation::load_past_proposals`) and stay open: the number
//! of supports follows a long tail (most have a handful, one in a hundred some hundreds),
//! about one comment in fifty has been hidden by the community's staff.

use std::time::Instant;

use anyhow::Result;
use gongzhi_domain::deliberation::{Hiding, NewProposal, ProposalChannel, ProposalKind};
use gongzhi_domain::role::Role;
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::unit::UnitKind;
use gongzhi_store::history::{PastComment, PastProposal};
use gongzhi_store::Store;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::proactive::Measuring;
use super::publishing::CSRF;
use super::{round, timed, timed_requests};
use crate::synth::{mobile_phone, person_name};

/// What the issue asks for.
pub const PROPOSALS: usize = 100_000;
/// Proposals written per transaction.
const BATCH: usize = 5_000;

const SUGGESTIONS: &[(&str, &str)] = &[
    ("增设电动自行车集中充电桩", "楼下电动车经常飞线充电，存在火灾隐患，建议在空地建设集中充电棚"),
    ("更换小区老化的健身器材", "广场上的健身器材锈蚀松动，老人孩子使用不安全"),
    ("在学校路口加装减速带", "上下学时段车速快，孩子过马路很危险"),
    ("小区增设垃圾分类投放点", "现有垃圾桶数量不够，经常满溢，分类指引也不清楚"),
    ("楼道加装感应灯", "晚上楼道漆黑，老人上下楼容易摔倒"),
    ("规划老旧小区停车位", "车辆乱停乱放堵塞消防通道，建议重新划线"),
    ("修缮破损的人行道", "人行道地砖松动翘起，雨天踩上去溅一身泥水"),
    ("开设社区老年食堂", "独居老人多，做饭不方便，希望社区提供助餐服务"),
    ("增加公交班次", "早高峰等车时间太长，希望增加班次或延长运营时间"),
    ("整治小区周边油烟扰民", "临街餐馆油烟直排，楼上住户不敢开窗"),
    ("在河边步道安装护栏", "河边步道没有护栏，晚上散步有落水危险"),
    ("建设儿童游乐场地", "小区没有儿童活动场所，孩子只能在停车场玩耍"),
    ("加装老旧楼栋电梯", "六层老楼没有电梯，老人上下楼非常困难"),
    ("清理楼顶违章搭建", "顶楼违建影响防水和安全，希望统一清理"),
    ("设立快递集中收发点", "快递堆放在门口容易丢失，建议设置智能快递柜"),
    ("小区绿化带补种树木", "绿化带大片裸土，刮风时尘土飞扬"),
];

const WISHES: &[(&str, &str)] = &[
    ("为独居老人上门理发", "家中老人行动不便，希望志愿者能上门理发"),
    ("帮助留守儿童辅导功课", "父母在外务工，孩子作业没人辅导"),
    ("为残疾人家庭修缮门窗", "家里门窗漏风，冬天很冷，自己无力维修"),
    ("陪伴空巢老人聊天", "老人平时一个人在家，希望有人定期来陪陪"),
    ("捐赠一批儿童图书", "社区书屋儿童读物太少，希望大家捐书"),
    ("帮忙疏通下水管道", "家里下水道堵了，老人不会处理"),
];

const COMMENTS: &[&str] = &[
    "支持！这个问题困扰我们很久了",
    "同意，建议尽快落实",
    "我家也遇到同样的问题",
    "希望社区能开会讨论一下",
    "费用怎么分摊需要说清楚",
    "可以先做个调查问卷，听听大家的意见",
    "赞成，我愿意参加志愿服务",
];

/// The `i`th proposal of the year, always the same for the same `i`.
fn past_proposal(places: &[(i64, Option<i64>)], i: usize, start: Millis, now: Millis) -> PastProposal {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xde1b ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let slot = (now - start) / PROPOSALS as i64;
    let created_at = start + i as i64 * slot + rng.gen_range(0..slot.max(1));
    let (unit_id, recorder) = places[rng.gen_range(0..places.len())];
    let wish = rng.gen_bool(0.25);
    let (title, content) =
        if wish { WISHES[rng.gen_range(0..WISHES.len())] } else { SUGGESTIONS[rng.gen_range(0..SUGGESTIONS.len())] };
    let paper = rng.gen_bool(0.15);
    let new = NewProposal {
        kind: if wish { ProposalKind::Wish } else { ProposalKind::Suggestion },
        channel: if paper { ProposalChannel::Paper } else { ProposalChannel::Portal },
        unit_id,
        title: title.to_string(),
        content: content.to_string(),
        proposer_name: person_name(&mut rng),
        proposer_phone: if paper && rng.gen_bool(0.3) { String::new() } else { mobile_phone(&mut rng) },
    };
    // Most have a handful of supports; one in a hundred has some hundreds.
    let u: f64 = rng.gen();
    let supports = if rng.gen_bool(0.01) { rng.gen_range(50..400) } else { (20.0 * u * u * u) as usize };
    let until = |rng: &mut rand::rngs::StdRng| (created_at + rng.gen_range(0..30 * DAY)).min(now);
    let supports = (0..supports).map(|_| (mobile_phone(&mut rng), until(&mut rng))).collect();
    let comments = (0..rng.gen_range(0..4))
        .map(|_| {
            let at = until(&mut rng);
            PastComment {
                author_name: if rng.gen_bool(0.5) { person_name(&mut rng) } else { String::new() },
                phone: mobile_phone(&mut rng),
                body: COMMENTS[rng.gen_range(0..COMMENTS.len())].to_string(),
                created_at: at,
                hidden: match recorder {
                    Some(by) if rng.gen_bool(0.02) => {
                        Some(Hiding { by, at: at + DAY, reason: "含有个人信息，已隐藏".to_string() })
                    }
                    _ => None,
                },
            }
        })
        .collect();
    PastProposal { new, recorded_by: if paper { recorder } else { None }, created_at, supports, comments }
}

/// The communities and villages with their staff member who records and moderates.
async fn places(store: &Store) -> Result<Vec<(i64, Option<i64>)>> {
    let accounts = store.accounts().await?;
    Ok(store
        .units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village))
        .map(|u| (u.id, accounts.iter().find(|a| a.role == Role::Handler && a.unit_id == u.id).map(|a| a.id)))
        .collect())
}

/// Writes the proposals not there yet.
pub async fn load(store: &Store, proposals: usize) -> Result<Value> {
    let started = Instant::now();
    let have = store.proposal_count().await? as usize;
    let places = places(store).await?;
    let now = time::now();
    let start = now - 365 * DAY;
    let (mut supports, mut comments) = (0, 0);
    let mut i = have;
    while i < proposals {
        let end = (i + BATCH).min(proposals);
        let batch: Vec<PastProposal> = (i..end).map(|i| past_proposal(&places, i, start, now)).collect();
        supports += batch.iter().map(|p| p.supports.len()).sum::<usize>();
        comments += batch.iter().map(|p| p.comments.len()).sum::<usize>();
        gongzhi_app::deliberation::load_past_proposals(store, &batch).await?;
        // Every 20,000, wherever an earlier run stopped.
        let reported = end / 20_000 > i / 20_000 || end == proposals;
        i = end;
        if reported {
            eprintln!("bench-proactive: {i} proposals written after {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(json!({
        "proposals_before": have,
        "proposals_written": proposals.saturating_sub(have),
        "supports_written": supports,
        "comments_written": comments,
        "seconds": round(started.elapsed().as_secs_f64()),
    }))
}

/// What the measures need: the places with proposals and how many proposals there are.
pub struct Cast {
    places: Vec<i64>,
    proposals: i64,
}

pub async fn cast(store: &Store) -> Result<Cast> {
    Ok(Cast {
        places: places(store).await?.into_iter().map(|(id, _)| id).collect(),
        proposals: store.proposal_count().await?,
    })
}

pub async fn measure(measuring: &Measuring<'_>, cast: &Cast) -> Result<Vec<(&'static str, Value)>> {
    let Measuring { client, base, samples, clients } = *measuring;
    let mut rng = rand::rngs::StdRng::seed_from_u64(time::now() as u64);
    let mut out = Vec::new();
    // Residents read without an account: no token.
    let community: Vec<(String, String)> = (0..samples)
        .map(|i| {
            let place = cast.places[rng.gen_range(0..cast.places.len())];
            let order = if i % 2 == 0 { "" } else { "?order=supported" };
            (format!("{base}/communities/{place}{order}"), String::new())
        })
        .collect();
    out.push(("community_page", timed(client, community, clients).await?));
    let proposal_ids: Vec<i64> = (0..samples).map(|_| rng.gen_range(1..=cast.proposals.max(1))).collect();
    let pages = proposal_ids.iter().map(|id| (format!("{base}/proposals/{id}"), String::new())).collect();
    out.push(("proposal_page", timed(client, pages, clients).await?));

    // Supports as the portal's form sends them, each from its own phone and address (the
    // server is told to believe the proxy's X-Forwarded-For, as behind one), so that each
    // counts and none is throttled.
    let run = time::now() as u64 % 1_000_000;
    let supports: Vec<(String, String, String)> = (0..samples)
        .map(|i| {
            let id = proposal_ids[rng.gen_range(0..proposal_ids.len())];
            let phone = format!("1{}{:09}", 3 + i % 7, (run * 1_000 + i as u64) % 1_000_000_000);
            let address = format!("10.{}.{}.{}", (run / 1_000) % 256, i / 250 % 256, i % 250 + 1);
            (format!("{base}/proposals/{id}/support"), phone, address)
        })
        .collect();
    let poster = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let support = move |i: usize| {
        let (url, phone, address) = &supports[i];
        poster
            .post(url)
            .header("cookie", format!("gongzhi_csrf={CSRF}"))
            .header("x-forwarded-for", address)
            .form(&[("_csrf", CSRF), ("phone", phone)])
    };
    out.push(("support", timed_requests(samples, clients, support, |s| s == reqwest::StatusCode::SEE_OTHER).await?));
    Ok(out)
}
