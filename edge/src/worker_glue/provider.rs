//! Per-realm provider metadata (discovery) and key sets, cached in isolate
//! memory and in KV (so a cold isolate does not hit the provider). Timing
//! rules come from [`crate::cache_policy`]; every document is re-validated
//! by the core (`parse_discovery`, `KeySet::from_json`) whenever it is read
//! from KV or the network.

use std::cell::RefCell;
use std::rc::Rc;

use realmgate_core::jose::KeySet;
use realmgate_core::oidc::{parse_discovery, ProviderMetadata};
use realmgate_core::RealmName;

use super::runtime::{self, kv_get, kv_put};
use super::Ctx;
use crate::cache_policy::{jwks_key, may_refetch_for_unknown_kid, metadata_key, refetch_marker_key, CachedDoc, STALE_KEEP_SECONDS, UNKNOWN_KID_REFETCH_SECONDS};
use crate::error::EdgeError;

/// A cached document and its validated value. Both behind `Rc`: a request
/// takes its copy from isolate memory without copying the document's body.
type Entry<T> = (Rc<CachedDoc>, Rc<T>);

#[derive(Default)]
struct RealmCache {
    metadata: Option<Entry<ProviderMetadata>>,
    keys: Option<Entry<KeySet>>,
    last_forced_refetch: Option<u64>,
}

thread_local! {
    /// Per realm of the policy (a handful): a list scanned in order, cheaper than hashing.
    static MEMORY: RefCell<Vec<(String, RealmCache)>> = const { RefCell::new(Vec::new()) };
}

fn with_realm<T>(realm: &RealmName, f: impl FnOnce(&mut RealmCache) -> T) -> T {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        // The realm's entry exists after its first request: no key allocation then.
        if let Some((_, cache)) = m.iter_mut().find(|(name, _)| name == realm.as_str()) {
            return f(cache);
        }
        m.push((realm.as_str().to_owned(), RealmCache::default()));
        let last = m.len() - 1;
        f(&mut m[last].1)
    })
}

/// The value of a memory entry still fresh at `now` (no document key or URL to build).
fn fresh<T>(memory: &Option<Entry<T>>, now: u64, ttl: u64) -> Option<Rc<T>> {
    memory.as_ref().filter(|(d, _)| d.is_fresh(now, ttl)).map(|(_, v)| v.clone())
}

/// A document source: how to validate a body into a value.
trait Doc: Sized {
    fn parse(ctx: &Ctx, realm: &RealmName, body: &[u8]) -> Result<Self, &'static str>;
}

impl Doc for ProviderMetadata {
    fn parse(ctx: &Ctx, realm: &RealmName, body: &[u8]) -> Result<Self, &'static str> {
        let policy = &ctx.cfg.policy;
        parse_discovery(body, &policy.issuer(realm), policy.allow_insecure_loopback()).map_err(|e| e.code())
    }
}

impl Doc for KeySet {
    fn parse(_: &Ctx, _: &RealmName, body: &[u8]) -> Result<Self, &'static str> {
        KeySet::from_json(body).map_err(|e| e.code())
    }
}

async fn kv_doc(ctx: &Ctx, key: &str) -> Option<CachedDoc> {
    // A KV fault or an unreadable entry is a cache miss.
    kv_get(&ctx.kv, key).await.ok().flatten().and_then(|t| serde_json::from_str(&t).ok())
}

async fn fetch_doc<T: Doc>(ctx: &Ctx, realm: &RealmName, url: &str, kv_key: &str) -> Result<Entry<T>, EdgeError> {
    let answer = runtime::get(url, ctx.cfg.upstream_timeout_ms).await?;
    if answer.status != 200 {
        return Err(EdgeError::Upstream("provider_document_status"));
    }
    let value = T::parse(ctx, realm, &answer.body).map_err(EdgeError::Upstream)?;
    let body = String::from_utf8(answer.body).map_err(|_| EdgeError::Upstream("provider_document_utf8"))?;
    let doc = CachedDoc { fetched_at: ctx.now, body };
    let stored = serde_json::to_string(&doc).unwrap_or_default();
    // Caching is best effort: a KV fault does not fail the request.
    let _ = kv_put(&ctx.kv, kv_key, stored, STALE_KEEP_SECONDS).await;
    Ok((Rc::new(doc), Rc::new(value)))
}

