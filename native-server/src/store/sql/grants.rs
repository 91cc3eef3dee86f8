//! Authorization codes and refresh tokens (hashes only), each spent or
//! rotated atomically.

use realmgate_core::RealmName;
use sqlx::Row as _;

use super::{Row, SqlStore};
use crate::clock::Millis;
use crate::store::issuer::{CodeRecord, CodeUse, RefreshRecord};
use crate::store::StoreError;

const CODE_COLUMNS: &str = "code_hash, realm, client_id, session_id, redirect_uri, code_challenge, scope, nonce, created_at, expires_at, used_at";
const REFRESH_COLUMNS: &str = "token_hash, session_id, realm, client_id, scope, created_at, expires_at, rotated_at, revoked_at";

fn code(row: &Row) -> Result<(CodeRecord, Option<Millis>), StoreError> {
    Ok((
        CodeRecord {
            code_hash: row.try_get("code_hash")?,
            realm: row.try_get("realm")?,
            client_id: row.try_get("client_id")?,
            session_id: row.try_get("session_id")?,
            redirect_uri: row.try_get("redirect_uri")?,
            code_challenge: row.try_get("code_challenge")?,
            scope: row.try_get("scope")?,
            nonce: row.try_get("nonce")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        },
        row.try_get("used_at")?,
    ))
}

fn refresh(row: &Row) -> Result<RefreshRecord, StoreError> {
    Ok(RefreshRecord {
        token_hash: row.try_get("token_hash")?,
        session_id: row.try_get("session_id")?,
        realm: row.try_get("realm")?,
        client_id: row.try_get("client_id")?,
        scope: row.try_get("scope")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        rotated_at: row.try_get("rotated_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl SqlStore {
    pub(super) async fn insert_code_op(&self, c: &CodeRecord) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            sqlx::query(
                "INSERT INTO auth_codes (code_hash, realm, client_id, session_id, redirect_uri, code_challenge, scope, nonce, created_at, expires_at, used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)",
            )
            .bind(&c.code_hash)
            .bind(&c.realm)
            .bind(&c.client_id)
            .bind(&c.session_id)
            .bind(&c.redirect_uri)
            .bind(&c.code_challenge)
            .bind(&c.scope)
            .bind(&c.nonce)
            .bind(c.created_at)
            .bind(c.expires_at)
            .execute(&mut *w.tx)
            .await?;
            Ok(())
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn use_code_op(&self, realm: &RealmName, code_hash: &str, now: Millis) -> Result<CodeUse, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let sql = format!("SELECT {CODE_COLUMNS} FROM auth_codes WHERE realm = $1 AND code_hash = $2");
            let Some(row) = sqlx::query(&sql).bind(realm.as_str()).bind(code_hash).fetch_optional(&mut *w.tx).await? else {
                return Ok(CodeUse::Unknown);
            };
            let (record, used_at) = code(&row)?;
            if used_at.is_some() {
                return Ok(CodeUse::Reused(record));
            }
            // The guard makes the spend atomic on PostgreSQL too.
            let done = sqlx::query("UPDATE auth_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL").bind(now).bind(code_hash).execute(&mut *w.tx).await?;
            Ok(if done.rows_affected() == 1 { CodeUse::Fresh(record) } else { CodeUse::Reused(record) })
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn insert_refresh_op(&self, t: &RefreshRecord) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let r = insert_refresh(&mut w.tx, t).await;
        self.finish(w, r).await
    }

    pub(super) async fn get_refresh_op(&self, realm: &RealmName, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        let sql = format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE realm = $1 AND token_hash = $2");
        let row = sqlx::query(&sql).bind(realm.as_str()).bind(token_hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(refresh).transpose()
    }

    pub(super) async fn rotate_refresh_op(&self, old_hash: &str, new: &RefreshRecord, now: Millis) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let done = sqlx::query("UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL AND revoked_at IS NULL")
                .bind(now)
                .bind(old_hash)
                .execute(&mut *w.tx)
                .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            insert_refresh(&mut w.tx, new).await?;
            Ok(true)
        }
        .await;
        self.finish(w, r).await
    }
}

async fn insert_refresh(tx: &mut super::Tx, t: &RefreshRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, realm, client_id, scope, created_at, expires_at, rotated_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
    )
    .bind(&t.token_hash)
    .bind(&t.session_id)
    .bind(&t.realm)
    .bind(&t.client_id)
    .bind(&t.scope)
    .bind(t.created_at)
    .bind(t.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
