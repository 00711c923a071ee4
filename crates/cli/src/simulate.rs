//! Lives of requests: from a generated request and the moment it came in, the history it
//! would have had up to now — accepted, dispatched, claimed, extended, returned,
//! resolved, evaluated, reopened, merged — each step taken through the real lifecycle
//! rules, so demo and benchmark data can only hold states the platform itself reaches.

use std::collections::HashMap;

use gongzhi_domain::lifecycle::{decide, Command, Context, EventDraft};
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::{Millis, DAY, HOUR};
use gongzhi_domain::unit::path_ids;
use gongzhi_domain::*;
use gongzhi_store::{Imported, Settings};
use rand::Rng;

use crate::synth::{self, RequestSpec};

/// The district as the simulation acts in it.
pub struct World {
    /// Store ids of the district's units, by the generator's index.
    pub unit_ids: Vec<i64>,
    pub paths: HashMap<i64, String>,
    /// The first staff member of each role in each unit.
    pub staff: HashMap<(i64, Role), Staff>,
    pub operator: Staff,
    pub dispatcher: Staff,
    pub supervisor: Staff,
    /// First-level category name → the department that handles it.
    pub departments: HashMap<String, i64>,
    pub categories: HashMap<(String, String, String), i64>,
    pub settings: Settings,
    /// Where each unit lies, by the generator's index (`synth::geo::centres`).
    pub centres: Vec<(f64, f64)>,
}

impl World {
    /// The nearest staff member of a role at or above a unit.
    fn nearest(&self, unit: i64, role: Role) -> Option<&Staff> {
        let path = self.paths.get(&unit)?;
        let ids: Vec<i64> = path_ids(path).collect();
        ids.iter().rev().find_map(|id| self.staff.get(&(*id, role)))
    }

    pub fn new_request(&self, spec: &RequestSpec) -> NewRequest {
        let key = (spec.level1.clone(), spec.level2.clone(), spec.level3.clone());
        NewRequest {
            kind: Kind::parse(spec.kind).unwrap_or(Kind::Complaint),
            channel: Channel::parse(spec.channel).unwrap_or(Channel::Hotline),
            title: spec.title.clone(),
            content: spec.content.clone(),
            address: spec.address.clone(),
            unit_id: self.unit_ids[spec.unit],
            category_id: self.categories.get(&key).copied(),
            urgent: spec.urgent,
            requester_type: if spec.enterprise { RequesterType::Enterprise } else { RequesterType::Resident },
            requester_name: spec.requester_name.clone(),
            requester_phone: spec.requester_phone.clone(),
            anonymous: spec.anonymous,
            // An address is placed as a geocoder would; a message without one is not.
            location: if spec.address.is_empty() {
                None
            } else {
                crate::synth::geo::spot(self.centres[spec.unit], &spec.address)
            },
        }
    }
}

/// One request's life so far.
struct Life<'w> {
    world: &'w World,
    request: Request,
    events: Vec<(Millis, String, EventDraft)>,
    now: Millis,
    at: Millis,
}

impl Life<'_> {
    /// Takes one step `wait` after the last; false when that lies in the future or the
    /// rules refuse it, which ends the life here.
    fn step(&mut self, wait: Millis, command: Command, actor: &Actor) -> bool {
        let at = self.at + wait.max(60_000);
        if at > self.now {
            return false;
        }
        let dispatch_path = match &command {
            Command::Dispatch { unit_id, .. } => self.world.paths.get(unit_id).map(String::as_str),
            _ => None,
        };
        let settings = &self.world.settings;
        let ctx = Context {
            now: at,
            policy: &settings.policy,
            calendar: &settings.calendar,
            dispatch_path,
            category_resolve_days: None,
            rework_due: None,
        };
        match decide(&self.request, &command, actor, &ctx) {
            Ok(outcome) => {
                let name = match actor {
                    Actor::Staff(staff) => format!("user:{}", staff.user_id),
                    Actor::Requester => "requester".into(),
                    Actor::System => "system".into(),
                };
                self.events.push((at, name, outcome.event));
                self.request = outcome.request;
                self.at = at;
                true
            }
            Err(_) => false,
        }
    }
}

fn minutes(rng: &mut impl Rng, from: i64, to: i64) -> Millis {
    rng.gen_range(from..=to) * 60_000
}

/// Where recent requests of each community went, for merging duplicates into.
#[derive(Default)]
pub struct Recent {
    by_unit: HashMap<i64, i64>,
}

/// The history of `spec`, created at `created_at`, as it stands at `now`. `id` is the
/// id the store will give it.
pub fn life(
    world: &World,
    spec: &RequestSpec,
    id: i64,
    created_at: Millis,
    now: Millis,
    recent: &mut Recent,
    rng: &mut impl Rng,
) -> Imported {
    let new = world.new_request(spec);
    let path = world.paths.get(&new.unit_id).cloned().unwrap_or_default();
    let place = new.unit_id;
    let mut request = Request::submitted(new, path, created_at);
    request.id = id;
    let mut life = Life { world, request, events: Vec::new(), now, at: created_at };
    run(&mut life, spec, place, recent, rng);
    if !matches!(life.request.status, Status::Rejected | Status::Merged) {
        recent.by_unit.insert(place, id);
    }
    Imported { request: life.request, events: life.events }
}

