//! Puts a synthetic district into a store: its units, staff, the category catalogue, and
//! requests with realistic histories. Used by `serve --demo` and by the benchmark.

use std::collections::HashMap;

use anyhow::{Context as _, Result};
use gongzhi_app::setup;
use gongzhi_domain::catalogue;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::unit::UnitKind;
use gongzhi_store::{hash_password, Store};

use crate::simulate::World;
use crate::synth::{self, District};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "gongzhi-demo";

/// The district in the store, as the simulation needs it.
pub async fn district(store: &Store, seed: u64) -> Result<(District, World)> {
    let district = synth::district(seed);
    let mut unit_ids = Vec::with_capacity(district.units.len());
    for spec in &district.units {
        let kind = UnitKind::parse(spec.kind).with_context(|| format!("unit kind {}", spec.kind))?;
        let parent = spec.parent.map(|p| unit_ids[p]);
        unit_ids.push(setup::add_unit(store, parent, kind, &spec.code, &spec.name).await?.id);
    }
    let hash = hash_password(DEMO_PASSWORD)?;
    for user in &district.users {
        let role = Role::parse(user.role).with_context(|| format!("role {}", user.role))?;
        setup::add_hashed_account(store, &user.login, &user.name, role, unit_ids[user.unit], &hash).await?;
    }
    let rows = catalogue::parse(catalogue::DEFAULT_CSV);
    let department = |level1: &str| synth::default_department(&district, level1).map(|i| unit_ids[i]);
    setup::load_catalogue(store, &rows, department).await?;
    let world = world(store, &district).await?;
    Ok((district, world))
}

/// Reads back what `district` wrote.
pub async fn world(store: &Store, district: &District) -> Result<World> {
    let units = store.units().await?;
    let by_code: HashMap<&str, &gongzhi_domain::Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let unit_ids: Vec<i64> = district
        .units
        .iter()
        .map(|spec| {
            by_code.get(spec.code.as_str()).map(|u| u.id).with_context(|| format!("unit {} is missing", spec.code))
        })
        .collect::<Result<_>>()?;
    let accounts = store.accounts().await?;
    let mut first_of_role: HashMap<(i64, Role), Staff> = HashMap::new();
    for account in &accounts {
        first_of_role.entry((account.unit_id, account.role)).or_insert_with(|| account.staff());
    }
    let root = unit_ids[0];
    let pick =
        |role: Role| first_of_role.get(&(root, role)).cloned().with_context(|| format!("no {role} at the district"));
    let mut categories = HashMap::new();
    let all = store.categories().await?;
    let names: HashMap<i64, (&str, Option<i64>)> = all.iter().map(|c| (c.id, (c.name.as_str(), c.parent_id))).collect();
    for category in all.iter().filter(|c| c.level == 3) {
        let (l2, p2) = category.parent_id.and_then(|p| names.get(&p)).copied().unwrap_or(("", None));
        let (l1, _) = p2.and_then(|p| names.get(&p)).copied().unwrap_or(("", None));
        categories.insert((l1.to_string(), l2.to_string(), category.name.clone()), category.id);
    }
    let departments =
        all.iter().filter(|c| c.level == 1).filter_map(|c| Some((c.name.clone(), c.default_unit_id?))).collect();
    let (operator, dispatcher, supervisor) = (pick(Role::Operator)?, pick(Role::Dispatcher)?, pick(Role::Supervisor)?);
    Ok(World {
        unit_ids,
        paths: units.iter().map(|u| (u.id, u.path.clone())).collect(),
        staff: first_of_role,
        operator,
        dispatcher,
        supervisor,
        departments,
        categories,
        settings: (*store.settings()).clone(),
        centres: crate::synth::geo::centres(district),
    })
}

/// The taxonomy as the request generator takes it.
pub fn taxonomy() -> Vec<(String, String, String)> {
    catalogue::parse(catalogue::DEFAULT_CSV).into_iter().map(|[a, b, c]| (a, b, c)).collect()
}

/// How many requests to generate, over how long, from which seed and texts.
pub struct Generation<'a> {
    pub count: u64,
    pub span_days: i64,
    pub seed: u64,
    /// When given, lends its real texts in turn.
    pub corpus: Option<&'a crate::corpus::Corpus>,
}

/// Generates requests that came in over the last `span_days` and lived their lives up to
/// now, and writes them in batches. `progress` hears how many are written.
pub async fn requests(
    store: &Store,
    district: &District,
    world: &crate::simulate::World,
    generation: &Generation<'_>,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let Generation { count, span_days, seed, corpus } = *generation;
    use gongzhi_domain::time::{self, DAY};
    use rand::{Rng, SeedableRng};

    let taxonomy = taxonomy();
    let mut generator = synth::RequestGen::new(district, &taxonomy, seed);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x9e37_79b9);
    let now = time::now();
    let span = span_days.max(1) * DAY;
    let start = now - span;
    let mut recent = crate::simulate::Recent::default();
    let mut next_id = store.max_request_id().await? + 1;
    let mut written = 0;
    const BATCH: u64 = 1_000;
    while written < count {
        let size = BATCH.min(count - written);
        let mut batch = Vec::with_capacity(size as usize);
        for i in written..written + size {
            let mut spec = generator.next();
            if let Some(corpus) = corpus {
                let (title, content) = &corpus.messages[(i as usize) % corpus.messages.len()];
                spec.title = title.clone();
                spec.content = content.clone();
            }
            // Spread evenly over the span, jittered within each request's slot.
            let slot = span as f64 / count as f64;
            let created = start + (i as f64 * slot + rng.gen::<f64>() * slot) as i64;
            batch.push(crate::simulate::life(world, &spec, next_id, created, now, &mut recent, &mut rng));
            next_id += 1;
        }
        let ids = gongzhi_app::import(store, batch).await?;
        anyhow::ensure!(ids.last() == Some(&(next_id - 1)), "another writer took ids during seeding");
        written += size;
        progress(written);
    }
    store.analyze().await?;
    Ok(())
}
