use super::*;

fn toy() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("小区噪音扰民", "搅拌站晚上施工噪音很大，影响休息", "环境保护"),
        ("工厂排放废气", "化工厂排放刺鼻废气，污染空气", "环境保护"),
        ("河道污水直排", "河里有污水直排，水体发黑发臭", "环境保护"),
        ("垃圾焚烧污染", "垃圾焚烧产生浓烟污染环境", "环境保护"),
        ("公交线路调整", "希望增加公交线路，方便出行", "交通运输"),
        ("出租车拒载", "出租车司机拒载乘客，服务差", "交通运输"),
        ("公交车站太远", "公交站点太远，希望增设站点", "交通运输"),
        ("道路货车超载", "大货车超载运输，压坏道路", "交通运输"),
        ("学校乱收费", "学校收取补课费，家长负担重", "教育文体"),
        ("教师待遇问题", "乡村教师工资待遇偏低", "教育文体"),
        ("学生入学难", "孩子上学入学难，学位不足", "教育文体"),
        ("幼儿园收费高", "幼儿园收费太高，希望规范", "教育文体"),
    ]
}

fn train_toy() -> RoutingModel {
    let data = toy();
    let examples: Vec<Example> = data.iter().map(|(t, d, l)| Example { title: Some(t), text: d, label: l }).collect();
    let config = RouteConfig { min_df: 1, ..RouteConfig::default() };
    RoutingModel::train(&examples, &config).unwrap()
}

#[test]
fn a_dispatcher_gets_the_right_category_for_new_messages() {
    let model = train_toy();
    assert_eq!(model.predict(Some("噪音污染"), "晚上施工噪音太大", 3).label, "环境保护");
    assert_eq!(model.predict(None, "公交线路太少，出行不便", 3).label, "交通运输");
    assert_eq!(model.predict(Some("学校收费"), "学校乱收费", 3).label, "教育文体");
}

#[test]
fn the_suggestion_is_explained_by_whole_words_of_the_message() {
    let mut model = train_toy();
    let data = toy();
    // The catalogue's names are words whatever the texts say; the rest comes from the texts.
    model.learn_words(data.iter().flat_map(|(t, d, _)| [*t, *d]), &["噪音污染", "施工", "小区"]);
    let text = "小区旁边施工噪音扰民";
    let p = model.predict(None, text, 3);
    assert_eq!(p.label, "环境保护");
    assert!(p.explanation.len() <= 3 && !p.explanation.is_empty());
    for e in &p.explanation {
        assert!(text.contains(&e.term) && e.term.chars().count() >= 2, "{e:?} is not a word of {text}");
        assert!(model.lexicon().contains(&e.term), "{e:?}");
    }
    assert!(p.explanation.windows(2).all(|w| w[0].weight >= w[1].weight));
    assert!(p.confidence > 1.0 / 3.0 && p.confidence <= 1.0);
}

#[test]
fn a_saved_model_loads_and_predicts_the_same() {
    let mut model = train_toy();
    model.learn_units([
        ("环境保护", "生态环境局"),
        ("环境保护", "城管局"),
        ("环境保护", "生态环境局"),
        ("交通运输", "交通局"),
    ]);
    let path = std::env::temp_dir().join(format!("gongzhi-route-{}.json", std::process::id()));
    model.save(&path).unwrap();
    let loaded = RoutingModel::load(&path).unwrap();
    std::fs::remove_file(&path).ok();
    for text in ["噪音扰民", "公交车太挤", "学校收费", "没有关系的话"] {
        let (a, b) = (model.predict(None, text, 2), loaded.predict(None, text, 2));
        assert_eq!(a.label, b.label);
        assert!((a.confidence - b.confidence).abs() < 1e-3);
    }
    assert_eq!(loaded.unit_for(&loaded.predict(None, "噪音扰民", 0).label), Some("生态环境局"));
    assert_eq!(loaded.unit_for("教育文体"), None);
}

#[test]
fn training_is_deterministic() {
    let (a, b) = (train_toy(), train_toy());
    let p = |m: &RoutingModel| m.predict(None, "幼儿园收费问题，希望规范", 0).confidence;
    assert_eq!(p(&a), p(&b));
}

#[test]
fn garbage_files_are_refused() {
    let path = std::env::temp_dir().join(format!("gongzhi-route-bad-{}.json", std::process::id()));
    std::fs::write(&path, "{\"format\":\"other\"}").unwrap();
    assert!(RoutingModel::load(&path).is_err());
    std::fs::remove_file(&path).ok();
}

#[test]
fn one_label_is_not_enough_to_train() {
    let examples = [Example { title: None, text: "噪音", label: "环境保护" }];
    assert!(RoutingModel::train(&examples, &RouteConfig::default()).is_err());
}
