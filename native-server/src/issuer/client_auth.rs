//! Client authentication at the token and revocation endpoints:
//! `client_secret_basic` (RFC 6749 §2.3.1: id and secret form-encoded, then
//! Basic), `client_secret_post`, or a public client's bare `client_id`.
//! One method per request; secrets compared in constant time.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use realmgate_core::RealmName;

use super::clients::Client;
use crate::error::oauth::OAuthError;
use crate::state::AppState;

/// Credentials as presented. `Debug` hides the secret.
pub struct Presented {
    pub client_id: String,
    secret: Option<String>,
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

fn form_decode(s: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
}

/// Reads the credentials from the `Authorization` header or the form.
pub fn presented(headers: &HeaderMap, form_id: Option<&str>, form_secret: Option<&str>) -> Result<Presented, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v.to_str().map_err(|_| OAuthError::InvalidClient)?;
            let b64 = v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")).ok_or(OAuthError::InvalidClient)?;
            let raw = STANDARD.decode(b64.trim()).map_err(|_| OAuthError::InvalidClient)?;
            let raw = String::from_utf8(raw).map_err(|_| OAuthError::InvalidClient)?;
            let (id, secret) = raw.split_once(':').ok_or(OAuthError::InvalidClient)?;
            Some((form_decode(id).ok_or(OAuthError::InvalidClient)?, form_decode(secret).ok_or(OAuthError::InvalidClient)?))
        }
    };
    match (basic, form_id, form_secret) {
        (Some(_), _, Some(_)) => Err(OAuthError::InvalidRequest("use one client authentication method")),
        (Some((id, _)), Some(fid), None) if fid != id => Err(OAuthError::InvalidRequest("client_id does not match the authenticated client")),
        (Some((id, secret)), _, None) => Ok(Presented { client_id: id, secret: Some(secret) }),
        (None, Some(id), secret) => Ok(Presented { client_id: id.to_owned(), secret: secret.map(str::to_owned) }),
        (None, None, _) => Err(OAuthError::InvalidClient),
    }
}

/// The authenticated client: a confidential client with its secret, or a
/// public client with none. Everything else is `invalid_client`.
pub async fn authenticate(state: &AppState, realm: &RealmName, p: Presented) -> Result<Client, OAuthError> {
    let client = state.store.get_client(realm, &p.client_id).await?;
    let Some(client) = client else {
        tracing::info!(realm = %realm, client_id = %p.client_id, "client authentication failed: unknown client");
        return Err(OAuthError::InvalidClient);
    };
    let ok = match (client.is_confidential(), p.secret) {
        (false, None) => true,
        (true, Some(secret)) => {
            let c = client.clone();
            crate::crypto::password::run_limited(move || c.secret_matches(&secret)).await.map_err(|e| match e {
                crate::crypto::password::Busy::Saturated => OAuthError::Unavailable,
                crate::crypto::password::Busy::Failed => OAuthError::Server,
            })?
        }
        _ => false,
    };
    if !ok {
        tracing::info!(realm = %realm, client_id = %client.client_id, "client authentication failed");
        return Err(OAuthError::InvalidClient);
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded_and_one_method_only() {
        let mut h = HeaderMap::new();
        let creds = STANDARD.encode("my%3Aclient:s%26cret");
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Basic {creds}")).unwrap());
        let p = presented(&h, None, None).unwrap();
        assert_eq!(p.client_id, "my:client");
        assert_eq!(p.secret.as_deref(), Some("s&cret"));
        assert!(presented(&h, Some("my:client"), Some("x")).is_err());
        assert!(presented(&h, Some("other"), None).is_err());
        assert!(presented(&HeaderMap::new(), None, Some("x")).is_err());
        assert!(!format!("{p:?}").contains("cret"));
    }
}
