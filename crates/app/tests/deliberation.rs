//! 小板凳议事会: residents put forward wishes and suggestions, support and discuss them,
//! a community meeting decides, and what it adopts is followed as a request to its close.
//! Each story runs on SQLite and PostgreSQL.

use gongzhi_app::deliberation::{self as delib};
use gongzhi_app::{act, Act, AppError};
use gongzhi_domain::deliberation::{
    Adoption, Decision, NewComment, NewMeeting, NewProposal, ProposalChannel, ProposalKind, ProposalStatus,
    SUPPORTS_PER_MINUTE,
};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::*;
use gongzhi_store::deliberation::ProposalOrder;
use gongzhi_store::testing::{staff, town, Town};
use gongzhi_store::{on_both, Store, StoreError};

on_both!(
    a_supported_wish_is_adopted_and_followed_to_its_close,
    a_declined_proposal_shows_its_reason_and_a_deferred_one_comes_back,
    a_hidden_comment_leaves_the_public_page_but_its_hiding_is_kept,
    supports_from_one_address_are_throttled,
);

fn wish(unit_id: i64) -> NewProposal {
    NewProposal {
        kind: ProposalKind::Wish,
        channel: ProposalChannel::Portal,
        unit_id,
        title: "3栋楼道装扶手".into(),
        content: "3栋住的老人多，楼道没有扶手，上下楼很不安全，希望能装上扶手。".into(),
        proposer_name: "李阿姨".into(),
        proposer_phone: "13800000001".into(),
    }
}

fn suggestion(unit_id: i64, title: &str) -> NewProposal {
    NewProposal {
        kind: ProposalKind::Suggestion,
        title: title.into(),
        proposer_phone: "13900000009".into(),
        ..wish(unit_id)
    }
}

