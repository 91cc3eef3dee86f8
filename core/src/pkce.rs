//! PKCE (RFC 7636), S256 only. `plain` has no representation.

use sha2::{Digest, Sha256};

use crate::b64;

/// Why a code verifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkceError {
    #[error("code verifier must be 43 to 128 characters")]
    Length,
    #[error("code verifier may hold only A-Z a-z 0-9 - . _ ~")]
    Charset,
    #[error("random input for a code verifier must be 32 to 96 bytes")]
    RandomLength,
}

impl PkceError {
    pub fn code(&self) -> &'static str {
        match self {
            PkceError::Length => "pkce_verifier_length",
            PkceError::Charset => "pkce_verifier_charset",
            PkceError::RandomLength => "pkce_random_length",
        }
    }
}

/// A valid RFC 7636 code verifier. A secret: redacted `Debug`, not `Clone`.
#[derive(PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct CodeVerifier(String);

impl serde::Serialize for CodeVerifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl CodeVerifier {
    /// A verifier from caller-supplied random bytes (32–96 bytes give 43–128
    /// base64url characters; 32 bytes = 256 bits is the usual choice).
    pub fn from_random(random: &[u8]) -> Result<CodeVerifier, PkceError> {
        if !(32..=96).contains(&random.len()) {
            return Err(PkceError::RandomLength);
        }
        Ok(CodeVerifier(b64::encode(random)))
    }

    /// Checks a verifier's syntax: 43–128 unreserved characters.
    pub fn parse(value: &str) -> Result<CodeVerifier, PkceError> {
        if !(43..=128).contains(&value.len()) {
            return Err(PkceError::Length);
        }
        if !value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
            return Err(PkceError::Charset);
        }
        Ok(CodeVerifier(value.to_owned()))
    }

    /// The S256 challenge: `BASE64URL(SHA256(ASCII(verifier)))`.
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge(b64::encode(&Sha256::digest(self.0.as_bytes())))
    }

    /// The verifier, for the token request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

impl TryFrom<String> for CodeVerifier {
    type Error = PkceError;
    fn try_from(value: String) -> Result<Self, PkceError> {
        CodeVerifier::parse(&value)
    }
}

/// An S256 code challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The only method Realmgate sends.
    pub const METHOD: &'static str = "S256";
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn rfc7636_appendix_b_challenge() {
        let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(v.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn rfc7636_appendix_b_verifier_from_its_random_octets() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
            91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(CodeVerifier::from_random(&octets).unwrap().expose(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    #[test]
    fn verifier_length_is_43_to_128() {
        assert_eq!(CodeVerifier::parse(&"a".repeat(42)).unwrap_err(), PkceError::Length);
        assert!(CodeVerifier::parse(&"a".repeat(43)).is_ok());
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
        assert_eq!(CodeVerifier::parse(&"a".repeat(129)).unwrap_err(), PkceError::Length);
    }

    #[test]
    fn verifier_charset_is_unreserved_only() {
        assert_eq!(CodeVerifier::parse(&format!("{}+", "a".repeat(43))).unwrap_err(), PkceError::Charset);
        assert_eq!(CodeVerifier::parse(&format!("{}=", "a".repeat(43))).unwrap_err(), PkceError::Charset);
        assert_eq!(CodeVerifier::parse(&format!("{}/", "a".repeat(43))).unwrap_err(), PkceError::Charset);
        assert!(CodeVerifier::parse(&format!("{}-._~", "a".repeat(43))).is_ok());
    }

    #[test]
    fn random_input_gives_43_to_128_characters() {
        assert_eq!(CodeVerifier::from_random(&[0; 31]).unwrap_err(), PkceError::RandomLength);
        assert_eq!(CodeVerifier::from_random(&[0; 32]).unwrap().expose().len(), 43);
        assert_eq!(CodeVerifier::from_random(&[0; 96]).unwrap().expose().len(), 128);
        assert_eq!(CodeVerifier::from_random(&[0; 97]).unwrap_err(), PkceError::RandomLength);
    }

    #[test]
    fn debug_does_not_show_the_verifier() {
        let v = CodeVerifier::from_random(&[7; 32]).unwrap();
        assert!(!format!("{v:?}").contains(v.expose()));
    }
}
