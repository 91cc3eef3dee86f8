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
