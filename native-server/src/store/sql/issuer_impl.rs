//! `IssuerStore` for `SqlStore`: each method delegates to its topical module.

use async_trait::async_trait;
use realmgate_core::RealmName;

use super::SqlStore;
use crate::clock::Millis;
use crate::issuer::clients::Client;
use crate::store::issuer::{CodeRecord, CodeUse, IssuerStore, NewSession, RefreshRecord, SessionRecord, SigningKeyRecord};
use crate::store::StoreError;

#[async_trait]
impl IssuerStore for SqlStore {
    async fn list_realms(&self) -> Result<Vec<RealmName>, StoreError> {
        self.list_realms_op().await
    }

    async fn published_keys(&self, realm: &RealmName, now: Millis) -> Result<Vec<SigningKeyRecord>, StoreError> {
        self.published_keys_op(realm, now).await
    }
    async fn active_key(&self, realm: &RealmName) -> Result<Option<SigningKeyRecord>, StoreError> {
        self.active_key_op(realm).await
    }
    async fn insert_first_key(&self, realm: &RealmName, key: &SigningKeyRecord) -> Result<bool, StoreError> {
        self.insert_first_key_op(realm, key).await
    }
    async fn rotate_key(&self, realm: &RealmName, key: &SigningKeyRecord, retire_after: Millis) -> Result<(), StoreError> {
        self.rotate_key_op(realm, key, retire_after).await
    }

    async fn upsert_client(&self, realm: &RealmName, client: &Client, now: Millis) -> Result<(), StoreError> {
        self.upsert_client_op(realm, client, now).await
    }
    async fn get_client(&self, realm: &RealmName, client_id: &str) -> Result<Option<Client>, StoreError> {
        self.get_client_op(realm, client_id).await
    }
    async fn delete_client(&self, realm: &RealmName, client_id: &str) -> Result<bool, StoreError> {
        self.delete_client_op(realm, client_id).await
    }

    async fn open_session(&self, new: &NewSession, now: Millis) -> Result<SessionRecord, StoreError> {
        self.open_session_op(new, now).await
    }
    async fn get_session(&self, realm: &RealmName, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.get_session_op(realm, id).await
    }
    async fn session_by_cookie(&self, realm: &RealmName, cookie_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.session_by_cookie_op(realm, cookie_hash).await
    }
    async fn end_session(&self, realm: &RealmName, id: &str, reason: &str, now: Millis) -> Result<bool, StoreError> {
        self.end_session_op(realm, id, reason, now).await
    }

    async fn insert_code(&self, code: &CodeRecord) -> Result<(), StoreError> {
        self.insert_code_op(code).await
    }
    async fn use_code(&self, realm: &RealmName, code_hash: &str, now: Millis) -> Result<CodeUse, StoreError> {
        self.use_code_op(realm, code_hash, now).await
    }

    async fn insert_refresh(&self, token: &RefreshRecord) -> Result<(), StoreError> {
        self.insert_refresh_op(token).await
    }
    async fn get_refresh(&self, realm: &RealmName, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        self.get_refresh_op(realm, token_hash).await
    }
    async fn rotate_refresh(&self, old_hash: &str, new: &RefreshRecord, now: Millis) -> Result<bool, StoreError> {
        self.rotate_refresh_op(old_hash, new, now).await
    }
}
