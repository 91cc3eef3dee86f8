//! The issuer's settings: its public base URL and lifetimes.

use realmgate_core::jose::Algorithm;
use realmgate_core::RealmName;

use crate::clock::Millis;

/// How the issuer runs; `Default` suits tests (public URL http://127.0.0.1:8080).
#[derive(Debug, Clone)]
pub struct IssuerSettings {
    /// Base URL without trailing slash; a realm's issuer is `{public_url}/realms/{name}`.
    pub public_url: String,
    /// Authorization codes live at most 60 s.
    pub code_ttl_ms: Millis,
    /// Access and ID tokens.
    pub token_ttl_secs: u64,
    pub refresh_ttl_ms: Millis,
    /// A session (browser or exchange) ends at the latest this long after login.
    pub session_ttl_ms: Millis,
    /// The algorithm of keys generated at first start.
    pub default_alg: Algorithm,
}

/// The longest an authorization code may live.
pub const MAX_CODE_TTL_MS: Millis = 60_000;

impl Default for IssuerSettings {
    fn default() -> Self {
        IssuerSettings {
            public_url: "http://127.0.0.1:8080".into(),
            code_ttl_ms: MAX_CODE_TTL_MS,
            token_ttl_secs: 300,
            refresh_ttl_ms: 30 * 60 * 1000,
            session_ttl_ms: 10 * 60 * 60 * 1000,
            default_alg: Algorithm::Rs256,
        }
    }
}

impl IssuerSettings {
    pub fn issuer(&self, realm: &RealmName) -> String {
        format!("{}/realms/{}", self.public_url, realm.as_str())
    }

    pub fn endpoint(&self, realm: &RealmName, name: &str) -> String {
        format!("{}/protocol/openid-connect/{name}", self.issuer(realm))
    }

    /// Cookies get `Secure` when the issuer is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// How long a retired key stays published: every token it signed has
    /// expired by then (token lifetime plus the verifiers' leeway).
    pub fn retire_after_ms(&self) -> Millis {
        i64::try_from(self.token_ttl_secs).unwrap_or(i64::MAX / 2000).saturating_add(60).saturating_mul(1000)
    }
}
