//! Verifying this server's own tokens with the core (`UntrustedJwt` with a
//! `KeySet` built from the realm's published keys): for userinfo, revocation,
//! logout hints, token-exchange subject tokens, and the admin API, which so
//! trusts its own realms' service-account tokens without configuration.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use realmgate_core::jose::{self, KeySet};
use realmgate_core::oidc::id_token::is_access_token;
use realmgate_core::policy::PolicySpec;
use realmgate_core::verify::{UntrustedJwt, VerifiedIdentity};
use realmgate_core::{RealmConfig, RealmName, RealmPolicy};
use serde_json::{Map, Value};

use super::keys;
use super::settings::IssuerSettings;
use super::tokens::ADMIN_AUDIENCE;
use crate::auth::token::{TokenRefusal, TokenVerifier, VerifiedToken};
use crate::clock::Clock;
use crate::store::Store;

const fn refused(code: &'static str) -> TokenRefusal {
    TokenRefusal { code }
}

/// The realm whose issuer the token claims, if it is one of ours (unverified:
/// only to choose the keys).
pub fn claimed_own_realm(token: &str, settings: &IssuerSettings) -> Option<RealmName> {
    let jwt = UntrustedJwt::parse(token).ok()?;
    let rest = jwt.claimed_issuer()?.strip_prefix(settings.public_url.as_str())?.strip_prefix("/realms/")?;
    RealmName::parse(rest).ok()
}

/// The unverified claims of a compact JWS, to pick the audience set (the
/// core exposes only `claimed_issuer`; see the README's note on the core).
pub fn claimed_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = realmgate_core::b64::decode(payload).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// A one-realm policy for our issuer accepting `audiences`.
pub fn policy(settings: &IssuerSettings, realm: &RealmName, audiences: Vec<String>) -> Result<RealmPolicy, TokenRefusal> {
    let mut config = RealmConfig::new(audiences.first().cloned().unwrap_or_else(|| ADMIN_AUDIENCE.to_owned()));
    config.audiences = audiences;
    let mut realms = BTreeMap::new();
    realms.insert(realm.as_str().to_owned(), config);
    let spec = PolicySpec { issuer_base_url: settings.public_url.clone(), realms, allow_insecure_loopback: true, leeway_seconds: 30, algorithms: None };
    RealmPolicy::new(spec).map_err(|e| {
        tracing::error!(error = %e, "the public URL is not a valid issuer base URL");
        refused("issuer_config")
    })
}

/// The realm's published keys as the core's key set.
pub async fn key_set(store: &dyn Store, realm: &RealmName, now_ms: i64) -> Result<KeySet, TokenRefusal> {
    let records = store.published_keys(realm, now_ms).await.map_err(|_| refused("keys_unavailable"))?;
    KeySet::from_json(keys::jwks(&records).to_string().as_bytes()).map_err(|e| TokenRefusal { code: e.code() })
}

/// A full check (signature, iss, aud ∈ `audiences`, lifetime) of an access token.
pub async fn verify_access(
    store: &dyn Store,
    settings: &IssuerSettings,
    realm: &RealmName,
    token: &str,
    audiences: Vec<String>,
    now_secs: u64,
    now_ms: i64,
) -> Result<VerifiedIdentity, TokenRefusal> {
    let policy = policy(settings, realm, audiences)?;
    let keys = key_set(store, realm, now_ms).await?;
    let identity = UntrustedJwt::parse(token).and_then(|t| t.verify(&keys, &policy, now_secs)).map_err(|r| TokenRefusal { code: r.code.code() })?;
    if !is_access_token(&identity) {
        return Err(refused("not_an_access_token"));
    }
    Ok(identity)
}

/// Signature and issuer only, lifetime ignored: an `id_token_hint` may have
/// expired (RP-Initiated Logout §2). The core verifies the JWS; the claims
/// are returned for the caller's checks.
pub async fn verify_hint(store: &dyn Store, settings: &IssuerSettings, realm: &RealmName, token: &str, now_ms: i64) -> Result<Map<String, Value>, TokenRefusal> {
    let keys = key_set(store, realm, now_ms).await?;
    let payload = jose::verify_jws(token, &keys, &jose::Algorithm::ALL, jose::default_backend()).map_err(|c| TokenRefusal { code: c.code() })?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload).map_err(|_| refused("malformed"))?;
    if claims.get("iss").and_then(Value::as_str) != Some(settings.issuer(realm).as_str()) {
        return Err(refused("issuer"));
    }
    Ok(claims)
}

/// The admin API's verifier: tokens of this server's realms are verified
/// in-process (audience `realmgate-admin`); any other token goes to the
/// configured verifier (`--token-policy`), if any.
pub struct OwnRealmTokens {
    pub store: Arc<dyn Store>,
    pub settings: Arc<IssuerSettings>,
    pub clock: Arc<dyn Clock>,
    pub fallback: Arc<dyn TokenVerifier>,
}

#[async_trait]
impl TokenVerifier for OwnRealmTokens {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenRefusal> {
        let Some(realm) = claimed_own_realm(token, &self.settings) else {
            return self.fallback.verify(token).await;
        };
        let exists = self.store.realm_exists(realm.as_str()).await.map_err(|_| refused("keys_unavailable"))?;
        if !exists {
            return Err(refused("issuer"));
        }
        let now_ms = self.clock.now_ms();
        let id = verify_access(self.store.as_ref(), &self.settings, &realm, token, vec![ADMIN_AUDIENCE.to_owned()], self.clock.now_secs(), now_ms).await?;
        Ok(VerifiedToken { realm: id.realm, subject: id.subject, scopes: id.scopes, authorized_party: id.authorized_party })
    }
}
