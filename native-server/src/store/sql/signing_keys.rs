//! Signing keys per realm: one active, retired ones published until `retire_after`.

use realmgate_core::RealmName;
use sqlx::Row as _;

use super::{Row, SqlStore};
use crate::clock::Millis;
use crate::store::issuer::SigningKeyRecord;
use crate::store::StoreError;

const COLUMNS: &str = "kid, alg, private_pkcs8, public_jwk, created_at, active, retire_after";

fn record(row: &Row) -> Result<SigningKeyRecord, StoreError> {
    Ok(SigningKeyRecord {
        kid: row.try_get("kid")?,
        alg: row.try_get("alg")?,
        private_pkcs8: row.try_get("private_pkcs8")?,
        public_jwk: row.try_get("public_jwk")?,
        created_at: row.try_get("created_at")?,
        active: row.try_get::<i64, _>("active")? != 0,
        retire_after: row.try_get("retire_after")?,
    })
}

impl SqlStore {
    pub(super) async fn published_keys_op(&self, realm: &RealmName, now: Millis) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM signing_keys WHERE realm = $1 AND (active = 1 OR retire_after > $2) ORDER BY active DESC, created_at DESC, kid");
        let rows = sqlx::query(&sql).bind(realm.as_str()).bind(now).fetch_all(&self.pool).await?;
        rows.iter().map(record).collect()
    }

    pub(super) async fn active_key_op(&self, realm: &RealmName) -> Result<Option<SigningKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM signing_keys WHERE realm = $1 AND active = 1 ORDER BY created_at DESC, kid LIMIT 1");
        let row = sqlx::query(&sql).bind(realm.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(record).transpose()
    }

    pub(super) async fn insert_first_key_op(&self, realm: &RealmName, key: &SigningKeyRecord) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let existing = sqlx::query("SELECT kid FROM signing_keys WHERE realm = $1 AND active = 1").bind(realm.as_str()).fetch_optional(&mut *w.tx).await?;
            if existing.is_some() {
                return Ok(false);
            }
            insert(&mut w.tx, realm, key).await?;
            Ok(true)
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn rotate_key_op(&self, realm: &RealmName, key: &SigningKeyRecord, retire_after: Millis) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query("UPDATE signing_keys SET active = 0, retire_after = $1 WHERE realm = $2 AND active = 1")
                .bind(retire_after)
                .bind(realm.as_str())
                .execute(&mut *w.tx)
                .await?;
            self.checkpoint("keys.after_retire")?;
            insert(&mut w.tx, realm, key).await
        }
        .await;
        self.finish(w, r).await
    }
}

async fn insert(tx: &mut super::Tx, realm: &RealmName, key: &SigningKeyRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, realm, alg, private_pkcs8, public_jwk, created_at, active, retire_after) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, NULL)",
    )
    .bind(&key.kid)
    .bind(realm.as_str())
    .bind(&key.alg)
    .bind(&key.private_pkcs8)
    .bind(&key.public_jwk)
    .bind(key.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
