//! The storage conformance suite: every rule of the `Store` trait, run on
//! SQLite and on PostgreSQL (`on_both_backends!`).

mod common;

use common::{realm, TestDb, START_MS};
use realmgate_server::domain::email_change::EmailChangeOutcome;
use realmgate_server::domain::identity::{ListQuery, MfaChange, NamesChange, Patch};
use realmgate_server::domain::lockout::LockoutPolicy;
use realmgate_server::domain::{Email, IdpHint, Identity, Language, Name, NewIdentity, ProfileId};
use realmgate_server::store::{ApiKeyRecord, RealmFilter, Store, StoreError};

fn email(s: &str) -> Email {
    Email::parse("email", s).unwrap()
}

fn new_identity(r: &str, e: &str, profile: Option<&str>) -> NewIdentity {
    NewIdentity {
        realm: realm(r),
        email: email(e),
        language: Language::parse("en").unwrap(),
        first_name: Some(Name::parse("first_name", "Ada").unwrap()),
        last_name: None,
        profile_id: profile.map(|p| ProfileId::parse(p).unwrap()),
        mfa_required: false,
    }
}

async fn setup(db: TestDb) -> TestDb {
    db.with_realms(&["acme", "other"]).await
}

async fn create(db: &TestDb, e: &str, profile: Option<&str>) -> Identity {
    db.store.create_identity(&new_identity("acme", e, profile), START_MS).await.unwrap()
}

