//! A district's past loaded in bulk reads back as the app's own writes would: the
//! inspection figures count its rounds and failed items, a proposal's support count is
//! its residents' distinct numbers, and a resident who supported before is recognised
//! when they support again. Each story runs on SQLite and PostgreSQL.

use gongzhi_domain::deliberation::{Hiding, NewProposal, ProposalChannel, ProposalKind};
use gongzhi_domain::inspection::{ItemDraft, Mark, Severity};
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_store::history::{PastComment, PastFinding, PastProposal, PastRound};
use gongzhi_store::inspection::NewPoint;
use gongzhi_store::testing::town;
use gongzhi_store::{on_both, Store};

on_both!(a_year_of_rounds_loaded_in_bulk_is_ranked_and_reported, loaded_supports_count_once_per_resident);

fn item(text: &str, points: u32) -> ItemDraft {
    ItemDraft { text: text.into(), points, severity: Severity::Major, category: String::new(), category_id: None }
}

async fn a_year_of_rounds_loaded_in_bulk_is_ranked_and_reported(store: Store, _url: String) {
    let t = town(&store).await;
    let now = time::now();
    let items = [item("路面无垃圾", 5), item("车辆有序停放", 3), item("无小广告", 2)];
    let checklist = store.add_checklist("创文测评", &items, None, now - 40 * DAY).await.unwrap();
    let (_, items) = store.checklist(checklist).await.unwrap();
    let new = NewPoint {
        kind: "market".into(),
        name: "柳湾农贸市场".into(),
        address: "柳湾路1号".into(),
        unit_id: t.community,
        lat: None,
        long: None,
    };
    let point = store.add_point(&t.supervisor, &new, now - 40 * DAY).await.unwrap();
    let round = |started_at, marks: [Mark; 3], finished: bool| PastRound {
        point_id: point,
        checklist_id: checklist,
        campaign_id: None,
        inspector_id: t.handler.user_id,
        started_at,
        finished_at: finished.then_some(started_at + HOUR),
        findings: items
            .iter()
            .zip(marks)
            .map(|(item, mark)| PastFinding {
                item_id: item.id,
                mark,
                note: if mark == Mark::Fail { "垃圾满溢".into() } else { String::new() },
                marked_at: started_at,
            })
            .collect(),
    };
    // Two rounds this month, one failing the first item, one with an item not
    // applicable; one half done; and one a year ago, outside the month.
    let rounds = [
        round(now - 3 * DAY, [Mark::Fail, Mark::Pass, Mark::Pass], true),
        round(now - 2 * DAY, [Mark::Pass, Mark::NotApplicable, Mark::Pass], true),
        round(now - 300 * DAY, [Mark::Fail, Mark::Fail, Mark::Fail], true),
    ];
    let ids = store.load_rounds(&rounds).await.unwrap();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids follow the order given: {ids:?}");
    let mut open = round(now - HOUR, [Mark::Pass, Mark::Pass, Mark::Pass], false);
    open.findings.truncate(1);
    let open_id = store.load_rounds(&[open]).await.unwrap()[0];

    let first = store.round(&t.supervisor, ids[0]).await.unwrap();
    assert_eq!((first.status.as_str(), first.earned, first.possible, first.failed), ("finished", 5, 10, 1));
    let second = store.round(&t.supervisor, ids[1]).await.unwrap();
    assert_eq!((second.earned, second.possible, second.failed), (7, 7, 0));
    let left = store.round(&t.supervisor, open_id).await.unwrap();
    assert_eq!((left.status.as_str(), left.possible, left.finished_at), ("open", 0, None));
    assert_eq!(store.findings(open_id).await.unwrap().len(), 1);
    assert_eq!(store.rounds_on(checklist).await.unwrap(), 4);

    let month = (now - 30 * DAY, now + DAY);
    let lines = store.rankings(&t.supervisor, month, now).await.unwrap().points;
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].rounds, lines[0].earned, lines[0].possible), (2, 12, 17));
    let section = store.inspection_section("", month, now).await.unwrap().expect("the district has a point");
    assert_eq!(section.rounds, 2);
    assert_eq!(section.worst_items.len(), 1);
    assert_eq!((section.worst_items[0].text.as_str(), section.worst_items[0].failures), ("路面无垃圾", 1));

    // A finished round must have every item marked, as the app's finish requires.
    let mut unmarked = round(now - DAY, [Mark::Pass, Mark::Pass, Mark::Pass], true);
    unmarked.findings.pop();
    assert!(store.load_rounds(&[unmarked]).await.is_err());
    assert_eq!(store.rounds_on(checklist).await.unwrap(), 4, "nothing of a refused batch is written");

    // A point in the next community fails the other two items: the district's worst
    // items count both points' failures, each community's only its own.
    let other = NewPoint { name: "桃源公园".into(), unit_id: t.other_community, ..new };
    let other = store.add_point(&t.supervisor, &other, now - 40 * DAY).await.unwrap();
    let failing = PastRound { point_id: other, ..round(now - DAY, [Mark::Pass, Mark::Fail, Mark::Fail], true) };
    store.load_rounds(&[failing]).await.unwrap();
    let worst = |path: String| {
        let store = store.clone();
        async move {
            let section = store.inspection_section(&path, month, now).await.unwrap().expect("a point");
            section.worst_items.iter().map(|i| (i.text.clone(), i.failures)).collect::<Vec<_>>()
        }
    };
    let path_of = |id: i64| {
        let store = store.clone();
        async move { store.unit(id).await.unwrap().path }
    };
    let district = worst(path_of(t.district).await).await;
    assert_eq!(district.len(), 3, "{district:?}");
    assert!(district.iter().all(|(_, n)| *n == 1), "{district:?}");
    assert_eq!(worst(path_of(t.community).await).await, [("路面无垃圾".to_string(), 1)]);
    let next_door = worst(path_of(t.other_community).await).await;
    assert_eq!(next_door, [("无小广告".to_string(), 1), ("车辆有序停放".to_string(), 1)]);
}

