//! OAuth clients of a realm: what a client may do, its hashed secret, and
//! the validated spec it is made from (config file or admin API).
//!
//! Secrets: a plaintext `secret` is stored as an argon2id hash; a ready
//! `secret_hash` may be given instead (`$argon2id$…`, or `sha256:<hex>` for
//! long random secrets, which a fast digest protects as well). Comparisons
//! are constant-time.

use serde::{Deserialize, Serialize};
use sha2_10::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::domain::{FieldError, Password};

pub const GRANT_CODE: &str = "authorization_code";
pub const GRANT_REFRESH: &str = "refresh_token";
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
pub const GRANT_TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const GRANTS: [&str; 3] = [GRANT_CODE, GRANT_REFRESH, GRANT_CLIENT_CREDENTIALS];

/// A registered client.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    pub client_id: String,
    /// `None`: a public client (PKCE only; no client credentials, no exchange).
    pub secret_hash: Option<String>,
    pub config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("client_id", &self.client_id).field("config", &self.config).finish_non_exhaustive()
    }
}

/// What a client may do (stored as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientConfig {
    /// Exact redirect URIs (compared as strings).
    pub redirect_uris: Vec<String>,
    /// Exact post-logout redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// `authorization_code`, `refresh_token`, `client_credentials`.
    pub grants: Vec<String>,
    /// Audiences put in its access tokens (besides its own id).
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Extra scopes it may obtain (e.g. `realmgate:admin.write` for a service account).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// RFC 8693: may obtain tokens for a user by email.
    #[serde(default)]
    pub token_exchange_allowed: bool,
}

impl Client {
    pub fn allows_grant(&self, grant: &str) -> bool {
        self.config.grants.iter().any(|g| g == grant)
    }

    pub fn is_confidential(&self) -> bool {
        self.secret_hash.is_some()
    }

    /// Whether `secret` is this client's (constant-time; argon2 for argon2
    /// hashes — call from the blocking pool).
    pub fn secret_matches(&self, secret: &str) -> bool {
        match self.secret_hash.as_deref() {
            Some(h) if h.starts_with("sha256:") => {
                let given = format!("sha256:{}", hex::encode(Sha256::digest(secret.as_bytes())));
                given.as_bytes().ct_eq(h.as_bytes()).into()
            }
            Some(h) => match Password::for_check(secret.to_owned()) {
                Ok(pw) => crate::crypto::password::verify(&pw, Some(h)),
                Err(_) => false,
            },
            None => false,
        }
    }
}

/// A client as written in the clients file (under realm → client id) or in
/// the admin API's PUT body (realm and client id from the path).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Plaintext secret (16–1024 bytes), stored as an argon2id hash.
    #[serde(default)]
    pub secret: Option<String>,
    /// A ready hash instead: `$argon2id$…` or `sha256:<64 hex>`.
    #[serde(default)]
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Default: `authorization_code` and `refresh_token`.
    #[serde(default = "default_grants")]
    pub grants: Vec<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub token_exchange_allowed: bool,
}

fn default_grants() -> Vec<String> {
    vec![GRANT_CODE.into(), GRANT_REFRESH.into()]
}

fn bad(field: &'static str, code: &'static str, msg: &str) -> FieldError {
    FieldError::new(field, code, msg.to_owned())
}

/// A client id: 1–100 characters from `A-Z a-z 0-9 . _ - :`.
pub fn check_client_id(id: &str) -> Result<(), FieldError> {
    let ok = !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
    if ok { Ok(()) } else { Err(bad("client_id", "invalid_client_id", "1-100 characters from A-Z a-z 0-9 . _ - :")) }
}

