//! Operations and contract: health, readiness, metrics, OpenAPI document,
//! events feed, SSO domains, fallbacks.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, TestDb};
use serde_json::json;

#[tokio::test]
async fn healthz_readyz_metrics() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("ready")));
    app.create("a@example.com", None).await;
    let resp = app.call_raw(Method::GET, "/metrics", None, None, None).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp.content_type.starts_with("text/plain"));
    app.db.store.close().await;
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "a closed database is not ready");
}

#[tokio::test]
async fn openapi_document_covers_every_route_and_matches_the_committed_copy() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let r = app.call(Method::GET, "/admin/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let paths = r.body["paths"].as_object().unwrap();
    let expected = [
        ("/admin/v1/realms/{realm}/identities", vec!["post", "get"]),
        ("/admin/v1/realms/{realm}/identities/by-email", vec!["get"]),
        ("/admin/v1/realms/{realm}/identities/by-profile/{profile_id}", vec!["get"]),
        ("/admin/v1/realms/{realm}/identities/{id}", vec!["get", "delete"]),
        ("/admin/v1/realms/{realm}/identities/{id}/names", vec!["patch"]),
        ("/admin/v1/realms/{realm}/identities/{id}/language", vec!["put"]),
        ("/admin/v1/realms/{realm}/identities/{id}/mfa", vec!["patch"]),
        ("/admin/v1/realms/{realm}/identities/{id}/email", vec!["put"]),
        ("/admin/v1/realms/{realm}/identities/{id}/email/verify", vec!["post"]),
        ("/admin/v1/realms/{realm}/identities/{id}/email/clear", vec!["post"]),
        ("/admin/v1/realms/{realm}/identities/{id}/credentials", vec!["put", "delete", "get"]),
        ("/admin/v1/realms/{realm}/identities/{id}/profile", vec!["put", "delete"]),
        ("/admin/v1/realms/{realm}/identities/{id}/logout-all", vec!["post"]),
        ("/admin/v1/realms/{realm}/credentials/check", vec!["post"]),
        ("/admin/v1/realms/{realm}/tokens/verify", vec!["post"]),
        ("/admin/v1/realms/{realm}/sso-domains/check", vec!["post"]),
        ("/admin/v1/realms/{realm}/sso-domains/{domain}", vec!["put", "delete"]),
        ("/admin/v1/events", vec!["get"]),
        ("/healthz", vec!["get"]),
        ("/readyz", vec!["get"]),
        ("/metrics", vec!["get"]),
    ];
    for (path, methods) in &expected {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} undocumented"));
        for m in methods {
            assert!(item.get(*m).is_some(), "{m} {path} undocumented");
        }
    }
    assert_eq!(paths.len(), expected.len(), "documented paths that are not routes: {:?}", paths.keys());
    assert!(r.body["components"]["schemas"]["Problem"].is_object());

    // The committed copy (for client generators) is the generated document.
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let generated = serde_json::to_string_pretty(&r.body).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(committed == generated, "native-server/openapi.json is stale: rerun with UPDATE_OPENAPI=1");
}

#[tokio::test]
async fn events_feed_resumes_after_cursor_and_hides_other_realms() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    app.create("a@example.com", None).await;
    app.create("b@example.com", None).await;
    app.call(Method::POST, "/admin/v1/realms/other/identities", Some(&app.other), Some(json!({"email": "c@example.com", "language": "en"}))).await;
    let r = app.call(Method::GET, "/admin/v1/events?limit=1", Some(&app.read), None).await;
    assert_eq!(r.body["events"].as_array().unwrap().len(), 1);
    let cursor = r.body["next_cursor"].as_i64().unwrap();
    let r = app.call(Method::GET, &format!("/admin/v1/events?after={cursor}"), Some(&app.read), None).await;
    let rest = r.body["events"].as_array().unwrap();
    assert_eq!(rest.len(), 1, "the other realm's event is not visible: {}", r.body);
    assert_eq!(rest[0]["kind"], "IdentityCreated");
    assert_eq!(rest[0]["data"]["email"], "b@example.com");
    let r = app.call(Method::GET, "/admin/v1/events", Some(&app.operator), None).await;
    assert_eq!(r.body["events"].as_array().unwrap().len(), 3);
    let r = app.call(Method::GET, "/admin/v1/events?after=-1", Some(&app.read), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.call(Method::GET, "/admin/v1/events", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sso_check_answers_the_same_shape_whether_or_not_configured() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let base = "/admin/v1/realms/acme/sso-domains";
    let r = app.call(Method::PUT, &format!("{base}/Corp.Example"), Some(&app.write), Some(json!({"idp_hint": "corp-saml"}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let on = app.call(Method::POST, &format!("{base}/check"), Some(&app.read), Some(json!({"email": "x@corp.example"}))).await;
    assert_eq!(on.body, json!({"domain": "corp.example", "sso": true, "idp_hint": "corp-saml"}));
    let off = app.call(Method::POST, &format!("{base}/check"), Some(&app.read), Some(json!({"email": "x@else.example"}))).await;
    assert_eq!(off.body, json!({"domain": "else.example", "sso": false, "idp_hint": null}));
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&on.body), keys(&off.body));
    // The other realm cannot take or see the domain.
    let r = app.call(Method::PUT, "/admin/v1/realms/other/sso-domains/corp.example", Some(&app.other), Some(json!({"idp_hint": "x"}))).await;
    assert_eq!(r.body["code"], "domain_taken");
    let r = app.call(Method::POST, "/admin/v1/realms/other/sso-domains/check", Some(&app.other), Some(json!({"email": "x@corp.example"}))).await;
    assert_eq!(r.body["sso"], false);
    let r = app.call(Method::PUT, &format!("{base}/corp.example"), Some(&app.write), Some(json!({"idp_hint": "corp-saml", "enabled": false}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.call(Method::POST, &format!("{base}/check"), Some(&app.read), Some(json!({"email": "x@corp.example"}))).await;
    assert_eq!(r.body["sso"], false, "disabled");
    assert_eq!(app.call(Method::DELETE, &format!("{base}/corp.example"), Some(&app.write), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.call(Method::DELETE, &format!("{base}/corp.example"), Some(&app.write), None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_with_request_ids() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let r = app.call(Method::GET, "/nope", None, None).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
    let r = app.call(Method::PATCH, "/healthz", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let req = axum::http::Request::get("/healthz").body(axum::body::Body::empty()).unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert!(resp.headers().get("x-request-id").is_some());
}
