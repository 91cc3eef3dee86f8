//! Storage of the embedded realm issuer (#5): signing keys, clients,
//! sessions, authorization codes and refresh tokens. A supertrait of
//! `Store`, so one `Arc<dyn Store>` serves both and both adapters implement
//! it (`tests/store_conformance.rs`, `tests/issuer_store.rs`).

use async_trait::async_trait;
use realmgate_core::RealmName;

use super::StoreError;
use crate::clock::Millis;
use crate::domain::IdentityId;
use crate::issuer::clients::Client;

/// A signing key as stored. `private_pkcs8` is base64 PKCS#8: a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub private_pkcs8: String,
    /// The public JWK (JSON text), as published.
    pub public_jwk: String,
    pub created_at: Millis,
    pub active: bool,
    /// When a retired key leaves the JWKS.
    pub retire_after: Option<Millis>,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord").field("kid", &self.kid).field("alg", &self.alg).field("active", &self.active).finish_non_exhaustive()
    }
}

/// A session of the issuer (the `sessions` table that logout-all revokes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub realm: String,
    pub identity_id: IdentityId,
    pub created_at: Millis,
    pub auth_time: Millis,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
}

impl SessionRecord {
    pub fn is_live(&self, now: Millis) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A session to open: a browser session has a cookie (only its hash stored).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub realm: RealmName,
    pub identity_id: IdentityId,
    pub cookie_hash: Option<String>,
    pub expires_at: Millis,
}

/// An authorization code as stored (its hash, never the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub code_hash: String,
    pub realm: String,
    pub client_id: String,
    pub session_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// What presenting a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// First use: the code is now spent.
    Fresh(CodeRecord),
    /// Already spent: whatever it issued must be revoked.
    Reused(CodeRecord),
    Unknown,
}

/// A refresh token as stored (its hash, never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub token_hash: String,
    pub session_id: String,
    pub realm: String,
    pub client_id: String,
    pub scope: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub rotated_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

#[async_trait]
pub trait IssuerStore: Send + Sync + 'static {
    async fn list_realms(&self) -> Result<Vec<RealmName>, StoreError>;

    // Signing keys
    /// The active key, then the retired keys still published at `now`, newest first.
    async fn published_keys(&self, realm: &RealmName, now: Millis) -> Result<Vec<SigningKeyRecord>, StoreError>;
    async fn active_key(&self, realm: &RealmName) -> Result<Option<SigningKeyRecord>, StoreError>;
    /// Inserts `key` as the active key unless the realm has one; whether it did.
    async fn insert_first_key(&self, realm: &RealmName, key: &SigningKeyRecord) -> Result<bool, StoreError>;
    /// Retires the active key(s) (published until `retire_after`) and makes `key` active.
    async fn rotate_key(&self, realm: &RealmName, key: &SigningKeyRecord, retire_after: Millis) -> Result<(), StoreError>;

    // Clients
    async fn upsert_client(&self, realm: &RealmName, client: &Client, now: Millis) -> Result<(), StoreError>;
    async fn get_client(&self, realm: &RealmName, client_id: &str) -> Result<Option<Client>, StoreError>;
    async fn delete_client(&self, realm: &RealmName, client_id: &str) -> Result<bool, StoreError>;

    // Sessions
    async fn open_session(&self, new: &NewSession, now: Millis) -> Result<SessionRecord, StoreError>;
    async fn get_session(&self, realm: &RealmName, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn session_by_cookie(&self, realm: &RealmName, cookie_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Revokes one session and its refresh tokens (`SessionsRevoked` with
    /// `reason`); whether it was live.
    async fn end_session(&self, realm: &RealmName, id: &str, reason: &str, now: Millis) -> Result<bool, StoreError>;

    // Authorization codes
    async fn insert_code(&self, code: &CodeRecord) -> Result<(), StoreError>;
    /// Spends a code (atomically: of two concurrent uses one is `Fresh`).
    async fn use_code(&self, realm: &RealmName, code_hash: &str, now: Millis) -> Result<CodeUse, StoreError>;

    // Refresh tokens
    async fn insert_refresh(&self, token: &RefreshRecord) -> Result<(), StoreError>;
    async fn get_refresh(&self, realm: &RealmName, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError>;
    /// Marks `old_hash` rotated and inserts `new`, atomically; `false` when
    /// `old_hash` was already rotated or revoked (a reuse).
    async fn rotate_refresh(&self, old_hash: &str, new: &RefreshRecord, now: Millis) -> Result<bool, StoreError>;
}
