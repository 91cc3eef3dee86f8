#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{json, Value};

use super::*;
use crate::jose::backend::all_backends;
use crate::jose::testkit::{claims, fixture, fixture_token, key_set, policy, policy_with_leeway, unsigned, NOW};

/// Verifies `payload` under an ES256 header for key es256-a, skipping the
/// primitive (the caller's verdict is "valid"): the claim rules alone.
fn claims_verdict(payload: &Value) -> Result<VerifiedIdentity, Refusal> {
    claims_verdict_with(payload, &policy(), NOW, None)
}

fn claims_verdict_with(
    payload: &Value,
    policy: &RealmPolicy,
    now: u64,
    audiences: Option<&[String]>,
) -> Result<VerifiedIdentity, Refusal> {
    let token = unsigned(&json!({"alg": "ES256", "kid": "es256-a"}), payload, 64);
    let keys = key_set();
    UntrustedJwt::parse(&token)?.prepare(&keys, policy)?.finish(true, policy, now, audiences)
}

fn code(result: Result<VerifiedIdentity, Refusal>) -> JwtErrorCode {
    result.expect_err("expected a refusal").code
}

fn with(name: &str, value: Value) -> Value {
    let mut c = claims();
    c[name] = value;
    c
}

fn without(name: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(name);
    c
}

#[test]
fn a_valid_token_of_each_algorithm_verifies_with_every_backend() {
    let keys = key_set();
    for backend in all_backends() {
        for kid in ["rs256-a", "ps256-a", "es256-a", "eddsa-a", "rs256-b"] {
            let id = UntrustedJwt::parse(fixture_token(kid))
                .and_then(|t| t.verify_with(backend, &keys, &policy(), NOW, None))
                .unwrap_or_else(|r| panic!("{} {kid}: {r}", backend.name()));
            assert_eq!((id.realm.as_str(), id.subject.as_str()), ("members", "user-1"));
        }
    }
}

#[test]
fn the_identity_carries_the_standard_and_keycloak_claims() {
    let id = verify_token(fixture_token("es256-a"), &key_set(), &policy(), NOW).unwrap();
    let c = &fixture()["claims"];
    assert_eq!(id.issuer, c["iss"]);
    assert_eq!(id.audiences, ["edge-web"]);
    assert_eq!(id.expires_at, c["exp"].as_u64().unwrap());
    assert_eq!(id.issued_at, c["iat"].as_u64());
    assert_eq!(id.not_before, None);
    assert_eq!(id.email.as_deref(), Some("ada@example.test"));
    assert_eq!(id.email_verified, Some(true));
    assert_eq!(id.preferred_username.as_deref(), Some("ada"));
    assert_eq!(id.session_id.as_deref(), Some("s-1"));
    assert_eq!(id.scopes, ["openid", "email", "profile"]);
    assert_eq!(id.authorized_party.as_deref(), Some("edge-web"));
    assert_eq!(id.token_type.as_deref(), Some("Bearer"));
    assert_eq!(id.nonce.as_deref(), Some("n-1"));
    assert_eq!(id.jwt_id.as_deref(), Some("j-1"));
    let shown = serde_json::to_value(&id).unwrap();
    assert_eq!(shown["realm"], "members");
}

