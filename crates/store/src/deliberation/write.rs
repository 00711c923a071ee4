//! Deliberation's changes as the writer runs them: each in the batch's transaction,
//! inside its own savepoint (`writer::in_savepoint`), so that a refusal met halfway (an
//! adoption whose request the rules refuse) leaves nothing behind.

use gongzhi_domain::deliberation::{
    self, Adoption, Decision, NewComment, NewMeeting, NewProposal, ProposalAction, ProposalChannel, ProposalStatus,
    Refused, Step,
};
use gongzhi_domain::request::{Channel, NewRequest, RequesterType};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::Duty;
use gongzhi_domain::Actor;
use gongzhi_domain::Command;
use sqlx::{AnyConnection, Row};

use super::phone_hash;
use crate::attachments::Photos;
use crate::writer::{self, Batch, Intake};
use crate::{Result, StoreError};

/// A change to deliberation, as the writer takes it.
#[derive(Debug, Clone)]
pub(crate) enum Act {
    Propose {
        new: NewProposal,
        confirmed: bool,
    },
    Confirm {
        proposal_id: i64,
    },
    /// With the throttle's key of the sender's address, its window and the most it takes.
    Support {
        proposal_id: i64,
        phone: String,
        throttle: (String, Millis, i64),
    },
    Comment(NewComment),
    Hide {
        comment_id: i64,
        reason: String,
    },
    Meet {
        new: NewMeeting,
        photos: Vec<Vec<u8>>,
    },
    MeetingPhotos {
        meeting_id: i64,
        photos: Vec<Vec<u8>>,
    },
    Decide {
        meeting_id: i64,
        proposal_id: i64,
        decision: Decision,
    },
}

/// What a change wrote: the row's id, whether a support was new, and the request an
/// adoption created, and whether its responsible person claimed it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub id: i64,
    pub fresh: bool,
    pub request_id: Option<i64>,
    pub claimed: bool,
}

/// Out of scope reads as absent, as everywhere; the other refusals by their codes.
pub(crate) fn refused(refused: Refused) -> StoreError {
    match refused {
        Refused::OutOfScope => StoreError::NotFound,
        other => StoreError::Refused(other.code()),
    }
}

/// What the rules need of a proposal.
struct Found {
    status: ProposalStatus,
    unit_path: String,
    new: NewProposal,
}

