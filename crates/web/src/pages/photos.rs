//! Photos served back: to staff who may see the request, and to the requester holding
//! its tracking code. The stored type was found from the photo's own bytes when it came
//! in, and `nosniff` keeps browsers from guessing another.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_store::{Attachment, AttachmentInfo, StoreError};

use super::Chrome;
use crate::auth::ClientAddr;
use crate::AppState;

pub(crate) fn serve(result: Result<Attachment, StoreError>) -> Response {
    serve_kept(result.map(|photo| (photo.info.content_type, photo.bytes)))
}

/// A photo kept with its type, as a meeting's are.
pub(crate) fn serve_kept(result: Result<(String, Vec<u8>), StoreError>) -> Response {
    match result {
        Ok((content_type, bytes)) => {
            let kind =
                HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
            let headers = [
                (CONTENT_TYPE, kind),
                (CONTENT_DISPOSITION, HeaderValue::from_static("inline")),
                (CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600")),
                (axum::http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ];
            (headers, bytes).into_response()
        }
        // Absent, or the store failed: the error page that says which.
        Err(error) => super::PageError::from(error).into_response(),
    }
}

/// `/work/requests/{id}/photos/{n}`: out of scope answers as absent.
pub async fn staff_photo(State(state): State<AppState>, chrome: Chrome, Path((id, n)): Path<(i64, i64)>) -> Response {
    let Some(user) = chrome.user.as_ref() else { return chrome.to_login() };
    match state.store.request(id, &user.staff()).await {
        Ok(_) => serve(state.store.photo(id, n).await),
        Err(error) => serve(Err(error)),
    }
}

/// `/track/{code}/photos/{n}`: a wrong code counts toward the same limit as on the
/// tracking page, so photos are no way around it.
pub async fn track_photo(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((code, n)): Path<(String, i64)>,
) -> Response {
    let lookup = state.store.request_by_tracking_code(&code);
    match crate::api::track::guarded(&state, &addr, &code, lookup).await {
        Ok(request) => serve(state.store.photo(request.id, n).await),
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => StatusCode::TOO_MANY_REQUESTS.into_response(),
        Err(_) => serve(Err(StoreError::NotFound)),
    }
}

/// The addresses of a request's photos under a base (`/track/CODE` or
/// `/work/requests/ID`), for thumbnails.
pub fn links(base: &str, photos: &[AttachmentInfo]) -> Vec<String> {
    photos.iter().map(|p| format!("{base}/photos/{}", p.n)).collect()
}