#[test]
fn structure_faults_are_malformed() {
    let keys = key_set();
    let good = fixture_token("es256-a");
    let dup_payload = format!(
        "{}.{}.{}",
        crate::b64::encode(br#"{"alg":"ES256","kid":"es256-a"}"#),
        crate::b64::encode(br#"{"sub":"a","sub":"b"}"#),
        crate::b64::encode(&[1; 64])
    );
    for bad in [
        format!(" {good}"),
        good.rsplit_once('.').unwrap().0.to_owned(),
        unsigned(&json!({"alg": "ES256"}), &json!([claims()]), 64),
        unsigned(&json!({"alg": "ES256", "crit": ["x"], "x": 1}), &claims(), 64),
        dup_payload,
    ] {
        assert_eq!(code(verify_token(&bad, &keys, &policy(), NOW)), JwtErrorCode::Malformed, "{bad}");
    }
}

#[test]
fn an_alg_off_the_policy_allow_list_is_unsupported_before_any_key_lookup() {
    let keys = key_set();
    for alg in ["none", "None", "HS256", "RS512", "ES384", "es256"] {
        let t = unsigned(&json!({"alg": alg, "kid": "rs256-a"}), &claims(), 0);
        assert_eq!(code(verify_token(&t, &keys, &policy(), NOW)), JwtErrorCode::UnsupportedAlgorithm, "{alg}");
    }
    let mut spec_policy = policy();
    spec_policy = RealmPolicy::new(crate::policy::PolicySpec {
        issuer_base_url: spec_policy.issuer_base_url().to_owned(),
        realms: spec_policy.realms().map(|(n, c)| (n.to_string(), c.clone())).collect(),
        allow_insecure_loopback: false,
        leeway_seconds: 0,
        algorithms: Some(vec!["ES256".into()]),
    })
    .unwrap();
    assert_eq!(
        code(verify_token(fixture_token("rs256-a"), &keys, &spec_policy, NOW)),
        JwtErrorCode::UnsupportedAlgorithm,
        "RS256 is not on this realm policy's list"
    );
    assert!(verify_token(fixture_token("es256-a"), &keys, &spec_policy, NOW).is_ok());
}

#[test]
fn no_single_fitting_key_is_unknown_key() {
    let keys = key_set();
    let cases = [
        json!({"alg": "RS256", "kid": "nope"}),
        json!({"alg": "RS256"}),
        json!({"alg": "RS256", "kid": "ps256-a"}),
        json!({"alg": "ES256", "kid": "rs256-a"}),
    ];
    for header in cases {
        let t = unsigned(&header, &claims(), 256);
        assert_eq!(code(verify_token(&t, &keys, &policy(), NOW)), JwtErrorCode::UnknownKey, "{header}");
    }
    assert_eq!(code(verify_token(fixture_token("es256-a"), &KeySet::default(), &policy(), NOW)), JwtErrorCode::UnknownKey);
}

#[test]
fn without_kid_the_only_fitting_key_is_used() {
    // The fixture set has one P-256 key: a kid-less ES256 token selects it.
    let t = unsigned(&json!({"alg": "ES256"}), &claims(), 64);
    let keys = key_set();
    let check = UntrustedJwt::parse(&t).unwrap().prepare(&keys, &policy()).unwrap();
    assert_eq!(check.alg(), Algorithm::Es256);
    assert!(matches!(check.key(), PublicKey::P256(_)));
}

#[test]
fn a_bad_signature_is_signature_and_comes_before_claims() {
    let keys = key_set();
    // Expired and wrong issuer too, but the signature is checked first.
    let t = unsigned(&json!({"alg": "ES256", "kid": "es256-a"}), &with("iss", json!("https://evil.test")), 64);
    assert_eq!(code(verify_token(&t, &keys, &policy(), u64::MAX)), JwtErrorCode::Signature);
    let token = fixture_token("eddsa-a");
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut sig = crate::b64::decode(sig).unwrap();
    sig[5] ^= 1;
    let tampered = format!("{input}.{}", crate::b64::encode(&sig));
    assert_eq!(code(verify_token(&tampered, &keys, &policy(), NOW)), JwtErrorCode::Signature);
}

#[test]
fn prepare_and_finish_split_the_primitive_out_for_webcrypto() {
    let keys = key_set();
    let token = fixture_token("es256-a");
    let check = UntrustedJwt::parse(token).unwrap().prepare(&keys, &policy()).unwrap();
    assert_eq!(check.message(), token.rsplit_once('.').unwrap().0.as_bytes());
    assert_eq!(check.signature().len(), 64);
    let ok = crate::jose::default_backend().verify(check.alg, check.key, check.message(), check.signature());
    assert!(ok && check.signature_well_formed());
    assert_eq!(check.finish(true, &policy(), NOW, None).unwrap().subject, "user-1");
    let check = UntrustedJwt::parse(token).unwrap().prepare(&keys, &policy()).unwrap();
    assert_eq!(code(check.finish(false, &policy(), NOW, None)), JwtErrorCode::Signature);
}

#[test]
fn finish_refuses_a_badly_encoded_signature_even_when_told_it_verified() {
    let keys = key_set();
    let t = unsigned(&json!({"alg": "ES256", "kid": "es256-a"}), &claims(), 70);
    let check = UntrustedJwt::parse(&t).unwrap().prepare(&keys, &policy()).unwrap();
    assert_eq!(code(check.finish(true, &policy(), NOW, None)), JwtErrorCode::Signature);
}

#[test]
fn iss_must_be_exactly_an_allowed_realms_issuer() {
    for iss in [
        json!("https://id.example.test/realms/members/"),
        json!("https://id.example.test/realms/Members"),
        json!("https://id.example.test:443/realms/members"),
        json!("http://id.example.test/realms/members"),
        json!("https://id.example.test/realms/master"),
        json!(["https://id.example.test/realms/members"]),
        json!(null),
    ] {
        assert_eq!(code(claims_verdict(&with("iss", iss.clone()))), JwtErrorCode::Issuer, "{iss}");
    }
    assert_eq!(code(claims_verdict(&without("iss"))), JwtErrorCode::Issuer);
}

#[test]
fn aud_string_or_array_must_hold_one_of_the_realms_audiences() {
    assert!(claims_verdict(&with("aud", json!(["x", "edge-web"]))).is_ok());
    for aud in [json!("pro-portal"), json!(["x", "y"]), json!([]), json!(["edge-web", 1]), json!(1), json!(null)] {
        assert_eq!(code(claims_verdict(&with("aud", aud.clone()))), JwtErrorCode::Audience, "{aud}");
    }
    assert_eq!(code(claims_verdict(&without("aud"))), JwtErrorCode::Audience);
    let pros = with("iss", json!("https://id.example.test/realms/pros"));
    assert_eq!(code(claims_verdict(&pros)), JwtErrorCode::Audience, "audiences are per realm");
}

#[test]
fn explicit_audiences_replace_the_realms() {
    let only = ["api".to_owned()];
    assert_eq!(code(claims_verdict_with(&claims(), &policy(), NOW, Some(&only))), JwtErrorCode::Audience);
    assert!(claims_verdict_with(&with("aud", json!("api")), &policy(), NOW, Some(&only)).is_ok());
}

#[test]
fn exp_is_required_and_exp_at_or_before_now_minus_leeway_is_expired() {
    assert_eq!(code(claims_verdict(&without("exp"))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("exp", json!("1767225900")))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("exp", json!(null)))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("exp", json!(NOW)))), JwtErrorCode::Expired, "exp == now");
    assert_eq!(code(claims_verdict(&with("exp", json!(NOW - 1)))), JwtErrorCode::Expired);
    assert!(claims_verdict(&with("exp", json!(NOW + 1))).is_ok());
    assert_eq!(code(claims_verdict(&with("exp", json!(-1)))), JwtErrorCode::Expired);
    assert_eq!(code(claims_verdict(&with("exp", json!(i64::MIN)))), JwtErrorCode::Expired);
    assert_eq!(code(claims_verdict(&with("exp", json!(-1e300)))), JwtErrorCode::Expired);
    let leeway = policy_with_leeway(30);
    assert!(claims_verdict_with(&with("exp", json!(NOW - 29)), &leeway, NOW, None).is_ok());
    assert_eq!(code(claims_verdict_with(&with("exp", json!(NOW - 30)), &leeway, NOW, None)), JwtErrorCode::Expired);
}

