//! Token verification: a compact JWS from an allowed realm, signed by that
//! realm's key, for one of the realm's audiences, within its lifetime.
//!
//! When several faults apply, the refusal names the first of: `malformed`,
//! `unsupported_algorithm`, `unknown_key`, `signature`, then the claims in
//! order `issuer`, `audience`, `expired`, `not_yet_valid`, `claims`
//! (vectors/FORMAT.md). Time is an argument; nothing here reads a clock.
//!
//! Three ways in: [`verify_token`] / [`UntrustedJwt::verify`] with the
//! target's default signature backend; [`UntrustedJwt::verify_with`] with a
//! chosen backend; and the split [`UntrustedJwt::prepare`] →
//! [`PreparedCheck::finish`] for runtimes whose primitive is asynchronous
//! (WebCrypto in the Worker): the core picks the key and hands out the
//! signing input, the caller verifies, the core finishes.

use core::fmt;

use crate::jose::{self, Algorithm, CompactJws, KeySet, PublicKey, SignatureBackend};
use crate::policy::RealmPolicy;

mod claims;
mod payload;

pub use claims::VerifiedIdentity;

/// The kind of refusal, one per FORMAT.md error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum JwtErrorCode {
    Malformed,
    UnsupportedAlgorithm,
    UnknownKey,
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    Claims,
}

impl JwtErrorCode {
    /// The stable short code (FORMAT.md).
    pub fn code(self) -> &'static str {
        match self {
            JwtErrorCode::Malformed => "malformed",
            JwtErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            JwtErrorCode::UnknownKey => "unknown_key",
            JwtErrorCode::Signature => "signature",
            JwtErrorCode::Expired => "expired",
            JwtErrorCode::NotYetValid => "not_yet_valid",
            JwtErrorCode::Issuer => "issuer",
            JwtErrorCode::Audience => "audience",
            JwtErrorCode::Claims => "claims",
        }
    }

    /// The code for a FORMAT.md string, if it is one.
    pub fn from_code(code: &str) -> Option<JwtErrorCode> {
        [
            JwtErrorCode::Malformed,
            JwtErrorCode::UnsupportedAlgorithm,
            JwtErrorCode::UnknownKey,
            JwtErrorCode::Signature,
            JwtErrorCode::Expired,
            JwtErrorCode::NotYetValid,
            JwtErrorCode::Issuer,
            JwtErrorCode::Audience,
            JwtErrorCode::Claims,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

impl fmt::Display for JwtErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused token: the code, and which rule in words. Never anything from
/// the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct Refusal {
    pub code: JwtErrorCode,
    pub reason: &'static str,
}

impl Refusal {
    pub(crate) const fn new(code: JwtErrorCode, reason: &'static str) -> Refusal {
        Refusal { code, reason }
    }
}

/// A token whose structure has been checked, nothing else.
pub struct UntrustedJwt<'a> {
    jws: CompactJws<'a>,
    claims: payload::Claims,
}