async fn proposal(conn: &mut AnyConnection, id: i64) -> Result<Found> {
    let row = sqlx::query(
        "SELECT status, unit_path, kind, channel, unit_id, title, content, proposer_name, proposer_phone \
         FROM proposals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let text = |column: &str| -> Result<String> { Ok(row.try_get(column)?) };
    let bad = |what: &str| StoreError::Invalid(format!("unknown {what} of proposal {id}"));
    Ok(Found {
        status: ProposalStatus::parse(&text("status")?).ok_or_else(|| bad("status"))?,
        unit_path: text("unit_path")?,
        new: NewProposal {
            kind: deliberation::ProposalKind::parse(&text("kind")?).ok_or_else(|| bad("kind"))?,
            channel: ProposalChannel::parse(&text("channel")?).ok_or_else(|| bad("channel"))?,
            unit_id: row.try_get("unit_id")?,
            title: text("title")?,
            content: text("content")?,
            proposer_name: text("proposer_name")?,
            proposer_phone: text("proposer_phone")?,
        },
    })
}

/// A proposal waiting for its number to be confirmed is not there for residents yet.
fn unlisted_is_absent(found: &Found) -> Result<()> {
    match found.status {
        ProposalStatus::Unconfirmed => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// Moves a proposal from the state it was read in; another writer's change in between
/// is a refusal, never an overwrite.
async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    action: ProposalAction,
    from: ProposalStatus,
) -> Result<ProposalStatus> {
    let to = deliberation::next(action, from).map_err(refused)?;
    let moved = sqlx::query("UPDATE proposals SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to.as_str())
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *conn)
        .await?;
    if moved.rows_affected() != 1 {
        return Err(refused(Refused::ProposalState { action, from }));
    }
    Ok(to)
}

/// Runs one change; the writer runs it in its own savepoint.
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    act: &Act,
    actor: &Actor,
    at: Millis,
) -> Result<Recorded> {
    match act {
        Act::Propose { new, confirmed } => {
            let unit = writer::unit_for(conn, batch, new.unit_id, Duty::Place, "unit_id").await?;
            let step = match new.channel {
                ProposalChannel::Portal => Step::Submit,
                ProposalChannel::Paper => Step::RecordPaper,
            };
            deliberation::may(step, actor, &unit.path).map_err(refused)?;
            // Paper is confirmed by the staff who copy it in; the portal by a code.
            let status = match new.channel {
                ProposalChannel::Portal if !confirmed => ProposalStatus::Unconfirmed,
                _ => ProposalStatus::Open,
            };
            let (confirmed_by, confirmed_at) = match status {
                ProposalStatus::Open => (actor.user_id(), Some(at)),
                _ => (None, None),
            };
            let row = sqlx::query(
                "INSERT INTO proposals (kind, channel, unit_id, unit_path, title, content, proposer_name, \
                 proposer_phone, status, supports, recorded_by, created_at, confirmed_by, confirmed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13) RETURNING id",
            )
            .bind(new.kind.as_str())
            .bind(new.channel.as_str())
            .bind(unit.id)
            .bind(unit.path.as_str())
            .bind(new.title.trim())
            .bind(new.content.trim())
            .bind(new.proposer_name.trim())
            .bind(gongzhi_domain::phone::normalize(&new.proposer_phone))
            .bind(status.as_str())
            .bind(actor.user_id())
            .bind(at)
            .bind(confirmed_by)
            .bind(confirmed_at)
            .fetch_one(&mut *conn)
            .await?;
            Ok(Recorded { id: row.try_get("id")?, ..Recorded::default() })
        }
        Act::Confirm { proposal_id } => {
            let found = proposal(conn, *proposal_id).await?;
            deliberation::may(Step::ConfirmProposal, actor, &found.unit_path).map_err(refused)?;
            set_status(conn, *proposal_id, ProposalAction::Confirm, found.status).await?;
            sqlx::query("UPDATE proposals SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
                .bind(actor.user_id())
                .bind(at)
                .bind(*proposal_id)
                .execute(&mut *conn)
                .await?;
            Ok(Recorded { id: *proposal_id, ..Recorded::default() })
        }
        Act::Support { proposal_id, phone, throttle: (key, window, most) } => {
            // Counted in the support's own transaction: on SQLite a count on another
            // connection waited its turn at the write lock with the writer.
            if crate::throttle::count_attempt_on(conn, key, *window, at).await? > *most {
                return Err(StoreError::Refused("too_many_supports"));
            }
            let found = proposal(conn, *proposal_id).await?;
            deliberation::may(Step::Support, actor, &found.unit_path).map_err(refused)?;
            unlisted_is_absent(&found)?;
            if !found.status.takes_supports() {
                return Err(refused(Refused::SupportsClosed));
            }
            let added = sqlx::query(
                "INSERT INTO proposal_supports (proposal_id, phone_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (proposal_id, phone_hash) DO NOTHING",
            )
            .bind(*proposal_id)
            .bind(phone_hash(phone))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            let fresh = added.rows_affected() == 1;
            if fresh {
                sqlx::query("UPDATE proposals SET supports = supports + 1 WHERE id = $1")
                    .bind(*proposal_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(Recorded { id: *proposal_id, fresh, ..Recorded::default() })
        }
        Act::Comment(new) => {
            let found = proposal(conn, new.proposal_id).await?;
            deliberation::may(Step::Comment, actor, &found.unit_path).map_err(refused)?;
            unlisted_is_absent(&found)?;
            let row = sqlx::query(
                "INSERT INTO proposal_comments (proposal_id, author_name, phone_hash, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(new.proposal_id)
            .bind(new.author_name.trim())
            .bind(phone_hash(&new.phone))
            .bind(new.body.trim())
            .bind(at)
            .fetch_one(&mut *conn)
            .await?;
            Ok(Recorded { id: row.try_get("id")?, ..Recorded::default() })
        }
        Act::Hide { comment_id, reason } => {
            let row = sqlx::query(
                "SELECT p.unit_path, c.hidden_at FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id \
                 WHERE c.id = $1",
            )
            .bind(*comment_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
            let path: String = row.try_get("unit_path")?;
            deliberation::may(Step::HideComment, actor, &path).map_err(refused)?;
            if row.try_get::<Option<i64>, _>("hidden_at")?.is_some() {
                return Err(refused(Refused::AlreadyHidden));
            }
            sqlx::query(
                "UPDATE proposal_comments SET hidden_by = $1, hidden_at = $2, hidden_reason = $3 \
                 WHERE id = $4 AND hidden_at IS NULL",
            )
            .bind(actor.user_id())
            .bind(at)
            .bind(reason.trim())
            .bind(*comment_id)
            .execute(&mut *conn)
            .await?;
            Ok(Recorded { id: *comment_id, ..Recorded::default() })
        }
        Act::Meet { new, photos } => {
            let photos = Photos::check(photos)?;
            let recorded = meet(conn, batch, new, actor, at).await?;
            photos.insert_for_meeting(conn, recorded.id, actor.user_id(), at).await?;
            Ok(recorded)
        }
        Act::MeetingPhotos { meeting_id, photos } => {
            let photos = Photos::check(photos)?;
            let (path,): (String,) = sqlx::query_as("SELECT unit_path FROM meetings WHERE id = $1")
                .bind(*meeting_id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
            deliberation::may(Step::HoldMeeting, actor, &path).map_err(refused)?;
            let added = photos.insert_for_meeting(conn, *meeting_id, actor.user_id(), at).await?;
            Ok(Recorded { id: *meeting_id, fresh: added > 0, ..Recorded::default() })
        }
        Act::Decide { meeting_id, proposal_id, decision } => {
            decide(conn, batch, (*meeting_id, *proposal_id), decision, actor, at).await
        }
    }
}

async fn meet(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    new: &NewMeeting,
    actor: &Actor,
    at: Millis,
) -> Result<Recorded> {
    let unit = writer::unit_for(conn, batch, new.unit_id, Duty::Place, "unit_id").await?;
    deliberation::may(Step::HoldMeeting, actor, &unit.path).map_err(refused)?;
    let recorder = actor.user_id().ok_or(StoreError::Refused(Refused::NotCommunityStaff.code()))?;
    let row = sqlx::query(
        "INSERT INTO meetings (unit_id, unit_path, held_at, place, topic, participants, minutes, recorded_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(unit.id)
    .bind(unit.path.as_str())
    .bind(new.held_at)
    .bind(new.place.trim())
    .bind(new.topic.trim())
    .bind(new.participants.trim())
    .bind(new.minutes.trim())
    .bind(recorder)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    let meeting_id: i64 = row.try_get("id")?;
    for (position, proposal_id) in new.agenda.iter().enumerate() {
        let found = proposal(conn, *proposal_id).await?;
        // A community's meeting takes up its own residents' proposals (its grids' too).
        if !found.unit_path.starts_with(&unit.path) {
            return Err(gongzhi_domain::Broken::Invalid {
                field: "agenda",
                reason: format!("proposal {proposal_id} is another community's"),
            }
            .into());
        }
        set_status(conn, *proposal_id, ProposalAction::Schedule, found.status).await?;
        sqlx::query("INSERT INTO meeting_agenda (meeting_id, proposal_id, position) VALUES ($1, $2, $3)")
            .bind(meeting_id)
            .bind(*proposal_id)
            .bind(position as i64 + 1)
            .execute(&mut *conn)
            .await?;
    }
    let mut volunteers = new.volunteers.clone();
    volunteers.sort_unstable();
    volunteers.dedup();
    for user_id in volunteers {
        let added = sqlx::query(
            "INSERT INTO meeting_volunteers (meeting_id, user_id, unit_path) \
             SELECT $1, id, $2 FROM users WHERE id = $3 AND role = 'volunteer'",
        )
        .bind(meeting_id)
        .bind(unit.path.as_str())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        if added.rows_affected() != 1 {
            let reason = format!("user {user_id} is not a volunteer");
            return Err(gongzhi_domain::Broken::Invalid { field: "volunteers", reason }.into());
        }
    }
    Ok(Recorded { id: meeting_id, ..Recorded::default() })
}

async fn decide(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    (meeting_id, proposal_id): (i64, i64),
    decision: &Decision,
    actor: &Actor,
    at: Millis,
) -> Result<Recorded> {
    let found = proposal(conn, proposal_id).await?;
    deliberation::may(Step::Decide, actor, &found.unit_path).map_err(refused)?;
    let open = sqlx::query(
        "SELECT m.topic FROM meeting_agenda a JOIN meetings m ON m.id = a.meeting_id \
         WHERE a.meeting_id = $1 AND a.proposal_id = $2 AND a.decision = ''",
    )
    .bind(meeting_id)
    .bind(proposal_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(open) = open else {
        return Err(refused(Refused::NotOnAgenda));
    };
    let topic: String = open.try_get("topic")?;
    set_status(conn, proposal_id, decision.action(), found.status).await?;
    let (reason, adoption) = match decision {
        Decision::Adopt(adoption) => ("", Some(adoption)),
        Decision::Decline { reason } => (reason.trim(), None),
        Decision::Defer => ("", None),
    };
    let (request_id, claimed) = match adoption {
        Some(adoption) => {
            let person = responsible(conn, adoption.responsible_id).await?;
            let promised = Promised { proposal_id, adoption, person: &person, topic: &topic };
            let (id, claimed) = adopt(conn, batch, promised, &found.new, actor, at).await?;
            (Some(id), claimed)
        }
        None => (None, false),
    };
    sqlx::query(
        "UPDATE meeting_agenda SET decision = $1, reason = $2, unit_id = $3, responsible_id = $4, deadline = $5, \
         request_id = $6, decided_by = $7, decided_at = $8 WHERE meeting_id = $9 AND proposal_id = $10",
    )
    .bind(decision.action().as_str())
    .bind(reason)
    .bind(adoption.map(|a| a.unit_id))
    .bind(adoption.map(|a| a.responsible_id))
    .bind(adoption.map(|a| a.deadline))
    .bind(request_id)
    .bind(actor.user_id())
    .bind(at)
    .bind(meeting_id)
    .bind(proposal_id)
    .execute(&mut *conn)
    .await?;
    Ok(Recorded { id: proposal_id, fresh: false, request_id, claimed })
}

/// The person a meeting made responsible, as the lifecycle knows staff.
async fn responsible(conn: &mut AnyConnection, user_id: i64) -> Result<Staff> {
    let row = sqlx::query(
        "SELECT u.role, u.unit_id, n.path FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1 AND u.active = 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("user {user_id} does not exist")))?;
    let role: String = row.try_get("role")?;
    let role = Role::parse(&role).ok_or_else(|| StoreError::Invalid(format!("unknown role `{role}`")))?;
    Ok(Staff { user_id, role, unit_id: row.try_get("unit_id")?, unit_path: row.try_get("path")? })
}

/// What a meeting promised for an adopted proposal.
struct Promised<'a> {
    proposal_id: i64,
    /// The meeting's topic, which the unit reads as the adoption's instructions.
    topic: &'a str,
    adoption: &'a Adoption,
    person: &'a Staff,
}

/// The request an adopted proposal becomes, through intake like every request: from the
/// `meeting` channel, in the proposal's community, with the proposer as its requester
/// so that they can follow it by its tracking code and judge the result. It carries the
/// meeting's promises through the lifecycle's own steps, so that its history, queues and
/// figures read like any request's: adopted straight to the unit chosen and due by the
/// deadline set (`Action::Adopt`), then claimed by the responsible person where they
/// are one of that unit's handlers — taken on at the meeting. Anyone else answers for it
/// as the agenda says, while the unit's handlers claim it as usual.
async fn adopt(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    promised: Promised<'_>,
    proposal: &NewProposal,
    actor: &Actor,
    at: Millis,
) -> Result<(i64, bool)> {
    let Promised { proposal_id, topic, adoption, person } = promised;
    let new = NewRequest {
        kind: proposal.kind.request_kind(),
        channel: Channel::Meeting,
        title: proposal.title.clone(),
        content: proposal.content.clone(),
        address: String::new(),
        unit_id: proposal.unit_id,
        category_id: None,
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: proposal.proposer_name.clone(),
        requester_phone: proposal.proposer_phone.clone(),
        // A paper proposal may have come without a number.
        anonymous: proposal.proposer_phone.is_empty(),
        location: None,
    };
    new.check()?;
    // The key makes the proposal's request one, whatever happens to the decision row.
    let key = format!("proposal:{proposal_id}");
    let intake = Intake { new: &new, key: Some(&key), actor, at, suggestion: None, photos: &[] };
    let then = Command::Adopt { unit_id: adoption.unit_id, due: adoption.deadline, instructions: topic.to_string() };
    let request = writer::create(conn, batch, intake, Some(&then), None).await?.request;
    let claims = person.role == Role::Handler && person.unit_id == adoption.unit_id;
    if claims {
        let by = Actor::Staff(person.clone());
        writer::act(conn, batch, request.id, Some(request.version), &Command::Claim, &by, at, None).await?;
    }
    Ok((request.id, claims))
}
