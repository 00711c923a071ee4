//! The category catalogue as people name it: whole paths and the words used for each
//! category, for the boxes where a category is typed and for files that name one.

use std::collections::HashMap;

use gongzhi_domain::catalogue::{self, Entry, Resolved};
use gongzhi_store::{Store, StoreError};

/// Every category with its whole path (`一级 / 二级 / 三级`) and its words, by path.
pub async fn entries(store: &Store) -> Result<Vec<Entry>, StoreError> {
    let categories = store.categories().await?;
    let mut words = store.category_words().await?;
    let by_id: HashMap<i64, (&str, Option<i64>)> =
        categories.iter().map(|c| (c.id, (c.name.as_str(), c.parent_id))).collect();
    let mut entries: Vec<Entry> = categories
        .iter()
        .map(|category| {
            let mut names = vec![category.name.as_str()];
            let mut parent = category.parent_id;
            while let Some((name, up)) = parent.and_then(|p| by_id.get(&p)).copied() {
                names.push(name);
                parent = up;
            }
            names.reverse();
            let words = words.remove(&category.id).unwrap_or_default();
            Entry { id: category.id, path: names.join(" / "), words }
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// The one category a file's cell names, or why it names none: a whole path, a name or
/// word the catalogue holds once. Unlike a resident's typing, a file is never guessed
/// at: several fits are refused with their paths.
pub fn named(text: &str, entries: &[Entry]) -> std::result::Result<Option<i64>, String> {
    match catalogue::resolve(text, entries) {
        Resolved::Nothing => Ok(None),
        Resolved::One(id) => Ok(Some(id)),
        Resolved::Unknown => Err(format!("category `{}` is not in the catalogue", text.trim())),
        Resolved::Choice(ids) => {
            let paths: Vec<&str> =
                entries.iter().filter(|e| ids.contains(&e.id)).map(|e| e.path.as_str()).take(3).collect();
            Err(format!("category `{}` fits several: give its whole path, e.g. {}", text.trim(), paths.join("; ")))
        }
    }
}
