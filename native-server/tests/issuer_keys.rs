//! Signing keys: every token verifies with the core against the realm's
//! JWKS; `keys rotate` publishes the new key at once, signs new tokens with
//! it, and keeps the old key in the JWKS until the tokens it signed have
//! expired — both verify with the core meanwhile.

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::issuer::{Issued, ISSUER};
use common::realm;
use realmgate_core::jose::{Algorithm, KeySet};
use realmgate_core::policy::PolicySpec;
use realmgate_core::verify::{UntrustedJwt, VerifiedIdentity};
use realmgate_core::{RealmConfig, RealmPolicy};
use realmgate_server::clock::Clock;
use realmgate_server::issuer::signer;
use realmgate_server::issuer::IssuerSettings;
use serde_json::Value;

fn policy() -> RealmPolicy {
    let mut config = RealmConfig::new("edge");
    config.audiences = vec!["edge".into(), "svc".into(), "realmgate-admin".into()];
    let mut realms = BTreeMap::new();
    realms.insert("acme".to_owned(), config);
    RealmPolicy::new(PolicySpec { issuer_base_url: "http://127.0.0.1:8080".into(), realms, allow_insecure_loopback: true, leeway_seconds: 0, algorithms: None }).unwrap()
}

async fn jwks(app: &Issued) -> (KeySet, Vec<String>) {
    let r = app.get("/realms/acme/protocol/openid-connect/certs", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    let kids = doc["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect();
    (KeySet::from_json(r.text.as_bytes()).unwrap(), kids)
}

fn verify(token: &str, keys: &KeySet, now: u64) -> VerifiedIdentity {
    UntrustedJwt::parse(token).unwrap().verify(keys, &policy(), now).unwrap()
}

fn kid(token: &str) -> String {
    UntrustedJwt::parse(token).unwrap().kid().unwrap().to_owned()
}

async fn service_token(app: &Issued) -> String {
    let r = app.service_token("realmgate:admin.read").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn tokens_of_every_algorithm_verify_with_the_core_against_the_published_jwks() {
    for alg in [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa] {
        let app = Issued::new(alg).await;
        let tokens = app.tokens().await;
        let (keys, kids) = jwks(&app).await;
        assert_eq!(kids.len(), 1);
        let now = app.clock.now_secs();
        for name in ["access_token", "id_token"] {
            let t = tokens[name].as_str().unwrap();
            assert_eq!(UntrustedJwt::parse(t).unwrap().alg(), alg.name());
            let id = verify(t, &keys, now);
            assert_eq!(id.issuer, ISSUER);
            assert_eq!(id.subject, app.identity_id);
        }
        let access = verify(tokens["access_token"].as_str().unwrap(), &keys, now);
        assert_eq!(access.token_type.as_deref(), Some("Bearer"));
        assert_eq!(access.authorized_party.as_deref(), Some("edge"));
        assert_eq!(access.email.as_deref(), Some(common::issuer::EMAIL));
        assert_eq!(access.preferred_username.as_deref(), Some(common::issuer::EMAIL));
        assert!(access.session_id.is_some() && access.jwt_id.is_some());
        let id = verify(tokens["id_token"].as_str().unwrap(), &keys, now);
        assert_eq!((id.token_type.as_deref(), id.nonce.as_deref()), (Some("ID"), Some("nn")));
        assert!(!realmgate_core::oidc::id_token::is_access_token(&id), "an ID token is not an access token");
    }
}

#[tokio::test]
async fn rotation_publishes_the_new_key_at_once_and_keeps_the_old_until_its_tokens_expired() {
    let app = Issued::new(Algorithm::Rs256).await;
    let old_token = service_token(&app).await;
    let (_, before) = jwks(&app).await;
    let settings = IssuerSettings::default();
    let now = app.clock.now_ms();
    let acme = realm("acme");
    let new_kid = signer::rotate(app.db.store.as_ref(), &acme, Some(Algorithm::Es256), now + settings.retire_after_ms(), now).await.unwrap();
    let (keys, after) = jwks(&app).await;
    assert_eq!(after, [new_kid.clone(), before[0].clone()], "new key first, old key still published");
    let new_token = service_token(&app).await;
    assert_eq!(kid(&new_token), new_kid, "new tokens are signed by the new key");
    assert_eq!(UntrustedJwt::parse(&new_token).unwrap().alg(), "ES256");
    let secs = app.clock.now_secs();
    verify(&old_token, &keys, secs);
    verify(&new_token, &keys, secs);
    // The admin API (in-process trust in its own realms) takes both.
    for t in [&old_token, &new_token] {
        let r = app.bearer(axum::http::Method::GET, "/admin/v1/realms/acme/identities", t, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // Once every token the old key signed has expired, it leaves the JWKS.
    app.clock.advance_ms(settings.retire_after_ms());
    let (_, later) = jwks(&app).await;
    assert_eq!(later, [new_kid]);
}

#[tokio::test]
async fn a_token_of_another_realm_or_audience_is_not_an_admin_credential() {
    let app = Issued::new(Algorithm::EdDsa).await;
    let tokens = app.tokens().await;
    // A person's access token (audience edge) is no admin credential.
    let r = app.bearer(axum::http::Method::GET, "/admin/v1/realms/acme/identities", tokens["access_token"].as_str().unwrap(), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A service token for acme cannot act on realm other.
    let t = service_token(&app).await;
    let r = app.bearer(axum::http::Method::GET, "/admin/v1/realms/other/identities", &t, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let claims: Value = serde_json::from_slice(&realmgate_core::b64::decode(t.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["sub"], "service-account-svc");
    assert_eq!(claims["aud"], serde_json::json!(["svc", "realmgate-admin"]));
}
