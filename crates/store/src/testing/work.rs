//! Histories for the stories of the three lists, dashboards and bulletins: a week of
//! claims by two cadres and a month of every kind of work.

use gongzhi_domain::time::{self, Millis, DAY, HOUR};
use gongzhi_domain::*;

use super::{dispatched, manhole, staff, Town};
use crate::{Imported, Store};

/// The handler of 柳湾社区 claims five requests: two resolved with progress notes, one
/// resolved without any, one of those closed by the requester's verdict, one in hand,
/// and one handed back. The handler of 桃源社区 claims two; one more waits unclaimed.
pub async fn week_of_claims(store: &Store, t: &Town) -> Vec<i64> {
    let mut mine = Vec::new();
    for i in 0..6 {
        let r = dispatched(store, t, manhole(t.community, Some(t.category))).await;
        store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
        if i == 5 {
            store.act(r.id, None, Command::Return { reason: "非本社区事项".into() }, staff(&t.handler)).await.unwrap();
            continue;
        }
        mine.push(r.id);
        if i < 2 {
            let note = Command::Progress { note: "已联系市政养护单位到场查看".into() };
            store.act(r.id, None, note, staff(&t.handler)).await.unwrap();
        }
        if i < 3 {
            let resolve = Command::Resolve { reply: "已补装井盖并电话告知".into(), contacted: true };
            store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap();
        }
        if i == 0 {
            let verdict =
                Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
            store.act(r.id, None, verdict, Actor::Requester).await.unwrap();
        }
    }
    for _ in 0..2 {
        let r = dispatched(store, t, manhole(t.other_community, Some(t.category))).await;
        store.act(r.id, None, Command::Claim, staff(&t.other_handler)).await.unwrap();
    }
    dispatched(store, t, manhole(t.community, Some(t.category))).await;
    mine
}

/// A month of work in the town, started 30 days ago: answered and rejected at intake,
/// returned and sent on, left waiting past the deadline (and called about again),
/// resolved in time and late, evaluated, reopened, merged; some filed without a category.
pub async fn month_of_work(store: &Store, t: &Town) -> Millis {
    let now = time::now();
    let start = now - 30 * DAY;
    let mut first_resolved = None;
    for i in 0..27_i64 {
        let at = start + i * HOUR;
        let (unit, handler) =
            if i % 2 == 0 { (t.community, &t.handler) } else { (t.other_community, &t.other_handler) };
        let category = (i % 5 != 0).then_some(t.category);
        let mut request = Request::submitted(manhole(unit, category), String::new(), at);
        request.unit_path = store.unit(unit).await.unwrap().path;
        let id = store.import(vec![Imported { request, events: vec![] }]).await.unwrap()[0];
        let act = |command: Command, actor: Actor, at: Millis| {
            let store = store.clone();
            async move { store.act_at(id, None, command, actor, at).await.unwrap() }
        };
        let operator = staff(&t.operator);
        match i % 9 {
            0 => {
                act(Command::Answer { reply: "已电话解答政策".into() }, operator, at + HOUR).await;
                continue;
            }
            1 => {
                act(Command::Reject { reason: "不属于受理范围".into() }, operator, at + HOUR).await;
                continue;
            }
            _ => act(Command::Accept, operator, at + HOUR).await,
        };
        if i % 9 == 8 {
            let into = first_resolved.expect("an earlier request was resolved");
            act(Command::Merge { into }, staff(&t.dispatcher), at + 2 * HOUR).await;
            continue;
        }
        act(
            Command::Dispatch { unit_id: unit, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.dispatcher),
            at + 2 * HOUR,
        )
        .await;
        let me = staff(handler);
        match i % 9 {
            2 => {
                act(Command::Return { reason: "非本社区事项".into() }, me, at + 3 * HOUR).await;
                let department =
                    Command::Dispatch { unit_id: t.department, co_unit_ids: vec![], instructions: String::new() };
                act(department, staff(&t.dispatcher), at + 4 * HOUR).await;
            }
            3 => {
                // Called about again while it waits: twice, the second time.
                for n in 0..=(i % 2) {
                    let call = Command::RepeatCall { phone: "13900002222".into(), note: "又来电催问".into() };
                    act(call, staff(&t.operator), at + (3 + n) * HOUR).await;
                }
            }
            4 => {
                act(Command::Claim, me.clone(), at + 3 * HOUR).await;
                act(Command::Progress { note: "已到现场查看并联系养护单位".into() }, me.clone(), at + 4 * HOUR).await;
                act(Command::Resolve { reply: "已补装井盖".into(), contacted: true }, me, at + 5 * HOUR).await;
                let verdict =
                    Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
                act(verdict, Actor::Requester, at + 6 * HOUR).await;
                first_resolved.get_or_insert(id);
            }
            5 => {
                act(Command::Claim, me.clone(), at + 3 * DAY).await;
                act(Command::Resolve { reply: "已处理".into(), contacted: false }, me, now - HOUR).await;
            }
            6 => {
                act(Command::Claim, me.clone(), at + 3 * HOUR).await;
                act(Command::Resolve { reply: "已处理".into(), contacted: true }, me, at + 5 * HOUR).await;
                let verdict = Command::Evaluate {
                    solved: false,
                    satisfaction: Satisfaction::Unsatisfied,
                    comment: String::new(),
                };
                act(verdict, Actor::Requester, at + 6 * HOUR).await;
                act(Command::Reopen { reason: "仍未解决".into() }, Actor::Requester, at + 7 * HOUR).await;
            }
            _ => {
                act(Command::Claim, me, at + 3 * HOUR).await;
            }
        }
    }
    now
}
