//! The words of a notification. Residents read a text message on a phone: Chinese, the
//! tracking code, the link to the tracking page, within one SMS of 70 characters where
//! the link allows; what is cut to fit is the free text (a reason, a title), never the
//! code or the link. Staff get the request's number and title, and mail has a subject.

use super::Topic;

/// One SMS: 70 characters of Chinese text (longer ones are split and billed as several).
pub const SMS_LIMIT: usize = 70;

/// What a text is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    pub topic: Topic,
    /// The signature carriers require in front (【共治】), without the brackets.
    pub sign: &'a str,
    pub number: &'a str,
    pub tracking_code: &'a str,
    pub title: &'a str,
    /// A reason or an order's text, when the topic has one.
    pub note: &'a str,
    /// The tracking page (`…/track/CODE`) for residents, the request's page for staff.
    pub link: &'a str,
}

/// What happened, as a resident or a cadre is told it.
pub fn headline(topic: Topic) -> &'static str {
    match topic {
        Topic::Accepted => "您的诉求已受理",
        Topic::Dispatched => "您的诉求已派单办理",
        Topic::Replied => "您的诉求已答复请评价",
        Topic::Rejected => "您的诉求不予受理",
        Topic::Reopened => "您的诉求重新办理",
        Topic::DispatchedToUnit => "新派单待领办",
        Topic::ReturnedToUnit => "工单退回重办",
        Topic::PressOrder => "工单被督办",
        Topic::ReworkOrder => "工单被回炉返工",
        Topic::DeadlineWarning => "工单即将超期",
        Topic::Overdue => "工单已超期",
        Topic::Escalated => "下级工单超期升级",
        Topic::ExtensionRequested => "延期申请待审批",
        Topic::OrderAnswered => "督办单已答复",
        Topic::OrderOverdue => "督办单逾期未答复",
        Topic::RectificationPressed => "包保点位整改被重点督办",
        Topic::MilestoneDue => "交办任务节点即将到期",
        Topic::MilestoneOverdue => "交办任务节点已超期",
        Topic::MilestoneReported => "交办任务进展待审核",
        Topic::MilestoneSentBack => "交办任务进展被退回",
        Topic::PhoneCode => "您的验证码",
    }
}

/// The text message.
pub fn sms(f: &Facts) -> String {
    let sign = if f.sign.is_empty() { String::new() } else { format!("【{}】", f.sign) };
    let head = headline(f.topic);
    if f.topic == Topic::PhoneCode {
        // The code is the note; nobody is to be asked for it.
        return format!("{sign}{head}为{}，10分钟内有效。如非本人操作，请忽略本短信。", f.note.trim());
    }
    let fixed = |free: &str| -> String {
        if f.topic.for_requester() {
            let free = if free.is_empty() { String::new() } else { format!("：{free}") };
            format!("{sign}{head}{free}，查询码{}：{}", f.tracking_code, f.link)
        } else {
            format!("{sign}{head}：{}{free}，{}", f.number, f.link)
        }
    };
    // The free text the topic carries: a rejection's reason to the resident, the title
    // of the work to a cadre.
    let free = if f.topic.for_requester() {
        if f.topic == Topic::Rejected {
            f.note.trim()
        } else {
            ""
        }
    } else {
        f.title.trim()
    };
    let free = if f.topic.for_requester() || free.is_empty() { free.to_string() } else { format!(" {free}") };
    let whole = fixed(&free);
    let over = whole.chars().count().saturating_sub(SMS_LIMIT);
    if over == 0 || free.is_empty() {
        return whole;
    }
    let keep = free.chars().count().saturating_sub(over + 1);
    let cut: String = free.chars().take(keep).collect();
    if cut.trim().is_empty() {
        fixed("")
    } else {
        fixed(&format!("{cut}…"))
    }
}

/// A mail's subject line.
pub fn subject(f: &Facts) -> String {
    format!("{}：{} {}", headline(f.topic), f.number, f.title.trim())
}

/// A mail's body, in plain text.
pub fn mail_body(f: &Facts) -> String {
    let mut body = format!("{}\n\n工单编号：{}\n标题：{}\n", headline(f.topic), f.number, f.title.trim());
    if !f.note.trim().is_empty() {
        body.push_str(&format!("说明：{}\n", f.note.trim()));
    }
    body.push_str(&format!("\n查看：{}\n", f.link));
    body
}
