//! Public keys, validated and prepared once, so that verifying a token costs
//! a lookup and a signature check. RSA 2048–8192 bits with an odd exponent in
//! 3..2^33 and without the ROCA fingerprint; P-256 points; Ed25519 keys.
//!
//! Each key keeps the raw material every backend can use (ring reads it
//! directly; WebCrypto imports it) and the parsed keys of the backends that
//! need one: aws-lc-rs natively, RustCrypto where it is compiled for the
//! algorithm (build.rs: `realmgate_rustcrypto`, `realmgate_rustcrypto_rsa_p256`).
//! They are built here, once per key-set load, never per verification.

use core::fmt;

use super::roca;
#[cfg(not(target_arch = "wasm32"))]
use super::backend::aws_lc::AwsLcKey;

/// The smallest accepted RSA modulus, in bits.
pub const RSA_MIN_BITS: usize = 2048;
/// The largest accepted RSA modulus, in bits (ring's and RustCrypto's limit).
pub const RSA_MAX_BITS: usize = 8192;
/// The largest accepted RSA public exponent (ring's and RustCrypto's limit).
pub const RSA_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// Why key material is not a usable public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("RSA modulus is not between 2048 and 8192 bits")]
    RsaModulusSize,
    #[error("RSA modulus is even")]
    RsaModulus,
    #[error("RSA public exponent is not odd and between 3 and 2^33-1")]
    RsaExponent,
    #[error("RSA modulus has the ROCA fingerprint (CVE-2017-15361)")]
    RsaRoca,
    #[error("not an uncompressed P-256 point on the curve")]
    P256Point,
    #[error("not a valid Ed25519 public key")]
    Ed25519Key,
}

impl KeyError {
    /// Stable short code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::RsaModulusSize => "rsa_modulus_size",
            KeyError::RsaModulus => "rsa_modulus",
            KeyError::RsaExponent => "rsa_exponent",
            KeyError::RsaRoca => "rsa_roca",
            KeyError::P256Point => "p256_point",
            KeyError::Ed25519Key => "ed25519_key",
        }
    }
}

/// A signature-verification public key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PublicKey {
    Rsa(RsaKey),
    P256(P256Key),
    Ed25519(Ed25519Key),
}

/// An RSA public key.
#[derive(Clone)]
pub struct RsaKey {
    n: Vec<u8>,
    e: Vec<u8>,
    bits: usize,
    /// None only if AWS-LC refuses a key the checks here accept (then nothing verifies under it).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) aws_lc: Option<AwsLcKey>,
    #[cfg(realmgate_rustcrypto_rsa_p256)]
    pub(crate) rustcrypto: rsa::PublicKey,
}

/// A P-256 public key.
#[derive(Clone)]
pub struct P256Key {
    sec1: [u8; 65],
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) aws_lc: Option<AwsLcKey>,
    #[cfg(realmgate_rustcrypto_rsa_p256)]
    pub(crate) rustcrypto: p256::ecdsa::VerifyingKey,
}

/// An Ed25519 public key.
#[derive(Clone)]
pub struct Ed25519Key {
    bytes: [u8; 32],
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) aws_lc: Option<AwsLcKey>,
    #[cfg(realmgate_rustcrypto)]
    pub(crate) rustcrypto: ed25519_dalek::VerifyingKey,
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

impl PublicKey {
    /// An RSA key from its big-endian modulus and exponent (leading zero bytes allowed).
    pub fn rsa(n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = match n.first() {
            Some(&top) => n.len() * 8 - top.leading_zeros() as usize,
            None => 0,
        };
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(KeyError::RsaModulusSize);
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(KeyError::RsaModulus);
        }
        if e.len() > 5 {
            return Err(KeyError::RsaExponent);
        }
        let e_value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if !(3..=RSA_MAX_EXPONENT).contains(&e_value) || e_value & 1 == 0 {
            return Err(KeyError::RsaExponent);
        }
        if roca::has_fingerprint(n) {
            return Err(KeyError::RsaRoca);
        }
        Ok(PublicKey::Rsa(RsaKey {
            #[cfg(realmgate_rustcrypto_rsa_p256)]
            rustcrypto: rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(n),
                rsa::BoxedUint::from_be_slice_vartime(e),
            )
            .map_err(|_| KeyError::RsaModulus)?,
            #[cfg(not(target_arch = "wasm32"))]
            aws_lc: AwsLcKey::rsa(n, e),
            n: n.to_vec(),
            e: e.to_vec(),
            bits,
        }))
    }

    /// A P-256 key from its uncompressed SEC1 encoding (`04 || x || y`, 65 bytes).
    pub fn p256_sec1(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let sec1: [u8; 65] = bytes.try_into().map_err(|_| KeyError::P256Point)?;
        if sec1.first() != Some(&4) {
            return Err(KeyError::P256Point);
        }
        // The point is checked at load on every backend (ring can only refuse it per
        // signature), so a bad key is dropped the same way natively and on wasm32.
        let point = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| KeyError::P256Point)?;
        #[cfg(not(realmgate_rustcrypto_rsa_p256))]
        let _ = point;
        Ok(PublicKey::P256(P256Key {
            #[cfg(realmgate_rustcrypto_rsa_p256)]
            rustcrypto: point,
            #[cfg(not(target_arch = "wasm32"))]
            aws_lc: AwsLcKey::p256(&sec1),
            sec1,
        }))
    }

    /// A P-256 key from its 32-byte big-endian affine coordinates.
    pub fn p256_xy(x: &[u8], y: &[u8]) -> Result<PublicKey, KeyError> {
        if x.len() != 32 || y.len() != 32 {
            return Err(KeyError::P256Point);
        }
        let mut sec1 = Vec::with_capacity(65);
        sec1.push(4);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        PublicKey::p256_sec1(&sec1)
    }

    /// An Ed25519 key from its 32-byte encoding (RFC 8032).
    pub fn ed25519(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Ed25519Key)?;
        // Not a curve point, or a small-order point (which lets anyone forge
        // signatures with lenient verifiers): refused at load on every backend.
        let point = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Ed25519Key)?;
        if point.is_weak() {
            return Err(KeyError::Ed25519Key);
        }
        Ok(PublicKey::Ed25519(Ed25519Key {
            #[cfg(realmgate_rustcrypto)]
            rustcrypto: point,
            #[cfg(not(target_arch = "wasm32"))]
            aws_lc: AwsLcKey::ed25519(&bytes),
            bytes,
        }))
    }

    /// The JWK `kty` of this key.
    pub fn kty(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSA",
            PublicKey::P256(_) => "EC",
            PublicKey::Ed25519(_) => "OKP",
        }
    }
}

