//! Figures, dashboards and bulletins on both databases: every figure's requests are
//! exactly those it counts, a bulletin's figures are the measures of its scope and
//! period, and a bulletin goes from draft through remarks to published.

use std::collections::HashMap;

use chrono::Duration;
use gongzhi_domain::bulletin::{BulletinStatus, Period, PeriodKind};
use gongzhi_domain::figures::{Selection, OPEN_OVERDUE, SELECTIONS};
use gongzhi_domain::measures::{Counters, Scoring};
use gongzhi_domain::supervision::callback::{Answers, AttemptResult};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::Role;
use gongzhi_store::testing::{manhole, month_of_work, staff, town};
use gongzhi_store::{hash_password, on_both, CallInput, DrawSpec, FigureScope, Store, StoreError};

on_both!(
    every_figure_lists_exactly_the_requests_it_counts,
    sub_units_and_categories_add_up,
    a_bulletin_goes_from_draft_to_published,
    a_bulletin_of_a_period_not_over_is_provisional_and_a_period_has_one_draft,
    the_district_admin_sets_how_units_are_scored_and_thin_data_is_not_ranked,
);

fn counter(c: &Counters, name: &str) -> i64 {
    c.values()[Counters::FIELDS.iter().position(|f| *f == name).unwrap()]
}

async fn every_figure_lists_exactly_the_requests_it_counts(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);
    let periods = [(today - Duration::days(31), today + Duration::days(40)), (today - Duration::days(29), today)];
    for unit_id in [t.district, t.street, t.community, t.other_community, t.department] {
        let unit = store.unit(unit_id).await.unwrap();
        for (from, to) in periods {
            let m = store.measures(unit_id, from, to, now).await.unwrap();
            let scope = FigureScope { unit: &unit, from, to, category: None };
            for selection in SELECTIONS {
                let listed = store.figure_requests(selection, &scope, now, 0, 500).await.unwrap();
                let expected = if selection.name == OPEN_OVERDUE.name {
                    m.overdue_count - m.counters.resolved_late
                } else {
                    counter(&m.counters, selection.name)
                };
                assert_eq!(listed.total, expected, "{} of {} for {from}..{to}", selection.name, unit.name);
                // Each request adds its weight: one, or its repeat calls.
                let weighed: i64 = listed.items.iter().map(|r| selection.weight.of(r)).sum();
                assert_eq!(weighed, listed.total);
                // Each request listed is one the rule counts, in the scope and period.
                for r in &listed.items {
                    let (counted_at, at) = selection.counts(r, now).expect("listed but not counted");
                    let path = store.unit(counted_at).await.unwrap().path;
                    assert!(path.starts_with(&unit.path), "{} {}", selection.name, r.number);
                    assert!((from..=to).contains(&time::local_date(at)));
                }
            }
        }
    }
    // The figures of the month are not trivially zero: each kind of work shows up.
    let m = store.measures(t.district, periods[0].0, periods[0].1, now).await.unwrap();
    for name in Counters::FIELDS {
        assert!(counter(&m.counters, name) > 0, "no {name} in the month's work");
    }
    assert!(m.overdue_count > m.counters.resolved_late, "some requests are still open past the deadline");

    // Pages of a figure follow one another without gaps.
    let district = store.unit(t.district).await.unwrap();
    let scope = FigureScope { unit: &district, from: periods[0].0, to: periods[0].1, category: None };
    let intake = Selection::by_name("intake").unwrap();
    let all = store.figure_requests(intake, &scope, now, 0, 500).await.unwrap();
    let first = store.figure_requests(intake, &scope, now, 0, 10).await.unwrap();
    let second = store.figure_requests(intake, &scope, now, 10, 10).await.unwrap();
    let paged: Vec<i64> = first.items.iter().chain(&second.items).map(|r| r.id).collect();
    assert_eq!(paged, all.items.iter().take(20).map(|r| r.id).collect::<Vec<_>>());
    let (from, to) = periods[0];
    let backwards = FigureScope { unit: &district, from: to, to: from, category: None };
    assert!(matches!(store.figure_requests(intake, &backwards, now, 0, 10).await, Err(StoreError::Invalid(_))));
}

