//! What a viewer is shown of a request besides the request itself.

use gongzhi_domain::lifecycle::{self, Action};
use gongzhi_domain::{Request, Role};

/// The actions a holder of `role` is offered on the request as it stands: allowed to
/// the role and from the request's state. The API's `actions` and the page's forms both
/// come from here, so they cannot disagree.
pub fn actions(request: &Request, role: Role) -> Vec<Action> {
    lifecycle::offered(request.status, role).collect()
}
