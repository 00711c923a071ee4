//! Deliberation (小板凳议事会): proposals and wishes with their supports and comments,
//! meetings with their agendas, and the decision on each entry — an adopted proposal's
//! entry holds the request it became, whose state the proposal's page shows.
//!
//! Every change is a writer job (`write.rs`), so that an adoption and the request it
//! creates commit together, and supports share the writer's group commit. The rules are
//! `gongzhi_domain::deliberation`'s, called where the rows they need are read.
//!
//! Proposals, meetings and visible comments are public: residents read them without an
//! account, and proposers' numbers are masked in them. Hidden comments are read only by
//! the staff who may moderate them.

mod figures;
mod phones;
mod write;

use std::collections::HashMap;

use gongzhi_domain::deliberation::{
    self, Adoption, Comment, Decision, Hiding, Meeting, NewComment, NewMeeting, NewProposal, Proposal, ProposalChannel,
    ProposalKind, ProposalStatus, Step,
};
use gongzhi_domain::time::Millis;
use gongzhi_domain::{Actor, Status};
use tokio::sync::oneshot;

pub use figures::{AdoptedResult, DeliberationFigures, Outcome, Volunteer};
pub use phones::CodeCheck;
pub(crate) use write::{apply, Act, Recorded};

use crate::writer::Job;
use crate::{Result, Store, StoreError};

/// The order of a community's proposals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalOrder {
    Latest,
    MostSupported,
}

/// Most proposals one page lists.
pub const MAX_PROPOSALS: u32 = 100;

/// The request an adopted proposal became, as residents follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRequest {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub resolve_by: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
}

/// A proposal on one meeting's agenda, and what that meeting decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    pub meeting_id: i64,
    pub held_at: Millis,
    pub topic: String,
    pub proposal_id: i64,
    pub proposal_title: String,
    pub position: i64,
    /// None until decided.
    pub decision: Option<Decision>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Millis>,
    /// For an adoption: the name of the person who answers for the work.
    pub responsible_name: Option<String>,
    pub request: Option<LinkedRequest>,
}

/// A proposal's page: the proposal with its support count, the comments residents see,
/// and every meeting that took it up with what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalView {
    pub proposal: Proposal,
    pub comments: Vec<Comment>,
    pub agenda: Vec<AgendaEntry>,
}

impl ProposalView {
    /// The request it became, once adopted.
    pub fn request(&self) -> Option<&LinkedRequest> {
        self.agenda.iter().find_map(|entry| entry.request.as_ref())
    }

    /// The person who answers for the work, once adopted.
    pub fn responsible(&self) -> Option<&str> {
        self.agenda.iter().find_map(|entry| entry.responsible_name.as_deref())
    }

