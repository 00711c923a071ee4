//! Deliberation (小板凳议事会, 大家事、大家议、大家办): residents put forward proposals and
//! wishes, support and discuss them; the community's staff copy paper proposals, keep
//! the discussion civil, hold meetings and decide. An adopted proposal becomes a request
//! from the `meeting` channel that is dispatched, handled and judged like any other, and
//! the proposal's page follows it to the end.
//!
//! The rules are `gongzhi_domain::deliberation`'s: the fields are checked here before
//! anything is sent to the store, who may take a step is checked by the store where it
//! reads the community the step is about.

use gongzhi_domain::deliberation::{self, Comment, Decision, Meeting, NewComment, NewMeeting, NewProposal, Proposal};
use gongzhi_domain::deliberation::{code, ProposalChannel, Step, SUPPORTS_PER_MINUTE};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{Millis, HOUR};
use gongzhi_domain::Actor;
use gongzhi_store::deliberation::{AgendaEntry, CodeCheck, ProposalOrder, ProposalView};
use gongzhi_store::{Store, StoreError};

use crate::Result;

/// The throttle's window for supports from one address.
const SUPPORT_WINDOW: Millis = HOUR / 60;

/// Waiting proposals the staff page shows at a time.
const WAITING_SHOWN: u32 = 50;

/// A resident submits a proposal or a wish on the portal; returns its id. Where no code
/// `confirmed` the number, the proposal waits, unlisted, for the community's staff.
pub async fn submit(store: &Store, new: NewProposal, confirmed: bool, at: Millis) -> Result<i64> {
    let new = NewProposal { channel: ProposalChannel::Portal, ..new };
    new.check()?;
    Ok(store.propose(new, confirmed, Actor::Requester, at).await?)
}

/// Community staff copy a proposal written on paper at a meeting; returns its id.
pub async fn record_paper(store: &Store, staff: &Staff, new: NewProposal, at: Millis) -> Result<i64> {
    let new = NewProposal { channel: ProposalChannel::Paper, ..new };
    new.check()?;
    Ok(store.propose(new, true, Actor::Staff(staff.clone()), at).await?)
}

/// Sends a code to a resident's number through the outbox, for the browser that asked;
/// returns the token its cookie keeps. Refused when the number, or the address asking,
/// has had its codes for the hour: nobody texts a stranger over and over.
pub async fn send_code(store: &Store, phone: &str, address: &str, at: Millis) -> Result<String> {
    deliberation::check_phone(phone, "phone")?;
    let phone = gongzhi_domain::phone::normalize(phone);
    for (key, most) in
        [(format!("code-phone:{phone}"), code::PER_PHONE), (format!("code-from:{address}"), code::PER_ADDRESS)]
    {
        if store.count_attempt(&key, code::SEND_WINDOW, at).await? > most {
            return Err(StoreError::Refused("too_many_codes").into());
        }
    }
    let token = gongzhi_store::new_token();
    let random = u64::from_str_radix(&gongzhi_store::new_token()[..16], 16).unwrap_or_default();
    store.send_phone_code(&token, &phone, &code::from_random(random), at).await?;
    Ok(token)
}

/// Checks the code a resident typed: right and in time, their number is confirmed for
/// the browser holding `token`. A wrong, spent or missing code is refused in words.
pub async fn confirm_code(store: &Store, token: &str, typed: &str, at: Millis) -> Result<String> {
    code::check(typed)?;
    match store.check_phone_code(token, typed.trim(), at).await? {
        CodeCheck::Confirmed { phone } => Ok(phone),
        CodeCheck::Wrong { .. } => Err(StoreError::Refused("code_wrong").into()),
        CodeCheck::Spent => Err(StoreError::Refused("code_spent").into()),
        CodeCheck::NoCode => Err(StoreError::Refused("code_not_sent").into()),
    }
}

/// The number confirmed for the browser holding `token`, if any.
pub async fn confirmed_phone(store: &Store, token: &str, at: Millis) -> Result<Option<String>> {
    Ok(store.confirmed_phone(token, at).await?)
}

/// The proposals of a community waiting for their numbers to be confirmed, with the
/// numbers in full for the staff who call the proposers back; each view is logged.
pub async fn waiting(store: &Store, staff: &Staff, unit_id: i64, at: Millis) -> Result<Vec<Proposal>> {
    let unit = store.unit(unit_id).await?;
    if deliberation::may(Step::ConfirmProposal, &Actor::Staff(staff.clone()), &unit.path).is_err() {
        return Ok(Vec::new());
    }
    let waiting = store.unconfirmed_proposals(unit_id, WAITING_SHOWN).await?;
    for proposal in &waiting {
        store.saw_proposal_phone(staff.user_id, proposal.id, at).await?;
    }
    Ok(waiting)
}

