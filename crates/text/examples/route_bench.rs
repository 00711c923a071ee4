//! Prediction speed on one thread: `route_bench CSV [MODEL]` trains on the CSV
//! (or loads MODEL), then predicts every message of it five times over and
//! reports the best pass, since the machine is shared and the worst pass
//! measures the neighbours.
use std::time::Instant;

use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::{Example, RouteConfig, RoutingModel};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let msgs = read_messages(args[0].as_ref()).unwrap();
    let ex: Vec<Example> = msgs
        .iter()
        .filter_map(|m| Some(Example { title: m.title(), text: &m.text, label: m.label.as_deref()? }))
        .collect();
    let started = Instant::now();
    let model = match args.get(1) {
        Some(p) => RoutingModel::load(p.as_ref()).unwrap(),
        None => RoutingModel::train(&ex, &RouteConfig::default()).unwrap(),
    };
    let ready = started.elapsed().as_secs_f64();
    let mut best = f64::MAX;
    let mut sink = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        for m in &msgs {
            sink += model.predict(m.title(), &m.text, 0).label.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"messages\":{},\"model_seconds\":{ready:.3},\"best_pass_seconds\":{best:.4},\"msgs_per_sec\":{:.0},\"sink\":{sink}}}",
        msgs.len(),
        msgs.len() as f64 / best
    );
}
