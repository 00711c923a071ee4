//! The audit trail against someone with write access to the database, on SQLite and on
//! PostgreSQL: an erased tail is found by the anchors kept outside the database, text
//! moved from one field of an event into another breaks the event's hash, and a request
//! row edited behind the lifecycle's back is named field by field. A chain written before
//! the unambiguous encoding still verifies.

use gongzhi_domain::bulletin::PeriodKind;
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::*;
use gongzhi_store::anchors::{self, AnchorKey};
use gongzhi_store::testing::{dispatched, manhole, month_of_work, staff, town, Town};
use gongzhi_store::{on_both, AuditReport, EventRecord, Found, Imported, Mismatch, Store, StoreError};
use sqlx::{AnyConnection, Connection, Executor};

on_both!(
    an_untouched_district_passes_the_audit,
    an_erased_tail_is_found_by_the_anchors,
    a_rewritten_chain_is_found_by_the_anchors,
    text_moved_between_note_and_payload_breaks_the_chain,
    a_row_edited_directly_is_named_field_by_field,
    a_chain_from_before_the_upgrade_still_verifies,
    an_audit_while_the_district_works_finds_nothing,
);

/// A connection of someone who can write to the database and lifts the events table's
/// append-only guard first.
async fn intruder(url: &str) -> AnyConnection {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    if url.starts_with("sqlite") {
        conn.execute("DROP TRIGGER events_append_only_update").await.unwrap();
        conn.execute("DROP TRIGGER events_append_only_delete").await.unwrap();
    } else {
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only").await.unwrap();
    }
    conn
}

/// Every event of the first `requests` requests, in chain order.
async fn all_events(store: &Store, requests: i64) -> Vec<EventRecord> {
    let mut events = Vec::new();
    for id in 1..=requests {
        events.extend(store.events_of(id).await.unwrap());
    }
    events.sort_by_key(|e| e.id);
    events
}

/// Writes `events` back, linked and hashed again as they now read, and moves the chain
/// head to the last: what someone who knows the encoding does to cover an edit.
async fn relink(conn: &mut AnyConnection, mut events: Vec<EventRecord>) -> Vec<EventRecord> {
    let mut prev = String::new();
    for e in &mut events {
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        sqlx::query(
            "UPDATE events SET note = $1, payload = $2, format = $3, snapshot = $4, prev_hash = $5, hash = $6 \
             WHERE id = $7",
        )
        .bind(e.note.as_str())
        .bind(e.payload.as_str())
        .bind(e.format)
        .bind(e.snapshot.as_str())
        .bind(e.prev_hash.as_str())
        .bind(e.hash.as_str())
        .bind(e.id)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    let last = events.last().unwrap();
    sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.id)
        .bind(last.hash.as_str())
        .execute(&mut *conn)
        .await
        .unwrap();
    events
}

fn mismatches(report: &AuditReport) -> Vec<(String, String, String, String)> {
    report
        .replay
        .mismatches
        .iter()
        .map(|m: &Mismatch| (m.number.clone(), m.field.clone(), m.row.clone(), m.events.clone()))
        .collect()
}

/// A resident's complaint carried to the resident's verdict.
async fn evaluated(store: &Store, t: &Town, satisfaction: Satisfaction) -> Request {
    let r = dispatched(store, t, manhole(t.community, Some(t.category))).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let note = Command::Progress { note: "已联系市政养护单位到场查看".into() };
    store.act(r.id, None, note, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖，并电话告知诉求人".into(), contacted: true };
    store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap();
    let solved = satisfaction.counts_as_satisfied();
    let verdict = Command::Evaluate { solved, satisfaction, comment: String::new() };
    store.act(r.id, None, verdict, Actor::Requester).await.unwrap()
}

async fn an_untouched_district_passes_the_audit(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    month_of_work(store, &t).await;
    evaluated(store, &t, Satisfaction::Unsatisfied).await;
    let anchor = store.checkpoint().await.unwrap();
    let report = store.audit(std::slice::from_ref(&anchor)).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.chain.anchors_checked, report.chain.events), (1, anchor.seq));
    // Every request's row is what its events say, column by column.
    assert_eq!((report.replay.requests, report.replay.fully_checked, report.replay.partly_checked), (28, 28, 0));
    // Work goes on after the checkpoint: the anchor still holds.
    let r = dispatched(store, &t, manhole(t.community, None)).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    assert!(store.audit(&[anchor]).await.unwrap().is_clean());
}

