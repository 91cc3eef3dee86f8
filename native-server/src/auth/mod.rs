//! Who may call: API keys (created by `realmgate-server api-key create`,
//! limited to realms and read/write) or bearer tokens from a realm's
//! provider (realm = the token's realm, access from configured scopes).
//! Write access implies read access.

mod core_adapter;
pub mod jwks;
pub mod token;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::header;
use realmgate_core::RealmName;

use crate::crypto::api_key::PresentedKey;
use crate::error::ApiError;
use crate::state::AppState;

/// The access an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            _ => None,
        }
    }
}

/// The token scopes that grant read and write access.
#[derive(Debug, Clone)]
pub struct ScopeNames {
    pub read: String,
    pub write: String,
}

impl Default for ScopeNames {
    fn default() -> Self {
        ScopeNames { read: "realmgate:admin.read".into(), write: "realmgate:admin.write".into() }
    }
}

/// Which realms a caller may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Realms {
    /// An operator key (`--realm '*'`).
    All,
    Only(Vec<String>),
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// For logs: `key:<id>` or `token:<realm>:<subject>`.
    pub principal: String,
    pub realms: Realms,
    pub read: bool,
    pub write: bool,
}

impl Caller {
    /// Checks realm first (403 `realm_forbidden`), then scope (403 `insufficient_scope`).
    pub fn check(&self, realm: &str, access: Access) -> Result<(), ApiError> {
        let realm_ok = match &self.realms {
            Realms::All => true,
            Realms::Only(list) => list.iter().any(|r| r == realm),
        };
        if !realm_ok {
            return Err(ApiError::RealmForbidden);
        }
        let scope_ok = match access {
            Access::Read => self.read || self.write,
            Access::Write => self.write,
        };
        if !scope_ok {
            return Err(ApiError::InsufficientScope);
        }
        Ok(())
    }

    pub fn may_read_any(&self) -> bool {
        self.read || self.write
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or(ApiError::Unauthenticated)?;
        let value = value.to_str().map_err(|_| ApiError::InvalidToken)?;
        let credential = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        if PresentedKey::looks_like_key(credential) {
            return api_key_caller(state, credential).await;
        }
        token_caller(state, credential).await
    }
}

async fn api_key_caller(state: &AppState, raw: &str) -> Result<Caller, ApiError> {
    let key = PresentedKey::parse(raw).ok_or(ApiError::InvalidToken)?;
    let record = state.store.get_api_key(&key.id).await?;
    let record = match record {
        Some(r) if r.revoked_at.is_none() && key.matches(&r.secret_hash) => r,
        _ => {
            tracing::info!(key_id = %key.id, "api key refused");
            return Err(ApiError::InvalidToken);
        }
    };
    let realms = if record.realms.iter().any(|r| r == "*") { Realms::All } else { Realms::Only(record.realms.clone()) };
    Ok(Caller {
        principal: format!("key:{}", record.id),
        realms,
        read: record.scopes.iter().any(|s| s == "read"),
        write: record.scopes.iter().any(|s| s == "write"),
    })
}

async fn token_caller(state: &AppState, raw: &str) -> Result<Caller, ApiError> {
    let verified = state.tokens.verify(raw).await.map_err(|refusal| {
        tracing::info!(reason = refusal.code, "bearer token refused");
        metrics::counter!("realmgate_token_refusals_total", "reason" => refusal.code).increment(1);
        ApiError::InvalidToken
    })?;
    let has = |s: &str| verified.scopes.iter().any(|x| x == s);
    Ok(Caller {
        principal: format!("token:{}:{}", verified.realm, verified.subject),
        realms: Realms::Only(vec![verified.realm.as_str().to_owned()]),
        read: has(&state.scopes.read),
        write: has(&state.scopes.write),
    })
}

/// Authorizes `caller` for `access` on the realm named in the path, then
/// checks the realm exists. A caller not allowed on a realm learns nothing
/// about whether it exists.
pub async fn realm_access(state: &AppState, caller: &Caller, raw_realm: &str, access: Access) -> Result<RealmName, ApiError> {
    caller.check(raw_realm, access)?;
    let realm = RealmName::parse(raw_realm).map_err(|_| ApiError::UnknownRealm)?;
    if !state.store.realm_exists(realm.as_str()).await? {
        return Err(ApiError::UnknownRealm);
    }
    Ok(realm)
}
