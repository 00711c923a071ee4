//! Writing notifications inside the writer's transaction, beside the event that causes
//! them: the outbox rows for SMS, mail and webhooks, and the workbench's inbox rows.
//! Who is told is the domain's table (`notify::notices`); here the audience becomes
//! people with their numbers and addresses, read in the same transaction.

use gongzhi_domain::notify::{self, Audience, Cause, Medium, Topic};
use gongzhi_domain::role::Role;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Request;
use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::Result;

/// A webhook subscription as the writer matches events against it.
#[derive(Debug, Clone)]
pub(crate) struct Listener {
    pub id: i64,
    pub event_type: String,
}

/// The active subscriptions, read once a batch: an admin may change them at any time,
/// on any instance.
pub(crate) async fn listeners(conn: &mut AnyConnection) -> Result<Vec<Listener>> {
    let rows =
        sqlx::query("SELECT id, event_type FROM webhook_subscriptions WHERE active = 1").fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(Listener { id: r.try_get("id")?, event_type: r.try_get("event_type")? })).collect()
}

/// What happened, as the outbox needs it.
pub(crate) struct Said<'a> {
    pub cause: Cause,
    /// What makes this cause once: the event's id in the chain, or the deadline crossed.
    pub key: String,
    pub request: &'a Request,
    pub note: &'a str,
    /// The people it concerns beyond the request's units.
    pub related: notify::Related,
    pub at: Millis,
}

impl<'a> Said<'a> {
    /// What an event in the chain says, keyed by the event's id.
    pub(crate) fn of(cause: Cause, event_id: i64, request: &'a Request, note: &'a str, at: Millis) -> Said<'a> {
        Said { cause, key: format!("e{event_id}"), request, note, related: Default::default(), at }
    }
}

/// Notifications a batch has decided on, written together just before it commits:
/// one statement of many rows costs intake far less than a statement a row.
#[derive(Default)]
pub(crate) struct Told {
    outbox: Vec<Outgoing>,
    inbox: Vec<Inboxed>,
}

/// An outbox row to be written.
struct Outgoing {
    key: String,
    medium: Medium,
    topic: String,
    request_id: i64,
    recipient: String,
    to_resident: bool,
    payload: String,
    at: Millis,
}

/// An inbox row to be written.
struct Inboxed {
    key: String,
    user_id: i64,
    topic: &'static str,
    request_id: i64,
    number: String,
    title: String,
    note: String,
    at: Millis,
}

/// Rows a statement carries: SQLite binds `$N` in time that grows with the square of a
/// statement's parameters, so statements stay small.
const ROWS_PER_STATEMENT: usize = 25;

