//! Error messages, Chinese first, English second. Their words, and the names of states,
//! actions, roles and fields in them, all come from the message catalogue (`i18n`): this
//! module only fills them in, so a page and an error never name a thing twice.

use gongzhi_domain::lifecycle::UNPRINTABLE;
use gongzhi_domain::{intake, phone, Broken};

use crate::i18n::{Lang, Messages};

const ZH: Messages = Messages { lang: Lang::Zh };

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: zh.into(), en: en.into() }
    }

    /// The words of a catalogue key in both languages.
    pub fn from_catalogue(key: &str) -> Text {
        Text::new(Messages::new(Lang::Zh).lookup(key), Messages::new(Lang::En).lookup(key))
    }

    /// The words of a catalogue key, each `{name}` filled in with its value.
    pub fn filled(key: &str, values: &[(&str, &str)]) -> Text {
        let fill = |lang| {
            let mut words = Messages::new(lang).lookup(key).to_string();
            for (name, value) in values {
                words = words.replace(&format!("{{{name}}}"), value);
            }
            words
        };
        Text::new(fill(Lang::Zh), fill(Lang::En))
    }

    /// The message in the page's language.
    pub fn in_lang(self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::Zh => self.zh,
            crate::i18n::Lang::En => self.en,
        }
    }
}

/// A field's name as a message says it: `field.{name}` in the catalogue.
fn field(name: &str) -> &'static str {
    match ZH.lookup(&format!("field.{name}")) {
        "?" => ZH.get("field.other"),
        words => words,
    }
}

/// The rule a refused action broke, named for the person who tried it: the words are
/// the catalogue's `broken.{code}`, in Chinese with the names of states, actions, roles
/// and fields, and in English as the rule states itself.
pub fn broken(rule: &Broken) -> Text {
    let action = |a: &gongzhi_domain::Action| ZH.action(a.as_str());
    let values: Vec<(&str, String)> = match rule {
        Broken::WrongState { action: a, from } => vec![("from", ZH.status(from).into()), ("action", action(a).into())],
        Broken::WrongRole { action: a, role: r } => vec![("role", ZH.role(r).into()), ("action", action(a).into())],
        Broken::NotAssignedUnit { action: a } => vec![("action", action(a).into())],
        Broken::Missing(name) => vec![("field", field(name).into())],
        Broken::Invalid { field: name, reason } => {
            let why = match reason.as_str() {
                UNPRINTABLE => ZH.get("broken.unprintable"),
                phone::NOT_A_PHONE => ZH.get("broken.not_a_phone"),
                intake::ONLY_CONSULT => ZH.get("broken.only_consult"),
                _ => reason,
            };
            vec![("field", field(name).into()), ("reason", why.into())]
        }
        Broken::UnitInactive { field: name, unit } => vec![("field", field(name).into()), ("unit", unit.clone())],
        Broken::NotAPlace { unit } | Broken::PlaceOutOfScope { unit } => vec![("unit", unit.clone())],
        _ => vec![],
    };
    let values: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    Text::new(Text::filled(&format!("broken.{}", rule.code()), &values).zh, rule.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongzhi_domain::{Action, Status};

    #[test]
    fn a_refusal_names_the_rule_in_chinese() {
        let text = broken(&Broken::WrongState { action: Action::Claim, from: Status::Submitted });
        assert_eq!(text.zh, "当前状态为「待受理」，不能执行「领办」");
        assert!(text.en.contains("claim"));
    }

    #[test]
    fn a_note_with_control_characters_is_refused_in_chinese() {
        let text = broken(&Broken::Invalid { field: "note", reason: UNPRINTABLE.into() });
        assert_eq!(text.zh, "说明不符合要求：含有控制字符（只能有换行和制表符）");
        assert!(text.en.contains("control characters"));
    }
}
