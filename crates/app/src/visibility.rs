//! What a viewer is shown of a request besides the request itself.

use gongzhi_domain::lifecycle::{self, Action};
use gongzhi_domain::{Request, Role};

/// The actions a holder of `role` is offered on the request as it stands: allowed to
/// the role and from the request's state. The API's `actions` and the page's forms both
/// come from here, so they cannot disagree. Rectification and reinspection are not
/// among them: a round's finish and the reinspection form (`inspection`) take them,
/// where the point and its leader are known; nor is adoption, a meeting's decision.
pub fn actions(request: &Request, role: Role) -> Vec<Action> {
    let own_forms =
        |a: &Action| matches!(a, Action::Rectify | Action::ReinspectPass | Action::ReinspectFail | Action::Adopt);
    lifecycle::offered(request.status, role).filter(|a| !own_forms(a)).collect()
}
