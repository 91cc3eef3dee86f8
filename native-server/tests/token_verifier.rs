//! The real bearer-token path: the core verifier with a realm's JWKS served
//! over HTTP (a local server), cached, refetched on an unknown `kid` at most
//! once per minute of the injected clock.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use axum::routing::get;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{TestApp, TestDb, START_MS};
use realmgate_core::policy::{PolicySpec, RealmConfig};
use realmgate_core::RealmPolicy;
use realmgate_server::auth::jwks::JwksVerifier;
use realmgate_server::auth::token::TokenVerifier;
use realmgate_server::clock::{Clock, ManualClock};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};

struct Key {
    kid: String,
    pair: Ed25519KeyPair,
}

impl Key {
    fn new(kid: &str) -> Key {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
        Key { kid: kid.into(), pair: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap() }
    }

    fn jwk(&self) -> Value {
        json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": self.kid, "x": URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref()) })
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": self.kid });
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let sig = self.pair.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }
}

struct Provider {
    base: String,
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

/// A local provider serving `/realms/acme/protocol/openid-connect/certs`.
async fn provider(keys: &[&Key]) -> Provider {
    let jwks = Arc::new(Mutex::new(json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (j, f) = (jwks.clone(), fetches.clone());
    let app = axum::Router::new().route(
        "/realms/acme/protocol/openid-connect/certs",
        get(move || {
            let (j, f) = (j.clone(), f.clone());
            async move {
                f.fetch_add(1, Ordering::SeqCst);
                let body = j.lock().unwrap().clone();
                axum::Json(body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Provider { base, jwks, fetches }
}

fn policy(base: &str) -> RealmPolicy {
    let mut realms = BTreeMap::new();
    let mut acme = RealmConfig::new("realmgate-admin");
    acme.audiences = vec!["realmgate-admin".into()];
    realms.insert("acme".to_owned(), acme);
    RealmPolicy::new(PolicySpec { issuer_base_url: base.into(), realms, allow_insecure_loopback: true, leeway_seconds: 30, algorithms: None }).unwrap()
}

fn claims(base: &str, sub: &str, scope: &str, now_s: i64) -> Value {
    json!({ "iss": format!("{base}/realms/acme"), "sub": sub, "aud": "realmgate-admin", "azp": "billing", "typ": "Bearer",
            "scope": scope, "iat": now_s, "exp": now_s + 300 })
}

#[tokio::test]
async fn verifies_with_cached_jwks_and_refetches_unknown_kid_at_most_once_a_minute() {
    let k1 = Key::new("k1");
    let p = provider(&[&k1]).await;
    let clock = ManualClock::new(START_MS);
    let v = JwksVerifier::new(policy(&p.base), Arc::new(clock.clone()));
    let now_s = START_MS / 1000;

    let ok = v.verify(&k1.sign(&claims(&p.base, "svc", "realmgate:admin.read", now_s))).await.unwrap();
    assert_eq!((ok.realm.as_str(), ok.subject.as_str(), ok.scopes.as_slice()), ("acme", "svc", ["realmgate:admin.read".to_owned()].as_slice()));
    v.verify(&k1.sign(&claims(&p.base, "svc", "x", now_s))).await.unwrap();
    assert_eq!(p.fetches.load(Ordering::SeqCst), 1, "cached");

    // A rotated-in key: within a minute of the last fetch it is not fetched
    // yet; after that, the first token naming it triggers one refetch.
    let k2 = Key::new("k2");
    *p.jwks.lock().unwrap() = json!({ "keys": [k1.jwk(), k2.jwk()] });
    assert_eq!(v.verify(&k2.sign(&claims(&p.base, "svc", "x", now_s))).await.unwrap_err().code, "unknown_key");
    assert_eq!(p.fetches.load(Ordering::SeqCst), 1);
    clock.advance_ms(60_000);
    v.verify(&k2.sign(&claims(&p.base, "svc", "x", now_s))).await.unwrap();
    assert_eq!(p.fetches.load(Ordering::SeqCst), 2);

    // Bogus kids within the minute do not refetch.
    let rogue = Key::new("rogue");
    for _ in 0..5 {
        let r = v.verify(&rogue.sign(&claims(&p.base, "svc", "x", now_s))).await.unwrap_err();
        assert_eq!(r.code, "unknown_key");
    }
    assert_eq!(p.fetches.load(Ordering::SeqCst), 2, "unknown kids within the minute do not refetch");
    clock.advance_ms(60_000);
    let later = clock.now_secs() as i64;
    assert!(v.verify(&rogue.sign(&claims(&p.base, "svc", "x", later))).await.is_err());
    assert!(v.verify(&rogue.sign(&claims(&p.base, "svc", "x", later))).await.is_err());
    assert_eq!(p.fetches.load(Ordering::SeqCst), 3, "one refetch per minute");
}

#[tokio::test]
async fn refuses_wrong_issuer_audience_expiry_signature_and_id_tokens() {
    let k1 = Key::new("k1");
    let p = provider(&[&k1]).await;
    let clock = ManualClock::new(START_MS);
    let v = JwksVerifier::new(policy(&p.base), Arc::new(clock.clone()));
    let now_s = START_MS / 1000;
    let good = claims(&p.base, "svc", "x", now_s);
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut c = good.clone();
    c["iss"] = json!(format!("{}/realms/other", p.base));
    cases.push((c, "issuer"));
    let mut c = good.clone();
    c["aud"] = json!("someone-else");
    cases.push((c, "audience"));
    let mut c = good.clone();
    c["exp"] = json!(now_s - 3600);
    cases.push((c, "expired"));
    let mut c = good.clone();
    c["typ"] = json!("ID");
    cases.push((c, "not_an_access_token"));
    for (c, code) in cases {
        assert_eq!(v.verify(&k1.sign(&c)).await.unwrap_err().code, code);
    }
    let forged = Key::new("k1").sign(&good);
    assert_eq!(v.verify(&forged).await.unwrap_err().code, "signature");
    assert_eq!(v.verify("not-a-jwt").await.unwrap_err().code, "malformed");
}

#[tokio::test]
async fn admin_api_and_verify_endpoint_accept_real_tokens() {
    let k1 = Key::new("k1");
    let p = provider(&[&k1]).await;
    let db = TestDb::sqlite().await;
    let mut app = TestApp::new(db).await;
    let verifier = JwksVerifier::new(policy(&p.base), Arc::new(app.clock.clone()));
    let state = realmgate_server::AppState::new(app.db.store.clone()).with_clock(Arc::new(app.clock.clone())).with_tokens(Arc::new(verifier));
    app.router = realmgate_server::app(state);
    let now_s = START_MS / 1000;
    let admin = k1.sign(&claims(&p.base, "svc", "openid realmgate:admin.write", now_s));
    let r = app.call(Method::POST, "/admin/v1/realms/acme/identities", Some(&admin), Some(json!({"email": "u@example.com", "language": "en", "profile_id": "prof-1"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app.call(Method::GET, "/admin/v1/realms/other/identities", Some(&admin), None).await;
    assert_eq!(r.body["code"], "realm_forbidden");
    let user = k1.sign(&claims(&p.base, &id, "openid", now_s));
    let r = app.call(Method::POST, "/admin/v1/realms/acme/tokens/verify", Some(&admin), Some(json!({ "token": user }))).await;
    assert_eq!(r.body, json!({"profile_id": "prof-1", "identity_id": id, "realm": "acme"}));
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(&user), None).await;
    assert_eq!(r.body["code"], "insufficient_scope", "a user token without the admin scope");
}

/// Found by the 2026-12-03 review: with nothing cached yet, every request for
/// a realm whose provider fails refetched its JWKS (and held a lock every
/// realm shared while doing so). Failed fetches now count as attempts: at most
/// one per minute per realm.
#[tokio::test]
async fn failed_jwks_fetches_are_rate_limited_like_successful_ones() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    let app = axum::Router::new().route(
        "/realms/acme/protocol/openid-connect/certs",
        get(move || {
            let f = f.clone();
            async move {
                f.fetch_add(1, Ordering::SeqCst);
                StatusCode::SERVICE_UNAVAILABLE
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let clock = ManualClock::new(START_MS);
    let v = JwksVerifier::new(policy(&base), Arc::new(clock.clone()));
    let token = Key::new("k1").sign(&claims(&base, "svc", "x", START_MS / 1000));
    for _ in 0..6 {
        assert_eq!(v.verify(&token).await.unwrap_err().code, "jwks_unavailable");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one attempt per minute, failed or not");
    clock.advance_ms(60_000);
    assert!(v.verify(&token).await.is_err());
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}
