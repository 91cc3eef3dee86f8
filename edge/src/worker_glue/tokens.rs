//! Token checks with the realm's cached keys: access tokens for `/verify`,
//! `/session` and the gateway; ID tokens at the callback. Every rule is the
//! core's; this file only picks the realm's keys and maps refusals.

use realmgate_core::jose::default_backend;
use realmgate_core::oidc::id_token::{is_access_token, validate_id_token};
use realmgate_core::verify::{UntrustedJwt, VerifiedIdentity};
use realmgate_core::RealmName;

use super::{provider, Ctx};
use crate::error::EdgeError;

/// The allowed realm a token claims to be from (unverified: it only picks
/// which realm's keys to verify with).
pub fn claimed_realm(ctx: &Ctx, token: &str) -> Option<RealmName> {
    let jwt = UntrustedJwt::parse(token).ok()?;
    ctx.cfg.policy.realm_from_issuer(jwt.claimed_issuer()?).cloned()
}

fn kid_of(token: &str) -> Option<String> {
    UntrustedJwt::parse(token).ok().and_then(|j| j.kid().map(str::to_owned))
}

/// Verifies an access token locally. Refusals become `InvalidToken(code)`;
/// keys that cannot be had at all become `Upstream`.
pub async fn verify_access_token(ctx: &mut Ctx, token: &str) -> Result<VerifiedIdentity, EdgeError> {
    let refused = |r: realmgate_core::verify::Refusal| EdgeError::InvalidToken(r.code.code());
    let jwt = UntrustedJwt::parse(token).map_err(refused)?;
    let realm = jwt
        .claimed_issuer()
        .and_then(|iss| ctx.cfg.policy.realm_from_issuer(iss))
        .cloned()
        .ok_or(EdgeError::InvalidToken("issuer"))?;
    ctx.realm = Some(realm.to_string());
    let kid = jwt.kid().map(str::to_owned);
    let keys = provider::keys(ctx, &realm, kid.as_deref()).await?;
    let identity = jwt.verify(&keys, &ctx.cfg.policy, ctx.now).map_err(refused)?;
    if !is_access_token(&identity) {
        return Err(EdgeError::InvalidToken("token_type"));
    }
    Ok(identity)
}

/// Validates the ID token from the code exchange (signature, iss, aud, azp,
/// nonce, expiry: `validate_id_token`).
pub async fn validate_callback_id_token(
    ctx: &mut Ctx,
    token: &str,
    realm: &RealmName,
    client_id: &str,
    nonce: &str,
) -> Result<VerifiedIdentity, EdgeError> {
    let keys = provider::keys(ctx, realm, kid_of(token).as_deref()).await?;
    validate_id_token(default_backend(), token, &keys, &ctx.cfg.policy, realm, client_id, nonce, ctx.now)
        .map_err(|e| EdgeError::CallbackFailed(e.code()))
}
