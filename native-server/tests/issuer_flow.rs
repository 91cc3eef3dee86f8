//! The issuer's rules in-process (tower `oneshot`, injected clock): the
//! login form, codes, refresh rotation, logout-all, MFA, lockout, error
//! pages versus redirects, the clients admin API, token exchange.

mod common;

use axum::http::{Method, StatusCode};
use common::issuer::{Issued, CALLBACK, EMAIL, PASSWORD, VERIFIER};
use realmgate_core::jose::Algorithm;
use serde_json::json;

async fn app() -> Issued {
    Issued::new(Algorithm::EdDsa).await
}

fn code_pairs(code: &str) -> Vec<(&str, &str)> {
    vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)]
}

#[tokio::test]
async fn a_login_redirects_with_code_state_and_iss_and_sets_an_httponly_session_cookie() {
    let app = app().await;
    let r = app.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r.location().as_str().starts_with(CALLBACK));
    assert_eq!(r.param("state").as_deref(), Some("st"));
    assert_eq!(r.param("iss").as_deref(), Some(common::issuer::ISSUER));
    let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("RG_SESSION=")).unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/realms/acme/"));
    // The session cookie skips the form.
    let again = app.get(&app.auth_url(""), Some(&r.cookie("RG_SESSION").unwrap())).await;
    assert_eq!(again.status, StatusCode::FOUND);
    assert!(again.param("code").is_some());
    // prompt=login shows the form even so.
    let forced = app.get(&app.auth_url("&prompt=login"), Some(&r.cookie("RG_SESSION").unwrap())).await;
    assert_eq!(forced.status, StatusCode::OK);
}