/// A redirect URI: absolute, no fragment, no credentials; https, or http on
/// a loopback host (local development).
pub fn check_redirect_uri(field: &'static str, raw: &str) -> Result<(), FieldError> {
    let url = url::Url::parse(raw).map_err(|_| bad(field, "invalid_uri", "not an absolute URI"))?;
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() || raw.len() > 2048 {
        return Err(bad(field, "invalid_uri", "no fragment, no credentials, at most 2048 bytes"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(field, "insecure_uri", "https, or http on a loopback host")),
    }
}

impl ClientSpec {
    /// Validates and hashes: the client to store. Hashing is slow (argon2):
    /// call from the blocking pool.
    pub fn into_client(self, client_id: &str) -> Result<Client, FieldError> {
        check_client_id(client_id)?;
        for u in &self.redirect_uris {
            check_redirect_uri("redirect_uris", u)?;
        }
        for u in &self.post_logout_redirect_uris {
            check_redirect_uri("post_logout_redirect_uris", u)?;
        }
        if let Some(g) = self.grants.iter().find(|g| !GRANTS.contains(&g.as_str())) {
            let _ = g;
            return Err(bad("grants", "unknown_grant", "grants are authorization_code, refresh_token, client_credentials"));
        }
        if self.allows(GRANT_CODE) && self.redirect_uris.is_empty() {
            return Err(bad("redirect_uris", "required", "authorization_code needs at least one redirect URI"));
        }
        let short = |v: &Vec<String>| v.iter().all(|s| !s.is_empty() && s.len() <= 200 && !s.contains(' '));
        if !short(&self.audiences) {
            return Err(bad("audiences", "invalid_audience", "1-200 characters, no spaces"));
        }
        if !short(&self.scopes) {
            return Err(bad("scopes", "invalid_scope", "1-200 characters, no spaces"));
        }
        let needs_secret = self.allows(GRANT_CLIENT_CREDENTIALS) || self.token_exchange_allowed;
        let secret_hash = match (self.secret, self.secret_hash) {
            (Some(_), Some(_)) => return Err(bad("secret", "ambiguous", "give secret or secret_hash, not both")),
            (Some(s), None) => Some(hash_secret(s)?),
            (None, Some(h)) => Some(check_hash(h)?),
            (None, None) => None,
        };
        if needs_secret && secret_hash.is_none() {
            return Err(bad("secret", "required", "client_credentials and token exchange need a confidential client"));
        }
        let config = ClientConfig {
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            grants: self.grants,
            audiences: self.audiences,
            scopes: self.scopes,
            token_exchange_allowed: self.token_exchange_allowed,
        };
        Ok(Client { client_id: client_id.to_owned(), secret_hash, config })
    }

    fn allows(&self, grant: &str) -> bool {
        self.grants.iter().any(|g| g == grant)
    }
}

fn hash_secret(secret: String) -> Result<String, FieldError> {
    if secret.len() < 16 || secret.len() > 1024 {
        return Err(bad("secret", "invalid_secret", "16-1024 bytes"));
    }
    let pw = Password::for_check(secret).map_err(|_| bad("secret", "invalid_secret", "16-1024 bytes"))?;
    crate::crypto::password::hash(&pw).map_err(|_| bad("secret", "invalid_secret", "could not hash"))
}

fn check_hash(hash: String) -> Result<String, FieldError> {
    let sha_ok = hash.strip_prefix("sha256:").is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    let argon_ok = hash.starts_with("$argon2id$") && crate::crypto::password::check_stored(&hash).is_ok();
    if sha_ok || argon_ok { Ok(hash) } else { Err(bad("secret_hash", "invalid_hash", "$argon2id$… or sha256:<64 lowercase hex>")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> ClientSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_client_secret_is_stored_hashed_and_compared_by_hash() {
        let c = spec(serde_json::json!({"secret": "0123456789abcdef-secret", "redirect_uris": ["http://127.0.0.1:8787/cb"]})).into_client("edge").unwrap();
        let h = c.secret_hash.clone().unwrap();
        assert!(h.starts_with("$argon2id$") && !h.contains("0123456789abcdef"));
        assert!(c.secret_matches("0123456789abcdef-secret"));
        assert!(!c.secret_matches("0123456789abcdef-secreT"));
        let sha = format!("sha256:{}", hex::encode(Sha256::digest(b"long-random-secret")));
        let c = spec(serde_json::json!({"secret_hash": sha, "redirect_uris": ["https://a.example/cb"]})).into_client("x").unwrap();
        assert!(c.secret_matches("long-random-secret") && !c.secret_matches("other"));
    }

    #[test]
    fn bad_specs_are_refused_by_field() {
        let cases = [
            (serde_json::json!({"redirect_uris": ["http://example.com/cb"]}), "redirect_uris"),
            (serde_json::json!({"redirect_uris": ["https://a.example/cb#f"]}), "redirect_uris"),
            (serde_json::json!({"redirect_uris": []}), "redirect_uris"),
            (serde_json::json!({"redirect_uris": [], "grants": ["password"]}), "grants"),
            (serde_json::json!({"redirect_uris": [], "grants": ["client_credentials"]}), "secret"),
            (serde_json::json!({"secret": "short", "redirect_uris": ["https://a.example/cb"]}), "secret"),
            (serde_json::json!({"secret_hash": "md5:00", "redirect_uris": ["https://a.example/cb"]}), "secret_hash"),
        ];
        for (json, field) in cases {
            assert_eq!(spec(json.clone()).into_client("c").unwrap_err().field, field, "{json}");
        }
        assert_eq!(spec(serde_json::json!({"redirect_uris": ["https://a.example/cb"]})).into_client("bad id").unwrap_err().field, "client_id");
    }
}
