//! What every handler shares.

use std::sync::Arc;

use crate::auth::token::{NoTokens, TokenVerifier};
use crate::auth::ScopeNames;
use crate::clock::{Clock, SystemClock};
use crate::domain::lockout::LockoutPolicy;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn TokenVerifier>,
    pub lockout: LockoutPolicy,
    pub scopes: ScopeNames,
}

impl AppState {
    /// State with the system clock, no bearer tokens, default lockout.
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState {
            store,
            clock: Arc::new(SystemClock),
            tokens: Arc::new(NoTokens),
            lockout: LockoutPolicy::default(),
            scopes: ScopeNames::default(),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_tokens(mut self, tokens: Arc<dyn TokenVerifier>) -> Self {
        self.tokens = tokens;
        self
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
