//! The only place that calls the core's token verifier
//! (`realmgate_core::verify::UntrustedJwt`, `realmgate_core::jose::KeySet`).
//!
//! PENDING: the core verifier has not landed on main yet; until it does,
//! these functions refuse every token (`core_verifier_pending`), so bearer
//! tokens fail closed and API keys are the way in.

use realmgate_core::{RealmName, RealmPolicy};

use super::token::{TokenRefusal, VerifiedToken};

/// The refusal code the core gives for a `kid` absent from the key set.
pub const UNKNOWN_KEY: &str = "unknown_kid";

/// The allowed realm named by the token's `iss` (unverified).
pub fn claimed_realm(_token: &str, _policy: &RealmPolicy) -> Result<RealmName, TokenRefusal> {
    Err(TokenRefusal { code: "core_verifier_pending" })
}

/// Full verification against the realm's JWKS bytes at `now` (unix seconds).
pub fn verify(_token: &str, _jwks: &[u8], _policy: &RealmPolicy, _now: u64) -> Result<VerifiedToken, TokenRefusal> {
    Err(TokenRefusal { code: "core_verifier_pending" })
}
