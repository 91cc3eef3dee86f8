//! Realmgate's edge Worker: the backend-for-frontend login flow (login,
//! callback, refresh, logout, session), local token verification (`/verify`)
//! and gateway mode, on top of `realmgate_core`.
//!
//! The edge is glue (DESIGN.md): it turns a request into core inputs, does
//! the I/O the core asks for (KV, provider fetches) and turns the core's
//! answer into a response. The pure parts below compile and are unit-tested
//! on every target; the Worker itself (`worker_glue`) exists only on wasm32.
#![deny(rust_2018_idioms)]

pub mod cache_policy;
pub mod config;
pub mod error;
pub mod log;
pub mod reply;
pub mod routes;
pub mod session;

#[cfg(target_arch = "wasm32")]
mod worker_glue;

/// The Worker's signature primitive (WebCrypto), public for the wasm32 test that runs the
/// vector files through it (tests/webcrypto_vectors.rs). Not an API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use worker_glue::webcrypto;

/// The core's version, as the Worker reports it.
pub fn core_linked() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