#[test]
fn exp_may_have_a_fraction_and_is_reported_rounded_down() {
    let id = claims_verdict(&with("exp", json!(NOW as f64 + 300.5))).unwrap();
    assert_eq!(id.expires_at, NOW + 300);
    assert!(claims_verdict(&with("exp", json!(NOW as f64 + 0.5))).is_ok());
    assert_eq!(code(claims_verdict(&with("exp", json!(NOW as f64 - 0.5)))), JwtErrorCode::Expired);
    assert_eq!(claims_verdict(&with("exp", json!(1e300))).unwrap().expires_at, u64::MAX);
    assert_eq!(claims_verdict(&with("exp", json!(u64::MAX))).unwrap().expires_at, u64::MAX);
}

#[test]
fn nbf_after_now_plus_leeway_is_not_yet_valid() {
    assert_eq!(code(claims_verdict(&with("nbf", json!(NOW + 1)))), JwtErrorCode::NotYetValid);
    assert_eq!(claims_verdict(&with("nbf", json!(NOW))).unwrap().not_before, Some(NOW));
    assert_eq!(code(claims_verdict(&with("nbf", json!("0")))), JwtErrorCode::Claims);
    assert_eq!(claims_verdict(&with("nbf", json!(i64::MIN))).unwrap().not_before, Some(0));
    let leeway = policy_with_leeway(60);
    assert!(claims_verdict_with(&with("nbf", json!(NOW + 60)), &leeway, NOW, None).is_ok());
    assert_eq!(code(claims_verdict_with(&with("nbf", json!(NOW + 61)), &leeway, NOW, None)), JwtErrorCode::NotYetValid);
}

