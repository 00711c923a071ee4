use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;

/// The catalogue the product ships with; the generator must cover all of it.
fn taxonomy() -> Vec<(String, String, String)> {
    include_str!("../../../domain/data/taxonomy.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split(',').map(|s| s.trim().to_string());
            (f.next().unwrap(), f.next().unwrap(), f.next().unwrap())
        })
        .collect()
}

fn count(d: &District, kind: &str) -> usize {
    d.units.iter().filter(|u| u.kind == kind).count()
}

#[test]
fn a_district_has_the_shape_of_a_real_one() {
    let d = district(7);
    assert_eq!(d.units[0].kind, "district");
    assert!(d.units[0].parent.is_none());
    assert!(count(&d, "subdistrict") + count(&d, "town") >= 6);
    assert!(count(&d, "subdistrict") >= 1 && count(&d, "town") >= 1);
    assert!(count(&d, "community") + count(&d, "village") >= 40);
    assert!(count(&d, "grid") >= 3);
    assert!(count(&d, "department") >= 15);

    for (i, u) in d.units.iter().enumerate().skip(1) {
        let p = u.parent.expect("only the district has no parent");
        assert!(p < i, "{} comes before its parent", u.name);
        let parent_kind = d.units[p].kind;
        let expected: &[&str] = match u.kind {
            "subdistrict" | "town" | "department" => &["district"],
            "community" => &["subdistrict"],
            "village" => &["town"],
            "grid" => &["community", "village"],
            other => panic!("unexpected kind {other}"),
        };
        assert!(expected.contains(&parent_kind), "{} under a {parent_kind}", u.name);
        match u.kind {
            "community" => assert!(u.name.ends_with("社区")),
            "village" => assert!(u.name.ends_with('村')),
            "subdistrict" => assert!(u.name.ends_with("街道")),
            "town" => assert!(u.name.ends_with('镇')),
            _ => {}
        }
    }
    let codes: HashSet<_> = d.units.iter().map(|u| &u.code).collect();
    assert_eq!(codes.len(), d.units.len(), "unit codes are unique");
    assert!(d.units.iter().all(|u| u.code.is_ascii()));
    let names: HashSet<_> = d.units.iter().map(|u| &u.name).collect();
    assert_eq!(names.len(), d.units.len(), "unit names are unique");
}

