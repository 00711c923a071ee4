//! The gongzhi binary's library half: synthetic districts and requests for the demo and the benchmark.

pub mod synth;
