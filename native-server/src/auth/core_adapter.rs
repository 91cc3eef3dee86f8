//! The only place that calls the core's token verifier
//! (`realmgate_core::verify::UntrustedJwt`, `realmgate_core::jose::KeySet`).

use realmgate_core::jose::KeySet;
use realmgate_core::oidc::id_token::is_access_token;
use realmgate_core::verify::{Refusal, UntrustedJwt};
use realmgate_core::{RealmName, RealmPolicy};

use super::token::{TokenRefusal, VerifiedToken};

/// The refusal code the core gives for a `kid` absent from the key set.
pub const UNKNOWN_KEY: &str = "unknown_key";

fn refused(r: Refusal) -> TokenRefusal {
    TokenRefusal { code: r.code.code() }
}

/// The allowed realm named by the token's `iss` (not yet verified: only
/// used to pick which realm's keys to load).
pub fn claimed_realm(token: &str, policy: &RealmPolicy) -> Result<RealmName, TokenRefusal> {
    let jwt = UntrustedJwt::parse(token).map_err(refused)?;
    let iss = jwt.claimed_issuer().ok_or(TokenRefusal { code: "issuer" })?;
    policy.realm_from_issuer(iss).cloned().ok_or(TokenRefusal { code: "issuer" })
}

/// Parses a realm's JWKS document.
pub fn load_keys(jwks: &[u8]) -> Result<KeySet, TokenRefusal> {
    KeySet::from_json(jwks).map_err(|e| TokenRefusal { code: e.code() })
}

/// Full verification at `now` (unix seconds): signature, issuer → realm,
/// audience, lifetime (the core's rules), and an access token, not an ID
/// or refresh token.
pub fn verify(token: &str, keys: &KeySet, policy: &RealmPolicy, now: u64) -> Result<VerifiedToken, TokenRefusal> {
    let identity = UntrustedJwt::parse(token).and_then(|t| t.verify(keys, policy, now)).map_err(refused)?;
    if !is_access_token(&identity) {
        return Err(TokenRefusal { code: "not_an_access_token" });
    }
    Ok(VerifiedToken {
        realm: identity.realm,
        subject: identity.subject,
        scopes: identity.scopes,
        authorized_party: identity.authorized_party,
    })
}
