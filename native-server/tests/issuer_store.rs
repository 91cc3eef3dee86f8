//! The issuer's storage rules (`IssuerStore`) on SQLite and PostgreSQL:
//! codes spent once, refresh tokens rotated once, sessions ended with their
//! refresh tokens (also by logout-all), keys rotated with the old one
//! published until `retire_after`, clients upserted.

mod common;

use common::{realm, TestDb, START_MS};
use realmgate_core::jose::Algorithm;
use realmgate_server::domain::{Email, Language, NewIdentity};
use realmgate_server::issuer::clients::{Client, ClientConfig};
use realmgate_server::issuer::keys;
use realmgate_server::store::issuer::{CodeRecord, CodeUse, IssuerStore, NewSession, RefreshRecord, SessionRecord};
use realmgate_server::store::{RealmFilter, Store};

async fn session(db: &TestDb, cookie: Option<&str>) -> SessionRecord {
    let db_realm = realm("acme");
    let new = NewIdentity {
        realm: db_realm.clone(),
        email: Email::parse("email", &format!("{}@example.com", uuid::Uuid::new_v4().simple())).unwrap(),
        language: Language::parse("en").unwrap(),
        first_name: None,
        last_name: None,
        profile_id: None,
        mfa_required: false,
    };
    let identity = db.store.create_identity(&new, START_MS).await.unwrap();
    let s = NewSession { realm: db_realm, identity_id: identity.id, cookie_hash: cookie.map(str::to_owned), expires_at: START_MS + 60_000 };
    db.store.open_session(&s, START_MS).await.unwrap()
}

fn refresh(hash: &str, s: &SessionRecord) -> RefreshRecord {
    RefreshRecord {
        token_hash: hash.into(),
        session_id: s.id.clone(),
        realm: "acme".into(),
        client_id: "edge".into(),
        scope: "openid".into(),
        created_at: START_MS,
        expires_at: START_MS + 60_000,
        rotated_at: None,
        revoked_at: None,
    }
}

async fn codes_are_spent_once_and_a_reuse_is_reported(db: TestDb) {
    let db = db.with_realms(&["acme"]).await;
    let s = session(&db, Some("cookie-hash")).await;
    let code = CodeRecord {
        code_hash: "h1".into(),
        realm: "acme".into(),
        client_id: "edge".into(),
        session_id: s.id.clone(),
        redirect_uri: "https://a.example/cb".into(),
        code_challenge: "c".repeat(43),
        scope: "openid".into(),
        nonce: Some("n".into()),
        created_at: START_MS,
        expires_at: START_MS + 60_000,
    };
    db.store.insert_code(&code).await.unwrap();
    let acme = realm("acme");
    assert_eq!(db.store.use_code(&acme, "h1", START_MS).await.unwrap(), CodeUse::Fresh(code.clone()));
    assert_eq!(db.store.use_code(&acme, "h1", START_MS).await.unwrap(), CodeUse::Reused(code));
    assert_eq!(db.store.use_code(&acme, "nope", START_MS).await.unwrap(), CodeUse::Unknown);
    assert_eq!(db.store.use_code(&realm("other"), "h1", START_MS).await.unwrap(), CodeUse::Unknown, "codes are per realm");
    let found = db.store.session_by_cookie(&acme, "cookie-hash").await.unwrap().unwrap();
    assert_eq!(found.id, s.id);
}

async fn refresh_tokens_rotate_once_and_die_with_their_session(db: TestDb) {
    let db = db.with_realms(&["acme"]).await;
    let acme = realm("acme");
    let s = session(&db, None).await;
    db.store.insert_refresh(&refresh("r1", &s)).await.unwrap();
    assert!(db.store.rotate_refresh("r1", &refresh("r2", &s), START_MS + 1).await.unwrap());
    assert!(!db.store.rotate_refresh("r1", &refresh("r3", &s), START_MS + 2).await.unwrap(), "a rotated token rotates no more");
    assert_eq!(db.store.get_refresh(&acme, "r1").await.unwrap().unwrap().rotated_at, Some(START_MS + 1));
    assert!(db.store.get_refresh(&acme, "r3").await.unwrap().is_none());
    assert!(db.store.end_session(&acme, &s.id, "test", START_MS + 3).await.unwrap());
    assert!(!db.store.end_session(&acme, &s.id, "test", START_MS + 4).await.unwrap(), "already ended");
    assert!(db.store.get_refresh(&acme, "r2").await.unwrap().unwrap().revoked_at.is_some());
    assert!(!db.store.get_session(&acme, &s.id).await.unwrap().unwrap().is_live(START_MS + 5));
    let events = db.store.events_after(0, 100, &RealmFilter::All).await.unwrap();
    let revoked: Vec<_> = events.iter().filter(|e| e.kind == "SessionsRevoked").collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].data["reason"], "test");
}

