//! Realmgate's edge Worker. The Worker entry points arrive with issue #3;
//! for now the crate only proves the core links on both targets.

/// The core's version, as the Worker reports it.
pub fn core_linked() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
