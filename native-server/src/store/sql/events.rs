//! The events feed and the API-key table.

use sqlx::Row as _;

use super::SqlStore;
use crate::clock::Millis;
use crate::domain::events::Event;
use crate::store::{ApiKeyRecord, RealmFilter, StoreError};

impl SqlStore {
    pub(super) async fn events_after_op(&self, after: i64, limit: u32, realms: &RealmFilter) -> Result<Vec<Event>, StoreError> {
        let base = "SELECT id, realm, kind, identity_id, data, created_at FROM events WHERE id > $1";
        let rows = match realms {
            RealmFilter::All => {
                sqlx::query(&format!("{base} ORDER BY id LIMIT $2"))
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
            RealmFilter::Only(names) if names.is_empty() => return Ok(Vec::new()),
            RealmFilter::Only(names) => {
                // Realm names are a short list: one placeholder each.
                let list: Vec<String> = (0..names.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!("{base} AND realm IN ({}) ORDER BY id LIMIT ${}", list.join(", "), names.len() + 2);
                let mut q = sqlx::query(&sql).bind(after);
                for n in names {
                    q = q.bind(n.as_str());
                }
                q.bind(i64::from(limit)).fetch_all(&self.pool).await?
            }
        };
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                Ok(Event {
                    id: r.try_get("id")?,
                    realm: r.try_get("realm")?,
                    kind: r.try_get("kind")?,
                    identity_id: r.try_get("identity_id")?,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn insert_api_key_op(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query("INSERT INTO api_keys (id, name, secret_hash, realms, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                .bind(key.id.as_str())
                .bind(key.name.as_str())
                .bind(key.secret_hash.as_str())
                .bind(serde_json::to_string(&key.realms).unwrap_or_default())
                .bind(serde_json::to_string(&key.scopes).unwrap_or_default())
                .bind(key.created_at)
                .execute(&mut *w.tx)
                .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn get_api_key_op(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let row = sqlx::query("SELECT id, name, secret_hash, realms, scopes, created_at, revoked_at FROM api_keys WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(api_key).transpose()
    }

    pub(super) async fn list_api_keys_op(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows = sqlx::query("SELECT id, name, secret_hash, realms, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(api_key).collect()
    }

    pub(super) async fn revoke_api_key_op(&self, id: &str, now: Millis) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
            Ok(done.rows_affected() > 0)
        }
        .await;
        self.finish(w, r).await
    }
}

fn api_key(r: &super::Row) -> Result<ApiKeyRecord, StoreError> {
    let realms: String = r.try_get("realms")?;
    let scopes: String = r.try_get("scopes")?;
    Ok(ApiKeyRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        secret_hash: r.try_get("secret_hash")?,
        realms: serde_json::from_str(&realms).unwrap_or_default(),
        scopes: serde_json::from_str(&scopes).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}
