//! `client_credentials`: a confidential client's service account. Its
//! scopes are limited to the client's `scopes` (by default all of them);
//! `realmgate:admin.read` / `.write` also add the `realmgate-admin` audience,
//! which the admin API accepts for the same realm.

use realmgate_core::RealmName;

use crate::error::oauth::OAuthError;
use crate::issuer::clients::{Client, GRANT_CLIENT_CREDENTIALS};
use crate::issuer::token::TokenParams;
use crate::issuer::tokens::{mint, Issued, Mint, Subject};
use crate::issuer::util::split_scope;
use crate::state::AppState;

pub async fn exchange(state: &AppState, realm: &RealmName, client: &Client, p: &TokenParams) -> Result<Issued, OAuthError> {
    if !client.is_confidential() || !client.allows_grant(GRANT_CLIENT_CREDENTIALS) {
        return Err(OAuthError::UnauthorizedClient("the client may not use this grant"));
    }
    let scope = match p.scope.as_deref() {
        None => client.config.scopes.clone(),
        Some(asked) => {
            let asked = split_scope(asked);
            if asked.iter().any(|s| !client.config.scopes.contains(s)) {
                return Err(OAuthError::InvalidScope("a requested scope is not allowed for this client"));
            }
            asked
        }
    };
    tracing::info!(realm = %realm, client_id = %client.client_id, scope = %scope.join(" "), "client credentials granted");
    mint(state, Mint { realm, client, subject: Subject::ServiceAccount, scope: &scope, nonce: None, refresh: false }).await
}
