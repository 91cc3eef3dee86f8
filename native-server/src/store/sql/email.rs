//! Email changes: the three-outcome change, verification, clearing.

use realmgate_core::RealmName;
use serde_json::json;

use super::{rows, unique_as, SqlStore, Tx};
use crate::clock::Millis;
use crate::domain::email_change::{decide, Decision, EmailChangeOutcome, Holder};
use crate::domain::events::{EventKind, NewEvent};
use crate::domain::{Email, Identity, IdentityId};
use crate::store::StoreError;

impl SqlStore {
    pub(super) async fn change_email_op(&self, realm: &RealmName, id: &IdentityId, email: &Email, now: Millis) -> Result<EmailChangeOutcome, StoreError> {
        let mut w = self.begin_write().await?;
        let r = self.change_email_in(&mut w.tx, realm.as_str(), id, email, now).await;
        self.finish(w, r).await
    }

    async fn change_email_in(&self, tx: &mut Tx, realm: &str, id: &IdentityId, email: &Email, now: Millis) -> Result<EmailChangeOutcome, StoreError> {
        let current = rows::by_id(&mut **tx, realm, id.as_str()).await?.ok_or(StoreError::NotFound)?;
        let holder = match rows::by_email(&mut **tx, realm, email.as_str()).await? {
            None => Holder::Nobody,
            Some(h) if h.id == *id => Holder::Itself,
            Some(h) => Holder::Other { id: h.id, linked: h.profile_id.is_some() },
        };
        let mut events = Vec::new();
        let outcome = match decide(holder) {
            Decision::Unchanged => return Ok(EmailChangeOutcome::Unchanged),
            Decision::Deny => return Err(StoreError::EmailDenied),
            Decision::Approve => EmailChangeOutcome::Approved,
            Decision::MergeThenApprove { absorbed } => {
                let revoked = revoke_in(tx, absorbed.as_str(), now).await?;
                self.checkpoint("merge.after_revoke")?;
                events.push(NewEvent::new(EventKind::SessionsRevoked, absorbed.as_str(), json!({ "count": revoked, "reason": "merged" })));
                let gone = sqlx::query("DELETE FROM identities WHERE realm = $1 AND id = $2")
                    .bind(realm)
                    .bind(absorbed.as_str())
                    .execute(&mut **tx)
                    .await?;
                if gone.rows_affected() != 1 {
                    return Err(StoreError::Conflict);
                }
                self.checkpoint("merge.after_delete")?;
                let data = json!({ "absorbed_identity_id": absorbed.as_str(), "into_identity_id": id.as_str(), "email": email.as_str() });
                events.push(NewEvent::new(EventKind::IdentityMerged, id.as_str(), data));
                EmailChangeOutcome::Merged { absorbed }
            }
        };
        set_email(tx, id, email, now).await.map_err(|e| match e {
            // Someone took the address since we looked: a lost race, not a denial.
            StoreError::EmailTaken => StoreError::Conflict,
            e => e,
        })?;
        let data = json!({ "old_email": current.email.as_str(), "new_email": email.as_str() });
        events.push(NewEvent::new(EventKind::EmailChanged, id.as_str(), data));
        self.append_events(tx, realm, &events, now).await?;
        Ok(outcome)
    }

    pub(super) async fn verify_email_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE identities SET email_verified = 1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            let data = json!({ "email": current.email.as_str() });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::EmailVerified, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn clear_email_op(&self, realm: &RealmName, id: &IdentityId, placeholder: &Email, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            if current.email != *placeholder {
                set_email(tx, id, placeholder, now).await?;
            }
            let data = json!({ "old_email": current.email.as_str(), "placeholder": placeholder.as_str() });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::EmailCleared, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }
}

/// Sets a new (unverified) address; `EmailTaken` if the realm has it.
pub(super) async fn set_email(tx: &mut Tx, id: &IdentityId, email: &Email, now: Millis) -> Result<(), StoreError> {
    sqlx::query("UPDATE identities SET email = $1, email_verified = 0, updated_at = $2 WHERE id = $3")
        .bind(email.as_str())
        .bind(now)
        .bind(id.as_str())
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_as(e, StoreError::EmailTaken))?;
    Ok(())
}

/// Revokes the live sessions of an identity; returns how many.
pub(super) async fn revoke_in(tx: &mut Tx, identity_id: &str, now: Millis) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE identity_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(identity_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}
