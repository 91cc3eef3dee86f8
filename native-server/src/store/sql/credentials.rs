//! Credentials: email + password hash, password checks' failure log.

use realmgate_core::RealmName;
use serde_json::json;
use sqlx::Row as _;

use super::email::{revoke_in, set_email};
use super::{rows, SqlStore};
use crate::clock::Millis;
use crate::domain::events::{EventKind, NewEvent};
use crate::domain::{Email, Identity, IdentityId};
use crate::store::{PasswordRecord, StoreError};

impl SqlStore {
    pub(super) async fn set_credentials_op(&self, realm: &RealmName, id: &IdentityId, email: &Email, hash: &str, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            let mut events = Vec::new();
            if current.email != *email {
                // A free address is taken over (unverified); a held one is a 409.
                set_email(tx, id, email, now).await?;
                self.checkpoint("credentials.after_email")?;
                let data = json!({ "old_email": current.email.as_str(), "new_email": email.as_str() });
                events.push(NewEvent::new(EventKind::EmailChanged, id.as_str(), data));
            }
            sqlx::query("UPDATE identities SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(now)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            events.push(NewEvent::new(EventKind::CredentialsChanged, id.as_str(), json!({ "email": email.as_str() })));
            self.append_events(tx, realm.as_str(), &events, now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn delete_credentials_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let done = sqlx::query("UPDATE identities SET password_hash = NULL, updated_at = $1 WHERE realm = $2 AND id = $3")
                .bind(now)
                .bind(realm.as_str())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            self.checkpoint("credentials.after_delete")?;
            let revoked = revoke_in(tx, id.as_str(), now).await?;
            let events = [
                NewEvent::new(EventKind::CredentialsDeleted, id.as_str(), json!({})),
                NewEvent::new(EventKind::SessionsRevoked, id.as_str(), json!({ "count": revoked, "reason": "credentials_deleted" })),
            ];
            self.append_events(tx, realm.as_str(), &events, now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn password_record_op(&self, realm: &RealmName, email: &Email) -> Result<Option<PasswordRecord>, StoreError> {
        let row = sqlx::query("SELECT id, password_hash FROM identities WHERE realm = $1 AND email = $2")
            .bind(realm.as_str())
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(PasswordRecord {
                identity_id: IdentityId::from_stored(row.try_get("id")?),
                password_hash: row.try_get("password_hash")?,
            })),
        }
    }

    pub(super) async fn record_login_failure_op(&self, realm: &RealmName, email: &Email, now: Millis) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query("INSERT INTO login_failures (realm, email, at) VALUES ($1, $2, $3)")
                .bind(realm.as_str())
                .bind(email.as_str())
                .bind(now)
                .execute(&mut *w.tx)
                .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn login_failures_since_op(&self, realm: &RealmName, email: &Email, since: Millis) -> Result<u32, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE realm = $1 AND email = $2 AND at > $3")
            .bind(realm.as_str())
            .bind(email.as_str())
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        let n: i64 = row.try_get("n")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub(super) async fn clear_login_failures_op(&self, realm: &RealmName, email: &Email) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query("DELETE FROM login_failures WHERE realm = $1 AND email = $2")
                .bind(realm.as_str())
                .bind(email.as_str())
                .execute(&mut *w.tx)
                .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }
}
