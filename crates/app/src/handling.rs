//! Acting on a request: every lifecycle action (accept, dispatch, claim, progress,
//! resolve, evaluate, …) from staff, the requester or the system's timers. What an
//! action does is `gongzhi_domain::lifecycle`'s to decide; here it is carried out with
//! its photos, which are kept with the event the action writes, in the same writer job
//! and transaction — never attached afterwards to whatever event is last by then.

use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::{Actor, Command, Request};
use gongzhi_store::Store;

use crate::Result;

/// An action as a channel received it.
pub struct Act {
    pub id: i64,
    /// The version the actor saw; a stale one is a conflict and changes nothing. None
    /// for the requester and the system, who act on the request as it stands.
    pub version: Option<i64>,
    pub command: Command,
    pub actor: Actor,
    /// When it happened: now, but for timers and demo histories.
    pub at: Millis,
    pub photos: Vec<Vec<u8>>,
}

impl Act {
    pub fn new(id: i64, version: Option<i64>, command: Command, actor: Actor) -> Act {
        Act { id, version, command, actor, at: time::now(), photos: Vec::new() }
    }

    pub fn at(self, at: Millis) -> Act {
        Act { at, ..self }
    }

    pub fn with_photos(self, photos: Vec<Vec<u8>>) -> Act {
        Act { photos, ..self }
    }
}

/// Takes the action; returns the request as it now stands.
pub async fn act(store: &Store, action: Act) -> Result<Request> {
    use gongzhi_domain::Action;
    // Rectification and reinspection are inspection's (`crate::inspection`), which knows
    // the point's leader and counts repeated failures; no other channel takes them.
    if matches!(action.command.action(), Action::Rectify | Action::ReinspectPass | Action::ReinspectFail) {
        return Err(gongzhi_store::StoreError::Refused("inspection_action").into());
    }
    // Adoption is a meeting's decision (`crate::deliberation::decide`), with its proposal.
    if action.command.action() == Action::Adopt {
        return Err(gongzhi_store::StoreError::Refused("meeting_action").into());
    }
    carry_out(store, action).await
}

/// Takes any action as it stands, the inspection's own too.
pub(crate) async fn carry_out(store: &Store, action: Act) -> Result<Request> {
    let Act { id, version, command, actor, at, photos } = action;
    Ok(store.act_with(id, version, command, actor, at, photos).await?)
}