impl<'a> UntrustedJwt<'a> {
    /// Parses a token: a strict compact JWS (see [`CompactJws::parse`])
    /// whose payload is a JSON object without repeated member names.
    pub fn parse(token: &'a str) -> Result<UntrustedJwt<'a>, Refusal> {
        let jws = CompactJws::parse(token).map_err(|e| Refusal::new(JwtErrorCode::Malformed, e.reason()))?;
        let claims = payload::parse(jws.payload()).map_err(|e| match e {
            payload::PayloadError::Duplicate => Refusal::new(JwtErrorCode::Malformed, "payload repeats a member name"),
            payload::PayloadError::Syntax | payload::PayloadError::NotObject => {
                Refusal::new(JwtErrorCode::Malformed, "payload is not a JSON object")
            }
        })?;
        Ok(UntrustedJwt { jws, claims })
    }

    /// The `iss` claim, unverified: only for choosing which realm's key set
    /// to verify with.
    pub fn claimed_issuer(&self) -> Option<&str> {
        self.claims.iss.as_str()
    }

    /// The header's `alg`, unverified.
    pub fn alg(&self) -> &str {
        self.jws.alg()
    }

    /// The header's `kid`, unverified: a caller refetches the key set when
    /// no key has it.
    pub fn kid(&self) -> Option<&str> {
        self.jws.kid()
    }

    /// Verifies with the target's default backend and the realm's audiences.
    pub fn verify(self, keys: &KeySet, policy: &RealmPolicy, now: u64) -> Result<VerifiedIdentity, Refusal> {
        self.verify_with(jose::default_backend(), keys, policy, now, None)
    }

    /// Verifies with `backend`; `audiences` replaces the realm's accepted
    /// audiences when given.
    pub fn verify_with(
        self,
        backend: &dyn SignatureBackend,
        keys: &KeySet,
        policy: &RealmPolicy,
        now: u64,
        audiences: Option<&[String]>,
    ) -> Result<VerifiedIdentity, Refusal> {
        let check = self.prepare(keys, policy)?;
        let signature_ok = backend.verify(check.alg, check.key, check.message(), check.signature());
        check.finish(signature_ok, policy, now, audiences)
    }

    /// Checks the algorithm against the policy and picks the key; the
    /// signature is then the caller's to verify.
    pub fn prepare<'k>(self, keys: &'k KeySet, policy: &RealmPolicy) -> Result<PreparedCheck<'k>, Refusal>
    where
        'a: 'k,
    {
        let alg = jose::allowed_algorithm(self.jws.alg(), policy.algorithms())
            .ok_or(Refusal::new(JwtErrorCode::UnsupportedAlgorithm, "header alg is not on the allow-list"))?;
        let jwk = keys.select(alg, self.jws.kid()).ok_or(Refusal::new(
            JwtErrorCode::UnknownKey,
            "no single usable key in the realm's key set fits the header's kid and alg",
        ))?;
        Ok(PreparedCheck { alg, key: &jwk.key, jwt: self })
    }
}

/// A token with its algorithm allowed and its key chosen, awaiting the
/// signature verdict. `alg` and `key` are also readable as fields.
pub struct PreparedCheck<'a> {
    /// The header's algorithm, on the policy's allow-list.
    pub alg: Algorithm,
    /// The key the signature must verify under.
    pub key: &'a PublicKey,
    jwt: UntrustedJwt<'a>,
}

impl<'a> PreparedCheck<'a> {
    /// The header's algorithm, on the policy's allow-list.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key the signature must verify under.
    pub fn key(&self) -> &'a PublicKey {
        self.key
    }

    /// The signing input: `header_b64 "." payload_b64`.
    pub fn message(&self) -> &'a [u8] {
        self.jwt.jws.signing_input().as_bytes()
    }

    /// The signature bytes (for ES256, 64 bytes `r || s` as WebCrypto takes them).
    pub fn signature(&self) -> &[u8] {
        self.jwt.jws.signature()
    }

    /// Whether the signature has the exact encoding its algorithm needs
    /// (length, non-zero ECDSA halves, canonical Ed25519 `S`). A caller
    /// using an outside primitive should require this as well.
    pub fn signature_well_formed(&self) -> bool {
        jose::backend::precheck(self.alg, self.key, self.signature())
    }

    /// Finishes with the caller's signature verdict, then checks the claims
    /// at `now` (unix seconds). `audiences` replaces the realm's accepted
    /// audiences when given.
    pub fn finish(
        self,
        signature_ok: bool,
        policy: &RealmPolicy,
        now: u64,
        audiences: Option<&[String]>,
    ) -> Result<VerifiedIdentity, Refusal> {
        if !signature_ok || !self.signature_well_formed() {
            return Err(Refusal::new(JwtErrorCode::Signature, "signature does not verify under the selected key"));
        }
        claims::check(self.jwt.claims, policy, now, audiences)
    }
}

impl fmt::Debug for UntrustedJwt<'_> {
    /// The header's alg and kid only: never claims or signature.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UntrustedJwt").field("jws", &self.jws).finish_non_exhaustive()
    }
}

impl fmt::Debug for PreparedCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedCheck").field("alg", &self.alg).field("key", &self.key).finish_non_exhaustive()
    }
}

/// Parses and verifies a token with the default backend at `now`.
pub fn verify_token(token: &str, keys: &KeySet, policy: &RealmPolicy, now: u64) -> Result<VerifiedIdentity, Refusal> {
    UntrustedJwt::parse(token)?.verify(keys, policy, now)
}

#[cfg(test)]
mod tests;