    /// The reason residents are shown, once declined.
    pub fn decline_reason(&self) -> Option<&str> {
        self.agenda.iter().find_map(|entry| match &entry.decision {
            Some(Decision::Decline { reason }) => Some(reason.as_str()),
            _ => None,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ProposalRow {
    id: i64,
    kind: String,
    channel: String,
    unit_id: i64,
    unit_path: String,
    title: String,
    content: String,
    proposer_name: String,
    proposer_phone: String,
    status: String,
    supports: i64,
    recorded_by: Option<i64>,
    created_at: Millis,
}

const PROPOSAL_COLUMNS: &str = "id, kind, channel, unit_id, unit_path, title, content, proposer_name, \
     proposer_phone, status, supports, recorded_by, created_at";

fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!("unknown {what} `{value}` in the database"))
}

impl ProposalRow {
    /// The proposal as it is read back, its proposer's number masked: every read here is
    /// public. The number serves the request an adoption creates, inside the writer.
    fn proposal(self) -> Result<Proposal> {
        Ok(Proposal {
            id: self.id,
            new: NewProposal {
                kind: ProposalKind::parse(&self.kind).ok_or_else(|| unknown("proposal kind", &self.kind))?,
                channel: ProposalChannel::parse(&self.channel).ok_or_else(|| unknown("channel", &self.channel))?,
                unit_id: self.unit_id,
                title: self.title,
                content: self.content,
                proposer_name: self.proposer_name,
                proposer_phone: gongzhi_domain::phone::mask(&self.proposer_phone),
            },
            unit_path: self.unit_path,
            status: ProposalStatus::parse(&self.status).ok_or_else(|| unknown("proposal status", &self.status))?,
            supports: self.supports,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    proposal_id: i64,
    author_name: String,
    body: String,
    created_at: Millis,
    hidden_by: Option<i64>,
    hidden_at: Option<Millis>,
    hidden_reason: Option<String>,
}

impl CommentRow {
    fn comment(self) -> Comment {
        let hidden = match (self.hidden_by, self.hidden_at) {
            (Some(by), Some(at)) => Some(Hiding { by, at, reason: self.hidden_reason.unwrap_or_default() }),
            _ => None,
        };
        let CommentRow { id, proposal_id, author_name, body, created_at, .. } = self;
        Comment { id, proposal_id, author_name, body, created_at, hidden }
    }
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: i64,
    unit_id: i64,
    unit_path: String,
    held_at: Millis,
    place: String,
    topic: String,
    participants: String,
    minutes: String,
    recorded_by: i64,
    created_at: Millis,
}

const MEETING_COLUMNS: &str =
    "id, unit_id, unit_path, held_at, place, topic, participants, minutes, recorded_by, created_at";

impl MeetingRow {
    fn meeting(self, agenda: Vec<i64>) -> Meeting {
        let MeetingRow { id, unit_id, unit_path, held_at, place, topic, participants, minutes, .. } = self;
        let new = NewMeeting { unit_id, held_at, place, topic, participants, minutes, agenda, volunteers: Vec::new() };
        Meeting { id, new, unit_path, recorded_by: self.recorded_by, created_at: self.created_at }
    }
}

#[derive(sqlx::FromRow)]
struct AgendaRow {
    meeting_id: i64,
    held_at: Millis,
    topic: String,
    proposal_id: i64,
    proposal_title: String,
    position: i64,
    decision: String,
    reason: String,
    unit_id: Option<i64>,
    responsible_id: Option<i64>,
    deadline: Option<Millis>,
    decided_by: Option<i64>,
    decided_at: Option<Millis>,
    request_id: Option<i64>,
    number: Option<String>,
    status: Option<String>,
    resolve_by: Option<Millis>,
    resolved_at: Option<Millis>,
    closed_at: Option<Millis>,
    responsible_name: Option<String>,
}

/// An agenda entry with its meeting, its proposal's title and its request's state.
const AGENDA_SELECT: &str = "SELECT a.meeting_id, m.held_at, m.topic, a.proposal_id, p.title AS proposal_title, \
     a.position, a.decision, a.reason, a.unit_id, a.responsible_id, a.deadline, a.decided_by, a.decided_at, \
     a.request_id, r.number, r.status, r.resolve_by, r.resolved_at, r.closed_at, u.name AS responsible_name \
     FROM meeting_agenda a JOIN meetings m ON m.id = a.meeting_id JOIN proposals p ON p.id = a.proposal_id \
     LEFT JOIN requests r ON r.id = a.request_id LEFT JOIN users u ON u.id = a.responsible_id";

impl AgendaRow {
    fn entry(self) -> Result<AgendaEntry> {
        let decision = match (self.decision.as_str(), self.unit_id, self.responsible_id, self.deadline) {
            ("", ..) => None,
            ("adopt", Some(unit_id), Some(responsible_id), Some(deadline)) => {
                Some(Decision::Adopt(Adoption { unit_id, responsible_id, deadline }))
            }
            ("decline", ..) => Some(Decision::Decline { reason: self.reason }),
            ("defer", ..) => Some(Decision::Defer),
            (other, ..) => return Err(unknown("decision", other)),
        };
        let request = match (self.request_id, self.number, self.status) {
            (Some(id), Some(number), Some(status)) => Some(LinkedRequest {
                id,
                number,
                status: Status::parse(&status).ok_or_else(|| unknown("status", &status))?,
                resolve_by: self.resolve_by,
                resolved_at: self.resolved_at,
                closed_at: self.closed_at,
            }),
            _ => None,
        };
        Ok(AgendaEntry {
            meeting_id: self.meeting_id,
            held_at: self.held_at,
            topic: self.topic,
            proposal_id: self.proposal_id,
            proposal_title: self.proposal_title,
            position: self.position,
            decision,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            responsible_name: self.responsible_name,
            request,
        })
    }
}

/// The digest a phone number is told apart by: the same number however it was typed.
pub(crate) fn phone_hash(phone: &str) -> String {
    use sha2::Digest;
    let normalized = gongzhi_domain::phone::normalize(phone);
    hex::encode(sha2::Sha256::digest(format!("gongzhi-phone:{normalized}").as_bytes()))
}

impl Store {
    async fn deliberate(&self, act: Act, actor: Actor, at: Millis) -> Result<Recorded> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Deliberate { act, actor, at, reply }, answer).await
    }

    /// Stores a proposal: a resident's from the portal, or staff copying one from paper.
    /// Returns its id. Its fields are the caller's to check first (`NewProposal::check`).
    /// A portal proposal whose number no code `confirmed` waits, unlisted, for the
    /// community's staff to confirm it (`confirm_proposal`).
    pub async fn propose(&self, new: NewProposal, confirmed: bool, actor: Actor, at: Millis) -> Result<i64> {
        Ok(self.deliberate(Act::Propose { new, confirmed }, actor, at).await?.id)
    }

    /// Community staff confirm a waiting proposal's number with its proposer: it is
    /// listed and takes supports from now on. Who confirmed it and when is kept.
    pub async fn confirm_proposal(&self, staff: Actor, proposal_id: i64, at: Millis) -> Result<()> {
        self.deliberate(Act::Confirm { proposal_id }, staff, at).await.map(|_| ())
    }

    /// A community's proposals waiting for their numbers to be confirmed, oldest first,
    /// with their numbers in full: the staff who confirm them call the proposers. The
    /// caller checks the viewer may confirm them and logs the view.
    pub async fn unconfirmed_proposals(&self, unit_id: i64, limit: u32) -> Result<Vec<Proposal>> {
        let sql = format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE unit_id = $1 AND status = 'unconfirmed' ORDER BY id LIMIT $2"
        );
        let rows: Vec<ProposalRow> = sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(i64::from(limit.clamp(1, MAX_PROPOSALS)))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|row| {
                let phone = row.proposer_phone.clone();
                let mut proposal = row.proposal()?;
                proposal.new.proposer_phone = phone;
                Ok(proposal)
            })
            .collect()
    }

    /// Counts a resident's support once per phone number; returns whether this one was
    /// new. The count on the proposal moves in the same transaction, and so does the
    /// attempt counted against `throttle` (a key, its window, the most it takes): one
    /// over the most is refused (`too_many_supports`) and writes nothing.
    pub async fn support(
        &self,
        proposal_id: i64,
        phone: &str,
        throttle: (&str, Millis, i64),
        at: Millis,
    ) -> Result<bool> {
        let (key, window, most) = throttle;
        let act = Act::Support { proposal_id, phone: phone.to_string(), throttle: (key.to_string(), window, most) };
        Ok(self.deliberate(act, Actor::Requester, at).await?.fresh)
    }

    /// Stores a resident's comment; returns its id.
    pub async fn comment(&self, new: NewComment, at: Millis) -> Result<i64> {
        Ok(self.deliberate(Act::Comment(new), Actor::Requester, at).await?.id)
    }

    /// Hides a comment from residents, keeping who hid it, when and why.
    pub async fn hide_comment(&self, staff: Actor, comment_id: i64, reason: &str, at: Millis) -> Result<()> {
        let act = Act::Hide { comment_id, reason: reason.to_string() };
        self.deliberate(act, staff, at).await.map(|_| ())
    }

    /// Records a meeting, puts its agenda's proposals on it and keeps the photos taken
    /// at it, in one transaction; returns its id.
    pub async fn hold_meeting(&self, staff: Actor, new: NewMeeting, photos: Vec<Vec<u8>>, at: Millis) -> Result<i64> {
        Ok(self.deliberate(Act::Meet { new, photos }, staff, at).await?.id)
    }

    /// Adds photos to a meeting recorded earlier; returns whether any was new.
    pub async fn add_meeting_photos(
        &self,
        staff: Actor,
        meeting_id: i64,
        photos: Vec<Vec<u8>>,
        at: Millis,
    ) -> Result<bool> {
        Ok(self.deliberate(Act::MeetingPhotos { meeting_id, photos }, staff, at).await?.fresh)
    }

    /// Records a meeting's decision on a proposal of its agenda. An adoption creates the
    /// request it becomes, in the same transaction, and returns its id.
    pub async fn decide(
        &self,
        staff: Actor,
        meeting_id: i64,
        proposal_id: i64,
        decision: Decision,
        at: Millis,
    ) -> Result<Option<i64>> {
        let act = Act::Decide { meeting_id, proposal_id, decision };
        let recorded = self.deliberate(act, staff, at).await?;
        if recorded.request_id.is_some() {
            // Counted with intake's figures and the actions taken, as every request is.
            self.counters.created(gongzhi_domain::Channel::Meeting);
            self.counters.acted(gongzhi_domain::Action::Adopt);
            if recorded.claimed {
                self.counters.acted(gongzhi_domain::Action::Claim);
            }
        }
        let request_id = recorded.request_id;
        Ok(request_id)
    }

    /// A community's listed proposals, `limit` of them after the first `offset`: those
    /// waiting for their numbers to be confirmed are not among them. A page that wants
    /// to know whether another follows asks for one more than it shows.
    pub async fn proposals(
        &self,
        unit_id: i64,
        order: ProposalOrder,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Proposal>> {
        let by = match order {
            ProposalOrder::Latest => "created_at DESC, id DESC",
            ProposalOrder::MostSupported => "supports DESC, id DESC",
        };
        let limit = limit.clamp(1, MAX_PROPOSALS + 1);
        let sql = format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE unit_id = $1 AND status <> 'unconfirmed' \
             ORDER BY {by} LIMIT $2 OFFSET $3"
        );
        let rows: Vec<ProposalRow> = sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(ProposalRow::proposal).collect()
    }

    /// One proposal as residents read it: its support count, its visible comments, and
    /// the meetings that took it up with their decisions and the request it became.
    pub async fn proposal(&self, id: i64) -> Result<ProposalView> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1");
        let row: ProposalRow =
            sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let proposal = row.proposal()?;
        let comments = self.comments_of(id, false).await?;
        let sql = format!("{AGENDA_SELECT} WHERE a.proposal_id = $1 ORDER BY m.held_at, a.meeting_id");
        let rows: Vec<AgendaRow> = sqlx::query_as(&sql).bind(id).fetch_all(self.pool()).await?;
        let agenda = rows.into_iter().map(AgendaRow::entry).collect::<Result<_>>()?;
        Ok(ProposalView { proposal, comments, agenda })
    }