#[test]
fn iat_after_now_plus_leeway_is_bad_claims() {
    assert_eq!(code(claims_verdict(&with("iat", json!(NOW + 1)))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("iat", json!(true)))), JwtErrorCode::Claims);
    assert!(claims_verdict(&without("iat")).is_ok());
    assert!(claims_verdict_with(&with("iat", json!(NOW + 5)), &policy_with_leeway(5), NOW, None).is_ok());
}

#[test]
fn sub_must_be_a_non_empty_string() {
    assert_eq!(code(claims_verdict(&without("sub"))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("sub", json!("")))), JwtErrorCode::Claims);
    assert_eq!(code(claims_verdict(&with("sub", json!(42)))), JwtErrorCode::Claims);
}

#[test]
fn claim_faults_are_reported_in_format_md_order() {
    let mut c = claims();
    c["aud"] = json!("other");
    c["exp"] = json!(NOW - 1);
    c["nbf"] = json!(NOW + 100);
    c["iss"] = json!("https://evil.test");
    assert_eq!(code(claims_verdict(&c)), JwtErrorCode::Issuer);
    c["iss"] = json!(crate::jose::testkit::MEMBERS_ISS);
    assert_eq!(code(claims_verdict(&c)), JwtErrorCode::Audience);
    c["aud"] = json!("edge-web");
    assert_eq!(code(claims_verdict(&c)), JwtErrorCode::Expired);
    c["exp"] = json!(NOW + 100);
    assert_eq!(code(claims_verdict(&c)), JwtErrorCode::NotYetValid);
    c["nbf"] = json!(NOW);
    c["iat"] = json!(NOW + 100);
    c.as_object_mut().unwrap().remove("sub");
    assert_eq!(code(claims_verdict(&c)), JwtErrorCode::Claims);
}

#[test]
fn optional_claims_of_the_wrong_type_are_left_out_not_trusted() {
    let mut c = claims();
    c["email"] = json!(1);
    c["email_verified"] = json!("true");
    c["scope"] = json!(["openid"]);
    let id = claims_verdict(&c).unwrap();
    assert_eq!((id.email, id.email_verified, id.scopes.len()), (None, None, 0));
    let id = claims_verdict(&with("scope", json!("  openid  email "))).unwrap();
    assert_eq!(id.scopes, ["openid", "email"]);
}

#[test]
fn claimed_issuer_is_read_without_verification() {
    let t = unsigned(&json!({"alg": "none"}), &claims(), 0);
    let jwt = UntrustedJwt::parse(&t).unwrap();
    assert_eq!(jwt.claimed_issuer(), Some(crate::jose::testkit::MEMBERS_ISS));
    assert_eq!((jwt.alg(), jwt.kid()), ("none", None));
}

#[test]
fn codes_are_format_md_strings_and_refusals_show_nothing_from_the_token() {
    let all = [
        ("malformed", JwtErrorCode::Malformed),
        ("unsupported_algorithm", JwtErrorCode::UnsupportedAlgorithm),
        ("unknown_key", JwtErrorCode::UnknownKey),
        ("signature", JwtErrorCode::Signature),
        ("expired", JwtErrorCode::Expired),
        ("not_yet_valid", JwtErrorCode::NotYetValid),
        ("issuer", JwtErrorCode::Issuer),
        ("audience", JwtErrorCode::Audience),
        ("claims", JwtErrorCode::Claims),
    ];
    for (s, c) in all {
        assert_eq!((c.code(), JwtErrorCode::from_code(s)), (s, Some(c)));
    }
    let secret = "https://secret-issuer.test/realms/members";
    let t = unsigned(&json!({"alg": "ES256", "kid": "es256-a"}), &with("iss", json!(secret)), 64);
    let refusal = claims_verdict(&with("iss", json!(secret))).unwrap_err();
    let shown = format!("{refusal} {refusal:?}");
    assert!(shown.starts_with("issuer: ") && !shown.contains("secret-issuer"), "{shown}");
    let jwt = UntrustedJwt::parse(&t).unwrap();
    assert!(!format!("{jwt:?}").contains("secret-issuer"));
}

