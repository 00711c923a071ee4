//! Suggestions as the API shows them: the service itself lives in the application
//! layer (`gongzhi_app::suggestions`); what is here fits its output to the API's views.

use std::collections::HashMap;

use gongzhi_store::{Account, Store};

pub use gongzhi_app::suggestions::*;

use crate::view::RequestView;

/// Gives each request its `suggestion` (`null` when intake made none) for those who see
/// suggestions; others' views are left without the field. Possible duplicates outside the
/// viewer's scope, or since rejected or merged themselves, are left out.
pub async fn attach(store: &Store, viewer: &Account, items: &mut [RequestView]) {
    if !sees_suggestions(viewer.role) {
        return;
    }
    let ids: Vec<i64> = items.iter().map(|item| item.id).collect();
    let suggestions = match store.suggestions_for(&ids).await {
        Ok(found) => found,
        Err(error) => {
            // The request is still worth showing without its suggestion.
            tracing::warn!(%error, "suggestions could not be read");
            HashMap::new()
        }
    };
    let duplicate_ids: Vec<i64> =
        suggestions.values().flat_map(|s| s.suggested.duplicates.iter().map(|d| d.id)).collect();
    let heads = store.request_heads(&duplicate_ids, &viewer.staff()).await.unwrap_or_default();
    for item in items {
        item.suggestion = Some(suggestions.get(&item.id).map(|s| {
            let mut s = s.suggested.clone();
            s.duplicates.retain(|d| heads.get(&d.id).is_some_and(|h| MERGEABLE.contains(&h.status)));
            s
        }));
    }
}