async fn sub_units_and_categories_add_up(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);
    let (from, to) = (today - Duration::days(31), today + Duration::days(40));
    for parent in [t.district, t.street] {
        let children = store.measures_of_children(parent, from, to, now).await.unwrap();
        let expected: Vec<i64> =
            store.units().await.unwrap().iter().filter(|u| u.parent_id == Some(parent)).map(|u| u.id).collect();
        assert_eq!(children.iter().map(|(u, _)| u.id).collect::<Vec<_>>(), expected);
        for (child, m) in children {
            assert_eq!(m, store.measures(child.id, from, to, now).await.unwrap(), "{}", child.name);
        }
    }

    let district = store.unit(t.district).await.unwrap();
    let counts: HashMap<Option<i64>, i64> =
        store.category_intake(t.district, from, to).await.unwrap().into_iter().collect();
    assert_eq!(counts.len(), 2, "the manhole category and none: {counts:?}");
    assert_eq!(counts.values().sum::<i64>(), store.measures(t.district, from, to, now).await.unwrap().intake);
    let intake = Selection::by_name("intake").unwrap();
    for (category, n) in &counts {
        let scope = FigureScope { unit: &district, from, to, category: Some(category.unwrap_or(0)) };
        assert_eq!(store.figure_requests(intake, &scope, now, 0, 500).await.unwrap().total, *n, "{category:?}");
    }
    let community: HashMap<Option<i64>, i64> =
        store.category_intake(t.community, from, to).await.unwrap().into_iter().collect();
    assert_eq!(community.values().sum::<i64>(), store.measures(t.community, from, to, now).await.unwrap().intake);
    // Requests arriving now are counted at once.
    store.create(manhole(t.community, Some(t.category)), None, staff(&t.operator)).await.unwrap();
    let after: HashMap<Option<i64>, i64> =
        store.category_intake(t.community, from, to).await.unwrap().into_iter().collect();
    assert_eq!(after[&Some(t.category)], community[&Some(t.category)] + 1);
}