fn meeting(unit_id: i64, agenda: Vec<i64>) -> NewMeeting {
    NewMeeting {
        unit_id,
        held_at: time::now(),
        place: "柳湾社区3栋楼下".into(),
        topic: "楼道改造".into(),
        participants: "居民12人，社区干部2人，下沉党员3人".into(),
        minutes: "大家一致同意先装扶手。".into(),
        agenda,
        volunteers: vec![],
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Store(StoreError::Refused(code))) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn absent<T: std::fmt::Debug>(result: Result<T, AppError>) {
    assert!(matches!(result, Err(AppError::Store(StoreError::NotFound))), "expected absent, got {result:?}");
}

async fn a_supported_wish_is_adopted_and_followed_to_its_close(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let id = delib::submit(store, wish(t.community), true, now).await.unwrap();
    let other = delib::submit(store, suggestion(t.community, "小区增设充电桩"), true, now + 1).await.unwrap();

    // Three neighbours support it; the first one again, typed differently, counts once.
    let mut counted = Vec::new();
    for phone in ["13700000001", "13700000002", "13700000003", "137 0000 0001"] {
        counted.push(delib::support(store, id, phone, "10.0.0.1", now).await.unwrap());
    }
    assert_eq!(counted, [true, true, true, false]);
    // Sent at the same moment, the same number still counts once.
    let again = || delib::support(store, id, "13700000003", "10.0.0.4", now);
    let burst = tokio::join!(again(), again(), again(), again());
    assert_eq!([burst.0, burst.1, burst.2, burst.3].map(Result::unwrap), [false; 4]);
    delib::support(store, other, "13700000004", "10.0.0.2", now).await.unwrap();
    delib::comment(
        store,
        NewComment {
            proposal_id: id,
            author_name: "张师傅".into(),
            phone: "13700000002".into(),
            body: "赞成！".into(),
        },
        now,
    )
    .await
    .unwrap();

    // The community page lists the most supported first, or the latest.
    let ids = |ps: Vec<gongzhi_domain::deliberation::Proposal>| ps.iter().map(|p| p.id).collect::<Vec<_>>();
    let most = delib::proposals(store, t.community, ProposalOrder::MostSupported, 0, 20).await.unwrap();
    assert_eq!((ids(most.clone()), most[0].supports), (vec![id, other], 3));
    let latest = delib::proposals(store, t.community, ProposalOrder::Latest, 0, 20).await.unwrap();
    assert_eq!(ids(latest), vec![other, id]);
    assert_eq!(ids(delib::proposals(store, t.community, ProposalOrder::Latest, 1, 1).await.unwrap()), vec![id]);
    assert!(delib::proposals(store, t.other_community, ProposalOrder::Latest, 0, 20).await.unwrap().is_empty());

    // The community's handler holds the meeting; the wish is put on its agenda.
    let meeting_id = delib::hold_meeting(store, &t.handler, meeting(t.community, vec![id]), vec![], now).await.unwrap();
    assert_eq!(delib::proposal(store, id).await.unwrap().proposal.status, ProposalStatus::OnAgenda);

    // Adopted: it becomes a request of the meeting channel, with the proposer as requester,
    // carrying what the meeting promised: sent to the community, taken on by its handler
    // at the meeting, due by the meeting's deadline.
    let adoption = Adoption { unit_id: t.community, responsible_id: t.handler.user_id, deadline: now + 14 * DAY };
    let request_id = delib::decide(store, &t.handler, meeting_id, id, Decision::Adopt(adoption.clone()), now)
        .await
        .unwrap()
        .expect("an adoption creates a request");
    let request = store.request(request_id, &t.operator).await.unwrap();
    assert_eq!(
        (request.new.channel, request.new.kind, request.status),
        (Channel::Meeting, Kind::Help, Status::InProgress)
    );
    assert_eq!(
        (request.assignee_unit_id, request.handler_id, request.resolve_by, request.claimed_at),
        (Some(t.community), Some(t.handler.user_id), Some(now + 14 * DAY), Some(now))
    );
    assert!(request.respond_by.is_some_and(|due| due <= now + 14 * DAY));
    // Its history says so in the lifecycle's own steps.
    let history = store.events_of(request_id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["submit", "adopt", "claim"]);
    assert_eq!((request.new.unit_id, request.new.requester_phone.as_str()), (t.community, "13800000001"));
    let view = delib::proposal(store, id).await.unwrap();
    assert_eq!((view.proposal.status, view.proposal.supports), (ProposalStatus::Adopted, 3));
    // Hot issues weigh the request with the supports the proposal gathered.
    let supports = store.supports_of(&[request_id, request_id + 1000]).await.unwrap();
    assert_eq!(supports.into_iter().collect::<Vec<_>>(), vec![(request_id, 3)]);
    assert_eq!(view.proposal.new.proposer_phone, "138****0001", "the public page masks the number");
    assert_eq!(view.agenda[0].decision, Some(Decision::Adopt(adoption)));
    assert_eq!(view.request().map(|r| (r.id, r.status)), Some((request_id, Status::InProgress)));

    // Decided is decided: no second decision, no more supports.
    let again = delib::decide(store, &t.handler, meeting_id, id, Decision::Defer, now).await;
    assert_eq!(refusal(again), "not_on_agenda");
    assert_eq!(refusal(delib::support(store, id, "13700000009", "10.0.0.3", now).await), "supports_closed");

    // Adoption is the meeting's: no other form takes it.
    let adopt = Command::Adopt { unit_id: t.community, due: now + DAY, instructions: String::new() };
    assert_eq!(refusal(act(store, Act::new(request_id, None, adopt, staff(&t.handler))).await), "meeting_action");

    // The request goes the way every request goes, to the proposer's verdict.
    let steps = [
        (Command::Resolve { reply: "扶手已装好。".into(), contacted: true }, staff(&t.handler)),
        (
            Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() },
            Actor::Requester,
        ),
    ];
    for (command, actor) in steps {
        act(store, Act::new(request_id, None, command, actor)).await.unwrap();
    }
    let view = delib::proposal(store, id).await.unwrap();
    let followed = view.request().unwrap();
    assert_eq!(followed.status, Status::Closed);
    assert!(followed.resolved_at.is_some() && followed.closed_at.is_some());

    // The community's meetings list it with its agenda and the decision.
    let meetings = delib::meetings(store, t.community, 10).await.unwrap();
    assert_eq!(meetings.iter().map(|m| (m.id, m.new.agenda.clone())).collect::<Vec<_>>(), vec![(meeting_id, vec![id])]);
    let (_, agenda) = delib::meeting(store, meeting_id).await.unwrap();
    assert_eq!(agenda[0].request.as_ref().map(|r| r.status), Some(Status::Closed));
}

