//! The message catalogue: every word a page shows, in Chinese (the default) and English.
//!
//! Catalogues are `key = text` lines in `i18n/zh-CN.txt` and `i18n/en.txt`, compiled into
//! the binary. Both must hold the same keys; a test fails otherwise, and another fails
//! when a template asks for a key that neither has.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// From a `lang` cookie or query value; Chinese unless English is asked for.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some(code) if code.starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language a switch on the page leads to.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

pub const ZH: &str = include_str!("../i18n/zh-CN.txt");
pub const EN: &str = include_str!("../i18n/en.txt");

pub fn parse(text: &str) -> HashMap<&str, &str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ZH_MAP: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_MAP: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Zh => ZH_MAP.get_or_init(|| parse(ZH)),
        Lang::En => EN_MAP.get_or_init(|| parse(EN)),
    }
}

/// The words of one page in one language; templates call `t.get("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    pub lang: Lang,
}

impl Messages {
    pub fn new(lang: Lang) -> Messages {
        Messages { lang }
    }

    /// The text for `key`; the key itself when it is missing, so a gap shows on the page
    /// instead of breaking it (and the tests catch it).
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        catalogue(self.lang).get(key).copied().unwrap_or(key)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// The text of a key made at run time (`status.closed`); `?` when missing.
    pub fn lookup(&self, key: &str) -> &'static str {
        catalogue(self.lang).get(key).copied().unwrap_or("?")
    }

    pub fn status(&self, status: impl std::borrow::Borrow<gongzhi_domain::Status>) -> &'static str {
        self.lookup(&format!("status.{}", status.borrow().as_str()))
    }

    pub fn role(&self, role: impl std::borrow::Borrow<gongzhi_domain::Role>) -> &'static str {
        self.lookup(&format!("role.{}", role.borrow().as_str()))
    }

    pub fn kind(&self, kind: impl std::borrow::Borrow<gongzhi_domain::Kind>) -> &'static str {
        self.lookup(&format!("kind.{}", kind.borrow().as_str()))
    }

    /// 建议 or 微心愿.
    pub fn proposal_kind(&self, kind: gongzhi_domain::deliberation::ProposalKind) -> &'static str {
        self.lookup(&format!("proposal.kind.{}", kind.as_str()))
    }

    /// Where a proposal stands, in residents' words.
    pub fn proposal_status(&self, status: gongzhi_domain::deliberation::ProposalStatus) -> &'static str {
        self.lookup(&format!("proposal.status.{}", status.as_str()))
    }

    /// An event's action, including `submit`, which is not a lifecycle action.
    pub fn action(&self, action: &str) -> &'static str {
        self.lookup(&format!("action.{action}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = parse(ZH);
        let en = parse(EN);
        let mut missing: Vec<String> =
            zh.keys().filter(|k| !en.contains_key(*k)).map(|k| format!("en lacks {k}")).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)).map(|k| format!("zh-CN lacks {k}")));
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
        assert!(zh.values().all(|v| !v.is_empty()) && en.values().all(|v| !v.is_empty()));
    }

    #[test]
    fn every_key_a_template_uses_exists() {
        let zh = parse(ZH);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut unknown = Vec::new();
        for entry in walk(std::path::Path::new(dir)) {
            let text = std::fs::read_to_string(&entry).unwrap();
            for part in text.split("t.get(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !zh.contains_key(key) {
                    unknown.push(format!("{}: {key}", entry.display()));
                }
            }
        }
        assert!(unknown.is_empty(), "{unknown:#?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    #[test]
    fn every_state_kind_role_and_action_has_words() {
        for lang in [Lang::Zh, Lang::En] {
            let t = Messages::new(lang);
            for s in gongzhi_domain::Status::ALL {
                assert_ne!(t.status(*s), "?", "status.{s}");
            }
            for k in gongzhi_domain::Kind::ALL {
                assert_ne!(t.kind(*k), "?", "kind.{k}");
            }
            for r in gongzhi_domain::Role::ALL {
                assert_ne!(t.role(*r), "?", "role.{r}");
            }
            for k in gongzhi_domain::deliberation::ProposalKind::ALL {
                assert_ne!(t.proposal_kind(*k), "?", "proposal.kind.{k}");
            }
            for s in gongzhi_domain::deliberation::ProposalStatus::ALL {
                assert_ne!(t.proposal_status(*s), "?", "proposal.status.{s}");
            }
            for a in gongzhi_domain::Action::ALL.iter().map(|a| a.as_str()).chain(["submit"]) {
                assert_ne!(t.action(a), "?", "action.{a}");
            }
        }
    }

    /// Every word a person reads is in the catalogue: no Chinese characters in the code
    /// outside comments and tests, so none can be missed when the catalogue is translated.
    /// (Punctuation that joins lists and parses input is not a word.)
    #[test]
    fn no_chinese_outside_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut found = Vec::new();
        for file in walk(std::path::Path::new(dir)).into_iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
            let text = std::fs::read_to_string(&file).unwrap();
            // Test modules close a file; their example texts are not words a page shows.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or_default();
                if line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(found.is_empty(), "Chinese outside the catalogue:\n{}", found.join("\n"));
    }

    /// Every key the code names for its messages exists in the catalogue.
    #[test]
    fn every_key_the_code_uses_exists() {
        let zh = parse(ZH);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut unknown = Vec::new();
        for file in walk(std::path::Path::new(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for part in text.split('"').skip(1).step_by(2) {
                let prefix = part.split('.').next().unwrap_or_default();
                let named = ["api", "broken", "error", "guard", "form", "refused"].contains(&prefix)
                    && part.len() > prefix.len() + 1
                    && part.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                if named && !part.ends_with('.') && !part.ends_with(".html") && !zh.contains_key(part) {
                    unknown.push(format!("{}: {part}", file.display()));
                }
            }
        }
        assert!(unknown.is_empty(), "{unknown:#?}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Lang::from_code(None), Lang::Zh);
        assert_eq!(Lang::from_code(Some("en")), Lang::En);
        assert_eq!(Lang::from_code(Some("fr")), Lang::Zh);
    }
}
