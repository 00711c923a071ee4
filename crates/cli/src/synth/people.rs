//! Personal names, phone numbers and enterprise names.
//!
//! Surnames are listed roughly in order of real frequency and drawn with a bias toward the
//! front, so a district of a few hundred people looks like one: many 王, 李, 张, few 龚.

use rand::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "覃", "武", "戴", "莫", "孔",
    "向", "汤", "欧阳",
];

// Characters that combine into ordinary given names of people born 1950-2000; any pair reads
// as a plausible name, which is all a demo needs.
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平",
    "刚", "辉", "玲", "华", "红", "建", "国", "文", "斌", "鹏", "飞", "宇", "浩", "凯", "婷", "雪", "琳", "晨", "欣",
    "佳", "慧", "志", "海", "峰", "俊", "波", "兰", "英", "梅", "秀", "桂", "春", "燕", "林", "亮", "龙", "云", "新",
    "宏", "利", "卫", "荣", "松", "德", "成", "永", "福", "金", "玉", "振", "淑", "晓", "雅", "嘉", "子", "思", "梦",
    "怡", "睿", "博", "昊", "萍", "莉", "丹", "倩", "冬", "秋", "长", "仁", "有", "世",
];

/// A realistic Chinese personal name of two or three characters.
pub fn person_name(rng: &mut impl Rng) -> String {
    // Squaring a uniform draw favours the common surnames at the front of the list.
    let u: f64 = rng.gen();
    let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize];
    let mut name = String::with_capacity(12);
    name.push_str(surname);
    name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
    if rng.gen_bool(0.7) {
        name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
    }
    name
}

/// An honorific for a cadre mentioned in a text ("李主任", "王书记"), from the surname only.
pub fn cadre_title(rng: &mut impl Rng) -> String {
    const TITLES: &[&str] = &["主任", "书记", "网格员", "同志", "科长", "站长"];
    let u: f64 = rng.gen();
    let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize];
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    s.push_str(TITLES[rng.gen_range(0..TITLES.len())]);
    s
}

/// An 11-digit mainland mobile number: 1, a carrier digit, nine more digits.
pub fn mobile_phone(rng: &mut impl Rng) -> String {
    const SECOND: &[u8] = b"3456789";
    let mut s = String::with_capacity(11);
    s.push('1');
    s.push(SECOND[rng.gen_range(0..SECOND.len())] as char);
    let rest: u32 = rng.gen_range(0..1_000_000_000);
    // Zero-padded so the number always has 11 digits.
    s.push_str(&format!("{rest:09}"));
    s
}

const FIRM_WORDS: &[&str] = &[
    "鑫盛", "恒达", "宏图", "华康", "永利", "瑞丰", "金泰", "博远", "合众", "汇通", "中诚", "天润", "顺发", "长兴",
    "新锐", "卓越", "荣昌", "安邦", "德信", "佳禾", "联创", "聚源", "启明", "万通",
];
const FIRM_TRADES: &[&str] = &[
    "商贸",
    "建材",
    "物流",
    "餐饮管理",
    "机械制造",
    "电子科技",
    "建筑工程",
    "食品",
    "服装",
    "装饰工程",
    "汽车服务",
    "印务",
    "农业开发",
    "医疗器械",
    "家政服务",
    "信息技术",
];

/// A company name (市场主体) registered in the given district.
pub fn enterprise_name(district_name: &str, rng: &mut impl Rng) -> String {
    let place = district_name.trim_end_matches('区');
    let mut s = String::with_capacity(48);
    s.push_str(place);
    s.push_str(FIRM_WORDS[rng.gen_range(0..FIRM_WORDS.len())]);
    s.push_str(FIRM_TRADES[rng.gen_range(0..FIRM_TRADES.len())]);
    s.push_str("有限公司");
    s
}

/// The two-character brand part of a firm name, used for factories and shops in places.
pub fn firm_word(rng: &mut impl Rng) -> &'static str {
    FIRM_WORDS[rng.gen_range(0..FIRM_WORDS.len())]
}
