//! The unit tree of a synthetic district and the staff who work in it.
//!
//! The shape is fixed (so tests and benchmarks can rely on counts); the seed only chooses
//! names. Subdistricts (街道) hold urban communities (社区), towns (镇) hold villages (村),
//! and the functional departments sit beside them directly under the district.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

use super::people::person_name;
use super::{District, UnitSpec, UserSpec};

const DISTRICT_NAMES: &[(&str, &str)] =
    &[("青澜区", "QL"), ("云溪区", "YX"), ("桐江区", "TJ"), ("梧川区", "WC"), ("澄湖区", "CH")];

const SUBDISTRICT_NAMES: &[&str] =
    &["城关街道", "东湖街道", "桂园街道", "望江街道", "新桥街道", "北辰街道", "文昌街道", "南门街道"];
const TOWN_NAMES: &[&str] = &["白沙镇", "石门镇", "柳塘镇", "清水镇", "黄花镇", "龙泉镇"];

/// How many 街道 and 镇 the district has, and how many communities / villages each holds.
const SUBDISTRICTS: usize = 5;
const TOWNS: usize = 3;
const COMMUNITIES_PER_SUBDISTRICT: usize = 6;
const VILLAGES_PER_TOWN: usize = 5;
/// Communities (the first n of each subdistrict) that are split into grids, and how many.
const GRIDDED_PER_SUBDISTRICT: usize = 2;
const GRIDS_PER_COMMUNITY: usize = 3;

/// Functional departments: name and a short ASCII code. The first sixteen are the ones every
/// district has; the rest cover the first-level categories that none of those owns.
/// The operator at the first town's service window (便民服务中心): the intake desk as a
/// town sees it, its own villages only.
pub const TOWN_WINDOW_OPERATOR: &str = "operator_s06";

pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("区住建局", "ZJ"),
    ("区城管局", "CG"),
    ("区生态环境分局", "HB"),
    ("区人社局", "RS"),
    ("区教育局", "JY"),
    ("区卫健局", "WJ"),
    ("区市场监管局", "SJ"),
    ("区交通运输局", "JT"),
    ("区民政局", "MZ"),
    ("区公安分局", "GA"),
    ("区水务局", "SW"),
    ("区农业农村局", "NY"),
    ("区商务局", "SWJ"),
    ("区自然资源局", "ZR"),
    ("区文旅局", "WL"),
    ("区应急管理局", "YJ"),
    ("区发改局", "FG"),
    ("区科工信局", "KG"),
    ("区司法局", "SF"),
    ("区纪委监委", "JW"),
    ("区政府办公室", "ZB"),
    ("区退役军人事务局", "TY"),
    ("区医保局", "YB"),
];

/// First-level category → the department that handles it unless a dispatcher decides
/// otherwise. Shared with the reply writer so a reply names the same unit dispatch would.
pub const DEFAULT_DEPARTMENT: &[(&str, &str)] = &[
    ("交通运输", "区交通运输局"),
    ("党务政务", "区政府办公室"),
    ("农村农业", "区农业农村局"),
    ("劳动和社会保障", "区人社局"),
    ("卫生计生", "区卫健局"),
    // Most 商贸旅游 messages are about prices, quality and fraud, which is market supervision.
    ("商贸旅游", "区市场监管局"),
    ("国土资源", "区自然资源局"),
    ("城乡建设", "区住建局"),
    ("政法", "区公安分局"),
    ("教育文体", "区教育局"),
    ("民政", "区民政局"),
    ("环境保护", "区生态环境分局"),
    ("科技与信息产业", "区科工信局"),
    ("纪检监察", "区纪委监委"),
    ("经济管理", "区发改局"),
];

/// Name of the default department for a first-level category, if it has one.
pub fn default_department_name(level1: &str) -> Option<&'static str> {
    DEFAULT_DEPARTMENT.iter().find(|(l1, _)| *l1 == level1).map(|(_, dept)| *dept)
}

// Two-character community and village names are built from syllables; combinations are
// drawn without replacement so no two units in the district share a name.
const NAME_HEADS: &[&str] = &[
    "金", "翠", "清", "长", "新", "和", "福", "兴", "安", "康", "桂", "枫", "柳", "荷", "梅", "竹", "松", "云", "霞",
    "泉", "丰", "华", "永", "太", "鹤", "凤", "玉", "青", "沙", "茶",
];
const COMMUNITY_TAILS: &[&str] = &["桥", "湖", "园", "坪", "港", "湾", "苑", "门", "井", "洲", "林", "街", "亭", "巷"];
const VILLAGE_TAILS: &[&str] = &["冲", "坪", "垅", "塘", "岭", "铺", "坝", "溪", "山", "田", "湾", "坡"];
const GRID_ORDINALS: &[&str] = &["第一网格", "第二网格", "第三网格", "第四网格"];

fn unique_names(rng: &mut StdRng, tails: &[&str], suffix: &str, n: usize, taken: &mut HashSet<String>) -> Vec<String> {
    let mut all: Vec<String> =
        NAME_HEADS.iter().flat_map(|h| tails.iter().map(move |t| format!("{h}{t}{suffix}"))).collect();
    all.shuffle(rng);
    let mut out = Vec::with_capacity(n);
    for name in all {
        if out.len() == n {
            break;
        }
        // A village and a community may not share the syllables either: people would confuse them.
        let stem: String = name.chars().take(2).collect();
        if taken.insert(stem) {
            out.push(name);
        }
    }
    out
}

fn unit(units: &mut Vec<UnitSpec>, code: String, name: String, kind: &'static str, parent: Option<usize>) -> usize {
    units.push(UnitSpec { code, name, kind, parent });
    units.len() - 1
}

