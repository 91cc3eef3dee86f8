//! `authorization_code`: single use (a reused code ends the session it
//! issued), live at most 60 s, exact `redirect_uri`, PKCE S256 checked with
//! the core's `CodeVerifier`.

use realmgate_core::pkce::CodeVerifier;
use realmgate_core::RealmName;
use subtle::ConstantTimeEq;

use crate::error::oauth::OAuthError;
use crate::issuer::clients::{Client, GRANT_CODE, GRANT_REFRESH};
use crate::issuer::token::TokenParams;
use crate::issuer::tokens::{mint, Issued, Mint, Subject};
use crate::issuer::util::{digest, split_scope};
use crate::state::AppState;
use crate::store::issuer::CodeUse;

pub async fn exchange(state: &AppState, realm: &RealmName, client: &Client, p: &TokenParams) -> Result<Issued, OAuthError> {
    if !client.allows_grant(GRANT_CODE) {
        return Err(OAuthError::UnauthorizedClient("the client may not use this grant"));
    }
    let code = p.code.as_deref().ok_or(OAuthError::InvalidRequest("code is required"))?;
    let redirect_uri = p.redirect_uri.as_deref().ok_or(OAuthError::InvalidRequest("redirect_uri is required"))?;
    let verifier = p.code_verifier.as_deref().ok_or(OAuthError::InvalidRequest("code_verifier is required (PKCE)"))?;
    let now = state.now();
    let record = match state.store.use_code(realm, &digest(code), now).await? {
        CodeUse::Unknown => return Err(OAuthError::InvalidGrant("the code is not valid")),
        CodeUse::Reused(record) => {
            let ended = state.store.end_session(realm, &record.session_id, "code_reuse", now).await?;
            tracing::warn!(realm = %realm, client_id = %client.client_id, session_id = %record.session_id, ended, "authorization code reused: session revoked");
            return Err(OAuthError::InvalidGrant("the code is not valid"));
        }
        CodeUse::Fresh(record) => record,
    };
    if record.client_id != client.client_id {
        return Err(OAuthError::InvalidGrant("the code is not valid"));
    }
    if record.expires_at <= now {
        return Err(OAuthError::InvalidGrant("the code has expired"));
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::InvalidGrant("redirect_uri does not match the authorization request"));
    }
    let verifier = CodeVerifier::parse(verifier).map_err(|_| OAuthError::InvalidGrant("code_verifier is malformed"))?;
    let matches: bool = verifier.challenge().as_str().as_bytes().ct_eq(record.code_challenge.as_bytes()).into();
    if !matches {
        return Err(OAuthError::InvalidGrant("code_verifier does not match the code_challenge"));
    }
    let session = state.store.get_session(realm, &record.session_id).await?.filter(|s| s.is_live(now));
    let session = session.ok_or(OAuthError::InvalidGrant("the session has ended"))?;
    let identity = state.store.get_identity(realm, &session.identity_id).await?.ok_or(OAuthError::InvalidGrant("the session has ended"))?;
    let scope = split_scope(&record.scope);
    let m = Mint {
        realm,
        client,
        subject: Subject::User { identity: &identity, session: &session },
        scope: &scope,
        nonce: record.nonce.as_deref(),
        refresh: client.allows_grant(GRANT_REFRESH),
    };
    mint(state, m).await
}
