//! The suggestion service as intake's `gongzhi_app::Suggest`: every channel of this
//! instance submits through `gongzhi_app::submit` with it. When the service itself moves
//! into the application layer, this moves with it.

use gongzhi_app::Suggest;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::Request;
use gongzhi_store::NewSuggestion;

use crate::suggest::Suggester;

impl Suggest for Suggester {
    async fn suggest(&self, new: &NewRequest) -> Option<NewSuggestion> {
        Suggester::suggest(self, new).await
    }

    fn remember(&self, request: &Request) {
        Suggester::remember(self, request)
    }
}
