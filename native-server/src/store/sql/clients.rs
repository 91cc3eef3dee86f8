//! OAuth clients per realm (their config as JSON text).

use realmgate_core::RealmName;
use sqlx::Row as _;

use super::SqlStore;
use crate::clock::Millis;
use crate::issuer::clients::{Client, ClientConfig};
use crate::store::StoreError;

impl SqlStore {
    pub(super) async fn upsert_client_op(&self, realm: &RealmName, client: &Client, now: Millis) -> Result<(), StoreError> {
        let config = serde_json::to_string(&client.config).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query(
                "INSERT INTO clients (realm, client_id, secret_hash, config, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (realm, client_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, config = EXCLUDED.config, updated_at = EXCLUDED.updated_at",
            )
            .bind(realm.as_str())
            .bind(&client.client_id)
            .bind(&client.secret_hash)
            .bind(&config)
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn get_client_op(&self, realm: &RealmName, client_id: &str) -> Result<Option<Client>, StoreError> {
        let row = sqlx::query("SELECT client_id, secret_hash, config FROM clients WHERE realm = $1 AND client_id = $2")
            .bind(realm.as_str())
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let config: String = row.try_get("config")?;
        let config: ClientConfig = serde_json::from_str(&config).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        Ok(Some(Client { client_id: row.try_get("client_id")?, secret_hash: row.try_get("secret_hash")?, config }))
    }

    pub(super) async fn delete_client_op(&self, realm: &RealmName, client_id: &str) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let done = sqlx::query("DELETE FROM clients WHERE realm = $1 AND client_id = $2").bind(realm.as_str()).bind(client_id).execute(&mut *w.tx).await?;
            Ok(done.rows_affected() > 0)
        }
        .await;
        self.finish(w, r).await
    }
}
