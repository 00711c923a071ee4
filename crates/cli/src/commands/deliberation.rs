//! The demo district's 小板凳议事会: in the community of the demo community handler,
//! residents' suggestions and wishes with supports and comments, a meeting three weeks
//! ago that adopted one (its request now being handled, a progress note written) and
//! declined another with its reason, and proposals still waiting for the next meeting —
//! all through the same use cases the pages use.

use anyhow::{Context as _, Result};
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::ProposalKind::{self, Suggestion, Wish};
use gongzhi_domain::deliberation::{Adoption, Decision, NewComment, NewMeeting, NewProposal, ProposalChannel};
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::{Actor, Command};
use gongzhi_store::Store;

/// (kind, title, content, proposer, supports)
const PROPOSALS: &[(ProposalKind, &str, &str, &str, u32)] = &[
    (Wish, "楼道装扶手", "3栋1单元楼道没有扶手，楼里老人多，上下楼很吃力，希望装上扶手。", "王阿姨", 9),
    (Suggestion, "小区门口设快递柜", "快递都堆在门卫室，丢件多，建议在小区门口设快递柜。", "李先生", 6),
    (Suggestion, "增设电动车充电桩", "楼道里飞线充电很危险，建议在车棚增设充电桩。", "张师傅", 12),
    (Wish, "帮独居老人修水龙头", "5栋独居的刘奶奶家水龙头漏水，想请志愿者帮忙修一修。", "邻居小陈", 4),
    (Suggestion, "广场舞音量限时", "晚上九点以后广场舞音响太响，建议约定时间和音量。", "赵老师", 3),
];

pub async fn demo(store: &Store) -> Result<()> {
    let accounts = store.accounts().await?;
    let cadre = accounts.iter().find(|a| a.login == "handler_c001").context("the demo has a community handler")?;
    let staff = cadre.staff();
    let community = cadre.unit_id;
    let now = time::now();
    let mut ids = Vec::new();
    for (n, (kind, title, content, name, supports)) in PROPOSALS.iter().enumerate() {
        let at = now - (30 - n as i64 * 2) * DAY;
        let new = NewProposal {
            kind: *kind,
            channel: ProposalChannel::Portal,
            unit_id: community,
            title: title.to_string(),
            content: content.to_string(),
            proposer_name: name.to_string(),
            proposer_phone: format!("1390000{:04}", n),
        };
        let id = deliberate::submit(store, new, at).await?;
        for s in 0..*supports {
            let phone = format!("1370000{:02}{:02}", n, s);
            deliberate::support(store, id, &phone, &format!("demo-{n}-{s}"), at + HOUR).await?;
        }
        ids.push(id);
    }
    let comment = |proposal_id: i64, author: &str, body: &str| NewComment {
        proposal_id,
        author_name: author.to_string(),
        phone: "13600000001".into(),
        body: body.to_string(),
    };
    deliberate::comment(store, comment(ids[0], "楼上邻居", "我妈也住这栋，很需要，支持！"), now - 25 * DAY).await?;
    deliberate::comment(store, comment(ids[2], "物业小周", "车棚有电源，可以先装 10 个。"), now - 24 * DAY).await?;
    let held_at = now - 21 * DAY;
    let meeting = NewMeeting {
        unit_id: community,
        held_at,
        place: "社区党群服务中心院坝".into(),
        topic: "四月小板凳议事会".into(),
        participants: "居民代表 14 人，社区书记，网格员 2 人，下沉党员 3 人".into(),
        minutes: "扶手一事大家一致同意，由社区牵头、物业配合安装；快递柜因门口为消防通道不宜设置。".into(),
        agenda: vec![ids[0], ids[1]],
    };
    let meeting_id = deliberate::hold_meeting(store, &staff, meeting, held_at).await?;
    let adoption = Adoption { unit_id: community, responsible_id: cadre.id, deadline: now + 20 * DAY };
    let request = deliberate::decide(store, &staff, meeting_id, ids[0], Decision::Adopt(adoption), held_at).await?;
    let reason = "小区门口是消防通道，不能放快递柜；已请物业在车棚旁另选位置，下次议事会再商量。";
    let decline = Decision::Decline { reason: reason.into() };
    deliberate::decide(store, &staff, meeting_id, ids[1], decline, held_at).await?;
    // The adopted wish goes the way every request goes; the demo leaves it being handled.
    if let Some(request) = request {
        let find = |login: &str| accounts.iter().find(|a| a.login == login).map(|a| Actor::Staff(a.staff()));
        let (operator, dispatcher) = (find("operator").context("operator")?, find("dispatcher").context("dispatcher")?);
        let dispatch =
            Command::Dispatch { unit_id: community, co_unit_ids: vec![], instructions: "议事会决定".into() };
        let progress = Command::Progress { note: "扶手材料已订，下周六安装。".into() };
        let steps = [
            (Command::Accept, operator, 20),
            (dispatch, dispatcher, 20),
            (Command::Claim, Actor::Staff(staff.clone()), 19),
            (progress, Actor::Staff(staff.clone()), 10),
        ];
        for (command, actor, days_ago) in steps {
            let act = gongzhi_app::Act::new(request, None, command, actor).at(now - days_ago * DAY);
            gongzhi_app::act(store, act).await?;
        }
    }
    Ok(())
}
