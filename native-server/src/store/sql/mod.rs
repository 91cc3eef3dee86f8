//! The SQL adapter: one implementation of `Store` over sqlx's `Any` driver,
//! connected to SQLite or PostgreSQL. Statements use only the dialect both
//! share (`$n` placeholders in ascending order, `RETURNING`, `ON CONFLICT`);
//! the schema is migrated per backend (`migrations/sqlite`, `migrations/postgres`).
//!
//! Concurrency: SQLite allows one writer, so write transactions are
//! serialized in-process (a `BEGIN` that later upgrades to a write could
//! otherwise fail with `SQLITE_BUSY`). On PostgreSQL, unique constraints
//! decide races, and events take a transaction-scoped advisory lock so event
//! ids commit in order (a feed reader never skips a late-committing event).

mod clients;
mod credentials;
mod email;
mod events;
mod grants;
mod identities;
mod issuer_impl;
mod issuer_sessions;
mod misc;
mod rows;
mod signing_keys;
mod store_impl;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};

use super::StoreError;
use crate::domain::events::NewEvent;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub url: String,
    /// PostgreSQL only: the schema to use (tests isolate themselves this way).
    pub pg_schema: Option<String>,
    pub max_connections: u32,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions { url: url.into(), pg_schema: None, max_connections: 10 }
    }
}

pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    write_lock: Option<tokio::sync::Mutex<()>>,
    faults: Arc<Mutex<Vec<&'static str>>>,
    /// Realms known to exist (realms are never deleted; see `realm_exists_op`).
    known_realms: RwLock<HashSet<String>>,
}

type Tx = Transaction<'static, Any>;

struct WriteTx<'a> {
    tx: Tx,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl SqlStore {
    /// Connects (creating the SQLite file if needed). Does not migrate.
    pub async fn connect(opts: &ConnectOptions) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(&opts.url).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration("database URL must start with sqlite: or postgres://".into()))
        })?;
        let schema = opts.pg_schema.clone();
        if let Some(s) = &schema {
            if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(StoreError::Database(sqlx::Error::Configuration("schema name must be [A-Za-z0-9_]".into())));
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match (backend, schema) {
                        (Backend::Sqlite, _) => {
                            conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;").await?;
                        }
                        (Backend::Postgres, Some(s)) => {
                            conn.execute(format!("SET search_path TO {s}").as_str()).await?;
                        }
                        (Backend::Postgres, None) => {}
                    }
                    Ok(())
                })
            })
            .connect(&opts.url)
            .await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let write_lock = (backend == Backend::Sqlite).then(|| tokio::sync::Mutex::new(()));
        Ok(SqlStore { pool, backend, write_lock, faults: Arc::default(), known_realms: RwLock::default() })
    }

    /// Applies the backend's migrations (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Runs one statement outside any transaction (test setup, e.g. `CREATE SCHEMA`).
    pub async fn execute_raw(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Test hook: the next write that reaches `point` fails there, after
    /// its earlier statements ran inside the transaction.
    pub fn fail_at(&self, point: &'static str) {
        if let Ok(mut f) = self.faults.lock() {
            f.push(point);
        }
    }

    fn checkpoint(&self, point: &'static str) -> Result<(), StoreError> {
        let mut faults = match self.faults.lock() {
            Ok(f) => f,
            Err(_) => return Ok(()),
        };
        if let Some(i) = faults.iter().position(|p| *p == point) {
            faults.remove(i);
            return Err(StoreError::Injected(point));
        }
        Ok(())
    }

    /// Opens a write transaction (holding the SQLite writer lock).
    async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let guard = match &self.write_lock {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Commits on `Ok`, rolls back on `Err`: no partial write survives.
    async fn finish<T>(&self, w: WriteTx<'_>, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let WriteTx { tx, _guard } = w;
        match result {
            Ok(v) => {
                tx.commit().await.map_err(map_commit_error)?;
                Ok(v)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Appends events at the end of a transaction (see the module comment
    /// for the PostgreSQL ordering lock).
    async fn append_events(&self, tx: &mut Tx, realm: &str, events: &[NewEvent], now: i64) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(4242001)").execute(&mut **tx).await?;
        }
        for e in events {
            self.checkpoint("events.append")?;
            sqlx::query("INSERT INTO events (realm, kind, identity_id, data, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(realm)
                .bind(e.kind.as_str())
                .bind(&e.identity_id)
                .bind(e.data.to_string())
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// A unique violation at `point` becomes the domain conflict `as_conflict`.
fn unique_as(err: sqlx::Error, as_conflict: StoreError) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => as_conflict,
        _ => map_commit_error(err),
    }
}

/// Serialization failures and deadlocks are retryable conflicts.
fn map_commit_error(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if matches!(db.code().as_deref(), Some("40001") | Some("40P01")) {
            return StoreError::Conflict;
        }
        if db.is_unique_violation() {
            return StoreError::Conflict;
        }
    }
    StoreError::Database(err)
}

pub(crate) type Row = AnyRow;
