//! The demo district's 小板凳议事会: in the community of the demo community handler,
//! residents' suggestions and wishes with supports and comments; a meeting three weeks
//! ago that adopted one (its request since done and judged by the proposer) and declined
//! another with its reason; one last week that adopted a third (being handled) and
//! deferred a fourth; and a wish still waiting — all through the same use cases the pages
//! use.

use anyhow::{Context as _, Result};
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::ProposalKind::{self, Suggestion, Wish};
use gongzhi_domain::deliberation::{Adoption, Decision, NewComment, NewMeeting, NewProposal, ProposalChannel};
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::{Actor, Command, Satisfaction};
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
        // The demo's residents confirmed their numbers by a code.
        let id = deliberate::submit(store, new, true, at).await?;
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
    let cadre_actor = Actor::Staff(staff.clone());
    // The community's 下沉党员 took part in both meetings.
    let volunteers: Vec<i64> = accounts.iter().filter(|a| a.login == "volunteer_c001").map(|a| a.id).collect();
    let meet = |topic: &str, minutes: &str, held_at, agenda| NewMeeting {
        unit_id: community,
        held_at,
        place: "社区党群服务中心院坝".into(),
        topic: topic.into(),
        participants: "居民代表 14 人，社区书记，网格员 2 人，下沉党员 3 人".into(),
        minutes: minutes.into(),
        agenda,
        volunteers: volunteers.clone(),
    };
    let adopt = |deadline| Decision::Adopt(Adoption { unit_id: community, responsible_id: cadre.id, deadline });
    // Three weeks ago: the handrails adopted, done and judged; the parcel lockers declined.
    let earlier = now - 21 * DAY;
    let minutes = "扶手一事大家一致同意，由社区牵头、物业配合安装；快递柜因门口为消防通道不宜设置。";
    let meeting = meet("小板凳议事会：楼道扶手和快递柜", minutes, earlier, vec![ids[0], ids[1]]);
    let meeting_id = deliberate::hold_meeting(store, &staff, meeting, Vec::new(), earlier).await?;
    let handrails = deliberate::decide(store, &staff, meeting_id, ids[0], adopt(earlier + 14 * DAY), earlier).await?;
    let reason = "小区门口是消防通道，不能放快递柜；已请物业在车棚旁另选位置，下次议事会再商量。";
    let decline = Decision::Decline { reason: reason.into() };
    deliberate::decide(store, &staff, meeting_id, ids[1], decline, earlier).await?;
    // Adopted to the community and claimed by its cadre at the meeting; handled since.
    let handled = [
        (Command::Progress { note: "扶手材料已订，周六安装。".into() }, cadre_actor.clone(), 19 * DAY),
        (
            Command::Resolve {
                reply: "3栋1单元扶手已装好，物业每月检查一次。".into(), contacted: true
            },
            cadre_actor.clone(),
            18 * DAY,
        ),
        (
            Command::Evaluate {
                solved: true,
                satisfaction: Satisfaction::Satisfied,
                comment: "老人上下楼方便多了。".into(),
            },
            Actor::Requester,
            17 * DAY,
        ),
    ];
    steps(store, handrails, handled, now).await?;
    // Last week: the charging points adopted and being handled; the dancing deferred.
    let lately = now - 3 * DAY;
    let minutes = "充电桩先在车棚装 10 个，物业提供电源；广场舞时间再听听跳舞的居民意见，下次再议。";
    let meeting = meet("小板凳议事会：充电桩和广场舞", minutes, lately, vec![ids[2], ids[4]]);
    let meeting_id = deliberate::hold_meeting(store, &staff, meeting, Vec::new(), lately).await?;
    let charging = deliberate::decide(store, &staff, meeting_id, ids[2], adopt(now + 20 * DAY), lately).await?;
    deliberate::decide(store, &staff, meeting_id, ids[4], Decision::Defer, lately).await?;
    let handling = [(Command::Progress { note: "已和供电所确认容量，下周施工。".into() }, cadre_actor, DAY)];
    steps(store, charging, handling, now).await?;
    Ok(())
}

/// Takes the request an adoption became through `steps`, each `(command, actor, how long
/// ago)`, the way every request goes.
async fn steps<const N: usize>(
    store: &Store,
    request: Option<i64>,
    steps: [(Command, Actor, i64); N],
    now: i64,
) -> Result<()> {
    let Some(request) = request else { return Ok(()) };
    for (command, actor, ago) in steps {
        gongzhi_app::act(store, gongzhi_app::Act::new(request, None, command, actor).at(now - ago)).await?;
    }
    Ok(())
}