#[cfg(not(target_arch = "wasm32"))]
mod signed {
    //! End-to-end with tokens signed here by ring (native only).
    use super::*;
    use crate::jose::testkit::sign;

    #[test]
    fn freshly_signed_tokens_of_each_algorithm_verify_and_claims_apply() {
        let keys = key_set();
        for (kid, alg) in [("rs256-b", "RS256"), ("ps256-a", "PS256"), ("es256-a", "ES256"), ("eddsa-a", "EdDSA")] {
            let header = json!({"alg": alg, "kid": kid});
            let ok = sign(kid, &header, claims().to_string().as_bytes());
            for backend in all_backends() {
                let id = UntrustedJwt::parse(&ok).unwrap().verify_with(backend, &keys, &policy(), NOW, None).unwrap();
                assert_eq!(id.subject, "user-1");
            }
            let late = sign(kid, &header, with("exp", json!(NOW)).to_string().as_bytes());
            assert_eq!(code(verify_token(&late, &keys, &policy(), NOW)), JwtErrorCode::Expired, "{alg}");
        }
    }

    #[test]
    fn a_signed_payload_with_duplicate_claims_is_malformed_not_last_wins() {
        let payload = format!(r#"{{"iss":"{}","aud":"edge-web","sub":"a","sub":"admin","exp":{}}}"#, crate::jose::testkit::MEMBERS_ISS, NOW + 60);
        let t = sign("es256-a", &json!({"alg": "ES256", "kid": "es256-a"}), payload.as_bytes());
        assert_eq!(code(verify_token(&t, &key_set(), &policy(), NOW)), JwtErrorCode::Malformed);
    }

    #[test]
    fn an_embedded_jwk_or_jku_never_replaces_the_realm_key() {
        // Signed by the realm's ES256 key, but the header points elsewhere: still verifies with the realm key.
        let header = json!({"alg": "ES256", "kid": "es256-a", "jku": "https://evil.test/jwks", "jwk": {"kty": "EC"}});
        let t = sign("es256-a", &header, claims().to_string().as_bytes());
        assert!(verify_token(&t, &key_set(), &policy(), NOW).is_ok());
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    //! No input panics the parser, the key-set loader or the verifier.
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn parse_never_panics_on_arbitrary_strings(s in "\\PC{0,300}") {
            let _ = UntrustedJwt::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_dotted_base64url(s in "[A-Za-z0-9_=+/ -]{0,60}\\.[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,90}") {
            let _ = UntrustedJwt::parse(&s);
        }

        #[test]
        fn key_set_loading_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = KeySet::from_json(&bytes);
            let _ = KeySet::from_jwk_json(&bytes);
        }

        #[test]
        fn mutated_valid_tokens_never_panic_and_never_verify(
            kid in prop::sample::select(vec!["rs256-a", "ps256-a", "es256-a", "eddsa-a"]),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let token = fixture_token(kid);
            let mut bytes = token.as_bytes().to_vec();
            let i = at.index(bytes.len());
            prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            let Ok(mutated) = String::from_utf8(bytes) else { return Ok(()) };
            let outcome = verify_token(&mutated, &key_set(), &policy(), NOW);
            // A changed byte may keep the same decoded bytes only in base64's
            // unused trailing bits, which strict decoding refuses; so nothing verifies.
            prop_assert!(outcome.is_err());
        }

        #[test]
        fn arbitrary_claim_values_never_panic(exp in any::<f64>(), nbf in any::<i64>(), iat in any::<u64>(), now in any::<u64>(), leeway in any::<u64>()) {
            let mut c = claims();
            c["exp"] = json!(exp);
            c["nbf"] = json!(nbf);
            c["iat"] = json!(iat);
            let _ = claims_verdict_with(&c, &policy_with_leeway(leeway), now, None);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn key_set_loading_never_panics_on_mutated_jwks(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = crate::jose::testkit::jwks_json().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            let _ = KeySet::from_json(&bytes);
        }
    }
}
