//! The stored form of an API key: its public id, the SHA-256 of its secret,
//! and what it may do.

use crate::clock::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: String,
    /// Hex SHA-256 of the secret part (never the secret itself).
    pub secret_hash: String,
    /// Realm names, or `["*"]` for every realm.
    pub realms: Vec<String>,
    /// `read` and/or `write`.
    pub scopes: Vec<String>,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}
