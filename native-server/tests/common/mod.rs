//! Test fixtures: a store on SQLite (temp file) or PostgreSQL (own schema
//! per test, from REALMGATE_TEST_DATABASE_URL), and an in-process app.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use realmgate_core::RealmName;
use realmgate_server::auth::token::StaticTokens;
use realmgate_server::clock::{Clock, ManualClock};
use realmgate_server::crypto::api_key::NewApiKey;
use realmgate_server::domain::events::Event;
use realmgate_server::domain::identity::ListQuery;
use realmgate_server::domain::Identity;
use realmgate_server::store::sql::{ConnectOptions, SqlStore};
use realmgate_server::store::{ApiKeyRecord, RealmFilter, Store};
use realmgate_server::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub const PG_ENV: &str = "REALMGATE_TEST_DATABASE_URL";
pub const START_MS: i64 = 1_800_000_000_000;

pub struct TestDb {
    pub store: Arc<SqlStore>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let store = SqlStore::connect(&ConnectOptions::new(url)).await.expect("connect sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb { store: Arc::new(store), _dir: Some(dir) }
    }

    /// PostgreSQL in a fresh schema. Fails (never skips) without the URL.
    pub async fn postgres() -> TestDb {
        let url = std::env::var(PG_ENV).unwrap_or_else(|_| {
            panic!(
                "{PG_ENV} is not set: the PostgreSQL tests need a real server \
                 (scripts/test.sh starts one and sets it, e.g. postgres://realmgate:realmgate@127.0.0.1:54329/realmgate_test)"
            )
        });
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        {
            let admin = SqlStore::connect(&ConnectOptions { max_connections: 1, ..ConnectOptions::new(url.clone()) })
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {PG_ENV}: {e}"));
            admin.execute_raw(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            admin.close().await;
        }
        let opts = ConnectOptions { url, pg_schema: Some(schema), max_connections: 5 };
        let store = SqlStore::connect(&opts).await.expect("connect postgres");
        store.migrate().await.expect("migrate postgres");
        TestDb { store: Arc::new(store), _dir: None }
    }

    pub async fn with_realms(self, realms: &[&str]) -> TestDb {
        for r in realms {
            self.store.ensure_realm(&realm(r), START_MS).await.expect("realm");
        }
        self
    }

    /// Everything observable: identities of the test realms and all events.
    pub async fn snapshot(&self) -> (Vec<Identity>, Vec<Event>) {
        let mut identities = Vec::new();
        for r in ["acme", "other"] {
            if self.store.realm_exists(r).await.unwrap() {
                let q = ListQuery { after: None, email_prefix: None, limit: 10_000 };
                identities.extend(self.store.list_identities(&realm(r), &q).await.unwrap());
            }
        }
        let events = self.store.events_after(0, 100_000, &RealmFilter::All).await.unwrap();
        (identities, events)
    }

    pub async fn events(&self) -> Vec<Event> {
        self.store.events_after(0, 100_000, &RealmFilter::All).await.unwrap()
    }
}

pub fn realm(name: &str) -> RealmName {
    RealmName::parse(name).unwrap()
}

/// Runs a test body against both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(super::common::TestDb::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(super::common::TestDb::postgres().await).await
                }
            )*
        }
    };
}

/// An in-process app with keys: `write` (acme), `read` (acme), `other`
/// (write on realm "other"), `operator` (write on every realm).
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    pub clock: ManualClock,
    pub write: String,
    pub read: String,
    pub other: String,
    pub operator: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        Self::with_tokens(db, StaticTokens::default()).await
    }

    pub async fn with_tokens(db: TestDb, tokens: StaticTokens) -> TestApp {
        let db = db.with_realms(&["acme", "other"]).await;
        let clock = ManualClock::new(START_MS);
        let write = key(&db, &["acme"], &["write"]).await;
        let read = key(&db, &["acme"], &["read"]).await;
        let other = key(&db, &["other"], &["write"]).await;
        let operator = key(&db, &["*"], &["write"]).await;
        let state = AppState::new(db.store.clone()).with_clock(Arc::new(clock.clone())).with_tokens(Arc::new(tokens));
        TestApp { router: realmgate_server::app(state), db, clock, write, read, other, operator }
    }

    pub async fn call(&self, method: Method, uri: &str, key: Option<&str>, body: Option<Value>) -> Reply {
        let raw = body.map(|b| b.to_string());
        self.call_raw(method, uri, key, raw.as_deref(), Some("application/json")).await
    }

    pub async fn call_raw(&self, method: Method, uri: &str, key: Option<&str>, body: Option<&str>, content_type: Option<&str>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if body.is_some() {
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
        }
        let req = req.body(body.map(|b| Body::from(b.to_owned())).unwrap_or_else(Body::empty)).unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body, content_type }
    }

    /// Creates an identity in acme and returns its id.
    pub async fn create(&self, email: &str, profile: Option<&str>) -> String {
        let mut body = serde_json::json!({ "email": email, "language": "en" });
        if let Some(p) = profile {
            body["profile_id"] = p.into();
        }
        let r = self.call(Method::POST, "/admin/v1/realms/acme/identities", Some(&self.write), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

pub async fn key(db: &TestDb, realms: &[&str], scopes: &[&str]) -> String {
    let k = NewApiKey::generate();
    let record = ApiKeyRecord {
        id: k.id.clone(),
        name: "test".into(),
        secret_hash: k.secret_hash.clone(),
        realms: realms.iter().map(|s| s.to_string()).collect(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        created_at: START_MS,
        revoked_at: None,
    };
    db.store.insert_api_key(&record).await.unwrap();
    k.reveal().to_owned()
}
