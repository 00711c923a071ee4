//! The map of open requests: what a staff member sees in a viewport, grouped by the
//! store when there are many. The viewport's rules are `gongzhi_domain::map`'s.

use gongzhi_domain::catalogue::with_descendants;
use gongzhi_domain::map::Viewport;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_store::{MapFilter, MapView, Store};

use crate::Result;

/// The open requests in view, in the staff member's scope; `category` takes in the
/// categories below it, `since` keeps those created from then on.
pub async fn view(
    store: &Store,
    staff: &Staff,
    viewport: &Viewport,
    category: Option<i64>,
    since: Option<Millis>,
    now: Millis,
) -> Result<MapView> {
    let category_ids = match category {
        Some(id) => with_descendants(&store.categories().await?, id),
        None => Vec::new(),
    };
    Ok(store.map(staff, viewport, &MapFilter { category_ids, since }, now).await?)
}