/// Memory, then KV, then the provider; a stale copy serves when the provider fails.
async fn cached<T: Doc>(
    ctx: &Ctx,
    realm: &RealmName,
    ttl: u64,
    kv_key: &str,
    url: &str,
    memory: Option<Entry<T>>,
) -> Result<(Entry<T>, bool), EdgeError> {
    if let Some(m) = memory.as_ref().filter(|(d, _)| d.is_fresh(ctx.now, ttl)) {
        return Ok((m.clone(), false));
    }
    let from_kv = match kv_doc(ctx, kv_key).await {
        Some(doc) => T::parse(ctx, realm, doc.body.as_bytes()).ok().map(|v| (Rc::new(doc), Rc::new(v))),
        None => None,
    };
    if let Some(k) = from_kv.as_ref().filter(|(d, _)| d.is_fresh(ctx.now, ttl)) {
        return Ok((k.clone(), true));
    }
    match fetch_doc::<T>(ctx, realm, url, kv_key).await {
        Ok(fetched) => Ok((fetched, true)),
        Err(e) => {
            // Provider down: the newest stale copy keeps serving.
            let stale = [memory, from_kv].into_iter().flatten().max_by_key(|(d, _)| d.fetched_at);
            stale.map(|s| (s, true)).ok_or(e)
        }
    }
}

/// The realm's provider metadata.
pub async fn metadata(ctx: &Ctx, realm: &RealmName) -> Result<Rc<ProviderMetadata>, EdgeError> {
    let memory = with_realm(realm, |c| c.metadata.clone());
    if let Some(value) = fresh(&memory, ctx.now, ctx.cfg.metadata_ttl_seconds) {
        return Ok(value);
    }
    let url = ProviderMetadata::discovery_url(&ctx.cfg.policy.issuer(realm));
    let (entry, changed) = cached::<ProviderMetadata>(ctx, realm, ctx.cfg.metadata_ttl_seconds, &metadata_key(realm.as_str()), &url, memory).await?;
    let value = entry.1.clone();
    if changed {
        with_realm(realm, |c| c.metadata = Some(entry));
    }
    Ok(value)
}

/// The realm's key set; when `kid` names no cached key, one refetch per
/// realm per minute (isolate memory plus a KV marker across isolates).
pub async fn keys(ctx: &Ctx, realm: &RealmName, kid: Option<&str>) -> Result<Rc<KeySet>, EdgeError> {
    let meta = metadata(ctx, realm).await?;
    let memory = with_realm(realm, |c| c.keys.clone());
    if let (Some(value), Some((doc, _))) = (fresh(&memory, ctx.now, ctx.cfg.jwks_ttl_seconds), &memory) {
        // The common case: a fresh set in memory that has the token's key (or a
        // recent one, which is not refetched for an unknown kid either).
        if kid.is_none_or(|k| value.contains_kid(k)) || doc.is_recent(ctx.now) {
            return Ok(value);
        }
    }
    let kv_key = jwks_key(realm.as_str());
    let (entry, changed) = cached::<KeySet>(ctx, realm, ctx.cfg.jwks_ttl_seconds, &kv_key, &meta.jwks_uri, memory).await?;
    let mut entry = entry;
    if changed {
        with_realm(realm, |c| c.keys = Some(entry.clone()));
    }
    let unknown = kid.is_some_and(|k| !entry.1.contains_kid(k));
    if unknown && !entry.0.is_recent(ctx.now) && may_refetch(ctx, realm).await {
        if let Ok(fresh) = fetch_doc::<KeySet>(ctx, realm, &meta.jwks_uri, &kv_key).await {
            with_realm(realm, |c| c.keys = Some(fresh.clone()));
            entry = fresh;
        }
    }
    Ok(entry.1)
}

async fn may_refetch(ctx: &Ctx, realm: &RealmName) -> bool {
    let last = with_realm(realm, |c| c.last_forced_refetch);
    if !may_refetch_for_unknown_kid(last, ctx.now) {
        return false;
    }
    let marker = refetch_marker_key(realm.as_str());
    if kv_get(&ctx.kv, &marker).await.ok().flatten().is_some() {
        with_realm(realm, |c| c.last_forced_refetch = Some(ctx.now));
        return false;
    }
    with_realm(realm, |c| c.last_forced_refetch = Some(ctx.now));
    let _ = kv_put(&ctx.kv, &marker, ctx.now.to_string(), UNKNOWN_KID_REFETCH_SECONDS).await;
    true
}
