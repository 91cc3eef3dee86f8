//! In-process HTTP tests: identities (create, read, list, delete) and the
//! bad-input table for every endpoint (4xx problem, storage unchanged).

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, TestDb};
use serde_json::json;

const BASE: &str = "/admin/v1/realms/acme";

#[tokio::test]
async fn create_returns_201_with_normalized_email_and_409_on_duplicate() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let body = json!({ "email": " Ada@Example.COM ", "language": "en-GB", "first_name": "Ada", "last_name": "Lovelace", "profile_id": "p1", "mfa_required": true });
    let r = app.call(Method::POST, &format!("{BASE}/identities"), Some(&app.write), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["email"], "ada@example.com");
    assert_eq!(r.body["language"], "en-GB");
    assert_eq!(r.body["profile_id"], "p1");
    assert_eq!(r.body["mfa_required"], true);
    assert_eq!(r.body["email_verified"], false);
    let dup = app.call(Method::POST, &format!("{BASE}/identities"), Some(&app.write), Some(json!({ "email": "ADA@example.com", "language": "fr" }))).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["code"], "email_taken");
    assert_eq!(dup.content_type, "application/problem+json");
}

#[tokio::test]
async fn get_by_id_email_and_profile() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", Some("p1")).await;
    let r = app.call(Method::GET, &format!("{BASE}/identities/{id}"), Some(&app.read), None).await;
    assert_eq!((r.status, r.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
    let r = app.call(Method::GET, &format!("{BASE}/identities/by-email?email=ADA%40Example.com"), Some(&app.read), None).await;
    assert_eq!((r.status, r.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())), "email normalized before lookup");
    let r = app.call(Method::GET, &format!("{BASE}/identities/by-profile/p1"), Some(&app.read), None).await;
    assert_eq!(r.body["id"].as_str(), Some(id.as_str()));
    let r = app.call(Method::GET, &format!("{BASE}/identities/by-profile/nobody"), Some(&app.read), None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("identity_not_found")));
    let r = app.call(Method::GET, &format!("{BASE}/identities/not-a-uuid"), Some(&app.read), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::GET, &format!("{BASE}/identities/by-email?email=nope"), Some(&app.read), None).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")));
}

#[tokio::test]
async fn list_pages_with_cursor_and_prefix() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    for i in 0..5 {
        app.create(&format!("user{i}@example.com"), None).await;
    }
    app.create("zed@example.com", None).await;
    let r = app.call(Method::GET, &format!("{BASE}/identities?limit=4"), Some(&app.read), None).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 4);
    let cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app.call(Method::GET, &format!("{BASE}/identities?limit=4&after={cursor}"), Some(&app.read), None).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    assert!(r.body["next_cursor"].is_null());
    let r = app.call(Method::GET, &format!("{BASE}/identities?email_prefix=USER"), Some(&app.read), None).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 5);
    for bad in ["limit=0", "limit=201", "limit=x", "after=zzz", "bogus=1"] {
        let r = app.call(Method::GET, &format!("{BASE}/identities?{bad}"), Some(&app.read), None).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")), "{bad}");
    }
}

#[tokio::test]
async fn delete_removes_identity_and_emits_event() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", Some("p1")).await;
    let r = app.call(Method::DELETE, &format!("{BASE}/identities/{id}"), Some(&app.write), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.call(Method::GET, &format!("{BASE}/identities/{id}"), Some(&app.read), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::DELETE, &format!("{BASE}/identities/{id}"), Some(&app.write), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.db.events().await.last().unwrap().kind, "IdentityDeleted");
}

