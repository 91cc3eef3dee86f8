//! JOSE: compact JWS parsing, JWK sets and the signature-primitive seam.
//! Filled by the verification work; `alg` is shared with the realm policy.

pub mod alg;

pub use alg::Algorithm;
