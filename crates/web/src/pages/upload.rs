//! Forms that may carry photos. A form with a file input is sent as
//! `multipart/form-data`, the same form without one as a plain urlencoded body; handlers
//! take either through `Posted<T>` and read the same fields.
//!
//! Limits are kept while reading: a file over the size limit is read to its end but not
//! kept, so the form's other fields still arrive and the page can come back filled in.
//! Text holding U+0000, which PostgreSQL cannot store, comes back the same way: without
//! the character, with the problem said, and nothing done.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::de::DeserializeOwned;

use crate::AppState;

/// What was wrong with a form's photos or text, as a catalogue key. Handlers check it
/// before the CSRF token: a body cut off at its size limit may have lost the token too,
/// and a form with a problem changes nothing either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    TooMany,
    TooLarge,
    NotAPhoto,
    /// A field held U+0000; the form comes back without it.
    Nul,
}

impl FormProblem {
    pub fn key(self) -> &'static str {
        match self {
            FormProblem::TooMany => "photo.too_many",
            FormProblem::TooLarge => "photo.too_large",
            FormProblem::NotAPhoto => "photo.not_photo",
            FormProblem::Nul => "guard.nul",
        }
    }

    /// The status the form comes back with.
    pub fn status(self) -> StatusCode {
        match self {
            FormProblem::Nul => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// A posted form: its fields as `T`, and the photos that came with it, each checked for
/// size and for being a JPEG, PNG or WebP by its content.
pub struct Posted<T> {
    pub form: T,
    pub photos: Vec<Vec<u8>>,
    /// The first thing wrong with the form; when set, nothing is to be done with it.
    pub problem: Option<FormProblem>,
}

/// The largest body a route taking photos accepts: the photos and room for the text.
pub fn body_limit(config: &crate::WebConfig) -> usize {
    config.photo_max_count * config.photo_max_bytes + crate::MAX_BODY
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let multipart = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let (mut fields, mut photos, mut problem) = if multipart {
            let parts = Multipart::from_request(request, state).await.map_err(IntoResponse::into_response)?;
            read(parts, &state.config).await
        } else {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
                .await
                .map_err(IntoResponse::into_response)?;
            (fields, Vec::new(), None)
        };
        if fields.iter().any(|(name, text)| name.contains('\0') || text.contains('\0')) {
            for (name, text) in &mut fields {
                name.retain(|c| c != '\0');
                text.retain(|c| c != '\0');
            }
            photos.clear();
            problem = Some(FormProblem::Nul);
        }
        Ok(Posted { form: fields_as(fields).ok_or_else(malformed)?, photos, problem })
    }
}

/// The fields as `T`. A field sent more than once — the choices of a multiple select —
/// arrives as one value, the choices joined by commas.
fn fields_as<T: DeserializeOwned>(fields: Vec<(String, String)>) -> Option<T> {
    let mut joined: Vec<(String, String)> = Vec::with_capacity(fields.len());
    let mut place: HashMap<String, usize> = HashMap::new();
    for (name, value) in fields {
        match place.get(&name) {
            Some(&at) => {
                joined[at].1.push(',');
                joined[at].1.push_str(&value);
            }
            None => {
                place.insert(name.clone(), joined.len());
                joined.push((name, value));
            }
        }
    }
    let encoded = serde_urlencoded::to_string(&joined).unwrap_or_default();
    serde_urlencoded::from_str(&encoded).ok()
}

fn malformed() -> Response {
    (StatusCode::BAD_REQUEST, "malformed form").into_response()
}

async fn read(
    mut parts: Multipart,
    config: &crate::WebConfig,
) -> (Vec<(String, String)>, Vec<Vec<u8>>, Option<FormProblem>) {
    let mut fields = Vec::new();
    let mut photos = Vec::new();
    let mut problem = None;
    loop {
        let mut field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // Past the body limit, or cut off. The parser reads ahead as far as the body
            // has arrived, so when a body far over the limit came at once, even the text
            // before the photos is lost; the problem still says why.
            Err(_) => {
                problem.get_or_insert(FormProblem::TooLarge);
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_none() {
            if let Ok(text) = field.text().await {
                fields.push((name, text));
            }
            continue;
        }
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) if !over => {
                    over = bytes.len() + chunk.len() > config.photo_max_bytes;
                    if over {
                        bytes = Vec::new();
                    } else {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    over = true;
                    break;
                }
            }
        }
        // A file input left empty still sends a part with no bytes.
        if over {
            problem.get_or_insert(FormProblem::TooLarge);
        } else if bytes.is_empty() {
            continue;
        } else if gongzhi_store::photo_type(&bytes).is_none() {
            problem.get_or_insert(FormProblem::NotAPhoto);
        } else if photos.len() == config.photo_max_count {
            problem.get_or_insert(FormProblem::TooMany);
        } else {
            photos.push(bytes);
        }
    }
    (fields, photos, problem)
}
