//! Reading identities back from rows.

use realmgate_core::RealmName;
use sqlx::{Any, Executor, Row as _};

use super::Row;
use crate::domain::{Email, Identity, IdentityId, Language};
use crate::store::StoreError;

/// The identity columns with the profile link, for `WHERE` clauses on `i.`.
pub(super) const SELECT_IDENTITY: &str = "SELECT i.id, i.realm, i.email, i.email_verified, i.first_name, i.last_name, \
     i.language, i.mfa_enabled, i.mfa_required, i.password_hash, l.profile_id, i.created_at, i.updated_at \
     FROM identities i LEFT JOIN profile_links l ON l.identity_id = i.id";

pub(super) fn identity(row: &Row) -> Result<Identity, StoreError> {
    let realm: String = row.try_get("realm")?;
    let realm = RealmName::parse(&realm)
        .map_err(|_| StoreError::Database(sqlx::Error::Decode("stored realm name is invalid".into())))?;
    let hash: Option<String> = row.try_get("password_hash")?;
    Ok(Identity {
        id: IdentityId::from_stored(row.try_get("id")?),
        realm,
        email: Email::from_stored(row.try_get("email")?),
        email_verified: flag(row, "email_verified")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        language: Language::from_stored(row.try_get("language")?),
        mfa_enabled: flag(row, "mfa_enabled")?,
        mfa_required: flag(row, "mfa_required")?,
        has_password: hash.is_some(),
        profile_id: row.try_get("profile_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The identity `id` in `realm`, if any.
pub(super) async fn by_id<'e, E>(ex: E, realm: &str, id: &str) -> Result<Option<Identity>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!("{SELECT_IDENTITY} WHERE i.realm = $1 AND i.id = $2");
    let row = sqlx::query(&sql).bind(realm).bind(id).fetch_optional(ex).await?;
    row.as_ref().map(identity).transpose()
}

/// The identity holding `email` in `realm`, if any.
pub(super) async fn by_email<'e, E>(ex: E, realm: &str, email: &str) -> Result<Option<Identity>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!("{SELECT_IDENTITY} WHERE i.realm = $1 AND i.email = $2");
    let row = sqlx::query(&sql).bind(realm).bind(email).fetch_optional(ex).await?;
    row.as_ref().map(identity).transpose()
}

/// Flags are stored as 0/1 integers in both backends.
fn flag(row: &Row, column: &str) -> Result<bool, StoreError> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}
