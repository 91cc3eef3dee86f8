//! OpenID Provider metadata (OIDC Discovery 1.0 §3, RFC 8414, RFC 9207).

use serde::{Deserialize, Serialize};

use super::endpoint::{check_endpoint, EndpointError};

/// Why a discovery document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    #[error("discovery document is not a JSON object with the required members")]
    Malformed,
    #[error("discovery document's issuer is not exactly the realm's issuer")]
    IssuerMismatch,
    #[error("discovery document's {0} is not an acceptable endpoint: {1}")]
    Endpoint(&'static str, EndpointError),
    #[error("provider does not support PKCE S256")]
    NoS256,
}

impl DiscoveryError {
    pub fn code(&self) -> &'static str {
        match self {
            DiscoveryError::Malformed => "discovery_malformed",
            DiscoveryError::IssuerMismatch => "discovery_issuer_mismatch",
            DiscoveryError::Endpoint(..) => "discovery_endpoint",
            DiscoveryError::NoS256 => "discovery_no_s256",
        }
    }
}

/// The provider metadata Realmgate uses. Serializable so a runtime can cache it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// RFC 9207: the provider puts `iss` in authorization responses.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

/// Parses a discovery document and checks that its `issuer` equals
/// `expected_issuer` exactly and that every endpoint is acceptable.
pub fn parse_discovery(body: &[u8], expected_issuer: &str, allow_insecure_loopback: bool) -> Result<ProviderMetadata, DiscoveryError> {
    let meta: ProviderMetadata = serde_json::from_slice(body).map_err(|_| DiscoveryError::Malformed)?;
    if meta.issuer != expected_issuer {
        return Err(DiscoveryError::IssuerMismatch);
    }
    let check = |name: &'static str, value: &str| {
        check_endpoint(value, allow_insecure_loopback).map(|_| ()).map_err(|e| DiscoveryError::Endpoint(name, e))
    };
    check("authorization_endpoint", &meta.authorization_endpoint)?;
    check("token_endpoint", &meta.token_endpoint)?;
    check("jwks_uri", &meta.jwks_uri)?;
    for (name, value) in [
        ("userinfo_endpoint", &meta.userinfo_endpoint),
        ("revocation_endpoint", &meta.revocation_endpoint),
        ("end_session_endpoint", &meta.end_session_endpoint),
    ] {
        if let Some(v) = value {
            check(name, v)?;
        }
    }
    if let Some(methods) = &meta.code_challenge_methods_supported {
        if !methods.iter().any(|m| m == "S256") {
            return Err(DiscoveryError::NoS256);
        }
    }
    Ok(meta)
}

impl ProviderMetadata {
    /// Keycloak's well-known layout for a realm issuer, for deployments that
    /// configure endpoints instead of fetching discovery.
    pub fn keycloak_layout(issuer: &str) -> ProviderMetadata {
        let p = format!("{issuer}/protocol/openid-connect");
        ProviderMetadata {
            issuer: issuer.to_owned(),
            authorization_endpoint: format!("{p}/auth"),
            token_endpoint: format!("{p}/token"),
            jwks_uri: format!("{p}/certs"),
            userinfo_endpoint: Some(format!("{p}/userinfo")),
            revocation_endpoint: Some(format!("{p}/revoke")),
            end_session_endpoint: Some(format!("{p}/logout")),
            authorization_response_iss_parameter_supported: true,
            code_challenge_methods_supported: Some(vec!["S256".into()]),
        }
    }

    /// The discovery URL of an issuer.
    pub fn discovery_url(issuer: &str) -> String {
        format!("{issuer}/.well-known/openid-configuration")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const ISS: &str = "https://id.example.com/realms/acme";

    fn doc(issuer: &str, token_endpoint: &str) -> String {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{ISS}/protocol/openid-connect/auth"),
            "token_endpoint": token_endpoint,
            "jwks_uri": format!("{ISS}/protocol/openid-connect/certs"),
            "end_session_endpoint": format!("{ISS}/protocol/openid-connect/logout"),
            "authorization_response_iss_parameter_supported": true,
            "code_challenge_methods_supported": ["plain", "S256"],
            "unknown_member": 1
        })
        .to_string()
    }

    #[test]
    fn discovery_is_accepted_only_when_issuer_is_exactly_the_realms() {
        let tok = format!("{ISS}/protocol/openid-connect/token");
        let meta = parse_discovery(doc(ISS, &tok).as_bytes(), ISS, false).unwrap();
        assert!(meta.authorization_response_iss_parameter_supported);
        assert_eq!(meta.token_endpoint, tok);
        for other in [&format!("{ISS}/"), "https://ID.example.com/realms/acme", "https://id.example.com/realms/other"] {
            assert_eq!(parse_discovery(doc(other, &tok).as_bytes(), ISS, false).unwrap_err(), DiscoveryError::IssuerMismatch);
        }
    }

    #[test]
    fn endpoints_must_be_https_or_allowed_loopback() {
        let e = parse_discovery(doc(ISS, "http://id.example.com/token").as_bytes(), ISS, false).unwrap_err();
        assert_eq!(e.code(), "discovery_endpoint");
    }

    #[test]
    fn a_provider_without_s256_is_refused_and_garbage_is_malformed() {
        let mut v: serde_json::Value = serde_json::from_str(&doc(ISS, &format!("{ISS}/t"))).unwrap();
        v["code_challenge_methods_supported"] = serde_json::json!(["plain"]);
        assert_eq!(parse_discovery(v.to_string().as_bytes(), ISS, false).unwrap_err(), DiscoveryError::NoS256);
        assert_eq!(parse_discovery(b"not json", ISS, false).unwrap_err(), DiscoveryError::Malformed);
        assert_eq!(parse_discovery(b"{\"issuer\":1}", ISS, false).unwrap_err(), DiscoveryError::Malformed);
    }

    #[test]
    fn keycloak_layout_uses_keycloaks_paths() {
        let m = ProviderMetadata::keycloak_layout(ISS);
        assert_eq!(m.token_endpoint, format!("{ISS}/protocol/openid-connect/token"));
        assert_eq!(ProviderMetadata::discovery_url(ISS), format!("{ISS}/.well-known/openid-configuration"));
    }
}