/// Every field of every write, refused with a 4xx problem and no change.
#[tokio::test]
async fn bad_input_for_every_field_is_a_4xx_problem_and_changes_nothing() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", Some("p1")).await;
    let i = format!("{BASE}/identities/{id}");
    let long = "x".repeat(101);
    let json = Some("application/json");
    type Case<'a> = (Method, String, String, Option<&'a str>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        // create
        (Method::POST, format!("{BASE}/identities"), json!({"email": "not-an-email", "language": "en"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "a@@example.com", "language": "en"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "xx-QQ"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "not a tag"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "first_name": long}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "last_name": "a\u{7}b"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "profile_id": "p".repeat(201)}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "profile_id": ""}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "mfa_required": "yes"}).to_string(), json, 400, "malformed_json"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com"}).to_string(), json, 400, "malformed_json"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en", "admin": true}).to_string(), json, 400, "malformed_json"),
        (Method::POST, format!("{BASE}/identities"), "{\"email\": ".into(), json, 400, "malformed_json"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en"}).to_string(), Some("text/plain"), 415, "unsupported_media_type"),
        (Method::POST, format!("{BASE}/identities"), json!({"email": "b@example.com", "language": "en"}).to_string(), None, 415, "unsupported_media_type"),
        (Method::POST, "/admin/v1/realms/nowhere/identities".into(), json!({"email": "b@example.com", "language": "en"}).to_string(), json, 403, "realm_forbidden"),
        (Method::POST, format!("{BASE}/identities"), format!("{{\"email\": \"b@example.com\", \"language\": \"en\", \"first_name\": \"{}\"}}", "x".repeat(70_000)), json, 413, "payload_too_large"),
        // names, language, mfa
        (Method::PATCH, format!("{i}/names"), json!({"first_name": long}).to_string(), json, 422, "invalid_field"),
        (Method::PATCH, format!("{i}/names"), json!({"last_name": ""}).to_string(), json, 422, "invalid_field"),
        (Method::PATCH, format!("{i}/names"), json!({"first_name": 5}).to_string(), json, 400, "malformed_json"),
        (Method::PUT, format!("{i}/language"), json!({"language": "klingon-xx"}).to_string(), json, 422, "invalid_field"),
        (Method::PUT, format!("{i}/language"), json!({}).to_string(), json, 400, "malformed_json"),
        (Method::PATCH, format!("{i}/mfa"), json!({"enabled": "true"}).to_string(), json, 400, "malformed_json"),
        // email
        (Method::PUT, format!("{i}/email"), json!({"email": "nope"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{i}/email/clear"), json!({"placeholder": "not an address"}).to_string(), json, 422, "invalid_field"),
        // credentials
        (Method::PUT, format!("{i}/credentials"), json!({"email": "nope", "password": "long enough pw"}).to_string(), json, 422, "invalid_field"),
        (Method::PUT, format!("{i}/credentials"), json!({"email": "ada@example.com", "password": "short"}).to_string(), json, 422, "invalid_field"),
        (Method::PUT, format!("{i}/credentials"), json!({"email": "ada@example.com", "password": "x".repeat(1025)}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/credentials/check"), json!({"email": "nope", "password": "whatever1"}).to_string(), json, 422, "invalid_field"),
        // profile link
        (Method::PUT, format!("{i}/profile"), json!({"profile_id": "p".repeat(201)}).to_string(), json, 422, "invalid_field"),
        (Method::PUT, format!("{i}/profile"), json!({"profile_id": null}).to_string(), json, 400, "malformed_json"),
        // sso domains
        (Method::PUT, format!("{BASE}/sso-domains/not_a_domain"), json!({"idp_hint": "corp"}).to_string(), json, 422, "invalid_field"),
        (Method::PUT, format!("{BASE}/sso-domains/corp.example"), json!({"idp_hint": "bad hint!"}).to_string(), json, 422, "invalid_field"),
        (Method::POST, format!("{BASE}/sso-domains/check"), json!({"email": "x"}).to_string(), json, 422, "invalid_field"),
        // identity that does not exist / unknown realm for an operator-less key
        (Method::PUT, format!("{BASE}/identities/00000000-0000-0000-0000-000000000000/language"), json!({"language": "en"}).to_string(), json, 404, "identity_not_found"),
    ];
    let before = app.db.snapshot().await;
    for (method, uri, body, ct, status, code) in cases {
        let r = app.call_raw(method.clone(), &uri, Some(&app.write), Some(&body), ct).await;
        let what = format!("{method} {uri} {}", &body[..body.len().min(80)]);
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.body);
        assert_eq!(r.body["code"], code, "{what}");
        assert_eq!(r.content_type, "application/problem+json", "{what}");
        assert_eq!(r.body["status"], status, "{what}");
        assert_eq!(app.db.snapshot().await, before, "{what}: storage changed");
    }
    // The operator key reaches the unknown-realm check itself.
    let r = app.call(Method::POST, "/admin/v1/realms/nowhere/identities", Some(&app.operator), Some(json!({"email": "b@example.com", "language": "en"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_realm")));
    let r = app.call(Method::POST, "/admin/v1/realms/bad%20name/identities", Some(&app.operator), Some(json!({"email": "b@example.com", "language": "en"}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.db.snapshot().await, before);
}

#[tokio::test]
async fn problem_details_never_echo_a_password() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let secret = "sup3r-secret-value";
    for body in [
        json!({"email": "ada@example.com", "password": 12345, "x": secret}).to_string(),
        format!("{{\"email\": \"nope\", \"password\": \"{secret}\"}}"),
        format!("{{\"email\": \"ada@example.com\", \"password\": [\"{secret}\"]}}"),
    ] {
        let r = app.call_raw(Method::PUT, &format!("{BASE}/identities/{id}/credentials"), Some(&app.write), Some(&body), Some("application/json")).await;
        assert!(r.status.is_client_error());
        assert!(!r.body.to_string().contains(secret), "{}", r.body);
    }
}
