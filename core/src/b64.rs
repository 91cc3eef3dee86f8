//! Base64url without padding (RFC 7515 §2), strict: padding, the standard
//! alphabet, whitespace and non-canonical trailing bits are refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; any other spelling is an error.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn round_trips_and_refuses_padding_std_alphabet_and_noncanonical_bits() {
        assert_eq!(decode(&encode(b"\xfb\xff")).unwrap(), b"\xfb\xff");
        assert!(decode("-_8").is_ok());
        assert!(decode("-_8=").is_err(), "padding");
        assert!(decode("+/8").is_err(), "standard alphabet");
        assert!(decode("-_ 8").is_err(), "whitespace");
        assert!(decode("Zm9=").is_err());
        assert!(decode("Zm9w").is_ok());
        assert!(decode("Zg").is_ok());
        assert!(decode("Zh").is_err(), "non-zero trailing bits are not canonical");
    }
}
