//! Real residents' messages, when the shared data set is on the machine: the benchmark
//! then carries real texts. Nothing depends on them being there.

use std::path::{Path, PathBuf};

/// (title, content) pairs.
pub struct Corpus {
    pub messages: Vec<(String, String)>,
}

const FILES: &[&str] = &["unlabeled_messages.csv", "hot_messages.csv", "replies.csv", "routing_train.csv"];

/// Where the data set is looked for: `GONGZHI_SHARED_DATA`, else `../shared/data/tipdm2020c`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("GONGZHI_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/tipdm2020c"))
}

impl Corpus {
    /// The messages in `dir`, or `None` when there are none.
    pub fn load(dir: &Path) -> Option<Corpus> {
        let mut messages = Vec::new();
        for file in FILES {
            let Ok(mut reader) = csv::Reader::from_path(dir.join(file)) else { continue };
            let Ok(headers) = reader.headers().cloned() else { continue };
            let column = |name: &str| headers.iter().position(|h| h == name);
            let (Some(title), Some(detail)) = (column("title"), column("detail")) else { continue };
            let text = column("text");
            for record in reader.records().flatten() {
                let title = record.get(title).unwrap_or_default().trim();
                let mut content = record.get(detail).unwrap_or_default().trim();
                if content.is_empty() {
                    content = text.and_then(|t| record.get(t)).unwrap_or_default().trim();
                }
                if !title.is_empty() && !content.is_empty() {
                    let title: String = title.chars().take(200).collect();
                    let content: String = content.chars().take(5_000).collect();
                    messages.push((title, content));
                }
            }
        }
        (!messages.is_empty()).then_some(Corpus { messages })
    }
}
