//! Running the commands: open (and migrate) the store, serve with graceful
//! shutdown, manage API keys.

use std::sync::Arc;
use std::time::Duration;

use realmgate_core::{RealmName, RealmPolicy};

use crate::auth::jwks::JwksVerifier;
use crate::auth::ScopeNames;
use crate::cli::{ApiKeyCommand, RealmArgs, ServeArgs};
use crate::clock::{Clock, SystemClock};
use crate::crypto::api_key::NewApiKey;
use crate::domain::lockout::LockoutPolicy;
use crate::state::AppState;
use crate::store::sql::{ConnectOptions, SqlStore};
use crate::store::{ApiKeyRecord, Store};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects and migrates.
pub async fn open_store(url: &str) -> Result<SqlStore, BoxError> {
    let store = SqlStore::connect(&ConnectOptions::new(url)).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn ensure_realms(store: &SqlStore, args: &RealmArgs) -> Result<(), BoxError> {
    let now = SystemClock.now_ms();
    for name in args.realms.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let realm = RealmName::parse(name).map_err(|e| format!("realm {name:?}: {e}"))?;
        store.ensure_realm(&realm, now).await?;
    }
    Ok(())
}

pub async fn serve(url: &str, args: ServeArgs) -> Result<(), BoxError> {
    let store = open_store(url).await?;
    ensure_realms(&store, &args.realms).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut state = AppState::new(Arc::new(store)).with_clock(clock.clone());
    if let Some(path) = &args.token_policy {
        let text = std::fs::read_to_string(path).map_err(|e| format!("token policy {}: {e}", path.display()))?;
        let policy = RealmPolicy::from_json(&text).map_err(|e| format!("token policy {}: {e}", path.display()))?;
        for (realm, _) in policy.realms() {
            state.store.ensure_realm(realm, clock.now_ms()).await?;
        }
        state = state.with_tokens(Arc::new(JwksVerifier::new(policy, clock.clone())));
    }
    state.scopes = ScopeNames { read: args.read_scope.clone(), write: args.write_scope.clone() };
    state.lockout = LockoutPolicy { max_failures: args.lockout_failures.max(1), window_ms: i64::from(args.lockout_window_secs) * 1000 };
    tokio::task::spawn_blocking(crate::crypto::password::warm_up);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, database = backend_name(url), "listening");
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    let server = axum::serve(listener, crate::app(state)).with_graceful_shutdown(shutdown_signal());
    // In-flight requests finish; a stuck one cannot hold the process forever.
    let mut server = std::pin::pin!(std::future::IntoFuture::into_future(server));
    tokio::select! {
        r = &mut server => r?,
        _ = async { shutdown_signal().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("shutdown grace period elapsed; exiting");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") { "sqlite" } else { "postgres" }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

pub async fn api_key(url: &str, cmd: ApiKeyCommand) -> Result<(), BoxError> {
    let store = open_store(url).await?;
    match cmd {
        ApiKeyCommand::Create { realms, scopes, name } => {
            for r in &realms {
                if r != "*" {
                    RealmName::parse(r).map_err(|e| format!("realm {r:?}: {e}"))?;
                }
            }
            let key = NewApiKey::generate();
            let record = ApiKeyRecord {
                id: key.id.clone(),
                name,
                secret_hash: key.secret_hash.clone(),
                realms,
                scopes,
                created_at: SystemClock.now_ms(),
                revoked_at: None,
            };
            store.insert_api_key(&record).await?;
            tracing::info!(key_id = %record.id, realms = ?record.realms, scopes = ?record.scopes, op = "api_key.create", "audit");
            println!("{}", key.reveal());
            eprintln!("API key {} created; it is shown only once.", record.id);
        }
        ApiKeyCommand::List => {
            for k in store.list_api_keys().await? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", k.id, state, k.realms.join(","), k.scopes.join(","), k.name);
            }
        }
        ApiKeyCommand::Revoke { id } => {
            if store.revoke_api_key(&id, SystemClock.now_ms()).await? {
                tracing::info!(key_id = %id, op = "api_key.revoke", "audit");
                println!("revoked {id}");
            } else {
                return Err(format!("no active key {id}").into());
            }
        }
    }
    store.close().await;
    Ok(())
}
