//! Realms, profile links, sessions and SSO domains.

use realmgate_core::RealmName;
use serde_json::json;
use sqlx::Row as _;

use super::email::revoke_in;
use super::identities::insert_link;
use super::{rows, unique_as, SqlStore};
use crate::clock::Millis;
use crate::domain::events::{EventKind, NewEvent};
use crate::domain::{IdpHint, Identity, IdentityId, ProfileId};
use crate::store::{SsoDomain, StoreError};

impl SqlStore {
    pub(super) async fn ensure_realm_op(&self, realm: &RealmName, now: Millis) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query("INSERT INTO realms (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(realm.as_str())
                .bind(now)
                .execute(&mut *w.tx)
                .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    /// Every admin request asks this. Realms are never deleted, so a realm
    /// seen once is remembered (saving a database round trip per request);
    /// absence is always asked again, since another instance may create it.
    /// Only names found in the database enter the set, so callers cannot grow it.
    pub(super) async fn realm_exists_op(&self, realm: &str) -> Result<bool, StoreError> {
        if self.known_realms.read().is_ok_and(|known| known.contains(realm)) {
            return Ok(true);
        }
        let row = sqlx::query("SELECT name FROM realms WHERE name = $1").bind(realm).fetch_optional(&self.pool).await?;
        if row.is_some() {
            if let Ok(mut known) = self.known_realms.write() {
                known.insert(realm.to_owned());
            }
        }
        Ok(row.is_some())
    }

    pub(super) async fn link_profile_op(&self, realm: &RealmName, id: &IdentityId, profile: &ProfileId, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            if current.profile_id.as_deref() == Some(profile.as_str()) {
                return Ok(current);
            }
            sqlx::query("DELETE FROM profile_links WHERE identity_id = $1").bind(id.as_str()).execute(&mut **tx).await?;
            self.checkpoint("link.after_unlink")?;
            insert_link(tx, realm.as_str(), profile, id, now).await?;
            let data = json!({ "profile_id": profile.as_str(), "previous_profile_id": current.profile_id });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::ProfileLinkChanged, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn unlink_profile_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let current = rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            if current.profile_id.is_none() {
                return Ok(current);
            }
            sqlx::query("DELETE FROM profile_links WHERE identity_id = $1").bind(id.as_str()).execute(&mut **tx).await?;
            let data = json!({ "profile_id": null, "previous_profile_id": current.profile_id });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::ProfileLinkChanged, id.as_str(), data)], now).await?;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn create_session_op(&self, realm: &RealmName, id: &IdentityId, expires_at: Millis, now: Millis) -> Result<String, StoreError> {
        let mut w = self.begin_write().await?;
        let sid = uuid::Uuid::new_v4().to_string();
        let r = async {
            rows::by_id(&mut *w.tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            sqlx::query("INSERT INTO sessions (id, realm, identity_id, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)")
                .bind(sid.as_str())
                .bind(realm.as_str())
                .bind(id.as_str())
                .bind(now)
                .bind(expires_at)
                .execute(&mut *w.tx)
                .await?;
            Ok(sid.clone())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn active_sessions_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE realm = $1 AND identity_id = $2 AND revoked_at IS NULL AND expires_at > $3")
            .bind(realm.as_str())
            .bind(id.as_str())
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        let n: i64 = row.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(super) async fn revoke_sessions_op(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            rows::by_id(&mut **tx, realm.as_str(), id.as_str()).await?.ok_or(StoreError::NotFound)?;
            let revoked = revoke_in(tx, id.as_str(), now).await?;
            let data = json!({ "count": revoked, "reason": "logout_all" });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::SessionsRevoked, id.as_str(), data)], now).await?;
            Ok(revoked)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn set_sso_domain_op(&self, realm: &RealmName, domain: &str, hint: &IdpHint, enabled: bool, now: Millis) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let existing = sqlx::query("SELECT realm FROM sso_domains WHERE domain = $1").bind(domain).fetch_optional(&mut **tx).await?;
            if let Some(row) = existing {
                let owner: String = row.try_get("realm")?;
                if owner != realm.as_str() {
                    return Err(StoreError::DomainTaken);
                }
                sqlx::query("UPDATE sso_domains SET idp_hint = $1, enabled = $2, updated_at = $3 WHERE domain = $4")
                    .bind(hint.as_str())
                    .bind(i64::from(enabled))
                    .bind(now)
                    .bind(domain)
                    .execute(&mut **tx)
                    .await?;
            } else {
                sqlx::query("INSERT INTO sso_domains (domain, realm, idp_hint, enabled, updated_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(domain)
                    .bind(realm.as_str())
                    .bind(hint.as_str())
                    .bind(i64::from(enabled))
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| unique_as(e, StoreError::DomainTaken))?;
            }
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn remove_sso_domain_op(&self, realm: &RealmName, domain: &str) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let done = sqlx::query("DELETE FROM sso_domains WHERE realm = $1 AND domain = $2")
                .bind(realm.as_str())
                .bind(domain)
                .execute(&mut *w.tx)
                .await?;
            Ok(done.rows_affected() > 0)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn get_sso_domain_op(&self, domain: &str) -> Result<Option<SsoDomain>, StoreError> {
        let row = sqlx::query("SELECT domain, realm, idp_hint, enabled FROM sso_domains WHERE domain = $1")
            .bind(domain)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(SsoDomain {
                domain: r.try_get("domain")?,
                realm: r.try_get("realm")?,
                idp_hint: r.try_get("idp_hint")?,
                enabled: r.try_get::<i64, _>("enabled")? != 0,
            })),
        }
    }
}
