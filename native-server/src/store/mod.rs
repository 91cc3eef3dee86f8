//! Storage: one trait with every operation the server needs. Each write is
//! one transaction that also appends its events to the outbox, so a change
//! and its events commit or vanish together.
//!
//! Adapters: `sql::SqlStore` over SQLite (default) and PostgreSQL, each with
//! its own migrations; both pass `tests/store_conformance.rs`.

pub mod api_keys;
pub mod sql;

use async_trait::async_trait;
use realmgate_core::RealmName;

use crate::clock::Millis;
use crate::domain::email_change::EmailChangeOutcome;
use crate::domain::events::Event;
use crate::domain::identity::{ListQuery, MfaChange, NamesChange};
use crate::domain::{Email, IdpHint, Identity, IdentityId, Language, NewIdentity, ProfileId};

pub use api_keys::ApiKeyRecord;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the email address is already used in this realm")]
    EmailTaken,
    #[error("the email address belongs to an identity linked to another profile")]
    EmailDenied,
    #[error("the profile is already linked to another identity in this realm")]
    ProfileTaken,
    #[error("the domain is configured for another realm")]
    DomainTaken,
    #[error("a concurrent change conflicted with this one; retry")]
    Conflict,
    #[error("injected fault at {0}")]
    Injected(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// An SSO domain mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoDomain {
    pub domain: String,
    pub realm: String,
    pub idp_hint: String,
    pub enabled: bool,
}

/// Which realms an events read may see.
#[derive(Debug, Clone)]
pub enum RealmFilter {
    All,
    Only(Vec<String>),
}

/// What a password check needs: the identity (if the address is known) and
/// its hash (if it has a password).
#[derive(Debug, Clone)]
pub struct PasswordRecord {
    pub identity_id: IdentityId,
    pub password_hash: Option<String>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    // Realms
    async fn ensure_realm(&self, realm: &RealmName, now: Millis) -> Result<(), StoreError>;
    async fn realm_exists(&self, realm: &str) -> Result<bool, StoreError>;

    // Identities
    /// Creates an identity (and its profile link); `EmailTaken` / `ProfileTaken` on conflict.
    async fn create_identity(&self, new: &NewIdentity, now: Millis) -> Result<Identity, StoreError>;
    async fn get_identity(&self, realm: &RealmName, id: &IdentityId) -> Result<Option<Identity>, StoreError>;
    async fn find_by_email(&self, realm: &RealmName, email: &Email) -> Result<Option<Identity>, StoreError>;
    async fn find_by_profile(&self, realm: &RealmName, profile: &ProfileId) -> Result<Option<Identity>, StoreError>;
    async fn list_identities(&self, realm: &RealmName, q: &ListQuery) -> Result<Vec<Identity>, StoreError>;
    async fn change_names(&self, realm: &RealmName, id: &IdentityId, c: NamesChange, now: Millis) -> Result<Identity, StoreError>;
    async fn set_language(&self, realm: &RealmName, id: &IdentityId, l: &Language, now: Millis) -> Result<Identity, StoreError>;
    async fn change_mfa(&self, realm: &RealmName, id: &IdentityId, c: MfaChange, now: Millis) -> Result<Identity, StoreError>;
    /// Removes the identity, its link and its sessions; `IdentityDeleted`.
    async fn delete_identity(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<(), StoreError>;

    // Email
    /// The three-outcome email change (see `domain::email_change`); `EmailDenied` when denied.
    async fn change_email(&self, realm: &RealmName, id: &IdentityId, email: &Email, now: Millis) -> Result<EmailChangeOutcome, StoreError>;
    async fn verify_email(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError>;
    /// Replaces the address with a caller-given placeholder, unverified.
    async fn clear_email(&self, realm: &RealmName, id: &IdentityId, placeholder: &Email, now: Millis) -> Result<Identity, StoreError>;

    // Credentials
    /// Sets email + password hash: same email updates the hash, a free email
    /// updates both, a taken email is `EmailTaken`.
    async fn set_credentials(&self, realm: &RealmName, id: &IdentityId, email: &Email, hash: &str, now: Millis) -> Result<Identity, StoreError>;
    /// Removes the password and revokes the sessions.
    async fn delete_credentials(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError>;
    async fn password_record(&self, realm: &RealmName, email: &Email) -> Result<Option<PasswordRecord>, StoreError>;
    async fn record_login_failure(&self, realm: &RealmName, email: &Email, now: Millis) -> Result<(), StoreError>;
    async fn login_failures_since(&self, realm: &RealmName, email: &Email, since: Millis) -> Result<u32, StoreError>;
    async fn clear_login_failures(&self, realm: &RealmName, email: &Email) -> Result<(), StoreError>;

    // Profile links
    /// Links or relinks; `ProfileTaken` if the profile has another identity.
    async fn link_profile(&self, realm: &RealmName, id: &IdentityId, profile: &ProfileId, now: Millis) -> Result<Identity, StoreError>;
    async fn unlink_profile(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<Identity, StoreError>;

    // Sessions (filled by the embedded issuer, #5)
    async fn create_session(&self, realm: &RealmName, id: &IdentityId, expires_at: Millis, now: Millis) -> Result<String, StoreError>;
    async fn active_sessions(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError>;
    /// Revokes every live session of the identity; `SessionsRevoked`.
    async fn revoke_sessions(&self, realm: &RealmName, id: &IdentityId, now: Millis) -> Result<u64, StoreError>;

    // SSO domains
    async fn set_sso_domain(&self, realm: &RealmName, domain: &str, hint: &IdpHint, enabled: bool, now: Millis) -> Result<(), StoreError>;
    async fn remove_sso_domain(&self, realm: &RealmName, domain: &str) -> Result<bool, StoreError>;
    async fn get_sso_domain(&self, domain: &str) -> Result<Option<SsoDomain>, StoreError>;

    // Events
    async fn events_after(&self, after: i64, limit: u32, realms: &RealmFilter) -> Result<Vec<Event>, StoreError>;

    // API keys
    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    async fn get_api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    async fn revoke_api_key(&self, id: &str, now: Millis) -> Result<bool, StoreError>;
}
