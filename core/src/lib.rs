//! Realmgate's core: every security rule of the login flow and of token
//! verification, with no I/O.
//!
//! Nothing in this crate reads a clock, a random source, the environment, a
//! file or the network: time (`now`, unix seconds) and random bytes are
//! arguments, and results are values or typed refusals. The same code runs in
//! the edge Worker (wasm32) and in the native server.
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

pub mod b64;
pub mod callback;
pub mod cookies;
pub mod email;
pub mod jose;
pub mod login;
pub mod oidc;
pub mod pkce;
pub mod policy;
pub mod request;
pub mod return_path;
pub mod secret;
pub mod vectors;
pub mod verify;

pub use policy::{RealmConfig, RealmName, RealmPolicy};
pub use verify::{JwtErrorCode, Refusal, VerifiedIdentity};
