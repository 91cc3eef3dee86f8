//! Response bodies shared by several resources.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::domain::Identity;

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct IdentityView {
    pub id: String,
    pub realm: String,
    pub email: String,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// BCP 47 tag.
    pub language: String,
    pub mfa_enabled: bool,
    pub mfa_required: bool,
    pub has_password: bool,
    pub profile_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Identity> for IdentityView {
    fn from(i: Identity) -> Self {
        IdentityView {
            id: i.id.as_str().to_owned(),
            realm: i.realm.as_str().to_owned(),
            email: i.email.as_str().to_owned(),
            email_verified: i.email_verified,
            first_name: i.first_name,
            last_name: i.last_name,
            language: i.language.as_str().to_owned(),
            mfa_enabled: i.mfa_enabled,
            mfa_required: i.mfa_required,
            has_password: i.has_password,
            profile_id: i.profile_id,
            created_at: rfc3339(i.created_at),
            updated_at: rfc3339(i.updated_at),
        }
    }
}

/// A realm + identity path.
#[derive(Debug, serde::Deserialize)]
pub struct RealmIdentityPath {
    pub realm: String,
    pub id: String,
}

/// A realm path.
#[derive(Debug, serde::Deserialize)]
pub struct RealmPath {
    pub realm: String,
}
