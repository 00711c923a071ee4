//! Prediction speed on one thread: `route_bench MODEL CSV [passes]` predicts
//! every message of the CSV `passes` times (default 30) and prints the
//! throughput of all passes together. Run under `perf stat` or
//! `/usr/bin/time` to compare CPU time between builds on a busy machine,
//! where wall-clock figures (`gongzhi route eval`) move with the neighbours.
use std::time::Instant;

use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::RoutingModel;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = RoutingModel::load(args[0].as_ref()).unwrap();
    let msgs = read_messages(args[1].as_ref()).unwrap();
    let passes: usize = args.get(2).map_or(30, |p| p.parse().unwrap());
    let started = Instant::now();
    let mut sink = 0usize;
    for _ in 0..passes {
        for m in &msgs {
            sink += model.predict(m.title(), &m.text, 0).label.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"messages\":{},\"passes\":{passes},\"seconds\":{secs:.3},\"msgs_per_sec\":{:.0},\"sink\":{sink}}}",
        msgs.len(),
        (msgs.len() * passes) as f64 / secs
    );
}