async fn a_declined_proposal_shows_its_reason_and_a_deferred_one_comes_back(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let parking = delib::submit(store, suggestion(t.community, "把绿地改成停车位"), true, now).await.unwrap();
    // Written on paper at the meeting, without a phone number, and copied by the cadre.
    let paper = NewProposal { proposer_phone: String::new(), ..suggestion(t.community, "周末办跳蚤市场") };
    let market = delib::record_paper(store, &t.handler, paper.clone(), now).await.unwrap();
    assert_eq!(refusal(delib::record_paper(store, &t.operator, paper, now).await), "not_community_staff");

    // A meeting takes up only its own community's proposals.
    let elsewhere = delib::submit(store, suggestion(t.other_community, "修路灯"), true, now).await.unwrap();
    let mixed =
        delib::hold_meeting(store, &t.leader, meeting(t.community, vec![parking, elsewhere]), vec![], now).await;
    assert!(matches!(mixed, Err(AppError::Rule(Broken::Invalid { field: "agenda", .. }))), "{mixed:?}");
    assert_eq!(delib::proposal(store, parking).await.unwrap().proposal.status, ProposalStatus::Open, "nothing stayed");

    // The subdistrict's leader holds it; a cadre of another community cannot decide here.
    let first =
        delib::hold_meeting(store, &t.leader, meeting(t.community, vec![parking, market]), vec![], now).await.unwrap();
    let outsider = delib::decide(store, &t.other_handler, first, parking, Decision::Defer, now).await;
    absent(outsider);
    let unexplained =
        delib::decide(store, &t.leader, first, parking, Decision::Decline { reason: " ".into() }, now).await;
    assert!(matches!(unexplained, Err(AppError::Rule(Broken::Missing("reason")))));
    let past = Adoption { unit_id: t.community, responsible_id: t.handler.user_id, deadline: now - DAY };
    let late = delib::decide(store, &t.leader, first, market, Decision::Adopt(past), now).await;
    assert!(matches!(late, Err(AppError::Rule(Broken::Invalid { field: "deadline", .. }))));

    let reason = "绿地属于公共绿化，不能改作停车位；已请物业规划临时停车区。";
    let decline = Decision::Decline { reason: reason.into() };
    assert_eq!(delib::decide(store, &t.leader, first, parking, decline, now).await.unwrap(), None);
    delib::decide(store, &t.leader, first, market, Decision::Defer, now).await.unwrap();
    let declined = delib::proposal(store, parking).await.unwrap();
    assert_eq!((declined.proposal.status, declined.decline_reason()), (ProposalStatus::Declined, Some(reason)));
    assert!(declined.request().is_none());

    // The deferred one goes on the next meeting's agenda; the declined one cannot.
    assert_eq!(delib::proposal(store, market).await.unwrap().proposal.status, ProposalStatus::Deferred);
    let refused = delib::hold_meeting(store, &t.handler, meeting(t.community, vec![parking]), vec![], now).await;
    assert_eq!(refusal(refused), "proposal_state");
    let second =
        delib::hold_meeting(store, &t.handler, meeting(t.community, vec![market]), vec![], now + DAY).await.unwrap();
    let view = delib::proposal(store, market).await.unwrap();
    assert_eq!(view.proposal.status, ProposalStatus::OnAgenda);
    let taken_up: Vec<_> = view.agenda.iter().map(|e| (e.meeting_id, e.decision.clone())).collect();
    assert_eq!(taken_up, vec![(first, Some(Decision::Defer)), (second, None)]);
    // The community's page lists its meetings, the latest first, each with its agenda;
    // the refused one left none behind.
    let meetings = delib::meetings(store, t.community, 10).await.unwrap();
    let listed: Vec<_> = meetings.iter().map(|m| (m.id, m.new.agenda.clone())).collect();
    assert_eq!(listed, vec![(second, vec![market]), (first, vec![parking, market])]);
}

async fn a_hidden_comment_leaves_the_public_page_but_its_hiding_is_kept(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let id = delib::submit(store, wish(t.community), true, now).await.unwrap();
    let say = |body: &str| NewComment {
        proposal_id: id,
        author_name: String::new(),
        phone: "13700000005".into(),
        body: body.into(),
    };
    delib::comment(store, say("支持，楼里老人确实需要。"), now).await.unwrap();
    let rude = delib::comment(store, say("有事打13812345678找王某，这人就是不干事"), now).await.unwrap();

    let moderate = |who: &Staff, reason: &'static str| {
        let who = who.clone();
        async move { delib::hide_comment(store, &who, rude, reason, now).await }
    };
    absent(moderate(&t.other_handler, "含他人电话").await);
    assert_eq!(refusal(moderate(&t.operator, "含他人电话").await), "not_community_staff");
    assert!(matches!(moderate(&t.handler, "").await, Err(AppError::Rule(Broken::Missing("reason")))));
    moderate(&t.handler, "含他人电话号码和人身攻击").await.unwrap();
    assert_eq!(refusal(moderate(&t.leader, "再隐藏一次").await), "already_hidden");

    let public = delib::proposal(store, id).await.unwrap().comments;
    assert_eq!(public.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(), ["支持，楼里老人确实需要。"]);
    let all = delib::comments_to_moderate(store, &t.leader, id).await.unwrap();
    let hidden = all.iter().find(|c| c.id == rude).and_then(|c| c.hidden.clone()).expect("kept with its hiding");
    assert_eq!((hidden.by, hidden.reason.as_str(), hidden.at), (t.handler.user_id, "含他人电话号码和人身攻击", now));
    absent(delib::comments_to_moderate(store, &t.other_handler, id).await);
}

async fn supports_from_one_address_are_throttled(store: Store, _url: String) {
    let store = &store;
    let t: Town = town(store).await;
    let now = time::now();
    let id = delib::submit(store, wish(t.community), true, now).await.unwrap();
    let mut refused = 0;
    for n in 0..SUPPORTS_PER_MINUTE + 5 {
        match delib::support(store, id, &format!("1370000{n:04}"), "203.0.113.9", now).await {
            Ok(counted) => assert!(counted),
            Err(error) => {
                assert_eq!(refusal::<()>(Err(error)), "too_many_supports");
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 5);
    // Another address is not held back by the first one's burst.
    assert!(delib::support(store, id, "13600000001", "203.0.113.10", now).await.unwrap());
    assert_eq!(delib::proposal(store, id).await.unwrap().proposal.supports, SUPPORTS_PER_MINUTE + 1);
}
