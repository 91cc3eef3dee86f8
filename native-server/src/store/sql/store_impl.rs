//! `Store` for `SqlStore`: each method delegates to its topical module.

use async_trait::async_trait;
use realmgate_core::RealmName;

use super::SqlStore;
use crate::clock::Millis;
use crate::domain::email_change::EmailChangeOutcome;
use crate::domain::events::Event;
use crate::domain::identity::{ListQuery, MfaChange, NamesChange};
use crate::domain::{Email, IdpHint, Identity, IdentityId, Language, NewIdentity, ProfileId};
use crate::store::{ApiKeyRecord, PasswordRecord, RealmFilter, SsoDomain, Store, StoreError};

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn ensure_realm(&self, realm: &RealmName, now: Millis) -> Result<(), StoreError> {
        self.ensure_realm_op(realm, now).await
    }
    async fn realm_exists(&self, realm: &str) -> Result<bool, StoreError> {
        self.realm_exists_op(realm).await
    }

    async fn create_identity(&self, new: &NewIdentity, now: Millis) -> Result<Identity, StoreError> {
        self.create_identity_op(new, now).await
    }
    async fn get_identity(&self, realm: &RealmName, id: &IdentityId) -> Result<Option<Identity>, StoreError> {
        self.get_identity_op(realm, id).await
    }
    async fn find_by_email(&self, realm: &RealmName, email: &Email) -> Result<Option<Identity>, StoreError> {
        self.find_by_email_op(realm, email).await
    }
    async fn find_by_profile(&self, realm: &RealmName, profile: &ProfileId) -> Result<Option<Identity>, StoreError> {
        self.find_by_profile_op(realm, profile).await
    }
    async fn list_identities(&self, realm: &RealmName, q: &ListQuery) -> Result<Vec<Identity>, StoreError> {
        self.list_identities_op(realm, q).await
    }
    async fn change_names(&self, realm: &RealmName, id: &IdentityId, c: NamesChange, now: Millis) -> Result<Identity, StoreError> {
        self.change_names_op(realm, id, c, now).await
    }
    async fn set_language(&self, realm: &RealmName, id: &IdentityId, l: &Language, now: Millis) -> Result<Identity, StoreError> {
        self.set_language_op(realm, id, l, now).await
    }
    async fn change_mfa(&self, realm: &RealmName, id: &IdentityId, c: MfaChange, now: Millis) -> Result<Identity, StoreError> {
        self.change_mfa_op(realm, id, c, now).await
    }
    async fn delete_identity(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<(), StoreError> {
        self.delete_identity_op(realm, id, now).await
    }

    async fn change_email(&self, realm: &RealmName, id: &IdentityId, email: &Email, now: Millis) -> Result<EmailChangeOutcome, StoreError> {
        self.change_email_op(realm, id, email, now).await
    }
    async fn verify_email(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        self.verify_email_op(realm, id, now).await
    }
    async fn clear_email(&self, realm: &RealmName, id: &IdentityId, placeholder: &Email, now: Millis) -> Result<Identity, StoreError> {
        self.clear_email_op(realm, id, placeholder, now).await
    }

    async fn set_credentials(&self, realm: &RealmName, id: &IdentityId, email: &Email, hash: &str, now: Millis) -> Result<Identity, StoreError> {
        self.set_credentials_op(realm, id, email, hash, now).await
    }
    async fn delete_credentials(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        self.delete_credentials_op(realm, id, now).await
    }
    async fn password_record(&self, realm: &RealmName, email: &Email) -> Result<Option<PasswordRecord>, StoreError> {
        self.password_record_op(realm, email).await
    }
    async fn record_login_failure(&self, realm: &RealmName, email: &Email, now: Millis) -> Result<(), StoreError> {
        self.record_login_failure_op(realm, email, now).await
    }
    async fn login_failures_since(&self, realm: &RealmName, email: &Email, since: Millis) -> Result<u32, StoreError> {
        self.login_failures_since_op(realm, email, since).await
    }
    async fn clear_login_failures(&self, realm: &RealmName, email: &Email) -> Result<(), StoreError> {
        self.clear_login_failures_op(realm, email).await
    }

    async fn link_profile(&self, realm: &RealmName, id: &IdentityId, profile: &ProfileId, now: Millis) -> Result<Identity, StoreError> {
        self.link_profile_op(realm, id, profile, now).await
    }
    async fn unlink_profile(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError> {
        self.unlink_profile_op(realm, id, now).await
    }

    async fn create_session(&self, realm: &RealmName, id: &IdentityId, expires_at: Millis, now: Millis) -> Result<String, StoreError> {
        self.create_session_op(realm, id, expires_at, now).await
    }
    async fn active_sessions(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError> {
        self.active_sessions_op(realm, id, now).await
    }
    async fn revoke_sessions(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError> {
        self.revoke_sessions_op(realm, id, now).await
    }

    async fn set_sso_domain(&self, realm: &RealmName, domain: &str, hint: &IdpHint, enabled: bool, now: Millis) -> Result<(), StoreError> {
        self.set_sso_domain_op(realm, domain, hint, enabled, now).await
    }
    async fn remove_sso_domain(&self, realm: &RealmName, domain: &str) -> Result<bool, StoreError> {
        self.remove_sso_domain_op(realm, domain).await
    }
    async fn get_sso_domain(&self, domain: &str) -> Result<Option<SsoDomain>, StoreError> {
        self.get_sso_domain_op(domain).await
    }

    async fn events_after(&self, after: i64, limit: u32, realms: &RealmFilter) -> Result<Vec<Event>, StoreError> {
        self.events_after_op(after, limit, realms).await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        self.insert_api_key_op(key).await
    }
    async fn get_api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.get_api_key_op(id).await
    }
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.list_api_keys_op().await
    }
    async fn revoke_api_key(&self, id: &str, now: Millis) -> Result<bool, StoreError> {
        self.revoke_api_key_op(id, now).await
    }
}
