//! The issuer's sessions (the rows logout-all revokes) and their ending.

use realmgate_core::RealmName;
use serde_json::json;
use sqlx::Row as _;

use super::{Row, SqlStore};
use crate::clock::Millis;
use crate::domain::events::{EventKind, NewEvent};
use crate::domain::IdentityId;
use crate::store::issuer::{NewSession, SessionRecord};
use crate::store::StoreError;

const COLUMNS: &str = "id, realm, identity_id, created_at, auth_time, expires_at, revoked_at";

fn record(row: &Row) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.try_get("id")?,
        realm: row.try_get("realm")?,
        identity_id: IdentityId::from_stored(row.try_get("identity_id")?),
        created_at: row.try_get("created_at")?,
        auth_time: row.try_get("auth_time")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl SqlStore {
    pub(super) async fn list_realms_op(&self) -> Result<Vec<RealmName>, StoreError> {
        let rows = sqlx::query("SELECT name FROM realms ORDER BY name").fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let name: String = row.try_get("name")?;
            out.push(RealmName::parse(&name).map_err(|_| StoreError::Database(sqlx::Error::Decode("stored realm name is invalid".into())))?);
        }
        Ok(out)
    }

    pub(super) async fn open_session_op(&self, new: &NewSession, now: Millis) -> Result<SessionRecord, StoreError> {
        let mut w = self.begin_write().await?;
        let id = uuid::Uuid::new_v4().to_string();
        let r = async {
            super::rows::by_id(&mut *w.tx, new.realm.as_str(), new.identity_id.as_str()).await?.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO sessions (id, realm, identity_id, created_at, expires_at, revoked_at, cookie_hash, auth_time) \
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $4)",
            )
            .bind(&id)
            .bind(new.realm.as_str())
            .bind(new.identity_id.as_str())
            .bind(now)
            .bind(new.expires_at)
            .bind(&new.cookie_hash)
            .execute(&mut *w.tx)
            .await?;
            Ok(SessionRecord {
                id: id.clone(),
                realm: new.realm.as_str().to_owned(),
                identity_id: new.identity_id.clone(),
                created_at: now,
                auth_time: now,
                expires_at: new.expires_at,
                revoked_at: None,
            })
        }
        .await;
        self.finish(w, r).await
    }

    pub(super) async fn get_session_op(&self, realm: &RealmName, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE realm = $1 AND id = $2");
        let row = sqlx::query(&sql).bind(realm.as_str()).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(record).transpose()
    }

    pub(super) async fn session_by_cookie_op(&self, realm: &RealmName, cookie_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE realm = $1 AND cookie_hash = $2");
        let row = sqlx::query(&sql).bind(realm.as_str()).bind(cookie_hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(record).transpose()
    }

    pub(super) async fn end_session_op(&self, realm: &RealmName, id: &str, reason: &str, now: Millis) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let r = async {
            let tx = &mut w.tx;
            let sql = format!("SELECT {COLUMNS} FROM sessions WHERE realm = $1 AND id = $2");
            let Some(row) = sqlx::query(&sql).bind(realm.as_str()).bind(id).fetch_optional(&mut **tx).await? else {
                return Ok(false);
            };
            let session = record(&row)?;
            sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE session_id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut **tx).await?;
            if session.revoked_at.is_some() {
                return Ok(false);
            }
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut **tx).await?;
            let data = json!({ "count": 1, "reason": reason, "session_id": id });
            self.append_events(tx, realm.as_str(), &[NewEvent::new(EventKind::SessionsRevoked, session.identity_id.as_str(), data)], now).await?;
            Ok(session.expires_at > now)
        }
        .await;
        self.finish(w, r).await
    }
}
