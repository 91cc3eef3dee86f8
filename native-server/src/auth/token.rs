//! Bearer tokens: a seam (`TokenVerifier`) between the HTTP layer and the
//! core's verifier, so the admin API and the verify-token endpoint share one
//! path and tests can stand a fake in.

use std::collections::HashMap;

use async_trait::async_trait;
use realmgate_core::RealmName;

/// What a verified token says (the parts the server uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub realm: RealmName,
    pub subject: String,
    pub scopes: Vec<String>,
    pub authorized_party: Option<String>,
}

/// Why a token was refused; `code` is for logs and metrics, never the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token refused: {code}")]
pub struct TokenRefusal {
    pub code: &'static str,
}

#[async_trait]
pub trait TokenVerifier: Send + Sync + 'static {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenRefusal>;
}

/// Bearer tokens are not configured: every token is refused.
#[derive(Debug, Default)]
pub struct NoTokens;

#[async_trait]
impl TokenVerifier for NoTokens {
    async fn verify(&self, _token: &str) -> Result<VerifiedToken, TokenRefusal> {
        Err(TokenRefusal { code: "bearer_tokens_not_configured" })
    }
}

/// A fixed table of tokens (tests and local experiments).
#[derive(Debug, Default)]
pub struct StaticTokens(pub HashMap<String, VerifiedToken>);

#[async_trait]
impl TokenVerifier for StaticTokens {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenRefusal> {
        self.0.get(token).cloned().ok_or(TokenRefusal { code: "unknown_token" })
    }
}
