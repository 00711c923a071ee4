//! The words people read: Chinese first, English second. Every name of a state, action,
//! role or error that the API or a page shows comes from here.

use gongzhi_domain::lifecycle::Action;
use gongzhi_domain::{Broken, Role, Status};

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

pub fn status(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Submitted => ("待受理", "submitted"),
        Status::PendingDispatch => ("待派单", "pending dispatch"),
        Status::Dispatched => ("待签收", "dispatched"),
        Status::InProgress => ("办理中", "in progress"),
        Status::Resolved => ("已办结(待评价)", "resolved"),
        Status::Closed => ("已归档", "closed"),
        Status::Rejected => ("不予受理", "rejected"),
        Status::Merged => ("已合并", "merged"),
    }
}

pub fn action(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Accept => ("受理", "accept"),
        Action::Reject => ("不予受理", "reject"),
        Action::Answer => ("直接答复", "answer"),
        Action::Dispatch => ("派单", "dispatch"),
        Action::Claim => ("签收", "claim"),
        Action::Return => ("退单", "return"),
        Action::Progress => ("办理进展", "progress"),
        Action::RequestExtension => ("申请延期", "request an extension"),
        Action::ApproveExtension => ("批准延期", "approve the extension"),
        Action::DenyExtension => ("驳回延期", "deny the extension"),
        Action::Resolve => ("办结答复", "resolve"),
        Action::Evaluate => ("评价", "evaluate"),
        Action::AutoClose => ("自动归档", "auto-close"),
        Action::Reopen => ("重办", "reopen"),
        Action::Merge => ("合并", "merge"),
        Action::Press => ("督办", "press"),
    }
}

pub fn role(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Operator => ("受理员", "operator"),
        Role::Dispatcher => ("派单员", "dispatcher"),
        Role::Handler => ("承办人", "handler"),
        Role::Leader => ("负责人", "leader"),
        Role::Volunteer => ("志愿者", "volunteer"),
        Role::Inspector => ("巡查员", "inspector"),
        Role::Supervisor => ("督查", "supervisor"),
        Role::Admin => ("管理员", "admin"),
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
        _ => "字段",
    }
}

/// The rule a refused action broke, named for the person who tried it.
pub fn broken(rule: &Broken) -> Text {
    match rule {
        Broken::WrongState { action: a, from } => {
            Text::new(format!("当前状态为「{}」，不能执行「{}」", status(*from).0, action(*a).0), rule.to_string())
        }
        Broken::WrongRole { action: a, role: r } => {
            Text::new(format!("「{}」角色不能执行「{}」", role(*r).0, action(*a).0), rule.to_string())
        }
        Broken::NotAssignedUnit { action: a } => {
            Text::new(format!("只有承办单位的承办人才能执行「{}」", action(*a).0), rule.to_string())
        }
        Broken::OutOfScope => Text::new("该诉求不在您的管辖范围内", rule.to_string()),
        Broken::Missing(name) => Text::new(format!("请填写{}", field(name)), rule.to_string()),
        Broken::Invalid { field: name, reason } => {
            Text::new(format!("{}不符合要求：{}", field(name), reason), rule.to_string())
        }
        Broken::NoPendingExtension => Text::new("没有待审批的延期申请", rule.to_string()),
        Broken::ExtensionPending => Text::new("已有延期申请等待审批", rule.to_string()),
        Broken::WindowPassed => Text::new("已超过评价期限，不能再重办", rule.to_string()),
        Broken::WindowOpen => Text::new("评价期限未到，不能自动归档", rule.to_string()),
        Broken::MergeIntoSelf => Text::new("不能合并到自身", rule.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_action_and_role_has_both_names() {
        for s in Status::ALL {
            let (zh, en) = status(*s);
            assert!(!zh.is_empty() && !en.is_empty());
        }
        for a in Action::ALL {
            let (zh, en) = action(*a);
            assert!(!zh.is_empty() && !en.is_empty());
        }
        for r in Role::ALL {
            let (zh, en) = role(*r);
            assert!(!zh.is_empty() && !en.is_empty());
        }
    }

    #[test]
    fn a_refusal_names_the_rule_in_chinese() {
        let text = broken(&Broken::WrongState { action: Action::Claim, from: Status::Submitted });
        assert_eq!(text.zh, "当前状态为「待受理」，不能执行「签收」");
        assert!(text.en.contains("claim"));
    }
}
