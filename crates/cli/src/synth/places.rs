//! Invented places inside each community or village: estates, roads, a market, schools, a
//! clinic, firms, shops, a park and a building site, each with a fixed street address.
//!
//! Places are made once per community when a generator starts, so every message about
//! "金桂苑小区" carries the same address — which is what lets duplicate detection match them.

use rand::rngs::StdRng;
use rand::Rng;

use super::people::firm_word;

/// What a problem is about; templates name the kind, the community supplies the place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceKind {
    Estate,
    Road,
    Market,
    School,
    Kindergarten,
    Clinic,
    Company,
    Shop,
    Park,
    Site,
    /// A 村民小组 in a village; in an urban community the nearest equivalent is an estate.
    Group,
    /// The community or village as a whole, for problems that have no single spot.
    Community,
}

/// One named place and its full postal address.
pub struct Place {
    pub name: String,
    pub address: String,
}

/// The places of one community or village.
pub struct Places {
    pub community: String,
    /// The community itself as a place: its name, and the 街道/镇 + 社区/村 as address.
    pub centre: Place,
    pub estates: Vec<Place>,
    pub roads: Vec<Place>,
    pub market: Place,
    pub school: Place,
    pub kindergarten: Place,
    pub clinic: Place,
    pub companies: Vec<Place>,
    pub shops: Vec<Place>,
    pub park: Place,
    pub site: Place,
    pub groups: Vec<Place>,
    /// The property-management firm of the estates, named in 物业 complaints.
    pub property_firm: String,
}

impl Places {
    /// One place of `kind`; `pick` chooses among several of the same kind.
    pub fn get(&self, kind: PlaceKind, pick: usize) -> &Place {
        fn nth(v: &[Place], i: usize) -> &Place {
            &v[i % v.len()]
        }
        match kind {
            PlaceKind::Estate => nth(&self.estates, pick),
            PlaceKind::Road => nth(&self.roads, pick),
            PlaceKind::Market => &self.market,
            PlaceKind::School => &self.school,
            PlaceKind::Kindergarten => &self.kindergarten,
            PlaceKind::Clinic => &self.clinic,
            PlaceKind::Company => nth(&self.companies, pick),
            PlaceKind::Shop => nth(&self.shops, pick),
            PlaceKind::Park => &self.park,
            PlaceKind::Site => &self.site,
            PlaceKind::Group => nth(&self.groups, pick),
            PlaceKind::Community => &self.centre,
        }
    }
}

const ESTATE_HEADS: &[&str] = &[
    "金桂", "翠湖", "锦华", "阳光", "丽景", "书香", "碧水", "紫薇", "香樟", "和美", "盛世", "怡景", "万福", "春晖",
    "星河", "御景", "东方", "滨江", "绿洲", "名门", "汇景", "嘉禾", "天鹅", "学府",
];
const ESTATE_TAILS: &[&str] = &["苑", "花园", "家园", "新村", "小区", "华府", "公寓", "雅居", "名城", "城"];
const ROAD_HEADS: &[&str] = &[
    "人民", "建设", "解放", "朝阳", "友谊", "迎宾", "文化", "工农", "新华", "长青", "东风", "胜利", "芙蓉", "桂花",
    "滨河", "育才", "光明", "和平", "振兴", "创业", "红旗", "凤凰", "银杏", "体育",
];
const ROAD_TAILS: &[&str] = &["路", "路", "街", "大道", "巷", "中路", "北路"];
const SHOP_TYPES: &[&str] = &[
    "烧烤店",
    "大排档",
    "KTV",
    "超市",
    "酒楼",
    "棋牌室",
    "汽修店",
    "洗车店",
    "网吧",
    "美容院",
    "药店",
    "五金店",
    "奶茶店",
    "米粉店",
    "健身房",
];
const COMPANY_TYPES: &[&str] = &[
    "机械厂",
    "建材厂",
    "物流园",
    "塑料制品厂",
    "食品加工厂",
    "混凝土搅拌站",
    "印刷厂",
    "家具厂",
    "电子厂",
    "服装厂",
    "汽车配件厂",
    "包装材料有限公司",
];
const VILLAGE_COMPANY_TYPES: &[&str] = &["砂石场", "养猪场", "石材厂", "砖厂", "养鸡场", "木材加工厂", "农业合作社"];
const GROUP_NAMES: &[&str] =
    &["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组", "十一组", "十二组"];
