//! One error type for every page: a refusal or a failure becomes a page with the status
//! that fits it, the message in the viewer's language with the other language under it,
//! and a way onward — never an empty list standing in for a database that did not answer.
//!
//! Handlers return `Result<Response, PageError>` and use `?`. A `PageError` knows no
//! viewer, so it travels out of the handler inside its response, and `render`, a layer
//! around every route, draws it as a page in the language of the person who asked.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gongzhi_store::StoreError;

use super::{page, Chrome};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::messages::Text;
use crate::AppState;

/// What a page answers instead of what was asked for.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    /// The catalogue key of the page's heading.
    title: &'static str,
    pub text: Text,
}

pub type PageResult = Result<Response, PageError>;

/// A refusal said on the page it was made on, beside what was typed: the status it is
/// answered with and its words in the viewer's language.
pub type Refusal = Option<(StatusCode, String)>;

/// The status a page with this refusal answers, and the words it shows.
pub fn said(refusal: Refusal) -> (StatusCode, Option<String>) {
    refusal.map_or((StatusCode::OK, None), |(status, words)| (status, Some(words)))
}

/// A refusal in the catalogue's words.
pub fn refused(chrome: &Chrome, status: StatusCode, key: &str) -> Refusal {
    Some((status, chrome.t.get(key).to_string()))
}

/// A store error someone's input caused, with its status and words for the page they
/// are on; a failure of the store is an error page of its own.
pub fn refusal(chrome: &Chrome, error: StoreError) -> Result<Refusal, PageError> {
    let error = PageError::refusal(error)?;
    Ok(Some((error.status, error.text.in_lang(chrome.t.lang))))
}

impl PageError {
    /// A refusal or failure told in words from the catalogue.
    pub fn new(status: StatusCode, title: &'static str, key: &str) -> PageError {
        PageError { status, title, text: Text::from_catalogue(key) }
    }

    /// The database or the writer failed: nothing was lost, and trying again may work.
    pub fn unavailable() -> PageError {
        PageError::new(StatusCode::SERVICE_UNAVAILABLE, "error.unavailable_title", "error.unavailable_page")
    }

    pub fn not_found() -> PageError {
        PageError::new(StatusCode::NOT_FOUND, "error.not_found_title", "error.not_found")
    }

    pub fn forbidden(key: &str) -> PageError {
        PageError::new(StatusCode::FORBIDDEN, "error.forbidden_title", key)
    }

    /// A store error someone's input caused, to say on the page they are on, or else a
    /// failure of the store, which is an error page of its own: `refusal(error)?`.
    pub fn refusal(error: StoreError) -> Result<ApiError, PageError> {
        let error = ApiError::from(error);
        if error.status.is_server_error() {
            return Err(error.into());
        }
        Ok(error)
    }

    /// Whether the same request may succeed later as it is.
    fn passing(&self) -> bool {
        self.status.is_server_error() || self.status == StatusCode::TOO_MANY_REQUESTS
    }

    /// The error as a page for this viewer.
    pub fn page(&self, chrome: &Chrome) -> Response {
        self.draw(chrome, false)
    }

    /// `again`: the page was asked for with GET, so a link may ask for it again.
    fn draw(&self, chrome: &Chrome, again: bool) -> Response {
        let (message, other) = match chrome.t.lang {
            Lang::Zh => (&self.text.zh, &self.text.en),
            Lang::En => (&self.text.en, &self.text.zh),
        };
        let template = Refused {
            chrome,
            title: chrome.t.get(self.title),
            message,
            other,
            other_lang: chrome.t.lang.other().code(),
            retry: (again && self.passing()).then_some(chrome.here.as_str()),
            home: if chrome.user.is_some() { "/work" } else { "/" },
        };
        let mut response = page(chrome, &template);
        if response.status() == StatusCode::OK {
            *response.status_mut() = self.status;
        }
        response
    }
}

#[derive(Template)]
#[template(path = "refused.html")]
struct Refused<'a> {
    chrome: &'a Chrome,
    title: &'a str,
    message: &'a str,
    other: &'a str,
    other_lang: &'a str,
    /// This page again, when trying again may help.
    retry: Option<&'a str>,
    home: &'static str,
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        if error.status == StatusCode::SERVICE_UNAVAILABLE {
            return PageError::unavailable();
        }
        let title = match error.status {
            StatusCode::NOT_FOUND => "error.not_found_title",
            StatusCode::FORBIDDEN => "error.forbidden_title",
            status if status.is_server_error() => "error.unavailable_title",
            _ => "error.title",
        };
        PageError { status: error.status, title, text: error.text }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> PageError {
        ApiError::from(error).into()
    }
}

impl IntoResponse for PageError {
    /// The words in both languages as plain text, and the error itself for `render`
    /// to draw as a page.
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(status = %self.status, message = %self.text.en, "page refused");
        }
        let mut response = (self.status, format!("{}\n{}\n", self.text.zh, self.text.en)).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Draws a `PageError` that a handler answered as a page for the person who asked.
pub async fn render(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let again = parts.method == axum::http::Method::GET;
    let mut asked = Request::new(());
    *asked.uri_mut() = parts.uri.clone();
    *asked.headers_mut() = parts.headers.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(error) = response.extensions().get::<PageError>().cloned() else { return response };
    let (mut parts, ()) = asked.into_parts();
    match Chrome::from_request_parts(&mut parts, &state).await {
        Ok(chrome) => error.draw(&chrome, again),
        Err(_) => response,
    }
}
