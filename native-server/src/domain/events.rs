//! Domain events, written to the outbox in the transaction of the change.

use serde::Serialize;
use serde_json::Value;

use crate::clock::Millis;

/// The kinds of event the feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[non_exhaustive]
pub enum EventKind {
    IdentityCreated,
    EmailChanged,
    EmailCleared,
    NamesChanged,
    LanguageChanged,
    MfaChanged,
    CredentialsChanged,
    CredentialsDeleted,
    EmailVerified,
    IdentityMerged,
    IdentityDeleted,
    ProfileLinkChanged,
    SessionsRevoked,
}

impl EventKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::IdentityCreated => "IdentityCreated",
            EventKind::EmailChanged => "EmailChanged",
            EventKind::EmailCleared => "EmailCleared",
            EventKind::NamesChanged => "NamesChanged",
            EventKind::LanguageChanged => "LanguageChanged",
            EventKind::MfaChanged => "MfaChanged",
            EventKind::CredentialsChanged => "CredentialsChanged",
            EventKind::CredentialsDeleted => "CredentialsDeleted",
            EventKind::EmailVerified => "EmailVerified",
            EventKind::IdentityMerged => "IdentityMerged",
            EventKind::IdentityDeleted => "IdentityDeleted",
            EventKind::ProfileLinkChanged => "ProfileLinkChanged",
            EventKind::SessionsRevoked => "SessionsRevoked",
        }
    }
}

/// An event to append: its kind, the identity it concerns and its data
/// (never a secret: no password, hash, key or token).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub identity_id: String,
    pub data: Value,
}

impl NewEvent {
    pub fn new(kind: EventKind, identity_id: &str, data: Value) -> Self {
        NewEvent { kind, identity_id: identity_id.to_owned(), data }
    }
}

/// An event read from the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub realm: String,
    pub kind: String,
    pub identity_id: Option<String>,
    pub data: Value,
    pub created_at: Millis,
}