const CHINESE_NUMBERS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// Invents the places of one community (`village == false`) or village.
///
/// `parent` is the name of the 街道 or 镇 and `stem` the community's own name without its
/// 社区/村 suffix; both go into addresses the way residents write them.
pub fn make(rng: &mut StdRng, parent: &str, community: &str, village: bool) -> Places {
    let stem = community.trim_end_matches("社区").trim_end_matches('村');
    let prefix = format!("{parent}{community}");

    let mut roads = Vec::new();
    let road_count = if village { 2 } else { 3 };
    for _ in 0..road_count {
        let name = if village {
            format!("{stem}{}", pick(rng, &["村道", "公路", "大道", "组级公路"]))
        } else {
            format!("{}{}", pick(rng, ROAD_HEADS), pick(rng, ROAD_TAILS))
        };
        if roads.iter().any(|r: &Place| r.name == name) {
            continue;
        }
        roads.push(Place { address: format!("{prefix}{name}"), name });
    }

    // Every other place sits at a house number on one of the community's roads.
    let at = |name: String, rng: &mut StdRng, roads: &[Place]| -> Place {
        let road = &roads[rng.gen_range(0..roads.len())].name;
        let no = rng.gen_range(1..300);
        Place { address: format!("{prefix}{road}{no}号{name}"), name }
    };

    let mut estates = Vec::new();
    let estate_count = if village { 1 } else { rng.gen_range(3..=5) };
    while estates.len() < estate_count {
        let name = if village {
            format!("{stem}安置小区")
        } else {
            format!("{}{}", pick(rng, ESTATE_HEADS), pick(rng, ESTATE_TAILS))
        };
        if estates.iter().any(|e: &Place| e.name == name) {
            continue;
        }
        estates.push(at(name, rng, &roads));
    }

    let groups = if village {
        let n = rng.gen_range(5..=GROUP_NAMES.len());
        (0..n)
            .map(|i| Place {
                name: format!("{community}{}", GROUP_NAMES[i]),
                address: format!("{prefix}{}", GROUP_NAMES[i]),
            })
            .collect()
    } else {
        // Urban communities have no 村民小组; a building of an estate stands in for one.
        estates
            .iter()
            .take(2)
            .map(|e| {
                let b = rng.gen_range(1..20);
                Place { name: format!("{}{b}栋", e.name), address: format!("{}{b}栋", e.address) }
            })
            .collect()
    };

    let market = if village {
        at(format!("{stem}集贸市场"), rng, &roads)
    } else {
        at(format!("{}农贸市场", pick(rng, ROAD_HEADS)), rng, &roads)
    };
    let school = if village {
        at(format!("{stem}小学"), rng, &roads)
    } else if rng.gen_bool(0.5) {
        at(format!("{}小学", pick(rng, ROAD_HEADS)), rng, &roads)
    } else {
        let no = pick(rng, CHINESE_NUMBERS);
        at(format!("第{no}中学"), rng, &roads)
    };
    let kindergarten =
        at(format!("{}幼儿园", pick(rng, &["小太阳", "蓝天", "童心", "贝贝", "启航", "七彩"])), rng, &roads);
    let clinic = if village {
        at(format!("{stem}村卫生室"), rng, &roads)
    } else {
        at(format!("{stem}社区卫生服务站"), rng, &roads)
    };
    let company_types = if village { VILLAGE_COMPANY_TYPES } else { COMPANY_TYPES };
    let companies = (0..2)
        .map(|_| {
            let name = format!("{}{}", firm_word(rng), pick(rng, company_types));
            at(name, rng, &roads)
        })
        .collect();
    let shops = (0..3)
        .map(|_| {
            let name = format!(
                "{}{}",
                pick(rng, &["老街", "好运来", "鸿运", "兄弟", "金牌", "新时代", "湘味", "便民"]),
                pick(rng, SHOP_TYPES)
            );
            at(name, rng, &roads)
        })
        .collect();
    let park = if village {
        at(format!("{stem}文化广场"), rng, &roads)
    } else {
        at(format!("{}{}", pick(rng, ESTATE_HEADS), pick(rng, &["公园", "广场", "游园"])), rng, &roads)
    };
    let site = at(
        format!(
            "{}{}",
            pick(rng, ESTATE_HEADS),
            pick(rng, &["安置房项目工地", "商住楼工地", "二期工地", "道路改造工地"])
        ),
        rng,
        &roads,
    );
    let property_firm = format!("{}物业管理有限公司", firm_word(rng));

    let centre = Place { name: community.to_string(), address: prefix };
    Places {
        community: community.to_string(),
        centre,
        estates,
        roads,
        market,
        school,
        kindergarten,
        clinic,
        companies,
        shops,
        park,
        site,
        groups,
        property_firm,
    }
}
