//! `refresh_token`: opaque tokens rotated on every use. Presenting a rotated
//! token again (a reuse: someone holds a copy) ends the whole session.

use realmgate_core::RealmName;

use crate::error::oauth::OAuthError;
use crate::issuer::clients::{Client, GRANT_REFRESH};
use crate::issuer::token::TokenParams;
use crate::issuer::tokens::{mint, refresh_record, secs_until, Issued, Mint, Subject};
use crate::issuer::util::{digest, split_scope};
use crate::state::AppState;

const INVALID: OAuthError = OAuthError::InvalidGrant("the refresh token is not valid");

pub async fn exchange(state: &AppState, realm: &RealmName, client: &Client, p: &TokenParams) -> Result<Issued, OAuthError> {
    if !client.allows_grant(GRANT_REFRESH) {
        return Err(OAuthError::UnauthorizedClient("the client may not use this grant"));
    }
    let token = p.refresh_token.as_deref().ok_or(OAuthError::InvalidRequest("refresh_token is required"))?;
    let now = state.now();
    let old = state.store.get_refresh(realm, &digest(token)).await?.ok_or(INVALID)?;
    if old.client_id != client.client_id {
        return Err(INVALID);
    }
    if old.rotated_at.is_some() {
        reuse(state, realm, client, &old.session_id).await?;
        return Err(INVALID);
    }
    if old.revoked_at.is_some() || old.expires_at <= now {
        return Err(INVALID);
    }
    let session = state.store.get_session(realm, &old.session_id).await?.filter(|s| s.is_live(now)).ok_or(INVALID)?;
    let identity = state.store.get_identity(realm, &session.identity_id).await?.ok_or(INVALID)?;
    let granted = split_scope(&old.scope);
    let scope = match p.scope.as_deref() {
        None => granted,
        Some(asked) => {
            let asked = split_scope(asked);
            if asked.iter().any(|s| !granted.contains(s)) {
                return Err(OAuthError::InvalidScope("a refresh cannot widen the granted scope"));
            }
            asked
        }
    };
    let (new_token, new_record) = refresh_record(state, realm, client, &session, &old.scope);
    if !state.store.rotate_refresh(&old.token_hash, &new_record, now).await? {
        // Lost a race with another use of the same token: that is a reuse too.
        reuse(state, realm, client, &old.session_id).await?;
        return Err(INVALID);
    }
    let m = Mint { realm, client, subject: Subject::User { identity: &identity, session: &session }, scope: &scope, nonce: None, refresh: false };
    let mut issued = mint(state, m).await?;
    issued.refresh_token = Some(new_token);
    issued.refresh_expires_in = Some(secs_until(new_record.expires_at, now));
    Ok(issued)
}

async fn reuse(state: &AppState, realm: &RealmName, client: &Client, session_id: &str) -> Result<(), OAuthError> {
    let ended = state.store.end_session(realm, session_id, "refresh_token_reuse", state.now()).await?;
    tracing::warn!(realm = %realm, client_id = %client.client_id, session_id = %session_id, ended, "refresh token reused: session revoked");
    Ok(())
}
