//! Token checks with the realm's cached keys: access tokens for `/verify`,
//! `/session` and the gateway; ID tokens at the callback. Every rule is the
//! core's; this file only picks the realm's keys and maps refusals.

use realmgate_core::jose::KeySet;
use realmgate_core::oidc::id_token::{check_id_token, is_access_token};
use realmgate_core::verify::{Refusal, UntrustedJwt, VerifiedIdentity};
use realmgate_core::{RealmName, RealmPolicy};

use super::{provider, webcrypto, Ctx};
use crate::config::SignaturePath;
use crate::error::{EdgeError, SIGNATURE_UNAVAILABLE};

/// The core's split verification with the runtime's signature primitive:
/// `prepare` (alg allow-list, key choice) → WebCrypto → `finish` (claims).
/// A WebCrypto failure without the `wasm-signatures` backends is `Err(None)`
/// (`SIGNATURE_UNAVAILABLE`): the token is refused, as no signature check ran.
async fn verify_split(
    ctx_detail: &mut Option<String>,
    path: SignaturePath,
    jwt: UntrustedJwt<'_>,
    keys: &KeySet,
    policy: &RealmPolicy,
    now: u64,
    audiences: Option<&[String]>,
) -> Result<VerifiedIdentity, Option<Refusal>> {
    let check = jwt.prepare(keys, policy)?;
    let (ok, webcrypto_failed) = webcrypto::verify(path, check.alg(), check.key(), check.message(), check.signature()).await;
    if webcrypto_failed {
        if !cfg!(feature = "wasm-signatures") {
            // Logged by the caller as the outcome code; never the token.
            return Err(None);
        }
        *ctx_detail = Some("webcrypto_fallback".into());
    }
    Ok(check.finish(ok, policy, now, audiences)?)
}

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
    let refused = |r: Refusal| EdgeError::InvalidToken(r.code.code());
    let jwt = UntrustedJwt::parse(token).map_err(refused)?;
    let realm = jwt
        .claimed_issuer()
        .and_then(|iss| ctx.cfg.policy.realm_from_issuer(iss))
        .cloned()
        .ok_or(EdgeError::InvalidToken("issuer"))?;
    ctx.realm = Some(realm.to_string());
    let keys = provider::keys(ctx, &realm, jwt.kid()).await?;
    let identity = verify_split(&mut ctx.detail, ctx.cfg.signature_path, jwt, &keys, &ctx.cfg.policy, ctx.now, None)
        .await
        .map_err(|r| r.map_or(EdgeError::Internal(SIGNATURE_UNAVAILABLE), refused))?;
    if !is_access_token(&identity) {
        return Err(EdgeError::InvalidToken("token_type"));
    }
    Ok(identity)
}

/// Validates the ID token from the code exchange: signature, iss and expiry
/// with the client id as audience, then the core's `check_id_token` (aud,
/// azp, nonce, iat) — what `validate_id_token` does, with WebCrypto.
pub async fn validate_callback_id_token(
    ctx: &mut Ctx,
    token: &str,
    realm: &RealmName,
    client_id: &str,
    nonce: &str,
) -> Result<VerifiedIdentity, EdgeError> {
    let failed = |code: &'static str| EdgeError::CallbackFailed(code);
    let keys = provider::keys(ctx, realm, kid_of(token).as_deref()).await?;
    let jwt = UntrustedJwt::parse(token).map_err(|r| failed(r.code.code()))?;
    let audiences = [client_id.to_owned()];
    let identity = verify_split(&mut ctx.detail, ctx.cfg.signature_path, jwt, &keys, &ctx.cfg.policy, ctx.now, Some(&audiences))
        .await
        .map_err(|r| failed(r.map_or(SIGNATURE_UNAVAILABLE, |r| r.code.code())))?;
    check_id_token(&identity, realm, client_id, nonce).map_err(|e| failed(e.code()))?;
    Ok(identity)
}
