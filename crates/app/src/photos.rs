//! Photos of a public submission the form refused: kept under the form's key so the
//! resident need not choose them again, and let go once the form goes through.

use gongzhi_domain::time::Millis;
use gongzhi_store::Store;

use crate::Result;

pub async fn hold(store: &Store, form_key: &str, photos: &[Vec<u8>], now: Millis) -> Result<()> {
    Ok(store.hold_photos(form_key, photos, now).await?)
}

pub async fn release(store: &Store, form_key: &str) -> Result<()> {
    Ok(store.release_photos(form_key).await?)
}