async fn an_erased_tail_is_found_by_the_anchors(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    let day = time::local_date(time::now());
    evaluated(store, &t, Satisfaction::Satisfied).await;
    // A complaint against the community's own staff comes in last.
    let mut complaint = manhole(t.community, None);
    complaint.title = "社区工作人员态度恶劣".into();
    let late = dispatched(store, &t, complaint).await;
    let anchor = store.checkpoint().await.unwrap();
    // The checkpoint goes to the district's anchor file, signed, and a bulletin is
    // published with the chain head printed on it.
    let folder = std::env::temp_dir().join(format!("gongzhi-anchors-{}-{}", store.backend().name(), late.number));
    let _ = std::fs::remove_dir_all(&folder);
    let file = folder.join("anchors.log");
    let key = AnchorKey::load_or_create(&folder.join("audit.key")).unwrap();
    anchors::append(&file, &anchor, &key).unwrap();
    let draft =
        store.generate_bulletin(&t.supervisor, t.district, PeriodKind::Monthly, day, time::now()).await.unwrap();
    store.publish_bulletin(&t.supervisor, draft.id, true, time::now()).await.unwrap();
    let printed = store.bulletin_anchor(draft.id).await.unwrap().expect("a published bulletin has its anchor");
    assert_eq!((printed.seq, printed.hash.clone()), (anchor.seq, anchor.hash.clone()));

    // Someone erases the complaint: its row, its events, and the chain head moved back
    // to the event before them.
    let first_erased = store.events_of(late.id).await.unwrap()[0].id;
    let kept = store.events_of(late.id - 1).await.unwrap().pop().unwrap();
    assert_eq!(kept.id, first_erased - 1);
    let mut conn = intruder(&url).await;
    sqlx::query("DELETE FROM events WHERE request_id = $1").bind(late.id).execute(&mut conn).await.unwrap();
    for table in ["search_pending", "request_terms"] {
        let sql = format!("DELETE FROM {table} WHERE request_id = $1");
        sqlx::query(&sql).bind(late.id).execute(&mut conn).await.unwrap();
    }
    sqlx::query("DELETE FROM requests WHERE id = $1").bind(late.id).execute(&mut conn).await.unwrap();
    sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(kept.id)
        .bind(kept.hash.as_str())
        .execute(&mut conn)
        .await
        .unwrap();

    // What is left is a perfect chain and rows that match it; only the anchors know.
    let without = store.audit(&[]).await.unwrap();
    let report = store.audit(&anchors::read(&file, Some(&key)).unwrap().anchors).await.unwrap();
    assert!(!report.is_clean(), "{report:?}");
    let found = |report: &AuditReport| -> Vec<(String, Found)> {
        report.chain.breaches.iter().map(|b| (b.anchor.source.clone(), b.found.clone())).collect()
    };
    let truncated = Found::Truncated { chain_ends: kept.id };
    let bulletin = format!("bulletin {}", draft.id);
    assert_eq!(
        found(&report),
        vec![("checkpoint".to_string(), truncated.clone()), (bulletin.clone(), truncated.clone())]
    );
    assert_eq!((report.chain.first_broken.clone(), report.replay.mismatch_count), (None, 0));
    // The bulletin's anchor is checked without being asked for.
    assert_eq!(found(&without), vec![(bulletin, truncated)]);

    // A forged line in the file, claiming the shorter chain, does not carry the key.
    let mut forged = std::fs::read_to_string(&file).unwrap();
    forged.push_str(&format!("{} {} {} {}\n", kept.id, kept.hash, time::now(), "0".repeat(64)));
    std::fs::write(&file, forged).unwrap();
    let read = anchors::read(&file, Some(&key)).unwrap();
    assert_eq!((read.anchors.len(), read.bad_lines.iter().map(|(line, _)| *line).collect::<Vec<_>>()), (1, vec![2]));
    let _ = std::fs::remove_dir_all(&folder);
}

async fn a_rewritten_chain_is_found_by_the_anchors(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    let r = evaluated(store, &t, Satisfaction::Unsatisfied).await;
    let anchor = store.checkpoint().await.unwrap();
    // Someone rewrites the progress note and hashes every event again from there on.
    let mut events = all_events(store, r.id).await;
    let note = events.iter_mut().find(|e| e.action == "progress").unwrap();
    note.note = "已当面向诉求人说明处理方案，诉求人表示认可".into();
    let edited = note.id;
    relink(&mut intruder(&url).await, events).await;

    let report = store.audit(std::slice::from_ref(&anchor)).await.unwrap();
    assert_eq!(report.chain.first_broken, None, "every link holds");
    let rewritten = &report.chain.breaches;
    assert_eq!(rewritten.len(), 1, "{report:?}");
    assert!(matches!(&rewritten[0].found, Found::Rewritten { hash } if *hash != anchor.hash), "{rewritten:?}");
    assert!(edited < anchor.seq);
}