/// Community staff confirm a waiting proposal after speaking with its proposer.
pub async fn confirm_proposal(store: &Store, staff: &Staff, proposal_id: i64, at: Millis) -> Result<()> {
    Ok(store.confirm_proposal(Actor::Staff(staff.clone()), proposal_id, at).await?)
}

/// A resident supports a proposal: counted once per phone number, and refused when
/// their address has sent too many supports this minute. Returns whether it counted.
pub async fn support(store: &Store, proposal_id: i64, phone: &str, address: &str, at: Millis) -> Result<bool> {
    deliberation::check_phone(phone, "phone")?;
    let key = format!("support:{address}");
    Ok(store.support(proposal_id, phone, (&key, SUPPORT_WINDOW, SUPPORTS_PER_MINUTE), at).await?)
}

/// A resident comments on a proposal; returns the comment's id.
pub async fn comment(store: &Store, new: NewComment, at: Millis) -> Result<i64> {
    new.check()?;
    Ok(store.comment(new, at).await?)
}

/// Community staff hide a comment from residents, saying why; the hiding is kept.
pub async fn hide_comment(store: &Store, staff: &Staff, comment_id: i64, reason: &str, at: Millis) -> Result<()> {
    deliberation::check_hide_reason(reason)?;
    Ok(store.hide_comment(Actor::Staff(staff.clone()), comment_id, reason, at).await?)
}

/// Community staff record a meeting, the proposals on its agenda and the photos taken
/// at it; returns its id.
pub async fn hold_meeting(
    store: &Store,
    staff: &Staff,
    new: NewMeeting,
    photos: Vec<Vec<u8>>,
    at: Millis,
) -> Result<i64> {
    new.check()?;
    Ok(store.hold_meeting(Actor::Staff(staff.clone()), new, photos, at).await?)
}

/// Community staff add photos to a meeting recorded earlier.
pub async fn add_meeting_photos(
    store: &Store,
    staff: &Staff,
    meeting_id: i64,
    photos: Vec<Vec<u8>>,
    at: Millis,
) -> Result<()> {
    if photos.is_empty() {
        return Err(gongzhi_domain::Broken::Missing("photos").into());
    }
    store.add_meeting_photos(Actor::Staff(staff.clone()), meeting_id, photos, at).await?;
    Ok(())
}

/// Records a meeting's decision on a proposal of its agenda. An adoption returns the
/// request the proposal became.
pub async fn decide(
    store: &Store,
    staff: &Staff,
    meeting_id: i64,
    proposal_id: i64,
    decision: Decision,
    at: Millis,
) -> Result<Option<i64>> {
    decision.check(at)?;
    Ok(store.decide(Actor::Staff(staff.clone()), meeting_id, proposal_id, decision, at).await?)
}

/// A community's listed proposals, `limit` of them after the first `offset`.
pub async fn proposals(
    store: &Store,
    unit_id: i64,
    order: ProposalOrder,
    offset: u32,
    limit: u32,
) -> Result<Vec<Proposal>> {
    Ok(store.proposals(unit_id, order, offset, limit).await?)
}

/// A proposal's public page: supports, visible comments, meetings, decisions and the
/// state of the request it became.
pub async fn proposal(store: &Store, id: i64) -> Result<ProposalView> {
    Ok(store.proposal(id).await?)
}

/// A proposal's comments with the hidden ones, for staff who may moderate them.
pub async fn comments_to_moderate(store: &Store, staff: &Staff, proposal_id: i64) -> Result<Vec<Comment>> {
    Ok(store.comments_to_moderate(&Actor::Staff(staff.clone()), proposal_id).await?)
}

/// A community's meetings, the latest first.
pub async fn meetings(store: &Store, unit_id: i64, limit: u32) -> Result<Vec<Meeting>> {
    Ok(store.meetings(unit_id, limit).await?)
}

/// One meeting with its agenda and decisions.
pub async fn meeting(store: &Store, id: i64) -> Result<(Meeting, Vec<AgendaEntry>)> {
    Ok(store.meeting(id).await?)
}

/// A past of open proposals written in bulk with their supports and comments (a
/// district's history brought over, or a benchmark's year); returns their ids in the
/// order given. Each proposal's count of supports is that of its distinct phones.
pub async fn load_past_proposals(
    store: &Store,
    proposals: &[gongzhi_store::history::PastProposal],
) -> Result<Vec<i64>> {
    Ok(store.load_proposals(proposals).await?)
}