fn run(life: &mut Life, spec: &RequestSpec, place: i64, recent: &mut Recent, rng: &mut impl Rng) {
    let world = life.world;
    let operator = Actor::Staff(world.operator.clone());
    let dispatcher = Actor::Staff(world.dispatcher.clone());
    let roll: f64 = rng.gen();
    // The last few days' intake is still waiting in the front queues.
    let fresh = life.now - life.at < 3 * DAY;
    if fresh && roll < 0.25 {
        return;
    }
    if roll < 0.04 {
        life.step(
            minutes(rng, 10, 300),
            Command::Reject { reason: "不属于受理范围，已告知诉求人向相关机构反映".into() },
            &operator,
        );
        return;
    }
    if spec.kind == "consult" && roll < 0.30 {
        let reply = synth::reply_text(spec, rng);
        if life.step(minutes(rng, 5, 120), Command::Answer { reply }, &operator) {
            evaluate(life, spec, rng);
        }
        return;
    }
    if !life.step(minutes(rng, 5, 240), Command::Accept, &operator) || (fresh && roll < 0.5) {
        return;
    }
    if let Some(&earlier) = recent.by_unit.get(&place) {
        if roll > 0.975 {
            life.step(minutes(rng, 10, 120), Command::Merge { into: earlier }, &dispatcher);
            return;
        }
    }
    let department = world.departments.get(&spec.level1).copied();
    let mut unit = match department {
        Some(department) if rng.gen_bool(0.45) => department,
        _ => place,
    };
    if !dispatch(life, unit, rng) {
        return;
    }
    if rng.gen_bool(0.06) {
        let Some(handler) = world.nearest(unit, Role::Handler).cloned() else { return };
        if !life.step(
            minutes(rng, 30, 600),
            Command::Return { reason: "经核实不属于本单位职责，请重新派单".into() },
            &Actor::Staff(handler),
        ) {
            return;
        }
        unit = if unit == place { department.unwrap_or(place) } else { place };
        if !dispatch(life, unit, rng) {
            return;
        }
    }
    handle(life, spec, unit, rng);
}

fn dispatch(life: &mut Life, unit: i64, rng: &mut impl Rng) -> bool {
    let dispatcher = Actor::Staff(life.world.dispatcher.clone());
    life.step(
        minutes(rng, 10, 240),
        Command::Dispatch { unit_id: unit, co_unit_ids: vec![], instructions: String::new() },
        &dispatcher,
    )
}

fn handle(life: &mut Life, spec: &RequestSpec, unit: i64, rng: &mut impl Rng) {
    let world = life.world;
    let Some(handler) = world.nearest(unit, Role::Handler).cloned() else { return };
    let handler = Actor::Staff(handler);
    // Most claim within hours; some only after the claim deadline.
    let claim_wait = if rng.gen_bool(0.88) { minutes(rng, 10, 600) } else { minutes(rng, 1_500, 4_000) };
    if !life.step(claim_wait, Command::Claim, &handler) {
        return;
    }
    if !life.step(minutes(rng, 60, 2_000), Command::Progress { note: synth::progress_note(spec, rng) }, &handler) {
        return;
    }
    let due = life.request.resolve_by.unwrap_or(life.at + 15 * DAY);
    if rng.gen_bool(0.07) {
        let until = due + rng.gen_range(5..20) * DAY;
        let reason = "涉及多个部门协调，需延长办理时限".to_string();
        if !life.step(minutes(rng, 60, 600), Command::RequestExtension { until, reason }, &handler) {
            return;
        }
        let leader = world.nearest(unit, Role::Leader).cloned();
        if let Some(leader) = leader {
            let leader = Actor::Staff(leader);
            let decision = if rng.gen_bool(0.8) {
                Command::ApproveExtension
            } else {
                Command::DenyExtension { reason: "时限内可以办结".into() }
            };
            if !life.step(minutes(rng, 60, 1_400), decision, &leader) {
                return;
            }
        }
    }
    let due = life.request.resolve_by.unwrap_or(due);
    let span = (due - life.at).max(HOUR);
    // Four in five finish in time; the rest run late.
    let wait = if rng.gen_bool(0.8) { rng.gen_range(span / 10..=span) } else { span + rng.gen_range(HOUR..10 * DAY) };
    if life.request.new.urgent || rng.gen_bool(0.02) {
        let supervisor = Actor::Staff(world.supervisor.clone());
        let press = Command::Press { note: "请加快办理并及时反馈".into(), due: Some(due) };
        if !life.step(wait / 2, press, &supervisor) {
            return;
        }
    }
    let reply = synth::reply_text(spec, rng);
    if !life.step(wait, Command::Resolve { reply, contacted: rng.gen_bool(0.9) }, &handler) {
        return;
    }
    if evaluate(life, spec, rng) && rng.gen_bool(0.35) {
        // Unsatisfied and said so in time: handled again.
        if life.step(minutes(rng, 60, 3_000), Command::Reopen { reason: "问题没有真正解决".into() }, &Actor::Requester)
            && life.step(
                minutes(rng, 600, 6_000),
                Command::Resolve { reply: synth::reply_text(spec, rng), contacted: true },
                &handler,
            )
        {
            evaluate(life, spec, rng);
        }
    }
}

/// The requester's verdict, or auto-close after the window. True when unsatisfied.
fn evaluate(life: &mut Life, _spec: &RequestSpec, rng: &mut impl Rng) -> bool {
    if rng.gen_bool(0.7) {
        let satisfaction = match rng.gen_range(0..100) {
            0..=71 => Satisfaction::Satisfied,
            72..=89 => Satisfaction::BasicallySatisfied,
            _ => Satisfaction::Unsatisfied,
        };
        let solved = satisfaction != Satisfaction::Unsatisfied || rng.gen_bool(0.2);
        let command = Command::Evaluate { solved, satisfaction, comment: String::new() };
        life.step(minutes(rng, 30, 8_000), command, &Actor::Requester) && satisfaction == Satisfaction::Unsatisfied
    } else {
        let window = life.world.settings.policy.evaluation_window_days * DAY;
        life.step(window + minutes(rng, 1, 600), Command::AutoClose, &Actor::System);
        false
    }
}
