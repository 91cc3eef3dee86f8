//! In-process HTTP tests: names, language, MFA, the email-change outcomes,
//! verify/clear email, profile links, logout-all.

mod common;

use axum::http::{Method, StatusCode};
use common::{realm, TestApp, TestDb, START_MS};
use realmgate_server::domain::IdentityId;
use realmgate_server::store::Store;
use serde_json::json;

const BASE: &str = "/admin/v1/realms/acme";

#[tokio::test]
async fn names_null_clears_absent_keeps() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let u = format!("{BASE}/identities/{id}/names");
    let r = app.call(Method::PATCH, &u, Some(&app.write), Some(json!({"first_name": "Ada", "last_name": "Lovelace"}))).await;
    assert_eq!((r.body["first_name"].as_str(), r.body["last_name"].as_str()), (Some("Ada"), Some("Lovelace")));
    let r = app.call(Method::PATCH, &u, Some(&app.write), Some(json!({"first_name": null}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["first_name"].is_null());
    assert_eq!(r.body["last_name"], "Lovelace");
}

#[tokio::test]
async fn language_and_mfa_flags() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let r = app.call(Method::PUT, &format!("{BASE}/identities/{id}/language"), Some(&app.write), Some(json!({"language": "de-CH"}))).await;
    assert_eq!(r.body["language"], "de-CH");
    let u = format!("{BASE}/identities/{id}/mfa");
    let r = app.call(Method::PATCH, &u, Some(&app.write), Some(json!({"required": true}))).await;
    assert_eq!((r.body["mfa_required"].as_bool(), r.body["mfa_enabled"].as_bool()), (Some(true), Some(false)));
    let r = app.call(Method::PATCH, &u, Some(&app.write), Some(json!({"enabled": true}))).await;
    assert_eq!((r.body["mfa_required"].as_bool(), r.body["mfa_enabled"].as_bool()), (Some(true), Some(true)));
    let r = app.call(Method::PATCH, &u, Some(&app.write), Some(json!({}))).await;
    assert_eq!((r.body["mfa_required"].as_bool(), r.body["mfa_enabled"].as_bool()), (Some(true), Some(true)));
}

#[tokio::test]
async fn email_change_approved_merged_denied() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let a = app.create("a@example.com", Some("p1")).await;
    let unlinked = app.create("unlinked@example.com", None).await;
    app.create("linked@example.com", Some("p2")).await;
    let u = format!("{BASE}/identities/{a}/email");

    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"email": "Fresh@Example.com"}))).await;
    assert_eq!((r.status, r.body["outcome"].as_str()), (StatusCode::OK, Some("approved")));
    assert_eq!(r.body["identity"]["email"], "fresh@example.com");
    assert_eq!(r.body["identity"]["email_verified"], false);

    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"email": "unlinked@example.com"}))).await;
    assert_eq!(r.body["outcome"], "merged");
    assert_eq!(r.body["merged_identity_id"], unlinked.as_str());
    let gone = app.call(Method::GET, &format!("{BASE}/identities/{unlinked}"), Some(&app.read), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let before = app.db.snapshot().await;
    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"email": "linked@example.com"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::CONFLICT, Some("email_change_denied")));
    assert_eq!(app.db.snapshot().await, before);
}

#[tokio::test]
async fn verify_and_clear_email() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let r = app.call(Method::POST, &format!("{BASE}/identities/{id}/email/verify"), Some(&app.write), None).await;
    assert_eq!(r.body["email_verified"], true);
    let r = app.call(Method::POST, &format!("{BASE}/identities/{id}/email/clear"), Some(&app.write), Some(json!({"placeholder": format!("deleted-{id}@invalid.example")}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["email"], format!("deleted-{id}@invalid.example"));
    assert_eq!(r.body["email_verified"], false);
    let kinds: Vec<_> = app.db.events().await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["IdentityCreated", "EmailVerified", "EmailCleared"]);
}

#[tokio::test]
async fn link_relink_unlink_profile() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let a = app.create("a@example.com", None).await;
    app.create("b@example.com", Some("taken")).await;
    let u = format!("{BASE}/identities/{a}/profile");
    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"profile_id": "p1"}))).await;
    assert_eq!(r.body["profile_id"], "p1");
    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"profile_id": "p9"}))).await;
    assert_eq!(r.body["profile_id"], "p9");
    let r = app.call(Method::PUT, &u, Some(&app.write), Some(json!({"profile_id": "taken"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::CONFLICT, Some("profile_taken")));
    let r = app.call(Method::DELETE, &u, Some(&app.write), None).await;
    assert!(r.body["profile_id"].is_null());
}

#[tokio::test]
async fn logout_all_revokes_issuer_sessions() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let iid = IdentityId::parse(&id).unwrap();
    let acme = realm("acme");
    app.db.store.create_session(&acme, &iid, START_MS + 3_600_000, START_MS).await.unwrap();
    app.db.store.create_session(&acme, &iid, START_MS + 3_600_000, START_MS).await.unwrap();
    let r = app.call(Method::POST, &format!("{BASE}/identities/{id}/logout-all"), Some(&app.write), None).await;
    assert_eq!((r.status, r.body["sessions_revoked"].as_u64()), (StatusCode::OK, Some(2)));
    assert_eq!(app.db.store.active_sessions(&acme, &iid, START_MS).await.unwrap(), 0);
    assert_eq!(app.db.events().await.last().unwrap().kind, "SessionsRevoked");
}

#[tokio::test]
async fn a_failure_midway_through_a_request_leaves_no_partial_write() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let a = app.create("a@example.com", Some("p1")).await;
    app.create("b@example.com", None).await;
    let before = app.db.snapshot().await;
    app.db.store.fail_at("merge.after_delete");
    let r = app.call(Method::PUT, &format!("{BASE}/identities/{a}/email"), Some(&app.write), Some(json!({"email": "b@example.com"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")));
    assert_eq!(app.db.snapshot().await, before);
}
