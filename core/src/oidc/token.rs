//! Token-endpoint traffic (RFC 6749 §4.1.3, §6; RFC 7009): requests built as
//! data, responses parsed into typed results.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use url::form_urlencoded::Serializer;

use crate::pkce::CodeVerifier;
use crate::secret::Secret;

/// How the client authenticates at the token endpoint.
pub enum ClientAuth<'a> {
    /// `client_secret_basic`: HTTP Basic with the form-encoded id and secret.
    SecretBasic { client_id: &'a str, secret: &'a Secret },
    /// `client_secret_post`: id and secret in the form body.
    SecretPost { client_id: &'a str, secret: &'a Secret },
    /// A public client: only `client_id` in the body.
    Public { client_id: &'a str },
}

/// A form POST to send. Body and `Authorization` carry secrets: `Debug` redacts them.
pub struct FormPost {
    pub url: String,
    pub authorization: Option<Secret>,
    pub body: Secret,
}

impl FormPost {
    pub const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl std::fmt::Debug for FormPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormPost").field("url", &self.url).finish_non_exhaustive()
    }
}

fn form_post(url: &str, auth: &ClientAuth<'_>, pairs: &[(&str, &str)]) -> FormPost {
    let mut body = Serializer::new(String::new());
    for (k, v) in pairs {
        body.append_pair(k, v);
    }
    let authorization = match auth {
        ClientAuth::SecretBasic { client_id, secret } => {
            // RFC 6749 §2.3.1: id and secret are form-encoded before Basic.
            let enc = |s: &str| Serializer::new(String::new()).append_key_only(s).finish();
            let creds = format!("{}:{}", enc(client_id), enc(secret.expose()));
            Some(Secret::new(format!("Basic {}", STANDARD.encode(creds))))
        }
        ClientAuth::SecretPost { client_id, secret } => {
            body.append_pair("client_id", client_id);
            body.append_pair("client_secret", secret.expose());
            None
        }
        ClientAuth::Public { client_id } => {
            body.append_pair("client_id", client_id);
            None
        }
    };
    FormPost { url: url.to_owned(), authorization, body: Secret::new(body.finish()) }
}

/// The authorization-code exchange with the PKCE verifier.
pub fn authorization_code_request(
    token_endpoint: &str,
    auth: &ClientAuth<'_>,
    code: &str,
    redirect_uri: &str,
    verifier: &CodeVerifier,
) -> FormPost {
    form_post(
        token_endpoint,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.expose()),
        ],
    )
}

/// A refresh-token grant.
pub fn refresh_request(token_endpoint: &str, auth: &ClientAuth<'_>, refresh_token: &str) -> FormPost {
    form_post(token_endpoint, auth, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
}

/// An RFC 7009 revocation of a refresh token.
pub fn revocation_request(revocation_endpoint: &str, auth: &ClientAuth<'_>, refresh_token: &str) -> FormPost {
    form_post(revocation_endpoint, auth, &[("token", refresh_token), ("token_type_hint", "refresh_token")])
}

/// A successful token response. Tokens are secrets.
#[derive(Debug)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub refresh_expires_in: Option<u64>,
    pub id_token: Option<Secret>,
    pub scope: Option<String>,
}

/// Why a token-endpoint answer is not a usable token response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenEndpointError {
    /// The provider answered with an OAuth error (its `error` code, sanitized).
    #[error("token endpoint refused the grant: {error}")]
    Refused { status: u16, error: String },
    #[error("token endpoint answered HTTP {0} without an OAuth error body")]
    Status(u16),
    #[error("token endpoint answer is not the expected JSON")]
    Malformed,
    #[error("token type is not Bearer")]
    TokenType,
}

impl TokenEndpointError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenEndpointError::Refused { .. } => "token_refused",
            TokenEndpointError::Status(_) => "token_endpoint_status",
            TokenEndpointError::Malformed => "token_endpoint_malformed",
            TokenEndpointError::TokenType => "token_type",
        }
    }

    /// True when the grant itself is dead (`invalid_grant`, e.g. a revoked
    /// or reused refresh token), as opposed to a provider fault.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, TokenEndpointError::Refused { error, .. } if error == "invalid_grant")
    }
}

#[derive(Deserialize)]
struct RawSuccess {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_expires_in: Option<serde_json::Value>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: String,
}

/// Parses the token endpoint's answer: HTTP 200 with a Bearer token, or an
/// OAuth error. The provider's `error_description` is never kept.
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<TokenResponse, TokenEndpointError> {
    if status == 200 {
        let raw: RawSuccess = serde_json::from_slice(body).map_err(|_| TokenEndpointError::Malformed)?;
        if !raw.token_type.eq_ignore_ascii_case("bearer") {
            return Err(TokenEndpointError::TokenType);
        }
        if raw.access_token.is_empty() {
            return Err(TokenEndpointError::Malformed);
        }
        return Ok(TokenResponse {
            access_token: Secret::new(raw.access_token),
            token_type: "Bearer".into(),
            expires_in: seconds(raw.expires_in)?,
            refresh_token: raw.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
            refresh_expires_in: seconds(raw.refresh_expires_in)?,
            id_token: raw.id_token.filter(|t| !t.is_empty()).map(Secret::new),
            scope: raw.scope,
        });
    }
    match serde_json::from_slice::<RawError>(body) {
        Ok(e) => Err(TokenEndpointError::Refused { status, error: sanitize_error_code(&e.error) }),
        Err(_) => Err(TokenEndpointError::Status(status)),
    }
}

