//! Open311 GeoReport v2: client systems and their keys, and a service request a client
//! posts, which goes in through intake like every other channel's.

use gongzhi_domain::open311::Posted;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::{Actor, Broken};
use gongzhi_store::open311::{Client, Origin, Sent};
use gongzhi_store::{Store, StoreError};

use crate::intake::{submit_from, Submission, Suggest};
use crate::Result;

/// Registers a client system that posts to `unit_id`; returns it and its key, which is
/// shown this once. `admin` is recorded with the change when an admin made it on the
/// site; the command line acts for the district.
pub async fn add_client(store: &Store, name: &str, unit_id: i64, admin: Option<&Staff>) -> Result<(Client, String)> {
    Ok(store.add_open311_client(name, unit_id, admin, time::now()).await?)
}

/// Revokes a client's key: from now on it gets 403.
pub async fn revoke_client(store: &Store, id: i64, admin: Option<&Staff>) -> Result<Client> {
    Ok(store.revoke_open311_client(id, admin, time::now()).await?)
}

/// What a client posted besides the request's own fields.
pub struct Post {
    pub api_key: Option<String>,
    pub service_code: Option<String>,
    pub email: Option<String>,
    pub fields: Posted,
}

/// The client a key belongs to, if it may post: no key or an unknown one is refused as
/// `open311_key`, a revoked one as `open311_key_revoked`.
pub async fn client_of(store: &Store, key: Option<&str>) -> Result<Client> {
    let key = key.map(str::trim).filter(|k| !k.is_empty()).ok_or(StoreError::Refused("open311_key"))?;
    match store.open311_client_by_key(key).await? {
        Some(client) if client.revoked_at.is_none() => Ok(client),
        Some(_) => Err(StoreError::Refused("open311_key_revoked").into()),
        None => Err(StoreError::Refused("open311_key").into()),
    }
}

/// Takes in a service request a client posted: its category is the service, its place
/// the client's unit (a public submission names its community; a client's address or
/// coordinates name no unit of ours). Returns the request with its token.
pub async fn post(store: &Store, suggester: &impl Suggest, post: Post) -> Result<Sent> {
    let client = client_of(store, post.api_key.as_deref()).await?;
    let code = post.service_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let code = code.ok_or(Broken::Missing("service_code"))?;
    let categories = store.categories().await?;
    let service = code.parse::<i64>().ok().and_then(|id| categories.iter().find(|c| c.id == id));
    let service = service.ok_or(StoreError::NotFound)?;
    let new = post.fields.request(service.id, &service.name, client.unit_id)?;
    let email = post.email.unwrap_or_default().trim().chars().take(gongzhi_domain::request::MAX_SHORT).collect();
    let media_url = post.fields.media_url()?.unwrap_or_default().to_string();
    let origin = Origin { client_id: client.id, email, media_url };
    let created = submit_from(store, suggester, Submission::new(new, Actor::Requester), Some(origin)).await?;
    store.open311_request(&created.request.number).await?.ok_or_else(|| StoreError::NotFound.into())
}
