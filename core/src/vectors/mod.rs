//! Vector-file runners (tests/vectors/*.json and Wycheproof files).
//! Placeholder on the `verify` branch: the lead's `vectors/mod.rs` (dispatch,
//! reports) replaces this file and keeps these two modules.

pub mod jwt;
pub mod wycheproof;
