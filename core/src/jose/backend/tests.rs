#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::jose::testkit::{fixture_token, key_set};
use crate::jose::CompactJws;

/// A fixture token's algorithm, key, signing input and signature.
fn parts(kid: &str) -> (Algorithm, PublicKey, Vec<u8>, Vec<u8>) {
    let jws = CompactJws::parse(fixture_token(kid)).unwrap();
    let alg = Algorithm::from_name(jws.alg()).unwrap();
    let keys = key_set();
    let key = keys.select(alg, Some(kid)).unwrap().key.clone();
    (alg, key, jws.signing_input().as_bytes().to_vec(), jws.signature().to_vec())
}

const KIDS: [&str; 4] = ["rs256-a", "ps256-a", "es256-a", "eddsa-a"];

#[test]
fn every_backend_verifies_each_algorithm_and_refuses_a_changed_message() {
    for backend in all_backends() {
        for kid in KIDS {
            let (alg, key, msg, sig) = parts(kid);
            assert!(backend.verify(alg, &key, &msg, &sig), "{} {kid}", backend.name());
            let mut changed = msg.clone();
            changed.push(b'x');
            assert!(!backend.verify(alg, &key, &changed, &sig), "{} {kid} changed message", backend.name());
        }
    }
}

#[test]
fn a_key_of_another_type_never_verifies() {
    let (_, rsa_key, msg, sig) = parts("rs256-a");
    let (_, ec_key, _, _) = parts("es256-a");
    for backend in all_backends() {
        assert!(!backend.verify(Algorithm::Es256, &rsa_key, &msg, &sig));
        assert!(!backend.verify(Algorithm::Rs256, &ec_key, &msg, &sig));
        assert!(!backend.verify(Algorithm::Ps256, &rsa_key, &msg, &sig), "RS256 signature is not PS256");
    }
}

#[test]
fn es256_signatures_are_exactly_64_bytes_so_der_and_truncation_are_refused() {
    let (alg, key, msg, sig) = parts("es256-a");
    let der = der_encode(&sig[..32], &sig[32..]);
    for backend in all_backends() {
        assert!(!backend.verify(alg, &key, &msg, &der), "DER");
        assert!(!backend.verify(alg, &key, &msg, &sig[..63]), "63 bytes");
        let mut long = sig.clone();
        long.push(0);
        assert!(!backend.verify(alg, &key, &msg, &long), "65 bytes");
    }
}

#[test]
fn the_zero_ecdsa_signature_is_refused_psychic_signatures() {
    let (alg, key, msg, _) = parts("es256-a");
    let mut zero_r = [0u8; 64];
    zero_r[63] = 1;
    for backend in all_backends() {
        assert!(!backend.verify(alg, &key, &msg, &[0; 64]), "r = s = 0");
        assert!(!backend.verify(alg, &key, &msg, &zero_r), "r = 0");
    }
    assert!(!precheck(alg, &key, &[0; 64]));
}

/// The P-256 group order, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7,
    0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn sub_be(a: &[u8; 32], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

#[test]
fn high_s_ecdsa_signatures_are_valid_jws_does_not_require_low_s() {
    let (alg, key, msg, sig) = parts("es256-a");
    let mut flipped = sig[..32].to_vec();
    flipped.extend(sub_be(&P256_N, &sig[32..]));
    for backend in all_backends() {
        assert!(backend.verify(alg, &key, &msg, &sig), "{}", backend.name());
        assert!(backend.verify(alg, &key, &msg, &flipped), "{} (r, n - s)", backend.name());
    }
}

#[test]
fn ed25519_non_canonical_s_is_refused() {
    let (alg, key, msg, sig) = parts("eddsa-a");
    // S + L, little-endian: the same point equation, a malleated encoding.
    let mut malleated = sig.clone();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(malleated[32 + i]) + u16::from(ED25519_L[i]) + carry;
        malleated[32 + i] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    assert!(!precheck(alg, &key, &malleated));
    for backend in all_backends() {
        assert!(!backend.verify(alg, &key, &msg, &malleated), "{}", backend.name());
    }
    assert!(scalar_is_canonical(&[0; 32]));
    assert!(!scalar_is_canonical(&ED25519_L));
}

#[test]
fn rsa_signatures_must_be_as_long_as_the_modulus() {
    let (alg, key, msg, sig) = parts("rs256-a");
    let mut padded = vec![0];
    padded.extend(&sig);
    for backend in all_backends() {
        assert!(!backend.verify(alg, &key, &msg, &padded));
        assert!(!backend.verify(alg, &key, &msg, &sig[1..]));
    }
}

#[test]
fn the_default_backend_is_aws_lc_natively_and_rustcrypto_on_wasm32() {
    let expected = if cfg!(target_arch = "wasm32") { "rustcrypto" } else { "aws-lc-rs" };
    assert_eq!(default_backend().name(), expected);
    assert_eq!(all_backends().first().map(|b| b.name()), Some(expected), "the default backend runs first");
}

/// Every fixture key was accepted by AWS-LC at load (a key it refused would
/// verify nothing on the native default backend).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn aws_lc_parses_every_fixture_key_once_at_load() {
    use crate::jose::backend::aws_lc::AwsLcKey;
    for jwk in key_set().keys() {
        let parsed = match &jwk.key {
            PublicKey::Rsa(k) => matches!(k.aws_lc, Some(AwsLcKey::Rsa { .. })),
            PublicKey::P256(k) => matches!(k.aws_lc, Some(AwsLcKey::Single(_))),
            PublicKey::Ed25519(k) => matches!(k.aws_lc, Some(AwsLcKey::Single(_))),
        };
        assert!(parsed, "{:?}", jwk.kid);
    }
}

fn der_encode(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |x: &[u8]| {
        let x: Vec<u8> = x.iter().copied().skip_while(|&b| b == 0).collect();
        let mut out = vec![0x02];
        let pad = x.first().is_some_and(|&b| b & 0x80 != 0);
        out.push((x.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend(x);
        out
    };
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}
