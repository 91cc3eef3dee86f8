//! The password check shared by the admin API (`/credentials/check`) and the
//! issuer's login form: lockout first, then a constant-cost argon2 check
//! (an unknown address costs and answers the same as a wrong password),
//! failures recorded per (realm, address), success clears them.

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
    let failures = state.store.login_failures_since(realm, email, state.lockout.window_start(now)).await?;
    if state.lockout.is_locked(failures) {
        tracing::info!(realm = %realm, principal = %who, "password check refused: locked out");
        return Ok(PasswordOutcome::LockedOut);
    }
    let record = state.store.password_record(realm, email).await?;
    let hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, hash.as_deref())).await.map_err(|_| ApiError::Internal)?;
    match (ok, record) {
        (true, Some(r)) => {
            state.store.clear_login_failures(realm, email).await?;
            tracing::info!(realm = %realm, principal = %who, identity_id = %r.identity_id, "password check succeeded");
            Ok(PasswordOutcome::Valid(r.identity_id))
        }
        (_, record) => {
            state.store.record_login_failure(realm, email, now).await?;
            let identity = record.map(|r| r.identity_id.as_str().to_owned()).unwrap_or_default();
            tracing::info!(realm = %realm, principal = %who, identity_id = %identity, "password check failed");
            metrics::counter!("realmgate_password_check_failures_total").increment(1);
            Ok(PasswordOutcome::Invalid)
        }
    }
}
