//! Concurrency through the HTTP layer, on SQLite and PostgreSQL:
//! 20 concurrent creates of one email give exactly one 201; concurrent
//! email changes to one address leave exactly one holder.

mod common;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use common::{TestApp, TestDb};
use serde_json::json;

async fn twenty_concurrent_creates_of_one_email_give_one_201(db: TestDb) {
    let app = Arc::new(TestApp::new(db).await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({ "email": "Race@Example.com", "language": "en", "profile_id": format!("p{i}") });
            app.call(Method::POST, "/admin/v1/realms/acme/identities", Some(&app.write), Some(body)).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 19, "{statuses:?}");
    let (identities, events) = app.db.snapshot().await;
    assert_eq!(identities.len(), 1);
    assert_eq!(events.len(), 1);
}

async fn concurrent_email_changes_to_one_address_leave_one_holder(db: TestDb) {
    let app = Arc::new(TestApp::new(db).await);
    let mut ids = Vec::new();
    for i in 0..10 {
        // Half linked, half not: every mix of approve / merge / deny races.
        let profile = (i % 2 == 0).then(|| format!("p{i}"));
        ids.push(app.create(&format!("u{i}@example.com"), profile.as_deref()).await);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let u = format!("/admin/v1/realms/acme/identities/{id}/email");
            app.call(Method::PUT, &u, Some(&app.write), Some(json!({ "email": "target@example.com" }))).await
        }));
    }
    for t in tasks {
        let r = t.await.unwrap();
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::CONFLICT || r.status == StatusCode::NOT_FOUND,
            "{} {}",
            r.status,
            r.body
        );
    }
    let (identities, events) = app.db.snapshot().await;
    let holders: Vec<_> = identities.iter().filter(|i| i.email.as_str() == "target@example.com").collect();
    assert_eq!(holders.len(), 1, "exactly one holder");
    // Every EmailChanged to the target is for an identity that holds it, or was merged away after.
    let merged = events.iter().filter(|e| e.kind == "IdentityMerged").count();
    let changed = events.iter().filter(|e| e.kind == "EmailChanged").count();
    assert_eq!(changed, merged + 1, "each change after the first absorbed the previous holder");
}

on_both_backends!(twenty_concurrent_creates_of_one_email_give_one_201, concurrent_email_changes_to_one_address_leave_one_holder);