impl RsaKey {
    /// The modulus, big-endian, without leading zero bytes.
    pub fn n(&self) -> &[u8] {
        &self.n
    }
    /// The public exponent, big-endian, without leading zero bytes.
    pub fn e(&self) -> &[u8] {
        &self.e
    }
    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }
    /// The modulus length in bytes: the length of every signature by this key.
    pub fn modulus_len(&self) -> usize {
        self.n.len()
    }
}

impl P256Key {
    /// The uncompressed SEC1 point, `04 || x || y`.
    pub fn sec1(&self) -> &[u8; 65] {
        &self.sec1
    }
    /// The affine x coordinate.
    pub fn x(&self) -> &[u8] {
        self.sec1.get(1..33).unwrap_or_default()
    }
    /// The affine y coordinate.
    pub fn y(&self) -> &[u8] {
        self.sec1.get(33..).unwrap_or_default()
    }
}

impl Ed25519Key {
    /// The 32-byte public key.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaKey({} bits)", self.bits)
    }
}

impl fmt::Debug for P256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P256Key")
    }
}

impl fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519Key")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn modulus(bits: usize) -> Vec<u8> {
        // An odd number of exactly `bits` bits, 0xC5 bytes (not a ROCA power).
        let mut n = vec![0xC5u8; bits.div_ceil(8)];
        let spare = n.len() * 8 - bits;
        n[0] = 0x80 >> spare | 0x01;
        *n.last_mut().unwrap() |= 1;
        n
    }

    #[test]
    fn rsa_modulus_must_be_2048_to_8192_bits_leading_zeros_ignored() {
        assert_eq!(PublicKey::rsa(&modulus(2047), &[1, 0, 1]).unwrap_err(), KeyError::RsaModulusSize);
        assert_eq!(PublicKey::rsa(&modulus(1024), &[1, 0, 1]).unwrap_err(), KeyError::RsaModulusSize);
        assert_eq!(PublicKey::rsa(&modulus(8193), &[1, 0, 1]).unwrap_err(), KeyError::RsaModulusSize);
        assert_eq!(PublicKey::rsa(&[], &[1, 0, 1]).unwrap_err(), KeyError::RsaModulusSize);
        let mut padded = vec![0, 0];
        padded.extend(modulus(2048));
        match PublicKey::rsa(&padded, &[0, 1, 0, 1]).unwrap() {
            PublicKey::Rsa(k) => {
                assert_eq!((k.bits(), k.modulus_len(), k.e()), (2048, 256, &[1u8, 0, 1][..]));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rsa_exponent_must_be_odd_and_3_to_2_pow_33() {
        let n = modulus(2048);
        for bad in [&[1u8][..], &[2], &[0], &[], &[1, 0, 0], &[2, 0, 0, 0, 0], &[1, 0, 0, 0, 0, 1]] {
            assert_eq!(PublicKey::rsa(&n, bad).unwrap_err(), KeyError::RsaExponent, "{bad:?}");
        }
        assert!(PublicKey::rsa(&n, &[3]).is_ok());
        assert!(PublicKey::rsa(&n, &[1, 0xff, 0xff, 0xff, 0xff]).is_ok());
    }

    #[test]
    fn even_rsa_modulus_is_refused() {
        let mut n = modulus(2048);
        *n.last_mut().unwrap() &= 0xfe;
        assert_eq!(PublicKey::rsa(&n, &[1, 0, 1]).unwrap_err(), KeyError::RsaModulus);
    }

    #[test]
    fn p256_needs_an_uncompressed_65_byte_point() {
        assert_eq!(PublicKey::p256_sec1(&[4; 64]).unwrap_err(), KeyError::P256Point);
        assert_eq!(PublicKey::p256_sec1(&[2; 33]).unwrap_err(), KeyError::P256Point);
        let mut compressed_tag = [0u8; 65];
        compressed_tag[0] = 2;
        assert_eq!(PublicKey::p256_sec1(&compressed_tag).unwrap_err(), KeyError::P256Point);
        assert_eq!(PublicKey::p256_xy(&[1; 31], &[1; 32]).unwrap_err(), KeyError::P256Point);
    }

    #[test]
    fn ed25519_needs_32_bytes() {
        assert_eq!(PublicKey::ed25519(&[0; 31]).unwrap_err(), KeyError::Ed25519Key);
        assert_eq!(PublicKey::ed25519(&[0; 33]).unwrap_err(), KeyError::Ed25519Key);
    }

    #[test]
    fn debug_shows_no_key_material() {
        let k = PublicKey::rsa(&modulus(2048), &[1, 0, 1]).unwrap();
        assert_eq!(format!("{k:?}"), "Rsa(RsaKey(2048 bits))");
    }
}
