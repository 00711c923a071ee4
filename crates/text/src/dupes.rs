//! Duplicate detection.
