//! Supervision beside `serve`: the timer that raises late orders one level and reviews
//! recent entries, and the demo district's first month of supervision — a sample with
//! some callbacks made, rework and press orders in their different states, a reminder
//! talk, the review flags — so that the pages open on something to look at.

use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Duration as Days;
use gongzhi_app::supervision::{self, OrderStep};
use gongzhi_app::{act, Act};
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::role::Role;
use gongzhi_domain::supervision::callback::{Answers, AttemptResult};
use gongzhi_domain::supervision::order::{due_after, OrderKind, DEFAULT_DAYS};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::Actor;
use gongzhi_store::{CallInput, DrawSpec, NewOrder, Store};

/// Every ten minutes: orders past their due date climb a level. Every hour: the entries
/// of the last days are reviewed. Any instance may run it; work another did first is
/// left as it is.
pub async fn timer(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        let now = time::now();
        match supervision::escalate_orders(&store, now).await {
            Ok(0) => {}
            Ok(moved) => tracing::info!(moved, "late supervision orders raised one level"),
            Err(error) => tracing::warn!(%error, "could not raise late supervision orders"),
        }
        if ticks.is_multiple_of(6) {
            if let Err(error) = supervision::review_recent(&store, now).await {
                tracing::warn!(%error, "could not review recent entries");
            }
        }
        ticks += 1;
    }
}

const ALL_YES: Answers = Answers { from_public: true, measures_known: true, result_fed_back: true, satisfied: true };

/// The demo's month of supervision, drawn and called with a fixed seed.
pub async fn demo(store: &Store) -> Result<()> {
    let accounts = store.accounts().await?;
    let supervisor = accounts
        .iter()
        .find(|a| a.role == Role::Supervisor && a.login == "supervisor")
        .context("the demo has a supervisor")?
        .staff();
    let handler_of =
        |unit: i64| accounts.iter().find(|a| a.role == Role::Handler && a.unit_id == unit).map(|a| a.staff());
    let now = time::now();
    let today = time::local_date(now);
    let spec = DrawSpec {
        unit_id: supervisor.unit_id,
        from: today - Days::days(38),
        to: today - Days::days(8),
        rule: SampleRule { rate_percent: 3, minimum: 1 },
        seed: Some(2026),
    };
    // Drawn a week ago from the month before, called back since; the rest still waits.
    let drawn_at = now - 7 * DAY;
    let (sample, items) = supervision::draw(store, &supervisor, &spec, drawn_at).await?;
    let calendar = store.settings().calendar.clone();
    let failing = [
        Answers { result_fed_back: false, ..ALL_YES },
        Answers { satisfied: false, ..ALL_YES },
        Answers { measures_known: false, result_fed_back: false, ..ALL_YES },
    ];
    let mut orders = Vec::new();
    for (n, item) in items.iter().take(12).enumerate() {
        let at = drawn_at + (n as i64 + 1) * 6 * HOUR;
        let (result, note) = match n {
            0 | 5 => (AttemptResult::NotReached, "无人接听"),
            1..=3 => (AttemptResult::Reached(failing[n - 1]), "诉求人反映的情况与办理答复不一致"),
            _ => (AttemptResult::Reached(ALL_YES), "诉求人对办理结果表示认可"),
        };
        let reason = format!("回访发现问题，请核实整改并书面答复：{note}");
        let call = CallInput {
            result,
            note: note.into(),
            rework_reason: reason,
            rework_due: due_after(&calendar, at, DEFAULT_DAYS),
        };
        if let Some(order) = supervision::call(store, &supervisor, item.id, call, at).await?.0.order_id {
            orders.push((order, item.unit_id, item.request_id, at));
        }
    }
    // One rework redone, answered and closed; one answered and waiting; the last still open.
    for (n, (order, unit, request_id, at)) in orders.iter().enumerate().take(2) {
        let Some(handler) = handler_of(*unit) else { continue };
        // A rework order is closed only over work resolved again (work answered at intake
        // went back to dispatch instead, and stays open).
        let reply = Command::Resolve {
            reply: "已重新上门，当面向诉求人反馈办理结果".into(), contacted: true
        };
        let redone = n == 0
            && act(store, Act::new(*request_id, None, reply, Actor::Staff(handler.clone())).at(at + DAY)).await.is_ok();
        let answer = OrderStep::Answer("已重新联系诉求人当面反馈办理结果，并补充整改照片".into());
        supervision::order_step(store, &handler, *order, answer, at + DAY).await?;
        if redone {
            let close = OrderStep::Close("经再次回访，诉求人确认已知晓结果".into());
            supervision::order_step(store, &supervisor, *order, close, at + 2 * DAY).await?;
        }
    }
    let late = store.lateness(&supervisor, 3, now).await?;
    for l in late.items.iter().filter(|l| l.overdue).take(2) {
        // Pressed ten days ago with three days to answer: the timer has raised it since.
        let press = NewOrder {
            kind: OrderKind::Press,
            request_id: l.request_id,
            reason: "该件已超期，请三个工作日内办结并书面说明原因".into(),
            due_at: now - 7 * DAY,
        };
        supervision::open_order(store, &supervisor, press, now - 10 * DAY).await?;
    }
    supervision::escalate_orders(store, now).await?;
    if let Some(cadre) = late.by_cadre.iter().find_map(|g| g.id.filter(|_| g.overdue > 1)) {
        let about: Vec<i64> =
            late.items.iter().filter(|l| l.handler_id == Some(cadre)).map(|l| l.request_id).take(3).collect();
        let reason = "所办诉求多件超期未结，提醒按期办结，及时向群众反馈";
        supervision::record_talk(store, &supervisor, cadre, now - 2 * DAY, reason, about, now - 2 * DAY).await?;
    }
    let run = supervision::review_entries(store, &supervisor, spec.from, today, now).await?;
    println!(
        "督查演示 / supervision demo: 抽样 {} 件 drawn, 回炉督办 {} 件 orders, 审核标记 {} 件 flagged",
        sample.items,
        orders.len() + late.items.iter().filter(|l| l.overdue).take(2).count(),
        run.flagged
    );
    Ok(())
}
