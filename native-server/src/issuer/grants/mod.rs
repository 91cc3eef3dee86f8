//! The token endpoint's grants, one file each.

pub mod client_credentials;
pub mod code;
pub mod exchange;
pub mod refresh;