#[test]
fn every_role_is_staffed_where_the_work_is() {
    let d = district(7);
    let logins: HashSet<_> = d.users.iter().map(|u| &u.login).collect();
    assert_eq!(logins.len(), d.users.len(), "logins are unique");
    assert!(d.users.iter().all(|u| u.login.is_ascii() && u.login.len() <= 16));
    assert!(d.users.iter().all(|u| !u.name.is_ascii() && (2..=4).contains(&u.name.chars().count())));

    for role in ["admin", "supervisor", "dispatcher", "operator"] {
        assert!(d.users.iter().any(|u| u.role == role && u.unit == 0), "no {role} at district level");
    }
    // A town's service window takes calls too, for its own villages.
    let window = d.users.iter().find(|u| u.login == super::TOWN_WINDOW_OPERATOR).expect("a town window");
    assert_eq!((window.role, d.units[window.unit].kind), ("operator", "town"));
    let leader = super::TOWN_WINDOW_OPERATOR.replace("operator", "leader");
    assert!(d.users.iter().any(|u| u.login == leader && u.unit == window.unit), "named like its town's leader");
    for role in ["volunteer", "inspector"] {
        assert!(d.users.iter().any(|u| u.role == role), "no {role}");
    }
    let has = |unit: usize, role: &str| d.users.iter().any(|u| u.unit == unit && u.role == role);
    for (i, u) in d.units.iter().enumerate() {
        match u.kind {
            "subdistrict" | "town" | "department" => {
                assert!(has(i, "leader") && has(i, "handler"), "{} lacks a leader or handler", u.name)
            }
            "community" | "village" => assert!(has(i, "handler"), "{} lacks a handler", u.name),
            _ => {}
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_district_and_requests() {
    let a = serde_json::to_string(&district(42)).unwrap();
    let b = serde_json::to_string(&district(42)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, serde_json::to_string(&district(43)).unwrap());

    let d = district(42);
    let tax = taxonomy();
    let mut g1 = RequestGen::new(&d, &tax, 9);
    let mut g2 = RequestGen::new(&d, &tax, 9);
    for _ in 0..500 {
        let (x, y) = (g1.next(), g2.next());
        assert_eq!(serde_json::to_string(&x).unwrap(), serde_json::to_string(&y).unwrap());
    }
    let mut r1 = StdRng::seed_from_u64(1);
    let mut r2 = StdRng::seed_from_u64(1);
    let spec = g1.next();
    assert_eq!(reply_text(&spec, &mut r1), reply_text(&spec, &mut r2));
    assert_eq!(progress_note(&spec, &mut r1), progress_note(&spec, &mut r2));
}

#[test]
fn templates_fit_the_catalogue() {
    let tax: HashSet<_> = taxonomy().into_iter().collect();
    for t in problems::all() {
        let name = t.issues.first().copied().unwrap_or("?");
        assert!(!t.bodies.is_empty(), "{name} has no body");
        assert_eq!(t.issues.len(), t.bodies.len(), "{name}: one issue per body");
        assert!(
            tax.iter().any(|(l1, l2, _)| l1 == t.level1 && l2 == t.level2),
            "{name}: {}/{} is not in the catalogue",
            t.level1,
            t.level2
        );
        for l3 in t.level3 {
            assert!(tax.contains(&(t.level1.to_string(), t.level2.to_string(), l3.to_string())), "{name}: no {l3}");
        }
    }
}

#[test]
fn every_first_level_category_has_a_default_department() {
    let d = district(1);
    let level1s: HashSet<String> = taxonomy().into_iter().map(|r| r.0).collect();
    assert_eq!(level1s.len(), 15);
    for l1 in &level1s {
        let i = default_department(&d, l1).unwrap_or_else(|| panic!("{l1} has no department"));
        assert_eq!(d.units[i].kind, "department");
    }
    assert_eq!(default_department(&d, "不存在的类别"), None);
    let housing = default_department(&d, "城乡建设").unwrap();
    assert_eq!(d.units[housing].name, "区住建局");
}

#[test]
fn requests_read_like_residents_messages() {
    let d = district(3);
    let tax = taxonomy();
    let known: HashSet<_> = tax.iter().cloned().collect();
    let mut g = RequestGen::new(&d, &tax, 3);
    let n = 20_000;
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let mut channels: HashMap<&str, usize> = HashMap::new();
    let mut level1s: HashMap<String, usize> = HashMap::new();
    let (mut urgent, mut enterprise, mut anonymous) = (0, 0, 0);
    for _ in 0..n {
        let r = g.next();
        let unit = &d.units[r.unit];
        assert!(unit.kind == "community" || unit.kind == "village", "{} is a {}", unit.name, unit.kind);
        assert!(r.address.contains(&unit.name), "{} not in {}", unit.name, r.address);
        let clen = r.content.chars().count();
        assert!((40..=400).contains(&clen), "content of {clen} chars: {}", r.content);
        let tlen = r.title.chars().count();
        assert!((8..=30).contains(&tlen), "title of {tlen} chars: {}", r.title);
        assert!(!r.content.contains('{') && !r.title.contains('{'), "unfilled placeholder: {}", r.content);
        assert!(known.contains(&(r.level1.clone(), r.level2.clone(), r.level3.clone())));
        assert_eq!(r.requester_phone.len(), 11);
        assert!(r.requester_phone.starts_with('1'));
        assert!(r.requester_phone.bytes().all(|b| b.is_ascii_digit()));
        assert!(!r.requester_name.is_empty());
        *kinds.entry(r.kind).or_default() += 1;
        *channels.entry(r.channel).or_default() += 1;
        *level1s.entry(r.level1.clone()).or_default() += 1;
        urgent += r.urgent as usize;
        enterprise += r.enterprise as usize;
        anonymous += r.anonymous as usize;
    }
    let share = |x: usize| x as f64 / n as f64;
    assert!((0.015..0.05).contains(&share(urgent)), "urgent {}", share(urgent));
    assert!((0.07..0.13).contains(&share(enterprise)), "enterprise {}", share(enterprise));
    assert!((0.03..0.07).contains(&share(anonymous)), "anonymous {}", share(anonymous));
    assert!(kinds["complaint"] > kinds["report"] && kinds["help"] > kinds["suggestion"]);
    assert!(kinds["praise"] < kinds["report"]);
    assert!(channels["hotline"] > channels["web"] && channels["web"] > channels["walk_in"]);
    // The seven dominant categories of real hotline data carry most of the load.
    let dominant: usize = ["城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "卫生计生", "环境保护", "交通运输"]
        .iter()
        .map(|l| level1s.get(*l).copied().unwrap_or(0))
        .sum();
    assert!(share(dominant) > 0.75, "dominant share {}", share(dominant));
    assert!(level1s["城乡建设"] > level1s["交通运输"]);
    assert_eq!(level1s.len(), 15, "every first-level category appears");
}

#[test]
fn some_residents_write_about_the_same_problem() {
    let d = district(5);
    let tax = taxonomy();
    let mut g = RequestGen::new(&d, &tax, 5);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut texts = HashSet::new();
    let n = 5_000;
    for _ in 0..n {
        let r = g.next();
        *seen.entry((r.address.clone(), r.level3.clone())).or_default() += 1;
        texts.insert(r.content);
    }
    let repeated: usize = seen.values().filter(|&&c| c > 1).map(|c| c - 1).sum();
    assert!(repeated as f64 / n as f64 > 0.08, "only {repeated} repeats");
    // Repeats are near-duplicates, not copies.
    assert!(texts.len() as f64 / n as f64 > 0.97, "{} distinct texts", texts.len());
    let hottest = seen.values().max().unwrap();
    assert!(*hottest >= 10, "no hot issue (max {hottest})");
}

#[test]
fn replies_and_progress_notes_are_official_sounding() {
    let d = district(2);
    let tax = taxonomy();
    let mut g = RequestGen::new(&d, &tax, 2);
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..500 {
        let r = g.next();
        let reply = reply_text(&r, &mut rng);
        if r.kind != "praise" {
            assert!(reply.contains(&r.title), "{reply}");
        }
        assert!(reply.chars().count() >= 40, "{reply}");
        assert!(!reply.contains('{'), "{reply}");
        let note = progress_note(&r, &mut rng);
        assert!(!note.is_empty() && !note.contains('{'), "{note}");
    }
}

/// `cargo test -p gongzhi --lib synth::tests::print_samples -- --ignored --nocapture`
#[test]
#[ignore]
fn print_samples() {
    let d = district(1);
    let tax = taxonomy();
    let mut g = RequestGen::new(&d, &tax, 1);
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..12 {
        let r = g.next();
        println!(
            "[{}/{}/{}] {} {} {} {}\n{}\n{}\n{}\n答复：{}\n进展：{}\n",
            r.level1,
            r.level2,
            r.level3,
            r.kind,
            r.channel,
            r.requester_name,
            r.requester_phone,
            r.title,
            r.address,
            r.content,
            reply_text(&r, &mut rng),
            progress_note(&r, &mut rng)
        );
    }
    let start = std::time::Instant::now();
    let total: usize = (0..200_000).map(|_| g.next().content.len()).sum();
    println!("200k in {:?} ({total} bytes)", start.elapsed());
}