async fn loaded_supports_count_once_per_resident(store: Store, _url: String) {
    let t = town(&store).await;
    let now = time::now();
    let proposal = |title: &str, supports: &[&str]| PastProposal {
        new: NewProposal {
            kind: ProposalKind::Suggestion,
            channel: ProposalChannel::Portal,
            unit_id: t.community,
            title: title.into(),
            content: "楼下电动车经常飞线充电，建议建设集中充电棚".into(),
            proposer_name: "王先生".into(),
            proposer_phone: "138 0000 0001".into(),
        },
        recorded_by: None,
        created_at: now - 10 * DAY,
        supports: supports.iter().map(|phone| (phone.to_string(), now - 9 * DAY)).collect(),
        comments: vec![
            PastComment {
                author_name: "李阿姨".into(),
                phone: "13900000002".into(),
                body: "支持！".into(),
                created_at: now - 9 * DAY,
                hidden: None,
            },
            PastComment {
                author_name: String::new(),
                phone: "13900000003".into(),
                body: "我的电话是13900000003".into(),
                created_at: now - 8 * DAY,
                hidden: Some(Hiding { by: t.handler.user_id, at: now - 7 * DAY, reason: "含有个人信息".into() }),
            },
        ],
    };
    // The same neighbour typed twice, differently, counts once.
    let ids = store
        .load_proposals(&[
            proposal("增设充电桩", &["13700000001", "137 0000 0001", "13700000002"]),
            proposal("更换健身器材", &[]),
        ])
        .await
        .unwrap();
    assert_eq!(store.proposal_count().await.unwrap(), 2);
    let view = store.proposal(ids[0]).await.unwrap();
    assert_eq!(view.proposal.supports, 2);
    assert_eq!(view.proposal.new.proposer_phone, gongzhi_domain::phone::mask("13800000001"));
    assert_eq!(view.comments.len(), 1, "the hidden comment is not shown");
    assert_eq!(store.proposal(ids[1]).await.unwrap().proposal.supports, 0);

    // At the portal afterwards: a neighbour who supported is told so, a new one counts.
    assert!(!store.support(ids[0], "13700000002", ("support:test", 60_000, 100), now).await.unwrap());
    assert!(store.support(ids[0], "13700000009", ("support:test", 60_000, 100), now).await.unwrap());
    assert_eq!(store.proposal(ids[0]).await.unwrap().proposal.supports, 3);
}
