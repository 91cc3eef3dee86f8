//! Which key signs: the realm's active key from the database (so a
//! `keys rotate` by another process takes effect at once), parsed once per
//! kid and cached. A realm without a key gets one (first start).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use realmgate_core::jose::Algorithm;
use realmgate_core::RealmName;
use serde_json::Value;

use super::keys::{self, KeyError, SigningKey};
use crate::clock::Millis;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("key task failed")]
    Task,
}

#[derive(Default)]
pub struct Signer {
    loaded: Mutex<HashMap<String, Arc<SigningKey>>>,
}

impl Signer {
    /// The realm's active key, made (with `alg`) if the realm has none.
    pub async fn active(&self, store: &dyn Store, realm: &RealmName, alg: Algorithm, now: Millis) -> Result<Arc<SigningKey>, SignerError> {
        let record = match store.active_key(realm).await? {
            Some(r) => r,
            None => {
                ensure_key(store, realm, alg, now).await?;
                store.active_key(realm).await?.ok_or(SignerError::Task)?
            }
        };
        if let Some(k) = self.loaded.lock().ok().and_then(|m| m.get(&record.kid).cloned()) {
            return Ok(k);
        }
        let key = Arc::new(tokio::task::spawn_blocking(move || keys::load(&record)).await.map_err(|_| SignerError::Task)??);
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(key.kid.clone(), key.clone());
        }
        Ok(key)
    }

    /// Signs `claims` with the realm's active key.
    pub async fn sign(&self, store: &dyn Store, realm: &RealmName, alg: Algorithm, now: Millis, claims: &Value) -> Result<String, SignerError> {
        let key = self.active(store, realm, alg, now).await?;
        Ok(key.sign_jwt(claims)?)
    }
}

/// Generates and stores a first key for the realm unless it has one.
pub async fn ensure_key(store: &dyn Store, realm: &RealmName, alg: Algorithm, now: Millis) -> Result<bool, SignerError> {
    if store.active_key(realm).await?.is_some() {
        return Ok(false);
    }
    let record = tokio::task::spawn_blocking(move || keys::generate(alg, now)).await.map_err(|_| SignerError::Task)??;
    let inserted = store.insert_first_key(realm, &record).await?;
    if inserted {
        tracing::info!(realm = %realm, kid = %record.kid, alg = %record.alg, "signing key generated");
    }
    Ok(inserted)
}

/// Rotates: a new active key (`alg`, or the current key's), the old one
/// published until `retire_after`. Returns the new kid.
pub async fn rotate(store: &dyn Store, realm: &RealmName, alg: Option<Algorithm>, retire_after: Millis, now: Millis) -> Result<String, SignerError> {
    let current = store.active_key(realm).await?;
    let alg = match (alg, &current) {
        (Some(a), _) => a,
        (None, Some(c)) => keys::parse_alg(&c.alg)?,
        (None, None) => Algorithm::Rs256,
    };
    let record = tokio::task::spawn_blocking(move || keys::generate(alg, now)).await.map_err(|_| SignerError::Task)??;
    store.rotate_key(realm, &record, retire_after).await?;
    tracing::info!(realm = %realm, kid = %record.kid, alg = %record.alg, retired = ?current.map(|c| c.kid), op = "keys.rotate", "audit");
    Ok(record.kid)
}