async fn a_bulletin_goes_from_draft_to_published(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);
    // The month the work came in.
    let day = time::local_date(now - 29 * DAY);
    let month = Period::of(PeriodKind::Monthly, day);

    let draft = store.generate_bulletin(&t.supervisor, t.district, PeriodKind::Monthly, day, now).await.unwrap();
    assert_eq!(draft.status, BulletinStatus::Draft);
    let content = &draft.content;
    assert_eq!((content.period, content.unit.id), (month, t.district));
    assert_eq!(content.measures, store.measures(t.district, month.from, month.to, now).await.unwrap());
    // Every sub-unit is ranked with its own measures, best score first.
    let mut ranked: Vec<i64> = content.ranking.iter().map(|r| r.unit.id).collect();
    ranked.sort();
    assert_eq!(ranked, vec![t.street, t.department]);
    for line in &content.ranking {
        assert_eq!(line.measures, store.measures(line.unit.id, month.from, month.to, now).await.unwrap());
    }
    // Places first, then departments, each best score first.
    assert_eq!(content.ranking.iter().map(|r| r.unit.department).collect::<Vec<_>>(), vec![false, true]);
    assert!(content.ranking.iter().all(|r| r.rank == Some(1) || r.measures.composite_score.is_none()));
    let month_categories: i64 = content.top_categories.iter().map(|c| c.count).sum();
    assert_eq!(month_categories, content.measures.intake);
    assert!(content.top_categories.iter().any(|c| c.name == "井盖"));
    assert!(content.overdue_units.iter().all(|u| u.overdue_count > 0));
    assert_eq!(content.callbacks, None, "no callbacks were drawn");

    // Only a supervisor writes bulletins, and only for their subtree.
    let refused = store.generate_bulletin(&t.leader, t.street, PeriodKind::Weekly, today, now).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))));
    let future = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, today + Duration::days(8), now);
    assert!(matches!(future.await, Err(StoreError::Invalid(_))));
    let week = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, today, now).await.unwrap();
    assert_eq!(week.period(), Period::of(PeriodKind::Weekly, today));
    assert!(matches!(store.bulletin(&t.leader, draft.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.bulletin(&t.leader, week.id).await.unwrap().id, week.id);
    assert_eq!(store.bulletins(&t.leader, 0, 50).await.unwrap().items.len(), 1);
    assert_eq!(store.bulletins(&t.supervisor, 0, 50).await.unwrap().total, 2);

    // Remarks, then publication; the public sees only what is published.
    assert!(matches!(store.published_bulletin(draft.id).await, Err(StoreError::NotFound)));
    let remarks = "本月超期件主要集中在住建领域，请相关单位于下周五前说明原因。";
    let reviewed = store.set_bulletin_remarks(&t.supervisor, draft.id, remarks).await.unwrap();
    assert_eq!(reviewed.remarks, remarks);
    assert!(store.set_bulletin_remarks(&t.supervisor, draft.id, &"长".repeat(5_001)).await.is_err());
    // Confirmed as provisional in case the month is not over yet.
    let published = store.publish_bulletin(&t.supervisor, draft.id, true, now).await.unwrap();
    assert_eq!((published.status, published.published_by), (BulletinStatus::Published, Some(t.supervisor.user_id)));
    assert_eq!(store.published_bulletin(draft.id).await.unwrap().remarks, remarks);
    let public = store.published_bulletins(0, 10).await.unwrap();
    assert_eq!((public.total, public.items[0].id), (1, draft.id));
    // Once published it no longer changes.
    let again = store.set_bulletin_remarks(&t.supervisor, draft.id, "改写").await;
    assert!(matches!(again, Err(StoreError::Refused("bulletin_published"))));
    assert!(matches!(store.publish_bulletin(&t.supervisor, draft.id, true, now).await, Err(StoreError::Refused(_))));
    assert_eq!(store.published_bulletin(draft.id).await.unwrap().content, draft.content);

    // The supervisors' callbacks of the period are in the bulletin, as the callback
    // summary counts them.
    let rule = SampleRule { rate_percent: 100, minimum: 1 };
    let spec = DrawSpec { unit_id: t.district, from: today - Duration::days(31), to: today, rule, seed: Some(7) };
    store.draw_sample(&t.supervisor, &spec, now).await.unwrap();
    let item = store.callback_queue(&t.supervisor, 0, 50).await.unwrap().items[0].clone();
    let yes = Answers { from_public: true, measures_known: true, result_fed_back: true, satisfied: true };
    let call = CallInput {
        result: AttemptResult::Reached(yes),
        note: "回访核实，群众满意".into(),
        rework_reason: String::new(),
        rework_due: now + 5 * DAY,
    };
    store.record_callback(&t.supervisor, item.id, call, now).await.unwrap();
    let this_week = store.generate_bulletin(&t.supervisor, t.district, PeriodKind::Weekly, today, now).await.unwrap();
    let period = this_week.period();
    let calls = this_week.content.callbacks.expect("callbacks were drawn this week");
    let summary = store.callback_summary(t.district, period.from, period.to).await.unwrap();
    assert_eq!((calls.sampled, calls.reached), (summary.sampled.count, 1));
    assert!(calls.sampled > 1);
    assert!(calls.answers.contains(&("satisfied".to_string(), 1)), "{:?}", calls.answers);
    assert_eq!(calls.callback_rate(), summary.callback_rate);
}

async fn a_bulletin_of_a_period_not_over_is_provisional_and_a_period_has_one_draft(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);

    // This week is not over: its bulletin is provisional, and published only when the
    // supervisor confirms it as such.
    let this_week = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, today, now).await.unwrap();
    assert!(this_week.is_provisional());
    let unconfirmed = store.publish_bulletin(&t.supervisor, this_week.id, false, now).await;
    assert!(matches!(unconfirmed, Err(StoreError::Refused("bulletin_provisional"))), "{unconfirmed:?}");
    assert!(matches!(store.published_bulletin(this_week.id).await, Err(StoreError::NotFound)));
    let published = store.publish_bulletin(&t.supervisor, this_week.id, true, now).await.unwrap();
    assert!(published.is_published() && published.is_provisional(), "it stays marked provisional");

    // Last week is over: its bulletin is final and needs no confirmation.
    let last_week = Period::last_complete(PeriodKind::Weekly, today);
    assert!(last_week.to < today);
    let last = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, last_week.from, now).await;
    let last = last.unwrap();
    assert_eq!(last.period(), last_week);
    assert!(!last.is_provisional());

    // One draft per unit and period: generating it again names the draft.
    let again = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, last_week.to, now).await;
    assert!(matches!(again, Err(StoreError::AlreadyOpen { what: "bulletin_draft", id }) if id == last.id), "{again:?}");
    // Another unit, or the month, is another bulletin.
    store.generate_bulletin(&t.supervisor, t.district, PeriodKind::Weekly, last_week.from, now).await.unwrap();
    store.publish_bulletin(&t.supervisor, last.id, false, now).await.unwrap();
    // Published, it leaves room for a corrected one; a published provisional week too.
    store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, last_week.from, now).await.unwrap();
    let later = this_week.period().ends_at();
    let final_week = store.generate_bulletin(&t.supervisor, t.street, PeriodKind::Weekly, today, later).await.unwrap();
    assert!(!final_week.is_provisional(), "taken once the week was over");
}

