//! Strict compact JWS parsing (RFC 7515 §7.1): three unpadded base64url
//! segments, at most 16 KiB in all, a header that is a JSON object without
//! repeated names, a string `alg`, no `crit`. Nothing here checks a signature.
//!
//! `jku`, `x5u`, `jwk` and `x5c` are never read: keys come only from the
//! realm's key set.

use serde_json::Value;

use super::json::{self, StrictJsonError};
use crate::b64;

/// The largest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a token is not a well-formed compact JWS. Every variant is the
/// `malformed` refusal; the code says which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{}", self.reason())]
pub enum JwsError {
    TooLarge,
    Segments,
    Base64,
    HeaderJson,
    DuplicateHeaderMember,
    Alg,
    Kid,
    Crit,
}

impl JwsError {
    /// Stable short code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            JwsError::TooLarge => "too_large",
            JwsError::Segments => "segments",
            JwsError::Base64 => "base64",
            JwsError::HeaderJson => "header_json",
            JwsError::DuplicateHeaderMember => "duplicate_header_member",
            JwsError::Alg => "alg",
            JwsError::Kid => "kid",
            JwsError::Crit => "crit",
        }
    }

    /// What rule the token broke, in words (nothing from the token).
    pub fn reason(&self) -> &'static str {
        match self {
            JwsError::TooLarge => "token is longer than 16 KiB",
            JwsError::Segments => "token is not exactly three dot-separated segments",
            JwsError::Base64 => "a segment is not strict unpadded base64url",
            JwsError::HeaderJson => "header is not a JSON object",
            JwsError::DuplicateHeaderMember => "header repeats a member name",
            JwsError::Alg => "header alg is missing or not a string",
            JwsError::Kid => "header kid is not a string",
            JwsError::Crit => "header has crit, and no extension is understood",
        }
    }
}

/// A compact JWS whose structure has been checked, not its signature.
#[derive(Clone)]
pub struct CompactJws<'a> {
    signing_input: &'a str,
    alg: String,
    kid: Option<String>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    /// Parses a compact JWS, strictly (see the module documentation).
    pub fn parse(token: &'a str) -> Result<CompactJws<'a>, JwsError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwsError::TooLarge);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Segments);
        };
        let header = b64::decode(header_b64).map_err(|_| JwsError::Base64)?;
        let payload = b64::decode(payload_b64).map_err(|_| JwsError::Base64)?;
        let signature = b64::decode(signature_b64).map_err(|_| JwsError::Base64)?;
        // header "." payload: the first two segments and the dot between them.
        let signing_input = token.get(..header_b64.len() + 1 + payload_b64.len()).ok_or(JwsError::Segments)?;

        let header = json::parse_object(&header).map_err(|e| match e {
            StrictJsonError::Duplicate => JwsError::DuplicateHeaderMember,
            StrictJsonError::Syntax | StrictJsonError::NotObject => JwsError::HeaderJson,
        })?;
        if header.contains_key("crit") {
            return Err(JwsError::Crit);
        }
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => alg.clone(),
            _ => return Err(JwsError::Alg),
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(JwsError::Kid),
        };
        Ok(CompactJws { signing_input, alg, kid, payload, signature })
    }

    /// The header's `alg`, exactly as written (not yet checked against any list).
    pub fn alg(&self) -> &str {
        &self.alg
    }

    /// The header's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// What the signature covers: `header_b64 "." payload_b64`, a slice of the token.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decoded payload bytes, by value.
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

