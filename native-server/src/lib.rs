//! realmgate-server: the identity-administration API (issue #4).
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

pub mod auth;
pub mod cli;
pub mod clock;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod routes;
pub mod serve;
pub mod state;
pub mod store;
pub mod telemetry;

pub use routes::app;
pub use state::AppState;
