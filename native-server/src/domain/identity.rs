//! The identity record and the values that create or change one.

use realmgate_core::RealmName;

use super::{Email, Language, Name, ProfileId};
use crate::clock::Millis;

/// An identity's id: a UUIDv7 string (creation-ordered, so it is also the
/// listing cursor).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityId(String);

impl IdentityId {
    pub fn generate() -> IdentityId {
        IdentityId(uuid::Uuid::now_v7().to_string())
    }

    /// An id from a path or a token subject: any UUID, normalized.
    pub fn parse(raw: &str) -> Option<IdentityId> {
        uuid::Uuid::parse_str(raw).ok().map(|u| IdentityId(u.to_string()))
    }

    pub(crate) fn from_stored(s: String) -> IdentityId {
        IdentityId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for IdentityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identity as stored, with its profile link (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: IdentityId,
    pub realm: RealmName,
    pub email: Email,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: Language,
    pub mfa_enabled: bool,
    pub mfa_required: bool,
    pub has_password: bool,
    pub profile_id: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What a create request carries, validated.
#[derive(Debug, Clone)]
pub struct NewIdentity {
    pub realm: RealmName,
    pub email: Email,
    pub language: Language,
    pub first_name: Option<Name>,
    pub last_name: Option<Name>,
    pub profile_id: Option<ProfileId>,
    pub mfa_required: bool,
}

/// A change to a nullable field: absent = unchanged, `null` = clear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    #[default]
    Unchanged,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Unchanged => current,
            Patch::Clear => None,
            Patch::Set(v) => Some(v),
        }
    }
}

/// The name change request: each side independently.
#[derive(Debug, Clone, Default)]
pub struct NamesChange {
    pub first_name: Patch<String>,
    pub last_name: Patch<String>,
}

/// The MFA change request: `None` = unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct MfaChange {
    pub enabled: Option<bool>,
    pub required: Option<bool>,
}

/// A page of a listing.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub after: Option<IdentityId>,
    pub email_prefix: Option<String>,
    pub limit: u32,
}
