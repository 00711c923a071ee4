use super::text::{sms, Facts, SMS_LIMIT};
use super::*;
use crate::request::{Channel, Kind, NewRequest, RequesterType};

fn request(phone: &str) -> Request {
    let new = NewRequest {
        kind: Kind::Complaint,
        channel: Channel::Hotline,
        title: "小区门口井盖缺失".into(),
        content: "井盖缺失，夜间行人容易踩空".into(),
        address: "柳湾社区".into(),
        unit_id: 3,
        category_id: None,
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: "王女士".into(),
        requester_phone: phone.into(),
        anonymous: false,
        location: None,
    };
    let mut r = Request::submitted(new, "/1/2/3/".into(), 0);
    r.assignee_unit_id = Some(3);
    r.assignee_path = Some("/1/2/3/".into());
    r
}

#[test]
fn a_dispatch_tells_the_requester_and_the_handlers_of_the_unit() {
    let told = notices(Cause::Action(Action::Dispatch), &request("13800001234"), &Related::default());
    assert_eq!(
        told,
        vec![
            Notice { topic: Topic::Dispatched, audience: Audience::Requester },
            Notice { topic: Topic::DispatchedToUnit, audience: Audience::Handlers(3) },
        ]
    );
}

#[test]
fn a_requester_without_a_phone_is_not_texted() {
    let told = notices(Cause::Action(Action::Accept), &request(" "), &Related::default());
    assert!(told.is_empty(), "{told:?}");
}

#[test]
fn overdue_work_climbs_one_level_of_leaders_per_period() {
    let r = request("");
    assert_eq!(
        notices(Cause::Overdue { level: 0 }, &r, &Related::default()),
        vec![Notice { topic: Topic::Overdue, audience: Audience::Handlers(3) }]
    );
    assert_eq!(
        notices(Cause::Overdue { level: 2 }, &r, &Related::default()),
        vec![Notice { topic: Topic::Escalated, audience: Audience::Leaders { path: "/1/2/3/".into(), up: 2 } }]
    );
    assert_eq!(units_above("/1/2/3/", 0), vec![3, 2, 1]);
    assert_eq!(units_above("/1/2/3/", 2), vec![1]);
    assert!(units_above("/1/2/3/", 3).is_empty(), "above the top there is nobody");
}

#[test]
fn an_answered_order_goes_back_to_the_supervisor_who_opened_it() {
    let opener = Related { order_opener: Some(9), point_leader: None };
    let told = notices(Cause::OrderStep(OrderStep::Answer), &request(""), &opener);
    assert_eq!(told, vec![Notice { topic: Topic::OrderAnswered, audience: Audience::User(9) }]);
    assert!(notices(Cause::OrderStep(OrderStep::Close), &request(""), &opener).is_empty());
}

#[test]
fn a_pressed_rectification_climbs_to_its_point_leader() {
    let related = Related { order_opener: Some(9), point_leader: Some(4) };
    let told = notices(Cause::OrderOpened(OrderKind::Press), &request(""), &related);
    assert_eq!(told, vec![Notice { topic: Topic::RectificationPressed, audience: Audience::User(4) }]);
    assert!(notices(Cause::OrderOpened(OrderKind::Press), &request(""), &Related::default()).is_empty());
}

#[test]
fn every_topic_is_told_by_some_rule_and_every_staff_topic_to_staff() {
    // A phone code is asked for on the portal and the tasks' topics are told by their own
    // timer and reviews: no request's event tells them.
    for topic in Topic::ALL.iter().filter(|t| **t != Topic::PhoneCode && !Topic::TASK.contains(t)) {
        let rows: Vec<&Rule> = TABLE.iter().filter(|r| r.topic == *topic).collect();
        assert!(!rows.is_empty(), "{topic} is never sent");
        for row in rows {
            assert_eq!(row.to == To::Requester, topic.for_requester(), "{topic}");
        }
    }
}