impl Told {
    /// How much has been told so far, to go back to if the job telling more fails.
    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.outbox.len(), self.inbox.len())
    }

    /// Forgets what was told after `mark`: the job that told it was undone.
    pub(crate) fn back_to(&mut self, (outbox, inbox): (usize, usize)) {
        self.outbox.truncate(outbox);
        self.inbox.truncate(inbox);
    }

    #[allow(clippy::too_many_arguments)]
    fn outbox(
        &mut self,
        key: String,
        medium: Medium,
        topic: &str,
        request_id: i64,
        recipient: &str,
        to_resident: bool,
        payload: String,
        at: Millis,
    ) {
        let (topic, recipient) = (topic.to_string(), recipient.to_string());
        self.outbox.push(Outgoing { key, medium, topic, request_id, recipient, to_resident, payload, at });
    }

    /// Writes what was told, in the batch's transaction. A key told twice (the same
    /// cause in two jobs) is written once, as the unique key would have it.
    pub(crate) async fn write(&mut self, conn: &mut AnyConnection) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        let outbox: Vec<Outgoing> = self.outbox.drain(..).filter(|o| seen.insert(o.key.clone())).collect();
        seen.clear();
        let inbox: Vec<Inboxed> = self.inbox.drain(..).filter(|i| seen.insert(i.key.clone())).collect();
        let backend = crate::Backend::of_connection(conn);
        for chunk in outbox.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO outbox (key, medium, topic, request_id, recipient, to_resident, payload, created_at, \
                 next_at, status, attempts, lease_until) VALUES {} ON CONFLICT (key) DO NOTHING",
                crate::rows::values(backend, chunk.len(), 9, "'pending', 0, 0")
            );
            let mut query = sqlx::query(&sql);
            for o in chunk {
                query = query
                    .bind(o.key.as_str())
                    .bind(o.medium.as_str())
                    .bind(o.topic.as_str())
                    .bind(o.request_id)
                    .bind(o.recipient.as_str())
                    .bind(i64::from(o.to_resident))
                    .bind(o.payload.as_str())
                    // Created now, due now.
                    .bind(o.at)
                    .bind(o.at);
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in inbox.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO inbox (key, user_id, topic, request_id, number, title, note, created_at) VALUES {} \
                 ON CONFLICT (key) DO NOTHING",
                crate::rows::values(backend, chunk.len(), 8, "")
            );
            let mut query = sqlx::query(&sql);
            for i in chunk {
                query = query
                    .bind(i.key.as_str())
                    .bind(i.user_id)
                    .bind(i.topic)
                    .bind(i.request_id)
                    .bind(i.number.as_str())
                    .bind(i.title.as_str())
                    .bind(i.note.as_str())
                    .bind(i.at);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Decides every notification `said` causes, to be written with the batch.
pub(crate) async fn tell(
    conn: &mut AnyConnection,
    told: &mut Told,
    listeners: &[Listener],
    said: &Said<'_>,
) -> Result<()> {
    let request = said.request;
    let facts = |topic: Topic| {
        json!({
            "topic": topic,
            "request_id": request.id,
            "number": request.number,
            "tracking_code": request.tracking_code,
            "title": request.new.title,
            "note": said.note,
        })
        .to_string()
    };
    for notice in notify::notices(said.cause, request, &said.related) {
        let topic = notice.topic;
        let people = match notice.audience {
            Audience::Requester => {
                let phone = request.new.requester_phone.trim();
                let key = notify::idempotency_key(&said.key, topic.as_str(), "requester");
                told.outbox(key, Medium::Sms, topic.as_str(), request.id, phone, true, facts(topic), said.at);
                continue;
            }
            Audience::Handlers(unit) => staff_of(conn, &[unit], Role::Handler).await?,
            Audience::Leaders { path, up } => staff_of(conn, &notify::units_above(&path, up), Role::Leader).await?,
            Audience::User(id) => person(conn, id).await?,
        };
        for who in people {
            let key = |medium: &str| notify::idempotency_key(&said.key, topic.as_str(), &format!("{medium}{}", who.id));
            told.inbox.push(Inboxed {
                key: key("user"),
                user_id: who.id,
                topic: topic.as_str(),
                request_id: request.id,
                number: request.number.clone(),
                title: request.new.title.clone(),
                note: said.note.to_string(),
                at: said.at,
            });
            if !who.phone.is_empty() && Person::wants(&who.sms, topic.as_str()) {
                told.outbox(
                    key("sms"),
                    Medium::Sms,
                    topic.as_str(),
                    request.id,
                    &who.phone,
                    false,
                    facts(topic),
                    said.at,
                );
            }
            if !who.email.is_empty() && Person::wants(&who.email_topics, topic.as_str()) {
                told.outbox(
                    key("email"),
                    Medium::Email,
                    topic.as_str(),
                    request.id,
                    &who.email,
                    false,
                    facts(topic),
                    said.at,
                );
            }
        }
    }
    let event_type = notify::event_type(said.cause);
    let subscribed = listeners.iter().filter(|l| notify::subscribed(&l.event_type, &event_type));
    for listener in subscribed {
        let key = notify::idempotency_key(&said.key, &event_type, &format!("hook{}", listener.id));
        let body = json!({
            "id": key,
            "type": event_type,
            "at": said.at,
            "note": said.note,
            "request": {
                "id": request.id,
                "number": request.number,
                "status": request.status,
                "kind": request.new.kind,
                "channel": request.new.channel,
                "title": request.new.title,
                "unit_id": request.new.unit_id,
                "assignee_unit_id": request.assignee_unit_id,
                "resolve_by": request.resolve_by,
            },
        })
        .to_string();
        let recipient = listener.id.to_string();
        told.outbox(key, Medium::Webhook, &event_type, request.id, &recipient, false, body, said.at);
    }
    Ok(())
}

/// A staff member to be told, with what they asked to have sent where.
struct Person {
    id: i64,
    phone: String,
    email: String,
    sms: String,
    email_topics: String,
}

const PERSON: &str = "SELECT u.id, COALESCE(p.phone, '') AS phone, COALESCE(p.email, '') AS email, \
     COALESCE(p.sms_topics, '') AS sms, COALESCE(p.email_topics, '') AS email_topics \
     FROM users u LEFT JOIN notify_prefs p ON p.user_id = u.id";

fn person_from(row: &sqlx::any::AnyRow) -> Result<Person> {
    // Topics are space-separated; padding both ends makes `contains` match whole names.
    let padded = |s: String| format!(" {s} ");
    Ok(Person {
        id: row.try_get("id")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        sms: padded(row.try_get("sms")?),
        email_topics: padded(row.try_get("email_topics")?),
    })
}

impl Person {
    fn wants(list: &str, topic: &str) -> bool {
        list.contains(&format!(" {topic} "))
    }
}

/// The staff of a role in the first of `units` that has any: a unit's own leaders, or
/// failing that those of the nearest unit above.
async fn staff_of(conn: &mut AnyConnection, units: &[i64], role: Role) -> Result<Vec<Person>> {
    let sql = format!("{PERSON} WHERE u.unit_id = $1 AND u.role = $2 AND u.active = 1 ORDER BY u.id");
    for unit in units {
        let rows = sqlx::query(&sql).bind(*unit).bind(role.as_str()).fetch_all(&mut *conn).await?;
        if !rows.is_empty() {
            return rows.iter().map(person_from).collect();
        }
    }
    Ok(Vec::new())
}

async fn person(conn: &mut AnyConnection, id: i64) -> Result<Vec<Person>> {
    let sql = format!("{PERSON} WHERE u.id = $1 AND u.active = 1");
    let rows = sqlx::query(&sql).bind(id).fetch_all(&mut *conn).await?;
    rows.iter().map(person_from).collect()
}