fn kinds(events: &[realmgate_server::domain::events::Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

async fn identity_round_trips_by_id_email_and_profile(db: TestDb) {
    let db = setup(db).await;
    let a = create(&db, "Ada@Example.com", Some("p1")).await;
    assert_eq!(a.email.as_str(), "ada@example.com");
    assert_eq!(a.profile_id.as_deref(), Some("p1"));
    assert!(!a.email_verified && !a.has_password && !a.mfa_enabled);
    let acme = realm("acme");
    assert_eq!(db.store.get_identity(&acme, &a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(db.store.find_by_email(&acme, &email("ADA@example.COM")).await.unwrap(), Some(a.clone()));
    assert_eq!(db.store.find_by_profile(&acme, &ProfileId::parse("p1").unwrap()).await.unwrap(), Some(a.clone()));
    assert_eq!(db.store.get_identity(&realm("other"), &a.id).await.unwrap(), None, "realms are separate");
    assert_eq!(kinds(&db.events().await), ["IdentityCreated"]);
}

async fn email_is_unique_per_realm_only(db: TestDb) {
    let db = setup(db).await;
    create(&db, "a@example.com", None).await;
    let dup = db.store.create_identity(&new_identity("acme", "A@example.com", None), START_MS).await;
    assert!(matches!(dup, Err(StoreError::EmailTaken)), "{dup:?}");
    db.store.create_identity(&new_identity("other", "a@example.com", None), START_MS).await.unwrap();
    assert_eq!(db.events().await.len(), 2);
}

async fn profile_link_is_unique_per_realm_and_a_failed_create_leaves_nothing(db: TestDb) {
    let db = setup(db).await;
    create(&db, "a@example.com", Some("p1")).await;
    let before = db.snapshot().await;
    // The identity row is written, then the link insert trips the constraint.
    let r = db.store.create_identity(&new_identity("acme", "b@example.com", Some("p1")), START_MS).await;
    assert!(matches!(r, Err(StoreError::ProfileTaken)), "{r:?}");
    assert_eq!(db.snapshot().await, before, "no partial write, no event");
}

async fn injected_fault_mid_create_rolls_back_row_and_event(db: TestDb) {
    let db = setup(db).await;
    db.store.fail_at("create.after_identity");
    let r = db.store.create_identity(&new_identity("acme", "a@example.com", None), START_MS).await;
    assert!(matches!(r, Err(StoreError::Injected(_))));
    assert_eq!(db.snapshot().await, (vec![], vec![]));
    // And a fault at the event append (after every data write) too.
    db.store.fail_at("events.append");
    assert!(db.store.create_identity(&new_identity("acme", "a@example.com", None), START_MS).await.is_err());
    assert_eq!(db.snapshot().await, (vec![], vec![]));
    create(&db, "a@example.com", None).await;
}

async fn email_change_approved_when_free_and_unverifies(db: TestDb) {
    let db = setup(db).await;
    let a = create(&db, "a@example.com", Some("p1")).await;
    let acme = realm("acme");
    db.store.verify_email(&acme, &a.id, START_MS).await.unwrap();
    let out = db.store.change_email(&acme, &a.id, &email("new@example.com"), START_MS + 1).await.unwrap();
    assert_eq!(out, EmailChangeOutcome::Approved);
    let now = db.store.get_identity(&acme, &a.id).await.unwrap().unwrap();
    assert_eq!(now.email.as_str(), "new@example.com");
    assert!(!now.email_verified, "a changed email is unverified");
    assert_eq!(kinds(&db.events().await), ["IdentityCreated", "EmailVerified", "EmailChanged"]);
    let same = db.store.change_email(&acme, &a.id, &email("NEW@example.com"), START_MS + 2).await.unwrap();
    assert_eq!(same, EmailChangeOutcome::Unchanged);
    assert_eq!(db.events().await.len(), 3);
}

async fn email_change_merges_an_unlinked_holder(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", Some("p1")).await;
    let b = create(&db, "b@example.com", None).await;
    db.store.create_session(&acme, &b.id, START_MS + 60_000, START_MS).await.unwrap();
    let out = db.store.change_email(&acme, &a.id, &email("b@example.com"), START_MS).await.unwrap();
    assert_eq!(out, EmailChangeOutcome::Merged { absorbed: b.id.clone() });
    assert_eq!(db.store.get_identity(&acme, &b.id).await.unwrap(), None, "absorbed identity removed");
    assert_eq!(db.store.find_by_email(&acme, &email("b@example.com")).await.unwrap().unwrap().id, a.id);
    let ev = db.events().await;
    assert_eq!(kinds(&ev), ["IdentityCreated", "IdentityCreated", "SessionsRevoked", "IdentityMerged", "EmailChanged"]);
    assert_eq!(ev[2].data["count"], 1);
    assert_eq!(ev[3].data["absorbed_identity_id"], b.id.as_str());
}

async fn email_change_denied_when_holder_is_linked(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", Some("p1")).await;
    create(&db, "b@example.com", Some("p2")).await;
    let before = db.snapshot().await;
    let r = db.store.change_email(&acme, &a.id, &email("b@example.com"), START_MS).await;
    assert!(matches!(r, Err(StoreError::EmailDenied)), "{r:?}");
    assert_eq!(db.snapshot().await, before);
}

async fn merge_failing_midway_leaves_both_identities_and_no_event(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", Some("p1")).await;
    let b = create(&db, "b@example.com", None).await;
    db.store.create_session(&acme, &b.id, START_MS + 60_000, START_MS).await.unwrap();
    let before = db.snapshot().await;
    for point in ["merge.after_revoke", "merge.after_delete", "events.append"] {
        db.store.fail_at(point);
        let r = db.store.change_email(&acme, &a.id, &email("b@example.com"), START_MS).await;
        assert!(matches!(r, Err(StoreError::Injected(p)) if p == point), "{point}: {r:?}");
        assert_eq!(db.snapshot().await, before, "{point}");
        assert_eq!(db.store.active_sessions(&acme, &b.id, START_MS).await.unwrap(), 1, "{point}: session not revoked");
    }
}

async fn credentials_same_email_free_email_and_taken_email(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", None).await;
    create(&db, "taken@example.com", None).await;
    let s = db.store.set_credentials(&acme, &a.id, &email("a@example.com"), "$argon2id$x", START_MS).await.unwrap();
    assert!(s.has_password);
    assert_eq!(s.email.as_str(), "a@example.com");
    let s = db.store.set_credentials(&acme, &a.id, &email("free@example.com"), "$argon2id$y", START_MS).await.unwrap();
    assert_eq!(s.email.as_str(), "free@example.com");
    let rec = db.store.password_record(&acme, &email("free@example.com")).await.unwrap().unwrap();
    assert_eq!(rec.password_hash.as_deref(), Some("$argon2id$y"));
    let before = db.snapshot().await;
    let r = db.store.set_credentials(&acme, &a.id, &email("taken@example.com"), "$argon2id$z", START_MS).await;
    assert!(matches!(r, Err(StoreError::EmailTaken)), "{r:?}");
    assert_eq!(db.snapshot().await, before);
    assert_eq!(db.store.password_record(&acme, &email("free@example.com")).await.unwrap().unwrap().password_hash.as_deref(), Some("$argon2id$y"));
}

async fn deleting_credentials_removes_password_and_revokes_sessions(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", None).await;
    db.store.set_credentials(&acme, &a.id, &email("a@example.com"), "$argon2id$x", START_MS).await.unwrap();
    db.store.create_session(&acme, &a.id, START_MS + 60_000, START_MS).await.unwrap();
    let d = db.store.delete_credentials(&acme, &a.id, START_MS).await.unwrap();
    assert!(!d.has_password);
    assert_eq!(db.store.active_sessions(&acme, &a.id, START_MS).await.unwrap(), 0);
    let ev = db.events().await;
    assert_eq!(kinds(&ev)[2..], ["CredentialsDeleted", "SessionsRevoked"]);
}

async fn logout_all_revokes_live_sessions_and_emits_sessions_revoked(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", None).await;
    for _ in 0..3 {
        db.store.create_session(&acme, &a.id, START_MS + 60_000, START_MS).await.unwrap();
    }
    assert_eq!(db.store.active_sessions(&acme, &a.id, START_MS).await.unwrap(), 3);
    assert_eq!(db.store.revoke_sessions(&acme, &a.id, START_MS).await.unwrap(), 3);
    assert_eq!(db.store.active_sessions(&acme, &a.id, START_MS).await.unwrap(), 0);
    assert_eq!(db.store.revoke_sessions(&acme, &a.id, START_MS).await.unwrap(), 0);
    let ev = db.events().await;
    assert_eq!(kinds(&ev)[1..], ["SessionsRevoked", "SessionsRevoked"]);
    assert_eq!(ev[1].data["count"], 3);
    assert!(matches!(db.store.revoke_sessions(&realm("other"), &a.id, START_MS).await, Err(StoreError::NotFound)));
}

async fn delete_identity_removes_link_and_sessions_with_one_event(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", Some("p1")).await;
    db.store.create_session(&acme, &a.id, START_MS + 60_000, START_MS).await.unwrap();
    db.store.fail_at("delete.after_link");
    assert!(db.store.delete_identity(&acme, &a.id, START_MS).await.is_err());
    assert_eq!(db.store.get_identity(&acme, &a.id).await.unwrap().unwrap().profile_id.as_deref(), Some("p1"), "link survives a failed delete");
    db.store.delete_identity(&acme, &a.id, START_MS).await.unwrap();
    assert_eq!(db.store.get_identity(&acme, &a.id).await.unwrap(), None);
    assert_eq!(db.store.find_by_profile(&acme, &ProfileId::parse("p1").unwrap()).await.unwrap(), None);
    // The profile is free again.
    create(&db, "b@example.com", Some("p1")).await;
    assert_eq!(kinds(&db.events().await), ["IdentityCreated", "IdentityDeleted", "IdentityCreated"]);
    assert!(matches!(db.store.delete_identity(&acme, &a.id, START_MS).await, Err(StoreError::NotFound)));
}

async fn link_relink_unlink(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", None).await;
    let b = create(&db, "b@example.com", Some("p2")).await;
    let p1 = ProfileId::parse("p1").unwrap();
    assert_eq!(db.store.link_profile(&acme, &a.id, &p1, START_MS).await.unwrap().profile_id.as_deref(), Some("p1"));
    let p3 = ProfileId::parse("p3").unwrap();
    assert_eq!(db.store.link_profile(&acme, &a.id, &p3, START_MS).await.unwrap().profile_id.as_deref(), Some("p3"), "relink replaces");
    assert_eq!(db.store.find_by_profile(&acme, &p1).await.unwrap(), None);
    let before = db.snapshot().await;
    let r = db.store.link_profile(&acme, &a.id, &ProfileId::parse("p2").unwrap(), START_MS).await;
    assert!(matches!(r, Err(StoreError::ProfileTaken)), "{r:?}");
    assert_eq!(db.snapshot().await, before, "failed relink keeps the old link");
    assert_eq!(db.store.unlink_profile(&acme, &b.id, START_MS).await.unwrap().profile_id, None);
    let ev = db.events().await;
    assert_eq!(kinds(&ev)[2..], ["ProfileLinkChanged", "ProfileLinkChanged", "ProfileLinkChanged"]);
}

async fn names_patch_and_mfa_flags_change_independently(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let a = create(&db, "a@example.com", None).await;
    let c = NamesChange { first_name: Patch::Unchanged, last_name: Patch::Set("Lovelace".into()) };
    let n = db.store.change_names(&acme, &a.id, c, START_MS).await.unwrap();
    assert_eq!((n.first_name.as_deref(), n.last_name.as_deref()), (Some("Ada"), Some("Lovelace")));
    let c = NamesChange { first_name: Patch::Clear, last_name: Patch::Unchanged };
    let n = db.store.change_names(&acme, &a.id, c, START_MS).await.unwrap();
    assert_eq!((n.first_name.as_deref(), n.last_name.as_deref()), (None, Some("Lovelace")));
    let m = db.store.change_mfa(&acme, &a.id, MfaChange { enabled: None, required: Some(true) }, START_MS).await.unwrap();
    assert!(m.mfa_required && !m.mfa_enabled);
    let m = db.store.change_mfa(&acme, &a.id, MfaChange { enabled: Some(true), required: None }, START_MS).await.unwrap();
    assert!(m.mfa_required && m.mfa_enabled);
    let l = db.store.set_language(&acme, &a.id, &Language::parse("de-CH").unwrap(), START_MS).await.unwrap();
    assert_eq!(l.language.as_str(), "de-CH");
    assert_eq!(kinds(&db.events().await)[1..], ["NamesChanged", "NamesChanged", "MfaChanged", "MfaChanged", "LanguageChanged"]);
}

async fn listing_pages_by_cursor_and_filters_by_prefix(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    for i in 0..5 {
        create(&db, &format!("user{i}@example.com"), None).await;
    }
    create(&db, "zed@example.com", None).await;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = db.store.list_identities(&acme, &ListQuery { after: after.clone(), email_prefix: None, limit: 4 }).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|i| i.id.clone());
        seen.extend(page.into_iter().map(|i| i.email.as_str().to_owned()));
    }
    assert_eq!(seen.len(), 6);
    let q = ListQuery { after: None, email_prefix: Some("user".into()), limit: 100 };
    assert_eq!(db.store.list_identities(&acme, &q).await.unwrap().len(), 5);
    let q = ListQuery { after: None, email_prefix: Some("us%".into()), limit: 100 };
    assert_eq!(db.store.list_identities(&acme, &q).await.unwrap().len(), 0, "no wildcard semantics");
}

async fn events_feed_is_ordered_resumable_and_realm_filtered(db: TestDb) {
    let db = setup(db).await;
    create(&db, "a@example.com", None).await;
    db.store.create_identity(&new_identity("other", "b@example.com", None), START_MS).await.unwrap();
    create(&db, "c@example.com", None).await;
    let all = db.store.events_after(0, 100, &RealmFilter::All).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let rest = db.store.events_after(all[0].id, 100, &RealmFilter::All).await.unwrap();
    assert_eq!(rest, all[1..]);
    let acme = db.store.events_after(0, 100, &RealmFilter::Only(vec!["acme".into()])).await.unwrap();
    assert_eq!(acme.len(), 2);
    assert!(db.store.events_after(0, 100, &RealmFilter::Only(vec![])).await.unwrap().is_empty());
    assert_eq!(db.store.events_after(0, 1, &RealmFilter::All).await.unwrap().len(), 1);
}

async fn login_failures_count_within_window(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let e = email("a@example.com");
    let policy = LockoutPolicy { max_failures: 3, window_ms: 1000 };
    for t in [0, 100, 200] {
        db.store.record_login_failure(&acme, &e, START_MS + t).await.unwrap();
    }
    assert_eq!(db.store.login_failures_since(&acme, &e, policy.window_start(START_MS + 500)).await.unwrap(), 3);
    assert_eq!(db.store.login_failures_since(&acme, &e, policy.window_start(START_MS + 1150)).await.unwrap(), 1);
    db.store.clear_login_failures(&acme, &e).await.unwrap();
    assert_eq!(db.store.login_failures_since(&acme, &e, 0).await.unwrap(), 0);
}

async fn sso_domains_belong_to_one_realm(db: TestDb) {
    let db = setup(db).await;
    let hint = IdpHint::parse("corp-idp").unwrap();
    db.store.set_sso_domain(&realm("acme"), "corp.example", &hint, true, START_MS).await.unwrap();
    db.store.set_sso_domain(&realm("acme"), "corp.example", &hint, false, START_MS).await.unwrap();
    let d = db.store.get_sso_domain("corp.example").await.unwrap().unwrap();
    assert_eq!((d.realm.as_str(), d.enabled), ("acme", false));
    let r = db.store.set_sso_domain(&realm("other"), "corp.example", &hint, true, START_MS).await;
    assert!(matches!(r, Err(StoreError::DomainTaken)));
    assert!(!db.store.remove_sso_domain(&realm("other"), "corp.example").await.unwrap());
    assert!(db.store.remove_sso_domain(&realm("acme"), "corp.example").await.unwrap());
    assert_eq!(db.store.get_sso_domain("corp.example").await.unwrap(), None);
}

async fn api_keys_store_digest_and_revoke(db: TestDb) {
    let db = setup(db).await;
    let k = ApiKeyRecord {
        id: "0123456789abcdef".into(),
        name: "ci".into(),
        secret_hash: "ab".repeat(32),
        realms: vec!["acme".into()],
        scopes: vec!["read".into()],
        created_at: START_MS,
        revoked_at: None,
    };
    db.store.insert_api_key(&k).await.unwrap();
    assert_eq!(db.store.get_api_key(&k.id).await.unwrap(), Some(k.clone()));
    assert_eq!(db.store.list_api_keys().await.unwrap(), vec![k.clone()]);
    assert!(db.store.revoke_api_key(&k.id, START_MS + 1).await.unwrap());
    assert!(!db.store.revoke_api_key(&k.id, START_MS + 2).await.unwrap());
    assert_eq!(db.store.get_api_key(&k.id).await.unwrap().unwrap().revoked_at, Some(START_MS + 1));
}

async fn concurrent_creates_of_one_email_leave_one_identity(db: TestDb) {
    let db = setup(db).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move { store.create_identity(&new_identity("acme", "race@example.com", None), START_MS).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::EmailTaken) | Err(StoreError::Conflict) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(db.snapshot().await.0.len(), 1);
    assert_eq!(db.events().await.len(), 1);
}

async fn concurrent_email_changes_to_one_address_leave_one_holder(db: TestDb) {
    let db = setup(db).await;
    let acme = realm("acme");
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(create(&db, &format!("u{i}@example.com"), Some(&format!("p{i}"))).await.id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let store = db.store.clone();
        let acme = acme.clone();
        tasks.push(tokio::spawn(async move { store.change_email(&acme, &id, &email("target@example.com"), START_MS).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(EmailChangeOutcome::Approved) => ok += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(StoreError::EmailDenied) | Err(StoreError::Conflict) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let holders: Vec<_> = db.snapshot().await.0.into_iter().filter(|i| i.email.as_str() == "target@example.com").collect();
    assert_eq!(holders.len(), 1);
    assert_eq!(db.events().await.iter().filter(|e| e.kind == "EmailChanged").count(), 1);
}

/// `realm_exists` remembers realms it found (they are never deleted) but never a miss: a
/// realm created after a "no" (here, or by another instance) is seen at once.
async fn realm_exists_sees_a_realm_created_after_a_miss(db: TestDb) {
    assert!(!db.store.realm_exists("late").await.unwrap());
    assert!(!db.store.realm_exists("late").await.unwrap(), "asked twice");
    db.store.ensure_realm(&realm("late"), START_MS).await.unwrap();
    assert!(db.store.realm_exists("late").await.unwrap());
    assert!(db.store.realm_exists("late").await.unwrap(), "answered from memory");
    assert!(!db.store.realm_exists("Late").await.unwrap(), "exact names only");
    assert!(!db.store.realm_exists("other").await.unwrap());
}

on_both_backends!(
    realm_exists_sees_a_realm_created_after_a_miss,
    identity_round_trips_by_id_email_and_profile,
    email_is_unique_per_realm_only,
    profile_link_is_unique_per_realm_and_a_failed_create_leaves_nothing,
    injected_fault_mid_create_rolls_back_row_and_event,
    email_change_approved_when_free_and_unverifies,
    email_change_merges_an_unlinked_holder,
    email_change_denied_when_holder_is_linked,
    merge_failing_midway_leaves_both_identities_and_no_event,
    credentials_same_email_free_email_and_taken_email,
    deleting_credentials_removes_password_and_revokes_sessions,
    logout_all_revokes_live_sessions_and_emits_sessions_revoked,
    delete_identity_removes_link_and_sessions_with_one_event,
    link_relink_unlink,
    names_patch_and_mfa_flags_change_independently,
    listing_pages_by_cursor_and_filters_by_prefix,
    events_feed_is_ordered_resumable_and_realm_filtered,
    login_failures_count_within_window,
    sso_domains_belong_to_one_realm,
    api_keys_store_digest_and_revoke,
    concurrent_creates_of_one_email_leave_one_identity,
    concurrent_email_changes_to_one_address_leave_one_holder,
);
