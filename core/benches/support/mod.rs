//! What the verification bench (benches/verify.rs) and the instruction-count
//! harness (examples/verify_profile.rs) share: the fixture, our policy, and
//! jsonwebtoken set up for the equivalent validation. Native only.

use std::collections::{BTreeMap, HashMap};

use jsonwebtoken::{DecodingKey, Validation};
use realmgate_core::jose::{Algorithm, CompactJws, KeySet, PublicKey, SignatureBackend};
use realmgate_core::policy::{PolicySpec, RealmConfig, RealmPolicy};
use realmgate_core::verify::{UntrustedJwt, VerifiedIdentity};
use serde::Deserialize;
use serde_json::Value;

const FIXTURE: &str = include_str!("../../tests/fixtures/jose.json");
/// Algorithm and the kid of its fixture token.
pub const CASES: [(&str, &str); 4] = [("RS256", "rs256-a"), ("PS256", "ps256-a"), ("ES256", "es256-a"), ("EdDSA", "eddsa-a")];
const ISSUER_BASE: &str = "https://id.example.test";
const ISSUER: &str = "https://id.example.test/realms/members";
const AUDIENCE: &str = "edge-web";
/// Clock-skew leeway, the same for us and for jsonwebtoken.
const LEEWAY: u64 = 60;

/// The identity claims our `VerifiedIdentity` carries, for jsonwebtoken.
#[allow(dead_code)] // only handed to black_box
#[derive(Deserialize)]
pub struct Claims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: Option<u64>,
    nbf: Option<u64>,
    email: Option<String>,
    email_verified: Option<bool>,
    preferred_username: Option<String>,
    sid: Option<String>,
    scope: Option<String>,
    azp: Option<String>,
    typ: Option<String>,
    nonce: Option<String>,
    jti: Option<String>,
}

/// Everything built once, outside any timed loop.
pub struct Setup {
    doc: Value,
    pub now: u64,
    /// The 5-key JWKS document.
    pub jwks: String,
    /// Our cached key set, parsed from `jwks`.
    pub keys: KeySet,
    pub policy: RealmPolicy,
    /// jsonwebtoken's keys, each with its `Validation`, by kid.
    pub jwt_keys: HashMap<String, (DecodingKey, Validation)>,
}

impl Setup {
    pub fn new() -> Setup {
        let doc: Value = serde_json::from_str(FIXTURE).expect("fixture");
        let now = doc["now"].as_u64().expect("now");
        let jwks = doc["jwks"].to_string();
        let keys = KeySet::from_json(jwks.as_bytes()).expect("key set");
        assert_eq!(keys.len(), 5);
        let mut realms = BTreeMap::new();
        realms.insert("members".to_owned(), RealmConfig::new(AUDIENCE));
        let policy = RealmPolicy::new(PolicySpec {
            issuer_base_url: ISSUER_BASE.into(),
            realms,
            allow_insecure_loopback: false,
            leeway_seconds: LEEWAY,
            algorithms: None,
        })
        .expect("policy");
        let jwt_keys = jwt_keys(&jwks);
        Setup { doc, now, jwks, keys, policy, jwt_keys }
    }

    /// The fixture token signed by `kid`.
    pub fn token(&self, kid: &str) -> &str {
        self.doc["tokens"][kid].as_str().expect("token")
    }

    /// (a): our full verification with the cached key set.
    pub fn ours(&self, backend: &dyn SignatureBackend, token: &str) -> Option<VerifiedIdentity> {
        let jwt = UntrustedJwt::parse(token).ok()?;
        jwt.verify_with(backend, &self.keys, &self.policy, self.now, None).ok()
    }

    /// (b)'s inputs: the algorithm, the parsed key, the signing input and the signature.
    pub fn primitive_parts<'t>(&self, kid: &str, token: &'t str) -> (Algorithm, &PublicKey, &'t [u8], Vec<u8>) {
        let jws = CompactJws::parse(token).expect("parse");
        let alg = Algorithm::from_name(jws.alg()).expect("alg");
        let key = &self.keys.select(alg, Some(kid)).expect("key").key;
        let signing_input = token.rsplit_once('.').expect("compact JWS").0.as_bytes();
        assert_eq!(signing_input, jws.signing_input().as_bytes());
        (alg, key, signing_input, jws.signature().to_vec())
    }

    /// (c): jsonwebtoken's equivalent: the kid from `decode_header`, the
    /// prebuilt key and validation for it, then `decode`.
    pub fn jsonwebtoken(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let (key, validation) = self.jwt_keys.get(header.kid.as_deref()?)?;
        jsonwebtoken::decode::<Claims>(token, key, validation).ok().map(|data| data.claims)
    }

    /// jsonwebtoken's cheapest call: `decode` with the right key already in hand.
    pub fn jsonwebtoken_one_key(&self, kid: &str, token: &str) -> Option<Claims> {
        let (key, validation) = self.jwt_keys.get(kid)?;
        jsonwebtoken::decode::<Claims>(token, key, validation).ok().map(|data| data.claims)
    }
}

/// jsonwebtoken's validation for one key: the allow-list narrowed to the
/// key's family (jsonwebtoken refuses a list that mixes families), iss, aud,
/// exp and nbf with the same leeway.
fn jwt_validation(family: &[jsonwebtoken::Algorithm]) -> Validation {
    let mut v = Validation::new(family[0]);
    v.algorithms = family.to_vec();
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.validate_exp = true;
    v.validate_nbf = true;
    v.leeway = LEEWAY;
    v
}

/// jsonwebtoken's keys and validations from the same JWKS (its own JWK parser), by kid.
fn jwt_keys(jwks: &str) -> HashMap<String, (DecodingKey, Validation)> {
    use jsonwebtoken::jwk::AlgorithmParameters as P;
    use jsonwebtoken::Algorithm as A;
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(jwks).expect("jwk set");
    set.keys
        .iter()
        .map(|jwk| {
            let family: &[A] = match jwk.algorithm {
                P::RSA(_) => &[A::RS256, A::PS256],
                P::EllipticCurve(_) => &[A::ES256],
                P::OctetKeyPair(_) => &[A::EdDSA],
                _ => panic!("the fixture holds RSA, EC and OKP keys only"),
            };
            let key = DecodingKey::from_jwk(jwk).expect("decoding key");
            (jwk.common.key_id.clone().expect("kid"), (key, jwt_validation(family)))
        })
        .collect()
}
