//! Error messages, Chinese first, English second. Names of states, actions and roles come
//! from the message catalogue (`i18n`), so a page and an error never name a thing twice.

use gongzhi_domain::lifecycle::UNPRINTABLE;
use gongzhi_domain::Broken;

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

    /// The message in the page's language.
    pub fn in_lang(self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::Zh => self.zh,
            crate::i18n::Lang::En => self.en,
        }
    }
}

fn field(name: &str) -> &'static str {
    match name {
        "reason" => "理由",
        "reply" => "答复内容",
        "note" => "说明",
        "comment" => "评价意见",
        "title" => "标题",
        "content" => "诉求内容",
        "address" => "地址",
        "requester_name" => "诉求人姓名",
        "requester_phone" => "联系电话",
        "until" => "延期至",
        "unit_id" => "单位",
        "co_unit_ids" => "协办单位",
        "satisfaction" => "满意度",
        "contacted" => "是否已与诉求人联系",
        "solved" => "是否解决",
        _ => "字段",
    }
}

/// The rule a refused action broke, named for the person who tried it.
pub fn broken(rule: &Broken) -> Text {
    match rule {
        Broken::WrongState { action: a, from } => Text::new(
            format!("当前状态为「{}」，不能执行「{}」", ZH.status(from), ZH.action(a.as_str())),
            rule.to_string(),
        ),
        Broken::WrongRole { action: a, role: r } => {
            Text::new(format!("「{}」角色不能执行「{}」", ZH.role(r), ZH.action(a.as_str())), rule.to_string())
        }
        Broken::NotAssignedUnit { action: a } => {
            Text::new(format!("只有承办单位的承办人才能执行「{}」", ZH.action(a.as_str())), rule.to_string())
        }
        Broken::OutOfScope => Text::new("该诉求不在您的管辖范围内", rule.to_string()),
        Broken::Missing(name) => Text::new(format!("请填写{}", field(name)), rule.to_string()),
        Broken::Invalid { field: name, reason } => {
            let why =
                if reason == UNPRINTABLE { "含有控制字符（只能有换行和制表符）" } else { reason };
            Text::new(format!("{}不符合要求：{}", field(name), why), rule.to_string())
        }
        Broken::NoPendingExtension => Text::new("没有待审批的延期申请", rule.to_string()),
        Broken::ExtensionPending => Text::new("已有延期申请等待审批", rule.to_string()),
        Broken::WindowPassed => Text::new("已超过评价期限，不能再重办", rule.to_string()),
        Broken::WindowOpen => Text::new("评价期限未到，不能自动归档", rule.to_string()),
        Broken::MergeIntoSelf => Text::new("不能合并到自身", rule.to_string()),
        Broken::AlreadySatisfied => Text::new("您已评价为已解决且满意，不能申请重办", rule.to_string()),
        Broken::UnitInactive { field: name, unit } => {
            Text::new(format!("{}「{unit}」已停用，不再接收诉求，请另选单位", field(name)), rule.to_string())
        }
        Broken::NotAPlace { unit } => {
            Text::new(format!("「{unit}」不是社区、村或网格，诉求所在地请选择社区、村或网格"), rule.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongzhi_domain::{Action, Status};

    #[test]
    fn a_refusal_names_the_rule_in_chinese() {
        let text = broken(&Broken::WrongState { action: Action::Claim, from: Status::Submitted });
        assert_eq!(text.zh, "当前状态为「待受理」，不能执行「签收」");
        assert!(text.en.contains("claim"));
    }

    #[test]
    fn a_note_with_control_characters_is_refused_in_chinese() {
        let text = broken(&Broken::Invalid { field: "note", reason: UNPRINTABLE.into() });
        assert_eq!(text.zh, "说明不符合要求：含有控制字符（只能有换行和制表符）");
        assert!(text.en.contains("control characters"));
    }
}
