//! Logs carry no password, API key or token: everything the server logs
//! while handling secrets is captured and searched.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use common::{TestApp, TestDb};
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn passwords_keys_and_tokens_never_reach_the_logs() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt().json().with_max_level(tracing::Level::TRACE).with_writer(move || sink.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::new(TestDb::sqlite().await).await;
    let id = app.create("ada@example.com", None).await;
    let password = "Pa55word-that-must-not-leak";
    app.call(Method::PUT, &format!("/admin/v1/realms/acme/identities/{id}/credentials"), Some(&app.write), Some(json!({"email": "ada@example.com", "password": password}))).await;
    app.call(Method::POST, "/admin/v1/realms/acme/credentials/check", Some(&app.write), Some(json!({"email": "ada@example.com", "password": password}))).await;
    app.call(Method::POST, "/admin/v1/realms/acme/credentials/check", Some(&app.write), Some(json!({"email": "ada@example.com", "password": format!("{password}-wrong")}))).await;
    let bad_key = format!("{}tampered", &app.read[..app.read.len() - 8]);
    app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(&bad_key), None).await;
    let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXRva2VuLXNpZ25hdHVyZQ";
    app.call(Method::GET, "/admin/v1/realms/acme/identities", Some(token), None).await;
    app.call(Method::POST, "/admin/v1/realms/acme/tokens/verify", Some(&app.read), Some(json!({"token": token}))).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("password check failed"), "the capture works: {logs}");
    for secret in [password, &app.write, &app.read, &bad_key, token, "c2VjcmV0LXRva2VuLXNpZ25hdHVyZQ"] {
        assert!(!logs.contains(secret), "secret {secret} in logs");
    }
    let key_secret = app.write.rsplit('_').next().unwrap();
    assert!(!logs.contains(key_secret));
    assert!(!logs.contains("$argon2id$"), "no hash in logs");
}

#[tokio::test]
async fn the_issuer_logs_no_password_code_token_cookie_or_client_secret() {
    use common::issuer::{Issued, CALLBACK, EMAIL, PASSWORD, VERIFIER};
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt().json().with_max_level(tracing::Level::TRACE).with_writer(move || sink.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = Issued::new(realmgate_core::jose::Algorithm::EdDsa).await;
    app.login(EMAIL, "wrong-password-that-must-not-leak").await;
    let login = app.login(EMAIL, PASSWORD).await;
    let code = login.param("code").unwrap();
    let cookie = login.cookie("RG_SESSION").unwrap();
    let t = app.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)]).await.json();
    app.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)]).await;
    let refresh = t["refresh_token"].as_str().unwrap();
    app.form("/realms/acme/protocol/openid-connect/token", &[("grant_type", "refresh_token"), ("refresh_token", refresh)], Some(("edge", "wrong-client-secret")), None).await;
    app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    let svc = app.service_token("realmgate:admin.read").await.json();
    app.bearer(Method::GET, "/admin/v1/realms/acme/identities", svc["access_token"].as_str().unwrap(), None).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("password check failed") && logs.contains("login"), "the capture works");
    let cookie_value = cookie.split_once('=').unwrap().1;
    let secrets = [
        "wrong-password-that-must-not-leak", PASSWORD, &code, VERIFIER, cookie_value, refresh, "edge-secret", "wrong-client-secret", "svc-secret",
        t["access_token"].as_str().unwrap(), t["id_token"].as_str().unwrap(), svc["access_token"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}