impl core::fmt::Debug for CompactJws<'_> {
    /// Shows the header fields only: never the payload or the signature.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CompactJws").field("alg", &self.alg).field("kid", &self.kid).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn token(header: &str, payload: &[u8], sig: &[u8]) -> String {
        format!("{}.{}.{}", b64::encode(header.as_bytes()), b64::encode(payload), b64::encode(sig))
    }

    #[test]
    fn well_formed_token_exposes_alg_kid_signing_input_payload_and_signature() {
        let t = token(r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#, b"{}", &[7; 64]);
        let jws = CompactJws::parse(&t).unwrap();
        assert_eq!(jws.alg(), "ES256");
        assert_eq!(jws.kid(), Some("k1"));
        assert_eq!(jws.payload(), b"{}");
        assert_eq!(jws.signature(), &[7; 64]);
        let (input, _) = t.rsplit_once('.').unwrap();
        assert_eq!(jws.signing_input(), input);
    }

    #[test]
    fn exactly_three_segments() {
        let t = token(r#"{"alg":"ES256"}"#, b"{}", b"s");
        assert_eq!(CompactJws::parse(t.rsplit_once('.').unwrap().0).unwrap_err(), JwsError::Segments);
        assert_eq!(CompactJws::parse(&format!("{t}.AA")).unwrap_err(), JwsError::Segments);
        assert_eq!(CompactJws::parse(&format!("{t}.")).unwrap_err(), JwsError::Segments);
        assert_eq!(CompactJws::parse("").unwrap_err(), JwsError::Segments);
    }

    #[test]
    fn empty_payload_and_empty_signature_are_well_formed() {
        let t = token(r#"{"alg":"none"}"#, b"", b"");
        assert!(t.ends_with('.'));
        let jws = CompactJws::parse(&t).unwrap();
        assert!(jws.payload().is_empty() && jws.signature().is_empty());
    }

    #[test]
    fn segments_must_be_strict_unpadded_base64url_without_whitespace() {
        let t = token(r#"{"alg":"ES256"}"#, b"{\"a\":1}", &[0xfb; 10]);
        for bad in [
            format!(" {t}"),
            format!("{t} "),
            format!("{t}\n"),
            format!("{t}=="),
            t.replace('.', ". "),
            t.replace('-', "+").replace('_', "/") + "+",
        ] {
            assert_eq!(CompactJws::parse(&bad).unwrap_err(), JwsError::Base64, "{bad:?}");
        }
    }

    #[test]
    fn tokens_over_16_kib_are_refused_before_decoding() {
        let big = token(r#"{"alg":"ES256"}"#, &vec![b'a'; MAX_TOKEN_BYTES], b"s");
        assert_eq!(CompactJws::parse(&big).unwrap_err(), JwsError::TooLarge);
        let junk = "x".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(CompactJws::parse(&junk).unwrap_err(), JwsError::TooLarge);
    }

    #[test]
    fn header_must_be_a_json_object_without_duplicate_names() {
        assert_eq!(CompactJws::parse(&token(r#"{alg:"ES256"}"#, b"", b"")).unwrap_err(), JwsError::HeaderJson);
        assert_eq!(CompactJws::parse(&token(r#"["ES256"]"#, b"", b"")).unwrap_err(), JwsError::HeaderJson);
        assert_eq!(CompactJws::parse(&token("", b"", b"")).unwrap_err(), JwsError::HeaderJson);
        assert_eq!(
            CompactJws::parse(&token(r#"{"alg":"none","alg":"ES256"}"#, b"", b"")).unwrap_err(),
            JwsError::DuplicateHeaderMember
        );
    }

    #[test]
    fn alg_must_be_a_string_and_kid_a_string_when_present() {
        assert_eq!(CompactJws::parse(&token(r#"{"kid":"a"}"#, b"", b"")).unwrap_err(), JwsError::Alg);
        assert_eq!(CompactJws::parse(&token(r#"{"alg":null}"#, b"", b"")).unwrap_err(), JwsError::Alg);
        assert_eq!(CompactJws::parse(&token(r#"{"alg":"ES256","kid":1}"#, b"", b"")).unwrap_err(), JwsError::Kid);
    }

    #[test]
    fn any_crit_is_refused_even_empty() {
        for h in [r#"{"alg":"ES256","crit":["exp"],"exp":1}"#, r#"{"alg":"ES256","crit":[]}"#, r#"{"alg":"ES256","crit":null}"#] {
            assert_eq!(CompactJws::parse(&token(h, b"", b"")).unwrap_err(), JwsError::Crit, "{h}");
        }
    }

    #[test]
    fn key_bearing_headers_are_parsed_but_never_exposed() {
        let h = r#"{"alg":"RS256","kid":"k","jku":"https://evil.test/jwks","x5u":"https://evil.test/c","jwk":{"kty":"oct"},"x5c":["AA"]}"#;
        let t = token(h, b"", b"");
        let jws = CompactJws::parse(&t).unwrap();
        assert_eq!((jws.alg(), jws.kid()), ("RS256", Some("k")));
    }

    #[test]
    fn debug_shows_no_payload_or_signature() {
        let t = token(r#"{"alg":"ES256"}"#, b"{\"sub\":\"secret-subject\"}", b"sig");
        let shown = format!("{:?}", CompactJws::parse(&t).unwrap());
        assert!(!shown.contains("secret") && !shown.contains("sig\""), "{shown}");
    }
}
