//! realmgate-server: the identity-administration API (issue #4).
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

pub mod clock;
pub mod domain;
pub mod store;
