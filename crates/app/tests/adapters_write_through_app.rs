//! The web and the command line write only through the application layer: no module of
//! either calls a method of the store that writes. The store's writing methods are found
//! from its source (every `pub async fn` whose name starts with a writing verb), so a new
//! one is covered the day it is written.

use std::path::{Path, PathBuf};

/// How the store names a method that changes what it holds.
const WRITING_VERBS: &[&str] = &[
    "act",
    "add",
    "answer",
    "catch_up",
    "change",
    "checkpoint",
    "close_order",
    "create",
    "delete",
    "draw",
    "end",
    "escalate",
    "generate",
    "hold",
    "import",
    "load",
    "log",
    "open_order",
    "publish",
    "record",
    "release",
    "rename",
    "reset",
    "revoke",
    "save",
    "send_back",
    "set",
    "start",
    "toggle",
];

/// Writes that guard the door rather than change anything a person reads: the
/// tracking-code throttle (`api::track`) and the planner's statistics after a bulk load.
/// They stay in the adapters (docs/architecture.md).
const INFRASTRUCTURE: &[&str] = &["count_attempt", "clear_passed_attempts", "analyze"];

fn crate_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name).join("src")
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The names of the store's methods that write.
fn store_writes() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&crate_dir("store"), &mut files);
    let mut writes = Vec::new();
    for file in files.iter().filter(|file| !file.components().any(|part| part.as_os_str() == "testing")) {
        let text = std::fs::read_to_string(file).unwrap();
        for rest in text.split("pub async fn ").skip(1) {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let writes_something =
                WRITING_VERBS.iter().any(|verb| name == *verb || name.starts_with(&format!("{verb}_")));
            if writes_something || INFRASTRUCTURE.contains(&name.as_str()) {
                writes.push(name);
            }
        }
    }
    writes.sort();
    writes.dedup();
    writes
}

#[test]
fn the_store_writing_methods_are_found() {
    let writes = store_writes();
    for known in ["add_child_unit", "set_user_active", "start_session", "hold_photos", "create", "act", "checkpoint"] {
        assert!(writes.iter().any(|w| w == known), "{known} is not among the store's writes: {writes:?}");
    }
    for read in ["unit", "users_page", "session_account", "held_photos", "request"] {
        assert!(!writes.iter().any(|w| w == read), "{read} reads, yet was taken for a write");
    }
}

#[test]
fn no_module_of_web_or_cli_writes_to_the_store_itself() {
    let writes = store_writes();
    let mut files = Vec::new();
    rust_files(&crate_dir("web"), &mut files);
    rust_files(&crate_dir("cli"), &mut files);
    assert!(files.len() > 20, "the adapters' sources were not found");
    let mut found = Vec::new();
    for file in &files {
        // rustfmt breaks long chains over lines: `state\n .store\n .add_user(`.
        let text: String = std::fs::read_to_string(file).unwrap().split_whitespace().collect();
        for write in writes.iter().filter(|write| !INFRASTRUCTURE.contains(&write.as_str())) {
            for receiver in ["store.", "store().", "store)."] {
                if text.contains(&format!("{receiver}{write}(")) {
                    found.push(format!("{} calls store.{write}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "these adapters write to the store instead of calling gongzhi_app:\n{}",
        found.join("\n")
    );
}
