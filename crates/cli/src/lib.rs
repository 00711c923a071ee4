//! The gongzhi binary's library half: synthetic districts and requests (`synth`), their
//! lives through the lifecycle (`simulate`), putting them into a store (`seed`), real
//! texts when they are at hand (`corpus`), and the benchmark (`bench`).

pub mod bench;
pub mod corpus;
pub mod seed;
pub mod simulate;
pub mod synth;
