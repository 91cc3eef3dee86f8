//! The password check shared by the admin API (`/credentials/check`) and the
//! issuer's login form: lockout first, then a constant-cost argon2 check
//! (an unknown address costs and answers the same as a wrong password),
//! failures recorded per (realm, address), success clears them.
//!
//! Every attempt is recorded as a failure *before* the password is hashed and
//! only then are the window's failures counted (its own included). Counting
//! after one's own insert means that among any number of concurrent attempts
//! the j-th to count sees at least j, so at most `max_failures` attempts are
//! ever evaluated per window, however many arrive at once and on however many
//! server instances. A correct password clears the record.
//!
//! argon2 needs ~19 MiB per check: `password::run_limited` bounds how many run
//! at once (with every other argon2 use), so a burst of checks queues
//! (briefly) instead of exhausting memory.

use realmgate_core::RealmName;

use crate::crypto::password;
use crate::domain::{Email, IdentityId, Password};
use crate::error::ApiError;
use crate::state::AppState;

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordOutcome {
    Valid(IdentityId),
    Invalid,
    LockedOut,
}

/// Checks `pw` for `email` in `realm`; `who` names the caller in logs.
pub async fn check(state: &AppState, realm: &RealmName, email: &Email, pw: Password, who: &str) -> Result<PasswordOutcome, ApiError> {
    let now = state.now();
    state.store.record_login_failure(realm, email, now).await?;
    let attempts = state.store.login_failures_since(realm, email, state.lockout.window_start(now)).await?;
    // `attempts` includes this one: locked when the earlier ones already reach the limit.
    if state.lockout.is_locked(attempts.saturating_sub(1)) {
        tracing::info!(realm = %realm, principal = %who, "password check refused: locked out");
        return Ok(PasswordOutcome::LockedOut);
    }
    let record = state.store.password_record(realm, email).await?;
    let hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let ok = match password::run_limited(move || password::verify(&pw, hash.as_deref())).await {
        Ok(ok) => ok,
        Err(password::Busy::Saturated) => {
            tracing::warn!(realm = %realm, principal = %who, "password check refused: hashing capacity exhausted");
            return Err(ApiError::Unavailable);
        }
        Err(password::Busy::Failed) => return Err(ApiError::Internal),
    };
    match (ok, record) {
        (true, Some(r)) => {
            state.store.clear_login_failures(realm, email).await?;
            tracing::info!(realm = %realm, principal = %who, identity_id = %r.identity_id, "password check succeeded");
            Ok(PasswordOutcome::Valid(r.identity_id))
        }
        (_, record) => {
            // Already recorded before hashing.
            let identity = record.map(|r| r.identity_id.as_str().to_owned()).unwrap_or_default();
            tracing::info!(realm = %realm, principal = %who, identity_id = %identity, "password check failed");
            metrics::counter!("realmgate_password_check_failures_total").increment(1);
            Ok(PasswordOutcome::Invalid)
        }
    }
}