    /// Every comment of a proposal, hidden ones with their hiding, for the staff who may
    /// moderate them; out of their scope reads as absent.
    pub async fn comments_to_moderate(&self, staff: &Actor, proposal_id: i64) -> Result<Vec<Comment>> {
        let row = sqlx::query_as::<_, (String,)>("SELECT unit_path FROM proposals WHERE id = $1")
            .bind(proposal_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        deliberation::may(Step::HideComment, staff, &row.0).map_err(write::refused)?;
        self.comments_of(proposal_id, true).await
    }

    async fn comments_of(&self, proposal_id: i64, hidden_too: bool) -> Result<Vec<Comment>> {
        let rows: Vec<CommentRow> = sqlx::query_as(
            "SELECT id, proposal_id, author_name, body, created_at, hidden_by, hidden_at, hidden_reason \
             FROM proposal_comments WHERE proposal_id = $1 AND ($2 = 1 OR hidden_at IS NULL) ORDER BY id",
        )
        .bind(proposal_id)
        .bind(i64::from(hidden_too))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(CommentRow::comment).collect())
    }

    /// A community's meetings, the latest first, each with its agenda's proposal ids.
    pub async fn meetings(&self, unit_id: i64, limit: u32) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE unit_id = $1 ORDER BY held_at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<MeetingRow> = sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(i64::from(limit.clamp(1, MAX_PROPOSALS)))
            .fetch_all(self.pool())
            .await?;
        // Their agendas in one statement, not one each.
        let mut agendas: HashMap<i64, Vec<i64>> = HashMap::new();
        if !rows.is_empty() {
            let marks: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT meeting_id, proposal_id FROM meeting_agenda WHERE meeting_id IN ({}) \
                 ORDER BY meeting_id, position",
                marks.join(", ")
            );
            let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
            for row in &rows {
                query = query.bind(row.id);
            }
            for (meeting, proposal) in query.fetch_all(self.pool()).await? {
                agendas.entry(meeting).or_default().push(proposal);
            }
        }
        let with_agenda = |row: MeetingRow| {
            let agenda = agendas.remove(&row.id).unwrap_or_default();
            row.meeting(agenda)
        };
        Ok(rows.into_iter().map(with_agenda).collect())
    }

    /// One meeting with its agenda and decisions.
    pub async fn meeting(&self, id: i64) -> Result<(Meeting, Vec<AgendaEntry>)> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
        let row: MeetingRow =
            sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let agenda = self.agenda_of(id).await?;
        Ok((row.meeting(agenda.iter().map(|entry| entry.proposal_id).collect()), agenda))
    }

    /// The volunteers and party members who took part in a meeting, by name.
    pub async fn meeting_volunteers(&self, meeting_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name FROM meeting_volunteers m JOIN users u ON u.id = m.user_id \
             WHERE m.meeting_id = $1 ORDER BY u.name, u.id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?)
    }

    async fn agenda_of(&self, meeting_id: i64) -> Result<Vec<AgendaEntry>> {
        let sql = format!("{AGENDA_SELECT} WHERE a.meeting_id = $1 ORDER BY a.position");
        let rows: Vec<AgendaRow> = sqlx::query_as(&sql).bind(meeting_id).fetch_all(self.pool()).await?;
        rows.into_iter().map(AgendaRow::entry).collect()
    }
}