/// `expires_in` as a non-negative integer (some providers send a string or float).
fn seconds(v: Option<serde_json::Value>) -> Result<Option<u64>, TokenEndpointError> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => Ok(Some(u)),
            (None, Some(f)) if (0.0..1e12).contains(&f) => Ok(Some(f as u64)),
            _ => Err(TokenEndpointError::Malformed),
        },
        Some(serde_json::Value::String(s)) => s.parse().map(Some).map_err(|_| TokenEndpointError::Malformed),
        Some(_) => Err(TokenEndpointError::Malformed),
    }
}

/// An OAuth error code as we pass it on: RFC 6749 error codes are
/// `%x20-21 / %x23-5B / %x5D-7E`; we keep only `[a-z0-9_]`, at most 64, else
/// `invalid_response`.
pub fn sanitize_error_code(raw: &str) -> String {
    let ok = !raw.is_empty() && raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { raw.to_owned() } else { "invalid_response".to_owned() }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn form(p: &FormPost) -> Vec<(String, String)> {
        url::form_urlencoded::parse(p.body.expose().as_bytes()).into_owned().collect()
    }

    #[test]
    fn code_exchange_carries_grant_code_redirect_uri_and_verifier() {
        let secret = Secret::new("s3cr:et");
        let v = CodeVerifier::from_random(&[1; 32]).unwrap();
        let p = authorization_code_request("https://id/t", &ClientAuth::SecretPost { client_id: "edge", secret: &secret }, "c0de", "https://app/cb", &v);
        let f = form(&p);
        assert!(f.contains(&("grant_type".into(), "authorization_code".into())));
        assert!(f.contains(&("code".into(), "c0de".into())));
        assert!(f.contains(&("redirect_uri".into(), "https://app/cb".into())));
        assert!(f.contains(&("code_verifier".into(), v.expose().into())));
        assert!(f.contains(&("client_secret".into(), "s3cr:et".into())));
        assert!(p.authorization.is_none());
    }

    #[test]
    fn client_secret_basic_form_encodes_id_and_secret_before_base64() {
        let secret = Secret::new("a b:c");
        let p = refresh_request("https://id/t", &ClientAuth::SecretBasic { client_id: "edge web", secret: &secret }, "rt");
        let header = p.authorization.as_ref().unwrap().expose().to_owned();
        let decoded = String::from_utf8(STANDARD.decode(header.strip_prefix("Basic ").unwrap()).unwrap()).unwrap();
        assert_eq!(decoded, "edge+web:a+b%3Ac");
        assert!(!form(&p).iter().any(|(k, _)| k == "client_secret"));
        assert!(!format!("{p:?}").contains("rt"), "Debug must not show the body");
    }

    #[test]
    fn revocation_names_the_refresh_token() {
        let p = revocation_request("https://id/r", &ClientAuth::Public { client_id: "edge" }, "rt-1");
        assert_eq!(form(&p), [("token".into(), "rt-1".into()), ("token_type_hint".into(), "refresh_token".into()), ("client_id".into(), "edge".into())]);
    }

    #[test]
    fn a_200_bearer_response_parses_and_other_token_types_do_not() {
        let ok = br#"{"access_token":"at","token_type":"bearer","expires_in":300,"refresh_token":"rt","id_token":"it","refresh_expires_in":"1800"}"#;
        let t = parse_token_response(200, ok).unwrap();
        assert_eq!((t.access_token.expose(), t.expires_in, t.refresh_expires_in), ("at", Some(300), Some(1800)));
        assert_eq!(parse_token_response(200, br#"{"access_token":"at","token_type":"mac"}"#).unwrap_err(), TokenEndpointError::TokenType);
        assert_eq!(parse_token_response(200, b"<html>").unwrap_err(), TokenEndpointError::Malformed);
        assert_eq!(parse_token_response(200, br#"{"access_token":"at","token_type":"Bearer","expires_in":-1}"#).unwrap_err(), TokenEndpointError::Malformed);
    }

    #[test]
    fn errors_keep_only_a_sanitized_code_never_the_description() {
        let e = parse_token_response(400, br#"{"error":"invalid_grant","error_description":"<script>x</script>"}"#).unwrap_err();
        assert!(e.is_invalid_grant());
        assert!(!e.to_string().contains("script"));
        let e = parse_token_response(400, br#"{"error":"<b>bad</b>"}"#).unwrap_err();
        assert_eq!(e, TokenEndpointError::Refused { status: 400, error: "invalid_response".into() });
        assert_eq!(parse_token_response(502, b"Bad gateway").unwrap_err(), TokenEndpointError::Status(502));
    }
}
