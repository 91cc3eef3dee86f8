//! Minting tokens that look like Keycloak's: access tokens (`typ: Bearer`)
//! and ID tokens (`typ: ID`) as JWTs signed by the realm's active key;
//! refresh tokens as opaque random strings (only their SHA-256 is stored).

use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;
use serde_json::{json, Map, Value};

use super::clients::Client;
use super::util::{digest, random_token};
use crate::domain::Identity;
use crate::error::oauth::{no_store, OAuthError};
use crate::state::AppState;
use crate::store::issuer::{RefreshRecord, SessionRecord};

/// The audience added to tokens carrying the admin API's scopes: the admin
/// API accepts its own realms' tokens for this audience.
pub const ADMIN_AUDIENCE: &str = "realmgate-admin";

/// Whom the tokens are for.
pub enum Subject<'a> {
    /// A person, in a session.
    User { identity: &'a Identity, session: &'a SessionRecord },
    /// The client itself (client credentials).
    ServiceAccount,
}

/// What to mint.
pub struct Mint<'a> {
    pub realm: &'a RealmName,
    pub client: &'a Client,
    pub subject: Subject<'a>,
    pub scope: &'a [String],
    pub nonce: Option<&'a str>,
    /// Mint an opaque refresh token too (for a user session).
    pub refresh: bool,
}

/// The token endpoint's answer.
pub struct Issued {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub refresh_expires_in: Option<u64>,
    pub scope: String,
}

pub fn is_admin_scope(s: &str) -> bool {
    s.starts_with("realmgate:admin.")
}

fn audience(client: &Client, scope: &[String]) -> Value {
    let mut aud = vec![client.client_id.clone()];
    for a in &client.config.audiences {
        if !aud.contains(a) {
            aud.push(a.clone());
        }
    }
    if scope.iter().any(|s| is_admin_scope(s)) && !aud.iter().any(|a| a == ADMIN_AUDIENCE) {
        aud.push(ADMIN_AUDIENCE.to_owned());
    }
    if aud.len() == 1 { json!(aud[0]) } else { json!(aud) }
}

/// The identity's claims the granted scope releases (also userinfo's).
pub fn identity_claims(identity: &Identity, scope: &[String], out: &mut Map<String, Value>) {
    let has = |s: &str| scope.iter().any(|x| x == s);
    if has("email") {
        out.insert("email".into(), json!(identity.email.as_str()));
        out.insert("email_verified".into(), json!(identity.email_verified));
    }
    if has("profile") {
        out.insert("preferred_username".into(), json!(identity.email.as_str()));
        out.insert("locale".into(), json!(identity.language.as_str()));
        if let Some(g) = &identity.first_name {
            out.insert("given_name".into(), json!(g));
        }
        if let Some(f) = &identity.last_name {
            out.insert("family_name".into(), json!(f));
        }
        let name: Vec<&str> = [identity.first_name.as_deref(), identity.last_name.as_deref()].into_iter().flatten().collect();
        if !name.is_empty() {
            out.insert("name".into(), json!(name.join(" ")));
        }
    }
}

pub async fn mint(state: &AppState, m: Mint<'_>) -> Result<Issued, OAuthError> {
    let now_ms = state.now();
    let now = state.clock.now_secs();
    let ttl = state.issuer.settings.token_ttl_secs;
    let iss = state.issuer.settings.issuer(m.realm);
    let scope = m.scope.join(" ");
    let mut access = Map::new();
    access.insert("iss".into(), json!(iss));
    access.insert("aud".into(), audience(m.client, m.scope));
    access.insert("azp".into(), json!(m.client.client_id));
    access.insert("typ".into(), json!("Bearer"));
    access.insert("iat".into(), json!(now));
    access.insert("exp".into(), json!(now + ttl));
    access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    access.insert("scope".into(), json!(scope));
    let mut id = None;
    match &m.subject {
        Subject::User { identity, session } => {
            access.insert("sub".into(), json!(identity.id.as_str()));
            access.insert("sid".into(), json!(session.id));
            identity_claims(identity, m.scope, &mut access);
            if m.scope.iter().any(|s| s == "openid") {
                let mut c = Map::new();
                c.insert("iss".into(), json!(iss));
                c.insert("sub".into(), json!(identity.id.as_str()));
                c.insert("aud".into(), json!(m.client.client_id));
                c.insert("azp".into(), json!(m.client.client_id));
                c.insert("typ".into(), json!("ID"));
                c.insert("iat".into(), json!(now));
                c.insert("exp".into(), json!(now + ttl));
                c.insert("auth_time".into(), json!(session.auth_time / 1000));
                c.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
                c.insert("sid".into(), json!(session.id));
                if let Some(n) = m.nonce {
                    c.insert("nonce".into(), json!(n));
                }
                identity_claims(identity, m.scope, &mut c);
                id = Some(c);
            }
        }
        Subject::ServiceAccount => {
            let sa = format!("service-account-{}", m.client.client_id);
            access.insert("sub".into(), json!(sa));
            access.insert("preferred_username".into(), json!(sa));
        }
    }
    let alg = state.issuer.settings.default_alg;
    let sign = |claims: Map<String, Value>| async move {
        state.issuer.signer.sign(state.store.as_ref(), m.realm, alg, now_ms, &Value::Object(claims)).await.map_err(|e| {
            tracing::error!(realm = %m.realm, error = %e, "signing failed");
            OAuthError::Server
        })
    };
    let access_token = sign(access).await?;
    let id_token = match id {
        Some(c) => Some(sign(c).await?),
        None => None,
    };
    let (refresh_token, refresh_expires_in) = match (&m.subject, m.refresh) {
        (Subject::User { session, .. }, true) => {
            let (token, exp) = new_refresh(state, m.realm, m.client, session, &scope).await?;
            (Some(token), Some(exp))
        }
        _ => (None, None),
    };
    Ok(Issued { access_token, id_token, refresh_token, expires_in: ttl, refresh_expires_in, scope })
}

/// A refresh token record (not yet stored) and the token itself.
pub fn refresh_record(state: &AppState, realm: &RealmName, client: &Client, session: &SessionRecord, scope: &str) -> (String, RefreshRecord) {
    let now = state.now();
    let token = random_token();
    let expires_at = (now + state.issuer.settings.refresh_ttl_ms).min(session.expires_at);
    let record = RefreshRecord {
        token_hash: digest(&token),
        session_id: session.id.clone(),
        realm: realm.as_str().to_owned(),
        client_id: client.client_id.clone(),
        scope: scope.to_owned(),
        created_at: now,
        expires_at,
        rotated_at: None,
        revoked_at: None,
    };
    (token, record)
}

async fn new_refresh(state: &AppState, realm: &RealmName, client: &Client, session: &SessionRecord, scope: &str) -> Result<(String, u64), OAuthError> {
    let (token, record) = refresh_record(state, realm, client, session, scope);
    state.store.insert_refresh(&record).await?;
    Ok((token, secs_until(record.expires_at, state.now())))
}

pub fn secs_until(at_ms: i64, now_ms: i64) -> u64 {
    u64::try_from((at_ms - now_ms).max(0) / 1000).unwrap_or(0)
}

impl IntoResponse for Issued {
    fn into_response(self) -> Response {
        let mut body = json!({
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        });
        if let Some(id) = self.id_token {
            body["id_token"] = json!(id);
        }
        if let Some(r) = self.refresh_token {
            body["refresh_token"] = json!(r);
        }
        if let Some(e) = self.refresh_expires_in {
            body["refresh_expires_in"] = json!(e);
        }
        let mut response = axum::Json(body).into_response();
        no_store(&mut response);
        response
    }
}
