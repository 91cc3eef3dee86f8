//! Starting the embedded issuer: its settings from the command line, the
//! clients file, a signing key per realm at first start, the admin API's
//! trust in its own realms' tokens; and the `keys` commands.

use std::net::SocketAddr;
use std::sync::Arc;

use realmgate_core::RealmName;

use crate::auth::token::TokenVerifier;
use crate::cli::{IssuerArgs, KeysCommand};
use crate::clock::{Clock, SystemClock};
use crate::issuer::keys::parse_alg;
use crate::issuer::verify::{policy, OwnRealmTokens};
use crate::issuer::{clients_file, signer, IssuerSettings};
use crate::serve::{open_store, BoxError};
use crate::store::issuer::IssuerStore as _;
use crate::store::Store;

/// The settings, with the public URL defaulting to the listening address.
pub fn settings(args: &IssuerArgs, listening: SocketAddr) -> Result<IssuerSettings, BoxError> {
    let public_url = match args.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => {
            let ip = if listening.ip().is_unspecified() { std::net::IpAddr::from([127, 0, 0, 1]) } else { listening.ip() };
            format!("http://{}", SocketAddr::new(ip, listening.port()))
        }
    };
    let settings = IssuerSettings {
        public_url,
        code_ttl_ms: i64::try_from(args.code_ttl_secs.min(60)).unwrap_or(60) * 1000,
        token_ttl_secs: args.token_ttl.token_ttl_secs,
        refresh_ttl_ms: i64::try_from(args.refresh_ttl_secs).unwrap_or(1800) * 1000,
        session_ttl_ms: i64::try_from(args.session_ttl_secs).unwrap_or(36_000) * 1000,
        default_alg: parse_alg(&args.signing_alg).map_err(|e| format!("--signing-alg: {e}"))?,
    };
    // The same rule every verifier applies: https, or http on loopback only.
    let probe = RealmName::parse("probe").map_err(|e| e.to_string())?;
    policy(&settings, &probe, vec!["probe".into()])
        .map_err(|_| format!("--public-url {:?}: must be https://HOST[/PATH], or http:// on a loopback host, without a trailing slash, query or credentials", settings.public_url))?;
    Ok(settings)
}

/// Loads the clients file (creating its realms), then makes sure every
/// realm has a signing key.
pub async fn prepare(store: &dyn Store, args: &IssuerArgs, settings: &IssuerSettings) -> Result<(), BoxError> {
    let now = SystemClock.now_ms();
    if let Some(path) = &args.clients {
        let text = std::fs::read_to_string(path).map_err(|e| format!("clients file {}: {e}", path.display()))?;
        let clients = tokio::task::spawn_blocking(move || clients_file::parse(&text)).await?.map_err(|e| format!("clients file {}: {e}", path.display()))?;
        for (realm, client) in &clients {
            store.ensure_realm(realm, now).await?;
            store.upsert_client(realm, client, now).await?;
            tracing::info!(realm = %realm, client_id = %client.client_id, op = "client.load", "audit");
        }
    }
    for realm in store.list_realms().await? {
        signer::ensure_key(store, &realm, settings.default_alg, now).await.map_err(|e| format!("signing key for realm {realm}: {e}"))?;
    }
    Ok(())
}

/// The admin API's verifier: own realms in-process, others via `fallback`.
pub fn admin_verifier(store: Arc<dyn Store>, settings: Arc<IssuerSettings>, clock: Arc<dyn Clock>, fallback: Arc<dyn TokenVerifier>) -> Arc<dyn TokenVerifier> {
    Arc::new(OwnRealmTokens { store, settings, clock, fallback })
}

pub async fn keys_command(url: &str, cmd: KeysCommand) -> Result<(), BoxError> {
    let store = open_store(url).await?;
    let now = SystemClock.now_ms();
    match cmd {
        KeysCommand::Rotate { realm, alg, token_ttl } => {
            let realm = RealmName::parse(&realm).map_err(|e| format!("realm {realm:?}: {e}"))?;
            if !store.realm_exists(realm.as_str()).await? {
                return Err(format!("no realm {realm}").into());
            }
            let alg = alg.map(|a| parse_alg(&a)).transpose().map_err(|e| format!("--alg: {e}"))?;
            let keep = IssuerSettings { token_ttl_secs: token_ttl.token_ttl_secs, ..IssuerSettings::default() }.retire_after_ms();
            let kid = signer::rotate(&store, &realm, alg, now + keep, now).await?;
            println!("{kid}");
            eprintln!("realm {realm}: new signing key {kid} is active; the previous key stays published for {} s", keep / 1000);
        }
        KeysCommand::List { realm } => {
            let realm = RealmName::parse(&realm).map_err(|e| format!("realm {realm:?}: {e}"))?;
            for k in store.published_keys(&realm, now).await? {
                let state = if k.active { "active".to_owned() } else { format!("retired-until:{}", crate::clock::rfc3339(k.retire_after.unwrap_or(0))) };
                println!("{}\t{}\t{}", k.kid, k.alg, state);
            }
        }
    }
    store.close().await;
    Ok(())
}