async fn the_district_admin_sets_how_units_are_scored_and_thin_data_is_not_ranked(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);
    let (from, to) = (today - Duration::days(31), today + Duration::days(40));

    // A month's work has a handful of verdicts per community: too few to score them by
    // default, so neither is ranked, and neither is ranked last on zeros.
    let children = store.measures_of_children(t.street, from, to, now).await.unwrap();
    for (unit, m) in &children {
        assert!(m.counters.evaluations < 5, "{}: {:?}", unit.name, m.counters);
        assert_eq!((m.composite_score, m.too_little_data), (None, true), "{}", unit.name);
    }
    let period = Period::custom(from, to).unwrap();
    let content = store.publishing_content(t.street, period, now).await.unwrap();
    assert!(content.ranking.iter().all(|r| r.rank.is_none()));
    assert_eq!(content.scoring, Some(Scoring::default()), "the content says how it was scored");

    // The district admin lowers the minimum and weighs the on-time rate too.
    let hash = hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap().staff();
    let street_admin = store.add_user("admin_s1", "街道管理员", Role::Admin, t.street, &hash).await.unwrap().staff();
    let scoring = Scoring { on_time: 10.0, minimum: 1, ..Scoring::default() };
    store.set_scoring_as_admin(&admin, &scoring, now).await.unwrap();
    assert_eq!(store.settings().scoring, scoring);
    for (unit, m) in store.measures_of_children(t.street, from, to, now).await.unwrap() {
        let weighed = [
            (m.response_rate, 20.0),
            (m.closure_rate, 20.0),
            (m.on_time_rate, 10.0),
            (m.solved_rate, 30.0),
            (m.satisfaction_rate, 30.0),
        ];
        let expected = 100.0 * weighed.iter().map(|(r, w)| r.unwrap() * w).sum::<f64>() / 110.0;
        assert!((m.composite_score.unwrap() - expected).abs() < 1e-9, "{}: {m:?}", unit.name);
    }
    let content = store.publishing_content(t.street, period, now).await.unwrap();
    assert!(content.ranking.iter().all(|r| r.rank.is_some()));
    assert_eq!(content.scoring, Some(scoring));

    // Only the district's admin, and only sensible numbers; a refusal changes nothing.
    let theirs = store.set_scoring_as_admin(&street_admin, &Scoring::default(), now).await;
    assert!(matches!(theirs, Err(StoreError::Refused("district_admin_only"))), "{theirs:?}");
    let nothing = Scoring { response: 0.0, closure: 0.0, on_time: 0.0, solved: 0.0, satisfaction: 0.0, minimum: 1 };
    let refused = store.set_scoring_as_admin(&admin, &nothing, now).await;
    assert!(matches!(refused, Err(StoreError::Refused("bad_scoring"))), "{refused:?}");
    assert_eq!(store.settings().scoring, scoring);
    let changes = store.admin_changes(&admin, 0, 10).await.unwrap();
    assert_eq!(changes.items[0].action, "scoring.change");
}