fn user(users: &mut Vec<UserSpec>, rng: &mut StdRng, login: String, role: &'static str, unit: usize) {
    users.push(UserSpec { login, name: person_name(rng), role, unit });
}

/// Builds the district for a seed: units in parent-before-child order, then users.
pub fn build(seed: u64) -> District {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_d157);
    let (district_name, dcode) = DISTRICT_NAMES[(seed % DISTRICT_NAMES.len() as u64) as usize];

    let mut units = Vec::with_capacity(128);
    let mut users = Vec::with_capacity(256);
    let root = unit(&mut units, dcode.to_string(), district_name.to_string(), "district", None);

    // District-level staff: the hotline centre (operators, dispatchers), the supervision
    // office and the administrator all sit at the top so their scope is the whole district.
    for (login, role) in [
        ("admin", "admin"),
        ("supervisor", "supervisor"),
        ("supervisor2", "supervisor"),
        ("dispatcher", "dispatcher"),
        ("dispatcher2", "dispatcher"),
        ("operator", "operator"),
        ("operator2", "operator"),
        ("operator3", "operator"),
        ("leader", "leader"),
        ("inspector", "inspector"),
    ] {
        user(&mut users, &mut rng, login.to_string(), role, root);
    }

    let mut subs: Vec<&str> = SUBDISTRICT_NAMES.to_vec();
    subs.shuffle(&mut rng);
    let mut towns: Vec<&str> = TOWN_NAMES.to_vec();
    towns.shuffle(&mut rng);
    let mut taken = HashSet::new();
    let community_names =
        unique_names(&mut rng, COMMUNITY_TAILS, "社区", SUBDISTRICTS * COMMUNITIES_PER_SUBDISTRICT, &mut taken);
    let village_names = unique_names(&mut rng, VILLAGE_TAILS, "村", TOWNS * VILLAGES_PER_TOWN, &mut taken);

    let mut community_no = 0;
    let mut grid_no = 0;
    let mut first_town = None;
    for s in 0..SUBDISTRICTS + TOWNS {
        let is_town = s >= SUBDISTRICTS;
        let (name, kind) = if is_town { (towns[s - SUBDISTRICTS], "town") } else { (subs[s], "subdistrict") };
        let scode = format!("{dcode}-S{:02}", s + 1);
        let sid = unit(&mut units, scode.clone(), name.to_string(), kind, Some(root));
        if is_town {
            first_town.get_or_insert(sid);
        }
        let tag = format!("s{:02}", s + 1);
        user(&mut users, &mut rng, format!("leader_{tag}"), "leader", sid);
        user(&mut users, &mut rng, format!("handler_{tag}"), "handler", sid);
        user(&mut users, &mut rng, format!("inspector_{tag}"), "inspector", sid);

        let children = if is_town { VILLAGES_PER_TOWN } else { COMMUNITIES_PER_SUBDISTRICT };
        for c in 0..children {
            let (cname, ckind) = if is_town {
                (village_names[(s - SUBDISTRICTS) * VILLAGES_PER_TOWN + c].clone(), "village")
            } else {
                (community_names[s * COMMUNITIES_PER_SUBDISTRICT + c].clone(), "community")
            };
            community_no += 1;
            let ccode = format!("{scode}-C{:02}", c + 1);
            let cid = unit(&mut units, ccode.clone(), cname.clone(), ckind, Some(sid));
            let ctag = format!("c{community_no:03}");
            user(&mut users, &mut rng, format!("handler_{ctag}"), "handler", cid);
            // Every third community has a 下沉党员 volunteer on call.
            if community_no % 3 == 1 {
                user(&mut users, &mut rng, format!("volunteer_{ctag}"), "volunteer", cid);
            }
            if !is_town && c < GRIDDED_PER_SUBDISTRICT {
                for (g, ordinal) in GRID_ORDINALS.iter().take(GRIDS_PER_COMMUNITY).enumerate() {
                    grid_no += 1;
                    let gid = unit(
                        &mut units,
                        format!("{ccode}-G{:02}", g + 1),
                        format!("{cname}{ordinal}"),
                        "grid",
                        Some(cid),
                    );
                    // The 网格员 handles what happens in the grid; a volunteer helps in some.
                    user(&mut users, &mut rng, format!("handler_g{grid_no:03}"), "handler", gid);
                    if rng.gen_bool(0.5) {
                        user(&mut users, &mut rng, format!("volunteer_g{grid_no:03}"), "volunteer", gid);
                    }
                }
            }
        }
    }

    for (d, (name, code)) in DEPARTMENTS.iter().enumerate() {
        let did = unit(&mut units, format!("{dcode}-D-{code}"), name.to_string(), "department", Some(root));
        let tag = format!("d{:02}", d + 1);
        user(&mut users, &mut rng, format!("leader_{tag}"), "leader", did);
        user(&mut users, &mut rng, format!("handler_{tag}"), "handler", did);
        // The busiest departments get a second handler so queues can be shared.
        if d < 6 {
            user(&mut users, &mut rng, format!("handler_{tag}b"), "handler", did);
        }
    }

    // Last, so that the names drawn for everyone else stay what they were.
    if let Some(town) = first_town {
        user(&mut users, &mut rng, TOWN_WINDOW_OPERATOR.to_string(), "operator", town);
    }

    District { units, users }
}

/// Index of the department that handles `level1` by default, looked up by name in `district`.
pub fn default_department(district: &District, level1: &str) -> Option<usize> {
    let name = default_department_name(level1)?;
    district.units.iter().position(|u| u.kind == "department" && u.name == name)
}
