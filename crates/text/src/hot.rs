//! Hot issues.