#[test]
fn subscriptions_name_one_event_type_or_all() {
    assert!(subscribed("*", "request.dispatch"));
    assert!(subscribed("request.dispatch", "request.dispatch"));
    assert!(!subscribed("request.dispatch", "request.resolve"));
    let types = event_types();
    assert!(types.contains(&SUBMITTED.to_string()) && types.contains(&"deadline.overdue".to_string()));
}

fn facts<'a>(topic: Topic, note: &'a str, link: &'a str) -> Facts<'a> {
    Facts {
        topic,
        sign: "共治",
        number: "20260302000123",
        tracking_code: "7KQ2MZ8HXA",
        title: "小区门口井盖缺失，夜间行人容易踩空，请尽快处理",
        note,
        link,
    }
}

#[test]
fn a_residents_text_fits_one_sms_with_its_code_and_link() {
    let link = "https://12345.yx.gov.cn/track/7KQ2MZ8HXA";
    for topic in Topic::ALL.iter().filter(|t| t.for_requester() && **t != Topic::PhoneCode) {
        let text = sms(&facts(*topic, "", link));
        assert!(text.chars().count() <= SMS_LIMIT, "{text} ({})", text.chars().count());
        assert!(text.starts_with("【共治】") && text.contains("7KQ2MZ8HXA") && text.ends_with(link), "{text}");
    }
}

#[test]
fn a_phone_code_is_told_at_once_and_says_only_the_code() {
    let text = sms(&facts(Topic::PhoneCode, "042917", ""));
    assert!(text.starts_with("【共治】") && text.contains("042917") && text.chars().count() <= SMS_LIMIT, "{text}");
    assert!(!text.contains("7KQ2MZ8HXA"));
    assert!(!Topic::PhoneCode.waits_for_quiet_hours() && Topic::Replied.waits_for_quiet_hours());
}

#[test]
fn a_long_reason_is_cut_to_fit_but_the_code_and_link_stay() {
    let link = "https://12345.yx.gov.cn/track/7KQ2MZ8HXA";
    let reason = "该事项属于民事纠纷，不属于政府职能范围，建议通过人民调解或者向人民法院提起诉讼解决";
    let text = sms(&facts(Topic::Rejected, reason, link));
    assert_eq!(text.chars().count(), SMS_LIMIT, "{text}");
    assert!(text.contains("不予受理：该") && text.contains('…') && text.ends_with(link), "{text}");
    let short = sms(&facts(Topic::Rejected, "重复诉求", "http://yx.cn/track/7KQ2MZ8HXA"));
    assert!(short.contains("不予受理：重复诉求，查询码7KQ2MZ8HXA："), "{short}");
}

#[test]
fn a_cadres_text_names_the_number_and_as_much_title_as_fits() {
    let text = sms(&facts(Topic::DispatchedToUnit, "", "http://gz.local/work/requests/123"));
    assert!(text.chars().count() <= SMS_LIMIT, "{text}");
    assert!(text.starts_with("【共治】新派单待领办：20260302000123 小区门口井盖"), "{text}");
}

#[test]
fn a_subscription_names_a_known_event_and_a_web_address() {
    assert!(check_subscription("request.dispatch", "http://127.0.0.1:9000/hook").is_ok());
    assert!(check_subscription("*", "https://oa.example.cn/gongzhi").is_ok());
    assert!(check_subscription("request.teleport", "http://x.cn").is_err());
    assert!(check_subscription("*", "ftp://x.cn").is_err());
    assert!(check_subscription("*", "http://x.cn/a b").is_err());
    assert!(check_subscription("*", " ").is_err());
}

#[test]
fn contacts_are_a_phone_number_and_a_mail_address() {
    assert!(check_contact("", "").is_ok());
    assert!(check_contact("138 0000 1234", "wang@yx.gov.cn").is_ok());
    assert!(check_contact("call me", "").is_err());
    assert!(check_contact("", "wang@").is_err());
    assert!(check_contact("", "Wang <wang@yx.gov.cn>").is_err());
}