#[tokio::test]
async fn the_form_needs_its_csrf_cookie() {
    let app = app().await;
    let page = app.get(&app.auth_url(""), None).await;
    let csrf = page.cookie("RG_CSRF").unwrap();
    let token = csrf.split_once('=').unwrap().1.to_owned();
    let base = [("client_id", "edge"), ("redirect_uri", CALLBACK), ("response_type", "code"), ("code_challenge", common::issuer::CHALLENGE), ("code_challenge_method", "S256"), ("email", EMAIL), ("password", PASSWORD)];
    let mut with_field = base.to_vec();
    with_field.push(("csrf", &token));
    let url = "/realms/acme/protocol/openid-connect/auth";
    let no_cookie = app.form(url, &with_field, None, None).await;
    assert_eq!(no_cookie.status, StatusCode::BAD_REQUEST);
    let no_field = app.form(url, &base, None, Some(&csrf)).await;
    assert_eq!(no_field.status, StatusCode::BAD_REQUEST);
    let ok = app.form(url, &with_field, None, Some(&csrf)).await;
    assert_eq!(ok.status, StatusCode::FOUND);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_read_the_same_and_repeated_failures_lock_out() {
    let app = app().await;
    let wrong = app.login(EMAIL, "wrong password").await;
    let unknown = app.login("nobody@example.com", PASSWORD).await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    let message = |t: &str| t.split("class=\"error\" role=\"alert\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(message(&wrong.text), message(&unknown.text));
    assert!(!wrong.text.contains("wrong password"), "the password is never echoed");
    for _ in 0..4 {
        app.login(EMAIL, "wrong password").await;
    }
    let locked = app.login(EMAIL, PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "locked even with the right password");
    app.clock.advance_ms(15 * 60 * 1000 + 1);
    assert_eq!(app.login(EMAIL, PASSWORD).await.status, StatusCode::FOUND);
}

#[tokio::test]
async fn an_identity_that_requires_mfa_without_mfa_is_refused_with_a_page() {
    let app = app().await;
    let r = app.admin(Method::PATCH, &format!("/admin/v1/realms/acme/identities/{}/mfa", app.identity_id), json!({"required": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("Two-factor authentication required"));
    assert!(r.headers.get("location").is_none() && r.cookie("RG_SESSION").is_none());
}

#[tokio::test]
async fn codes_are_single_use_live_60_seconds_and_a_reuse_revokes_what_they_issued() {
    let app = app().await;
    let code = app.login(EMAIL, PASSWORD).await.param("code").unwrap();
    let first = app.token(&code_pairs(&code)).await;
    assert_eq!(first.status, StatusCode::OK);
    let refresh = first.json()["refresh_token"].as_str().unwrap().to_owned();
    let again = app.token(&code_pairs(&code)).await;
    assert_eq!((again.status, again.json()["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let r = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(r.json()["error"], "invalid_grant", "the reused code's session is gone");

    let code = app.login(EMAIL, PASSWORD).await.param("code").unwrap();
    app.clock.advance_ms(60_000);
    let late = app.token(&code_pairs(&code)).await;
    assert_eq!(late.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn the_code_is_bound_to_redirect_uri_verifier_and_client() {
    let app = app().await;
    let cases: [(&str, &str); 2] = [("redirect_uri", "https://app.example/cb2"), ("code_verifier", &"x".repeat(43))];
    for (name, value) in cases {
        let code = app.login(EMAIL, PASSWORD).await.param("code").unwrap();
        let mut pairs = code_pairs(&code);
        pairs.retain(|(k, _)| *k != name);
        pairs.push((name, value));
        assert_eq!(app.token(&pairs).await.json()["error"], "invalid_grant", "{name}");
    }
    let code = app.login(EMAIL, PASSWORD).await.param("code").unwrap();
    let r = app.form("/realms/acme/protocol/openid-connect/token", &code_pairs(&code), Some(("svc", "svc-secret")), None).await;
    assert!(matches!(r.json()["error"].as_str(), Some("unauthorized_client" | "invalid_grant")));
    let r = app.form("/realms/acme/protocol/openid-connect/token", &code_pairs(&code), Some(("edge", "bad-secret")), None).await;
    assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    assert!(r.headers.get("www-authenticate").is_some());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reuse_ends_the_session() {
    let app = app().await;
    let t = app.tokens().await;
    let r1 = t["refresh_token"].as_str().unwrap().to_owned();
    let n = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &r1)]).await;
    assert_eq!(n.status, StatusCode::OK, "{}", n.text);
    let r2 = n.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(app.token(&[("grant_type", "refresh_token"), ("refresh_token", &r1)]).await.json()["error"], "invalid_grant");
    assert_eq!(app.token(&[("grant_type", "refresh_token"), ("refresh_token", &r2)]).await.json()["error"], "invalid_grant");
    let events = app.db.events().await;
    assert!(events.iter().any(|e| e.kind == "SessionsRevoked" && e.data["reason"] == "refresh_token_reuse"));
}

#[tokio::test]
async fn logout_all_ends_every_session_and_refresh_token_and_userinfo_stops() {
    let app = app().await;
    let t = app.tokens().await;
    let access = t["access_token"].as_str().unwrap();
    let info = app.bearer(Method::GET, "/realms/acme/protocol/openid-connect/userinfo", access, None).await;
    assert_eq!((info.status, info.json()["email"].as_str()), (StatusCode::OK, Some(EMAIL)));
    let r = app.admin(Method::POST, &format!("/admin/v1/realms/acme/identities/{}/logout-all", app.identity_id), json!({})).await;
    assert_eq!(r.json()["sessions_revoked"], 1);
    let refresh = t["refresh_token"].as_str().unwrap();
    assert_eq!(app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await.json()["error"], "invalid_grant");
    let info = app.bearer(Method::GET, "/realms/acme/protocol/openid-connect/userinfo", access, None).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED);
    assert_eq!(info.headers["www-authenticate"], "Bearer error=\"invalid_token\"");
}

#[tokio::test]
async fn bad_authorization_requests_are_pages_before_the_redirect_is_trusted_and_redirects_after() {
    let app = app().await;
    let page = app.get(&app.auth_url("").replace("client_id=edge", "client_id=nobody"), None).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers.get("location").is_none());
    let page = app.get(&app.auth_url("").replace("app.example%2Fcb", "evil.example%2Fcb"), None).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = app.get(&app.auth_url("").replace("/realms/acme/", "/realms/nope/"), None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let plain = app.get(&app.auth_url("").replace("code_challenge_method=S256", "code_challenge_method=plain"), None).await;
    assert_eq!((plain.status, plain.param("error").as_deref()), (StatusCode::FOUND, Some("invalid_request")));
    let none = app.get(&app.auth_url("&prompt=none"), None).await;
    assert_eq!(none.param("error").as_deref(), Some("login_required"));
    let rt = app.get(&app.auth_url("").replace("response_type=code", "response_type=token"), None).await;
    assert_eq!(rt.param("error").as_deref(), Some("unsupported_response_type"));
    let dup = app.get(&format!("{}&state=again", app.auth_url("")), None).await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST, "repeated parameters are refused");
}

#[tokio::test]
async fn the_token_endpoint_answers_rfc6749_errors_to_garbage() {
    let app = app().await;
    let url = "/realms/acme/protocol/openid-connect/token";
    let r = app.form(url, &[("grant_type", "password"), ("username", "x")], Some(("edge", "edge-secret")), None).await;
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    let r = app.form(url, &[("grant_type", "authorization_code")], Some(("edge", "edge-secret")), None).await;
    assert_eq!(r.json()["error"], "invalid_request");
    let r = app.bearer(Method::POST, url, "x", Some(json!({"grant_type": "client_credentials"}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = app.form("/realms/nope/protocol/openid-connect/token", &[("grant_type", "client_credentials")], Some(("svc", "svc-secret")), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clients_are_managed_through_the_admin_api_without_revealing_secrets() {
    let app = app().await;
    let url = "/admin/v1/realms/acme/clients/portal";
    let body = json!({"secret": "portal-secret-0123456789", "redirect_uris": ["https://portal.example/cb"], "audiences": ["api"]});
    let r = app.admin(Method::PUT, url, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.admin(Method::GET, url, json!(null)).await;
    assert_eq!(r.json()["confidential"], true);
    assert_eq!(r.json()["redirect_uris"], json!(["https://portal.example/cb"]));
    assert!(!r.text.contains("portal-secret") && !r.text.contains("argon2"));
    let bad = app.admin(Method::PUT, url, json!({"redirect_uris": ["http://portal.example/cb"]})).await;
    assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("redirect_uris")));
    let read = common::key(&app.db, &["acme"], &["read"]).await;
    let r = app.bearer(Method::DELETE, url, &read, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.admin(Method::DELETE, url, json!(null)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.admin(Method::GET, url, json!(null)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn token_exchange_is_for_allowed_clients_only_by_email_or_id() {
    let app = app().await;
    let url = "/realms/acme/protocol/openid-connect/token";
    let te = "urn:ietf:params:oauth:grant-type:token-exchange";
    let r = app.form(url, &[("grant_type", te), ("requested_subject", EMAIL)], Some(("edge", "edge-secret")), None).await;
    assert_eq!(r.json()["error"], "unauthorized_client");
    let spec = json!({"secret": "trusted-secret-0123456789", "redirect_uris": [], "grants": ["refresh_token"], "token_exchange_allowed": true});
    assert_eq!(app.admin(Method::PUT, "/admin/v1/realms/acme/clients/trusted", spec).await.status, StatusCode::OK);
    let creds = Some(("trusted", "trusted-secret-0123456789"));
    for subject in [EMAIL, app.identity_id.as_str()] {
        let r = app.form(url, &[("grant_type", te), ("requested_subject", subject)], creds, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
        assert!(r.json()["refresh_token"].is_string());
    }
    let r = app.form(url, &[("grant_type", te), ("requested_subject", "nobody@example.com")], creds, None).await;
    assert_eq!(r.json()["error"], "invalid_request");
    let r = app.form(url, &[("grant_type", te), ("requested_subject", EMAIL), ("subject_token", "not.a.token"), ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")], creds, None).await;
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn logout_with_a_hint_ends_the_session_and_only_registered_targets_are_redirected_to() {
    let app = app().await;
    let login = app.login(EMAIL, PASSWORD).await;
    let cookie = login.cookie("RG_SESSION").unwrap();
    let code = login.param("code").unwrap();
    let t = app.token(&code_pairs(&code)).await.json();
    let hint = t["id_token"].as_str().unwrap();
    let bad = app.get(&format!("/realms/acme/protocol/openid-connect/logout?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"), Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Without a hint: a confirmation page, nothing ended yet.
    let confirm = app.get("/realms/acme/protocol/openid-connect/logout", Some(&cookie)).await;
    assert!(confirm.status == StatusCode::OK && confirm.text.contains("Log out?"));
    let ok = app.get(&format!("/realms/acme/protocol/openid-connect/logout?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s1"), Some(&cookie)).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.headers["location"], "https://app.example/bye?state=s1");
    assert!(ok.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("RG_SESSION=;")));
    let refresh = t["refresh_token"].as_str().unwrap();
    assert_eq!(app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await.json()["error"], "invalid_grant");
}