async fn logout_all_revokes_the_issuers_sessions_and_refresh_tokens(db: TestDb) {
    let db = db.with_realms(&["acme"]).await;
    let acme = realm("acme");
    let s = session(&db, Some("c")).await;
    db.store.insert_refresh(&refresh("r1", &s)).await.unwrap();
    assert_eq!(db.store.revoke_sessions(&acme, &s.identity_id, START_MS + 1).await.unwrap(), 1);
    assert!(db.store.get_refresh(&acme, "r1").await.unwrap().unwrap().revoked_at.is_some());
    assert!(!db.store.get_session(&acme, &s.id).await.unwrap().unwrap().is_live(START_MS + 1));
}

async fn keys_rotate_and_the_old_key_stays_published_until_retire_after(db: TestDb) {
    let db = db.with_realms(&["acme"]).await;
    let acme = realm("acme");
    let first = keys::generate(Algorithm::Es256, START_MS).unwrap();
    assert!(db.store.insert_first_key(&acme, &first).await.unwrap());
    let other = keys::generate(Algorithm::EdDsa, START_MS).unwrap();
    assert!(!db.store.insert_first_key(&acme, &other).await.unwrap(), "one first key");
    let second = keys::generate(Algorithm::EdDsa, START_MS + 10).unwrap();
    db.store.rotate_key(&acme, &second, START_MS + 1000).await.unwrap();
    assert_eq!(db.store.active_key(&acme).await.unwrap().unwrap().kid, second.kid);
    let kids = |v: Vec<realmgate_server::store::issuer::SigningKeyRecord>| v.into_iter().map(|k| k.kid).collect::<Vec<_>>();
    assert_eq!(kids(db.store.published_keys(&acme, START_MS + 999).await.unwrap()), [second.kid.clone(), first.kid.clone()]);
    assert_eq!(kids(db.store.published_keys(&acme, START_MS + 1000).await.unwrap()), [second.kid]);
}

async fn clients_are_upserted_per_realm(db: TestDb) {
    let db = db.with_realms(&["acme", "other"]).await;
    let acme = realm("acme");
    let mut c = Client {
        client_id: "edge".into(),
        secret_hash: Some(format!("sha256:{}", "0".repeat(64))),
        config: ClientConfig {
            redirect_uris: vec!["https://a.example/cb".into()],
            post_logout_redirect_uris: vec![],
            grants: vec!["authorization_code".into()],
            audiences: vec![],
            scopes: vec![],
            token_exchange_allowed: false,
        },
    };
    db.store.upsert_client(&acme, &c, START_MS).await.unwrap();
    c.config.redirect_uris.push("https://b.example/cb".into());
    c.secret_hash = None;
    db.store.upsert_client(&acme, &c, START_MS + 1).await.unwrap();
    assert_eq!(db.store.get_client(&acme, "edge").await.unwrap(), Some(c));
    assert_eq!(db.store.get_client(&realm("other"), "edge").await.unwrap(), None);
    assert!(db.store.delete_client(&acme, "edge").await.unwrap());
    assert!(!db.store.delete_client(&acme, "edge").await.unwrap());
}

on_both_backends!(
    codes_are_spent_once_and_a_reuse_is_reported,
    refresh_tokens_rotate_once_and_die_with_their_session,
    logout_all_revokes_the_issuers_sessions_and_refresh_tokens,
    keys_rotate_and_the_old_key_stays_published_until_retire_after,
    clients_are_upserted_per_realm,
);