async fn text_moved_between_note_and_payload_breaks_the_chain(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    let r = dispatched(store, &t, manhole(t.community, None)).await;
    let r = store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    // A note with a control character in it is refused, with the field named.
    let hidden = Command::Progress { note: "已上门查看\u{1f}{\"contacted\":true}".into() };
    let refused = store.act(r.id, None, hidden, staff(&t.handler)).await;
    assert!(matches!(refused, Err(StoreError::Rule(Broken::Invalid { field: "note", .. }))), "{refused:?}");
    // Line breaks and tabs are what notes are made of.
    let lines =
        Command::Progress { note: "已上门查看：\r\n1. 井盖缺失\t已设围挡\n2. 明日补装".into() };
    store.act(r.id, None, lines, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装".into(), contacted: false };
    store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap();

    // A note written before such notes were refused, in a chain of that time.
    let mut conn = intruder(&url).await;
    let mut events = all_events(store, r.id).await;
    for e in &mut events {
        e.format = 1;
        e.snapshot.clear();
    }
    events.iter_mut().find(|e| e.action == "progress").unwrap().note = "已上门查看\u{1f}井盖缺失".into();
    let events = relink(&mut conn, events).await;
    let progress = events.into_iter().find(|e| e.action == "progress").unwrap();
    assert!(store.audit(&[]).await.unwrap().chain.first_broken.is_none(), "such a note is no tampering");

    // The old encoding joined fields with that byte: text moved from the note into the
    // payload left the bytes hashed, and the hash, as they were.
    let moved = (progress.note.replace("\u{1f}井盖缺失", ""), format!("井盖缺失\u{1f}{}", progress.payload));
    let mut legacy = progress.clone();
    (legacy.note, legacy.payload) = moved.clone();
    assert_eq!(legacy.compute_hash(), progress.hash);
    sqlx::query("UPDATE events SET note = $1, payload = $2 WHERE id = $3")
        .bind(moved.0.as_str())
        .bind(moved.1.as_str())
        .bind(progress.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let report = store.audit(&[]).await.unwrap();
    assert_eq!(report.chain.first_broken.as_ref().map(|(id, _)| *id), Some(progress.id), "{report:?}");

    // The new encoding gives every field its length: the same move changes the hash.
    let mut current = progress.clone();
    current.format = 2;
    let mut shifted = current.clone();
    (shifted.note, shifted.payload) = moved;
    assert_ne!(shifted.compute_hash(), current.compute_hash());
}

async fn a_row_edited_directly_is_named_field_by_field(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    let unhappy = evaluated(store, &t, Satisfaction::Unsatisfied).await;
    let open = dispatched(store, &t, manhole(t.community, None)).await;
    assert!(store.audit(&[]).await.unwrap().is_clean());

    // The verdict is turned into a satisfied one, and the open request made to look
    // resolved on time, straight in the table.
    let mut conn = intruder(&url).await;
    sqlx::query("UPDATE requests SET satisfaction = 'satisfied', solved = 1 WHERE id = $1")
        .bind(unhappy.id)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE requests SET status = 'resolved', resolved_at = $1 WHERE id = $2")
        .bind(open.dispatched_at.unwrap() + 60_000)
        .bind(open.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let report = store.audit(&[]).await.unwrap();
    assert_eq!(report.chain.first_broken, None, "no event was touched");
    assert!(!report.is_clean());
    let resolved_at = (open.dispatched_at.unwrap() + 60_000).to_string();
    assert_eq!(
        mismatches(&report),
        vec![
            (unhappy.number.clone(), "solved".into(), "1".into(), "0".into()),
            (unhappy.number.clone(), "satisfaction".into(), "satisfied".into(), "unsatisfied".into()),
            (open.number.clone(), "status".into(), "resolved".into(), "dispatched".into()),
            (open.number.clone(), "resolved_at".into(), resolved_at, "null".into()),
        ]
    );
    assert_eq!(report.replay.mismatch_count, 4);

    // An edit that a later action overwrites still shows: the press counted from the
    // edited count, but found another count than the events had left.
    let pressed = dispatched(store, &t, manhole(t.community, None)).await;
    sqlx::query("UPDATE requests SET press_count = 5 WHERE id = $1").bind(pressed.id).execute(&mut conn).await.unwrap();
    let press = Command::Press { note: "请加快办理".into(), due: None };
    store.act(pressed.id, None, press, staff(&t.supervisor)).await.unwrap();
    let press_event = store.events_of(pressed.id).await.unwrap().pop().unwrap().id;
    let report = store.audit(&[]).await.unwrap();
    let named: Vec<_> = mismatches(&report).into_iter().filter(|m| m.0 == pressed.number).collect();
    let found = format!("5 (before event {press_event})");
    assert_eq!(named, vec![(pressed.number.clone(), "press_count".into(), found, "0".into())]);

    // Many edits: the list stops at its cap, the count does not.
    let start = time::now() - DAY;
    let items: Vec<Imported> = (0..130)
        .map(|i| {
            let mut request = Request::submitted(manhole(t.community, None), String::new(), start + i * 1000);
            request.unit_path = format!("/{}/{}/{}/", t.district, t.street, t.community);
            Imported { request, events: vec![] }
        })
        .collect();
    store.import(items).await.unwrap();
    sqlx::query("UPDATE requests SET status = 'closed' WHERE status = 'submitted'").execute(&mut conn).await.unwrap();
    let report = store.audit(&[]).await.unwrap();
    assert_eq!(report.replay.mismatch_count, 2 + 2 + 1 + 130);
    assert_eq!(report.replay.mismatches.len(), gongzhi_store::MAX_MISMATCHES);

    // Events whose row is gone.
    sqlx::query("DELETE FROM requests WHERE id = $1").bind(open.id).execute(&mut conn).await.unwrap();
    let report = store.audit(&[]).await.unwrap();
    let gone: Vec<_> = report.replay.mismatches.iter().filter(|m| m.request_id == open.id).collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!((gone[0].field.as_str(), gone[0].row.as_str(), gone[0].events.as_str()), ("row", "missing", "3 events"));
}

async fn a_chain_from_before_the_upgrade_still_verifies(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    month_of_work(store, &t).await;
    let resolved = {
        let r = dispatched(store, &t, manhole(t.community, None)).await;
        store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
        let resolve = Command::Resolve { reply: "已补装".into(), contacted: true };
        store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap()
    };
    // Everything so far as the code before the upgrade wrote it: hashed the old way,
    // without the request's columns in the events.
    let mut conn = intruder(&url).await;
    let mut events = all_events(store, resolved.id).await;
    for e in &mut events {
        e.format = 1;
        e.snapshot.clear();
    }
    relink(&mut conn, events).await;
    let before = store.audit(&[]).await.unwrap();
    assert!(before.is_clean(), "{before:?}");
    assert_eq!((before.replay.fully_checked, before.replay.partly_checked), (0, resolved.id));

    // After the upgrade: the verdict on the old request, and a new request.
    let verdict = Command::Evaluate { solved: false, satisfaction: Satisfaction::Unsatisfied, comment: String::new() };
    store.act(resolved.id, None, verdict, Actor::Requester).await.unwrap();
    let new = dispatched(store, &t, manhole(t.community, None)).await;
    let anchor = store.checkpoint().await.unwrap();
    let after = store.audit(&[anchor]).await.unwrap();
    assert!(after.is_clean(), "{after:?}");
    assert_eq!((after.replay.fully_checked, after.replay.partly_checked), (1, resolved.id));
    assert_eq!(after.chain.old_format, before.chain.events);

    // What the new events recorded is checked on the old request too; its state is
    // checked from the old events' own record of it.
    sqlx::query("UPDATE requests SET satisfaction = 'satisfied' WHERE id = $1")
        .bind(resolved.id)
        .execute(&mut conn)
        .await
        .unwrap();
    // The first request of the month was answered at intake, before the upgrade.
    sqlx::query("UPDATE requests SET status = 'closed' WHERE id = 1").execute(&mut conn).await.unwrap();
    let report = store.audit(&[]).await.unwrap();
    let named: Vec<(i64, String)> = report.replay.mismatches.iter().map(|m| (m.request_id, m.field.clone())).collect();
    assert!(named.contains(&(resolved.id, "satisfaction".to_string())), "{named:?}");
    assert!(named.contains(&(1, "status".to_string())), "{named:?}");
    assert!(!named.iter().any(|(id, _)| *id == new.id), "{named:?}");
}

async fn an_audit_while_the_district_works_finds_nothing(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let mut open = Vec::new();
    for _ in 0..20 {
        let r = dispatched(store, &t, manhole(t.community, None)).await;
        open.push(store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap().id);
    }
    // Handlers write notes and new requests come in while the supervisor audits.
    let work = {
        let (store, handler, operator, community) = (store.clone(), t.handler.clone(), t.operator.clone(), t.community);
        tokio::spawn(async move {
            for round in 0..400 {
                let note = Command::Progress { note: format!("第{round}次上门查看") };
                store.act(open[round % open.len()], None, note, staff(&handler)).await.unwrap();
                if round % 10 == 0 {
                    store.create(manhole(community, None), None, staff(&operator)).await.unwrap();
                }
            }
        })
    };
    let mut audits = 0;
    while !work.is_finished() || audits == 0 {
        let report = store.audit(&[]).await.unwrap();
        assert!(report.is_clean(), "{report:?}");
        audits += 1;
    }
    work.await.unwrap();
    assert!(store.audit(&[]).await.unwrap().is_clean());
}
