//! When cached provider metadata and keys are used, refreshed or refetched.
//! Pure timing decisions; the Worker's cache (`worker_glue::keys`) applies
//! them to isolate memory and KV.
//!
//! - Fresh (younger than the TTL): used without asking the provider.
//! - Stale: the provider is asked; if it fails, the stale copy keeps serving
//!   (a provider outage does not stop verification with known keys).
//! - A token whose `kid` is in no cached key forces a refetch at most once
//!   per realm per [`UNKNOWN_KID_REFETCH_SECONDS`]; otherwise it is refused
//!   with `unknown_key` by the core.

use serde::{Deserialize, Serialize};

/// At most one forced JWKS refetch per realm per minute.
pub const UNKNOWN_KID_REFETCH_SECONDS: u64 = 60;
/// How long KV keeps a cached document past its freshness (serves outages).
pub const STALE_KEEP_SECONDS: u64 = 7 * 24 * 3600;

/// A cached provider document as stored in KV.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CachedDoc {
    pub fetched_at: u64,
    pub body: String,
}

impl CachedDoc {
    pub fn is_fresh(&self, now: u64, ttl: u64) -> bool {
        now < self.fetched_at.saturating_add(ttl)
    }

    /// Whether the copy is recent enough that refetching for an unknown
    /// `kid` would only repeat it.
    pub fn is_recent(&self, now: u64) -> bool {
        now < self.fetched_at.saturating_add(UNKNOWN_KID_REFETCH_SECONDS)
    }
}

/// Whether an unknown `kid` may trigger a refetch now, given the time of
/// the last forced refetch for this realm.
pub fn may_refetch_for_unknown_kid(last_forced: Option<u64>, now: u64) -> bool {
    last_forced.is_none_or(|t| now >= t.saturating_add(UNKNOWN_KID_REFETCH_SECONDS))
}

/// KV keys of the cached documents of a realm.
pub fn metadata_key(realm: &str) -> String {
    format!("meta:{realm}")
}

pub fn jwks_key(realm: &str) -> String {
    format!("jwks:{realm}")
}

/// KV key of the marker recording a realm's last forced JWKS refetch.
pub fn refetch_marker_key(realm: &str) -> String {
    format!("jwks-refetch:{realm}")
}

/// KV key of a realm's SSO-domain map (email domain → IdP alias, JSON object).
pub fn sso_domains_key(realm: &str) -> String {
    format!("sso-domains:{realm}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_kid_refetches_at_most_once_a_minute() {
        assert!(may_refetch_for_unknown_kid(None, 1000));
        assert!(!may_refetch_for_unknown_kid(Some(1000), 1000));
        assert!(!may_refetch_for_unknown_kid(Some(1000), 1059));
        assert!(may_refetch_for_unknown_kid(Some(1000), 1060));
    }

    #[test]
    fn freshness_is_relative_to_the_fetch_time() {
        let d = CachedDoc { fetched_at: 100, body: String::new() };
        assert!(d.is_fresh(399, 300));
        assert!(!d.is_fresh(400, 300));
        assert!(d.is_recent(159) && !d.is_recent(160));
        assert!(CachedDoc { fetched_at: u64::MAX, body: String::new() }.is_fresh(u64::MAX - 1, 10));
    }
}
