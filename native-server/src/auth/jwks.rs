//! The real `TokenVerifier`: the core's verifier with each realm's JWKS,
//! fetched over HTTP (Keycloak layout: `{issuer}/protocol/openid-connect/certs`),
//! cached, and refetched when a token names an unknown key — at most once per
//! `min_refetch` per realm, so a flood of bogus `kid`s cannot hammer the provider.
//! Failed fetches count as attempts too (also before anything was ever cached),
//! and each realm has its own lock, so one realm's slow or absent provider never
//! holds up token checks for another realm.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use realmgate_core::jose::KeySet;
use realmgate_core::{RealmName, RealmPolicy};
use tokio::sync::Mutex;

type Slots = std::sync::Mutex<HashMap<RealmName, Arc<Mutex<Slot>>>>;

use super::core_adapter;
use super::token::{TokenRefusal, TokenVerifier, VerifiedToken};
use crate::clock::{Clock, Millis};

/// One realm's keys: the last good set, and when a fetch was last tried.
#[derive(Default)]
struct Slot {
    keys: Option<Arc<KeySet>>,
    attempted_at: Option<Millis>,
}

pub struct JwksVerifier {
    policy: RealmPolicy,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    min_refetch_ms: Millis,
    cache: Slots,
}

impl JwksVerifier {
    pub fn new(policy: RealmPolicy, clock: Arc<dyn Clock>) -> JwksVerifier {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        JwksVerifier { policy, http, clock, min_refetch_ms: 60_000, cache: Slots::default() }
    }

    /// How often at most a realm's keys are refetched for an unknown `kid`.
    pub fn with_min_refetch_ms(mut self, ms: Millis) -> Self {
        self.min_refetch_ms = ms;
        self
    }

    /// The JWKS URL of a realm.
    pub fn jwks_url(&self, realm: &RealmName) -> String {
        format!("{}/protocol/openid-connect/certs", self.policy.issuer(realm))
    }

    /// The cached JWKS, fetched if absent; with `refresh`, refetched unless
    /// the last fetch is younger than `min_refetch`.
    async fn keys(&self, realm: &RealmName, refresh: bool) -> Result<Arc<KeySet>, TokenRefusal> {
        let slot = {
            let mut slots = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            slots.entry(realm.clone()).or_default().clone()
        };
        // Per-realm: waiting here never blocks another realm.
        let mut slot = slot.lock().await;
        let now = self.clock.now_ms();
        let young = slot.attempted_at.is_some_and(|t| now - t < self.min_refetch_ms);
        match (&slot.keys, young) {
            (Some(keys), _) if !refresh || young => return Ok(keys.clone()),
            (None, true) => return Err(TokenRefusal { code: "jwks_unavailable" }),
            _ => {}
        }
        slot.attempted_at = Some(now);
        let keys = Arc::new(self.fetch(realm).await.and_then(|bytes| core_adapter::load_keys(&bytes))?);
        slot.keys = Some(keys.clone());
        Ok(keys)
    }

    async fn fetch(&self, realm: &RealmName) -> Result<Vec<u8>, TokenRefusal> {
        let url = self.jwks_url(realm);
        let refused = |e: reqwest::Error| {
            tracing::warn!(realm = %realm, error = %e, "JWKS fetch failed");
            TokenRefusal { code: "jwks_unavailable" }
        };
        let resp = self.http.get(&url).send().await.map_err(refused)?.error_for_status().map_err(refused)?;
        let body = resp.bytes().await.map_err(refused)?;
        if body.len() > 256 * 1024 {
            return Err(TokenRefusal { code: "jwks_too_large" });
        }
        Ok(body.to_vec())
    }
}

#[async_trait]
impl TokenVerifier for JwksVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenRefusal> {
        let realm = core_adapter::claimed_realm(token, &self.policy)?;
        let now = self.clock.now_secs();
        let keys = self.keys(&realm, false).await?;
        match core_adapter::verify(token, &keys, &self.policy, now) {
            Err(r) if r.code == core_adapter::UNKNOWN_KEY => {
                let keys = self.keys(&realm, true).await?;
                core_adapter::verify(token, &keys, &self.policy, now)
            }
            other => other,
        }
    }
}
