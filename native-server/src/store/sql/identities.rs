//! Identity rows: create, read, list, attribute changes, delete.

use realmgate_core::RealmName;
use serde_json::json;

use super::{rows, unique_as, SqlStore, Tx};
use crate::clock::Millis;
use crate::domain::events::{EventKind, NewEvent};
use crate::domain::identity::{ListQuery, MfaChange, NamesChange};
use crate::domain::{Email, Identity, IdentityId, Language, NewIdentity, ProfileId};
use crate::store::StoreError;

impl SqlStore {
    pub(super) async fn create_identity_op(&self, new: &NewIdentity, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = self.create_in(&mut w.tx, new, now).await;
        self.finish(w, r).await
    }

    async fn create_in(&self, tx: &mut Tx, new: &NewIdentity, now: Millis) -> Result<Identity, StoreError> {
        let realm = new.realm.as_str();
        let id = IdentityId::generate();
        sqlx::query(
            "INSERT INTO identities (id, realm, email, email_verified, first_name, last_name, language, \
             mfa_enabled, mfa_required, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, 0, $4, $5, $6, 0, $7, NULL, $8, $8)",
        )
        .bind(id.as_str())
        .bind(realm)
        .bind(new.email.as_str())
        .bind(new.first_name.as_ref().map(|n| n.as_str().to_owned()))
        .bind(new.last_name.as_ref().map(|n| n.as_str().to_owned()))
        .bind(new.language.as_str())
        .bind(i64::from(new.mfa_required))
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_as(e, StoreError::EmailTaken))?;
        self.checkpoint("create.after_identity")?;
        if let Some(profile) = &new.profile_id {
            insert_link(tx, realm, profile, &id, now).await?;
        }
        let data = json!({
            "email": new.email.as_str(),
            "language": new.language.as_str(),
            "profile_id": new.profile_id.as_ref().map(|p| p.as_str()),
            "mfa_required": new.mfa_required,
        });
        self.append_events(tx, realm, &[NewEvent::new(EventKind::IdentityCreated, id.as_str(), data)], now).await?;
        rows::by_id(&mut **tx, realm, id.as_str()).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn get_identity_op(&self, realm: &RealmName, id: &IdentityId) -> Result<Option<Identity>, StoreError> {
        rows::by_id(&self.pool, realm.as_str(), id.as_str()).await
    }

    pub(super) async fn find_by_email_op(&self, realm: &RealmName, email: &Email) -> Result<Option<Identity>, StoreError> {
        rows::by_email(&self.pool, realm.as_str(), email.as_str()).await
    }

    pub(super) async fn find_by_profile_op(&self, realm: &RealmName, profile: &ProfileId) -> Result<Option<Identity>, StoreError> {
        let sql = format!("{} WHERE i.realm = $1 AND l.profile_id = $2", rows::SELECT_IDENTITY);
        let row = sqlx::query(&sql).bind(realm.as_str()).bind(profile.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::identity).transpose()
    }

    pub(super) async fn list_identities_op(&self, realm: &RealmName, q: &ListQuery) -> Result<Vec<Identity>, StoreError> {
        // Prefix match via substr (portable, and free of LIKE's wildcards).
        let sql = format!(
            "{} WHERE i.realm = $1 AND i.id > $2 AND ($3 = '' OR substr(i.email, 1, CAST($4 AS INTEGER)) = $3) ORDER BY i.id LIMIT $5",
            rows::SELECT_IDENTITY
        );
        let prefix = q.email_prefix.clone().unwrap_or_default();
        let prefix_len = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        let rows = sqlx::query(&sql)
            .bind(realm.as_str())
            .bind(q.after.as_ref().map(|a| a.as_str()).unwrap_or(""))
            .bind(prefix.as_str())
            .bind(prefix_len)
            .bind(i64::from(q.limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::identity).collect()
    }

    pub(super) async fn change_names_op(&self, realm: &RealmName, id: &IdentityId, c: NamesChange, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            let first = c.first_name.apply(current.first_name);
            let last = c.last_name.apply(current.last_name);
            sqlx::query("UPDATE identities SET first_name = $1, last_name = $2, updated_at = $3 WHERE id = $4")
                .bind(first.clone())
                .bind(last.clone())
                .bind(now)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            let data = json!({ "first_name": first, "last_name": last });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::NamesChanged, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn set_language_op(&self, realm: &RealmName, id: &IdentityId, l: &Language, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let done = sqlx::query("UPDATE identities SET language = $1, updated_at = $2 WHERE realm = $3 AND id = $4")
                .bind(l.as_str())
                .bind(now)
                .bind(realm.as_str())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let data = json!({ "language": l.as_str() });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::LanguageChanged, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn change_mfa_op(&self, realm: &RealmName, id: &IdentityId, c: MfaChange, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            let enabled = c.enabled.unwrap_or(current.mfa_enabled);
            let required = c.required.unwrap_or(current.mfa_required);
            sqlx::query("UPDATE identities SET mfa_enabled = $1, mfa_required = $2, updated_at = $3 WHERE id = $4")
                .bind(i64::from(enabled))
                .bind(i64::from(required))
                .bind(now)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            let data = json!({ "enabled": enabled, "required": required });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::MfaChanged, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn delete_identity_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            sqlx::query("DELETE FROM profile_links WHERE identity_id = $1").bind(id.as_str()).execute(&mut **tx).await?;
            self.checkpoint("delete.after_link")?;
            sqlx::query("DELETE FROM sessions WHERE identity_id = $1").bind(id.as_str()).execute(&mut **tx).await?;
            let done = sqlx::query("DELETE FROM identities WHERE realm = $1 AND id = $2")
                .bind(realm.as_str())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            let data = json!({ "email": current.email.as_str(), "profile_id": current.profile_id });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::IdentityDeleted, id.as_str(), data)], now).await
        }
        .await;
        self.finish(w, r).await
    }
}

/// Inserts a profile link; a taken profile is `ProfileTaken`.
pub(super) async fn insert_link(tx: &mut Tx, realm: &str, profile: &ProfileId, id: &IdentityId, now: Millis) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO profile_links (realm, profile_id, identity_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(realm)
        .bind(profile.as_str())
        .bind(id.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_as(e, StoreError::ProfileTaken))?;
    Ok(())
}
