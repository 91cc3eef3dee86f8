//! Who may call: API keys limited to realms and scopes, bearer tokens
//! (through the `TokenVerifier` seam) with required scopes and their realm.

mod common;

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use common::{realm, TestApp, TestDb, START_MS};
use realmgate_server::auth::token::{StaticTokens, VerifiedToken};
use realmgate_server::store::Store;
use serde_json::json;

fn token(r: &str, subject: &str, scopes: &[&str]) -> VerifiedToken {
    VerifiedToken { realm: realm(r), subject: subject.into(), scopes: scopes.iter().map(|s| s.to_string()).collect(), authorized_party: Some("svc".into()) }
}

async fn app_with_tokens(subject: &str) -> TestApp {
    let mut t = HashMap::new();
    t.insert("tok-acme-write".to_owned(), token("acme", "svc-account", &["realmgate:admin.write"]));
    t.insert("tok-acme-read".to_owned(), token("acme", "svc-account", &["openid", "realmgate:admin.read"]));
    t.insert("tok-acme-noscope".to_owned(), token("acme", "svc-account", &["openid"]));
    t.insert("tok-user".to_owned(), token("acme", subject, &["openid"]));
    t.insert("tok-other-user".to_owned(), token("other", subject, &["openid"]));
    TestApp::with_tokens(TestDb::sqlite().await, StaticTokens(t)).await
}

#[tokio::test]
async fn no_or_bad_credentials_are_401_with_www_authenticate() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let u = "/admin/v1/realms/acme/identities";
    let r = app.call(Method::GET, u, None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    for bad in ["rgk_0123456789abcdef_wrongsecret", "rgk_garbage", "some.jwt.token"] {
        let r = app.call(Method::GET, u, Some(bad), None).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{bad}");
    }
    // A real key id with another key's secret.
    let (id, _) = app.write.strip_prefix("rgk_").unwrap().split_once('_').unwrap();
    let (_, secret) = app.read.strip_prefix("rgk_").unwrap().split_once('_').unwrap();
    let r = app.call(Method::GET, u, Some(&format!("rgk_{id}_{secret}")), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_key_for_realm_a_gets_403_on_realm_b() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let before = app.db.snapshot().await;
    let r = app.call(Method::POST, "/admin/v1/realms/acme/identities", Some(&app.other), Some(json!({"email": "a@example.com", "language": "en"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("realm_forbidden")));
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(&app.other), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.db.snapshot().await, before);
    // The same key works on its own realm; the operator key on both.
    let r = app.call(Method::POST, "/admin/v1/realms/other/identities", Some(&app.other), Some(json!({"email": "a@example.com", "language": "en"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(&app.operator), None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_read_key_cannot_write() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("a@example.com", None).await;
    let before = app.db.snapshot().await;
    let writes = [
        (Method::POST, "/admin/v1/realms/acme/identities".to_owned(), json!({"email": "b@example.com", "language": "en"})),
        (Method::PUT, format!("/admin/v1/realms/acme/identities/{id}/email"), json!({"email": "c@example.com"})),
        (Method::PATCH, format!("/admin/v1/realms/acme/identities/{id}/mfa"), json!({"enabled": true})),
        (Method::DELETE, format!("/admin/v1/realms/acme/identities/{id}"), json!(null)),
        (Method::POST, format!("/admin/v1/realms/acme/identities/{id}/logout-all"), json!(null)),
    ];
    for (m, u, b) in writes {
        let body = (!b.is_null()).then_some(b);
        let r = app.call(m.clone(), &u, Some(&app.read), body).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")), "{m} {u}");
    }
    assert_eq!(app.db.snapshot().await, before);
    let r = app.call(Method::GET, &format!("/admin/v1/realms/acme/identities/{id}"), Some(&app.read), None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn revoked_key_is_refused() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.write.strip_prefix("rgk_").unwrap().split_once('_').unwrap().0.to_owned();
    app.db.store.revoke_api_key(&id, START_MS).await.unwrap();
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(&app.write), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bearer_tokens_need_the_scope_and_act_only_on_their_realm() {
    let app = app_with_tokens("x").await;
    let r = app.call(Method::POST, "/admin/v1/realms/acme/identities", Some("tok-acme-write"), Some(json!({"email": "a@example.com", "language": "en"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some("tok-acme-read"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.call(Method::POST, "/admin/v1/realms/acme/identities", Some("tok-acme-read"), Some(json!({"email": "b@example.com", "language": "en"}))).await;
    assert_eq!(r.body["code"], "insufficient_scope");
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some("tok-acme-noscope"), None).await;
    assert_eq!(r.body["code"], "insufficient_scope");
    let r = app.call(Method::GET, "/admin/v1/realms/other/identities", Some("tok-acme-write"), None).await;
    assert_eq!(r.body["code"], "realm_forbidden");
    let r = app.call(Method::GET, "/admin/v1/realms/acme/identities", Some("tok-unknown"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn verify_token_maps_subject_to_identity_and_profile() {
    // The subject must be the identity's id: create first, then build the token table.
    let db = TestDb::sqlite().await.with_realms(&["acme", "other"]).await;
    let new = realmgate_server::domain::NewIdentity {
        realm: realm("acme"),
        email: realmgate_server::domain::Email::parse("email", "u@example.com").unwrap(),
        language: realmgate_server::domain::Language::parse("en").unwrap(),
        first_name: None,
        last_name: None,
        profile_id: Some(realmgate_server::domain::ProfileId::parse("prof-7").unwrap()),
        mfa_required: false,
    };
    let created = db.store.create_identity(&new, START_MS).await.unwrap();
    let sub = created.id.as_str().to_owned();
    let mut t = HashMap::new();
    t.insert("tok-user".to_owned(), token("acme", &sub, &["openid"]));
    t.insert("tok-other-user".to_owned(), token("other", &sub, &["openid"]));
    t.insert("tok-ghost".to_owned(), token("acme", "00000000-0000-0000-0000-000000000000", &["openid"]));
    let app = TestApp::with_tokens(db, StaticTokens(t)).await;
    let u = "/admin/v1/realms/acme/tokens/verify";
    let r = app.call(Method::POST, u, Some(&app.read), Some(json!({"token": "tok-user"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"profile_id": "prof-7", "identity_id": sub, "realm": "acme"}));
    for bad in ["tok-other-user", "tok-ghost", "garbage"] {
        let r = app.call(Method::POST, u, Some(&app.read), Some(json!({"token": bad}))).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{bad}");
    }
}
