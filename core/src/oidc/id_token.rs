//! ID-token rules (OIDC Core §3.1.3.7) on top of token verification:
//! signature, `iss`, `exp`/`iat` come from [`crate::verify`]; here `aud` must
//! contain the client id, `azp` must be the client when present (and is
//! required with several audiences), `nonce` must equal the flow's, and `iat`
//! is required. Also the converse rule for access tokens: a token that says
//! it is an ID or refresh token is not an access token.

use subtle::ConstantTimeEq;

use crate::jose::backend::SignatureBackend;
use crate::jose::KeySet;
use crate::policy::{RealmName, RealmPolicy};
use crate::verify::{Refusal, UntrustedJwt, VerifiedIdentity};

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    #[error("ID token refused: {0}")]
    Token(Refusal),
    #[error("ID token is for another realm")]
    Realm,
    #[error("ID token audience does not contain the client")]
    Audience,
    #[error("ID token azp is not the client (or missing with several audiences)")]
    AuthorizedParty,
    #[error("ID token nonce does not match the login flow")]
    Nonce,
    #[error("ID token has no iat")]
    IssuedAt,
}

impl IdTokenError {
    pub fn code(&self) -> &'static str {
        match self {
            IdTokenError::Token(r) => r.code.code(),
            IdTokenError::Realm => "id_token_realm",
            IdTokenError::Audience => "id_token_audience",
            IdTokenError::AuthorizedParty => "id_token_azp",
            IdTokenError::Nonce => "id_token_nonce",
            IdTokenError::IssuedAt => "id_token_iat",
        }
    }
}

impl From<Refusal> for IdTokenError {
    fn from(r: Refusal) -> Self {
        IdTokenError::Token(r)
    }
}

/// The ID-token claim rules, for an identity already verified with the
/// client id as accepted audience (by [`validate_id_token`] or by a runtime
/// that checked the signature itself through `prepare`/`finish`).
pub fn check_id_token(identity: &VerifiedIdentity, realm: &RealmName, client_id: &str, nonce: &str) -> Result<(), IdTokenError> {
    if &identity.realm != realm {
        return Err(IdTokenError::Realm);
    }
    if !identity.audiences.iter().any(|a| a == client_id) {
        return Err(IdTokenError::Audience);
    }
    match identity.authorized_party.as_deref() {
        Some(azp) if azp != client_id => return Err(IdTokenError::AuthorizedParty),
        None if identity.audiences.len() > 1 => return Err(IdTokenError::AuthorizedParty),
        _ => {}
    }
    let got = identity.nonce.as_deref().unwrap_or("");
    let equal: bool = got.as_bytes().ct_eq(nonce.as_bytes()).into();
    if nonce.is_empty() || !equal {
        return Err(IdTokenError::Nonce);
    }
    if identity.issued_at.is_none() {
        return Err(IdTokenError::IssuedAt);
    }
    Ok(())
}

/// Verifies an ID token from the token endpoint: signature with the realm's
/// key set, then [`check_id_token`].
#[allow(clippy::too_many_arguments)]
pub fn validate_id_token(
    backend: &dyn SignatureBackend,
    token: &str,
    keys: &KeySet,
    policy: &RealmPolicy,
    realm: &RealmName,
    client_id: &str,
    nonce: &str,
    now: u64,
) -> Result<VerifiedIdentity, IdTokenError> {
    let audiences = [client_id.to_owned()];
    let identity = UntrustedJwt::parse(token)?.verify_with(backend, keys, policy, now, Some(&audiences))?;
    check_id_token(&identity, realm, client_id, nonce)?;
    Ok(identity)
}

/// Keycloak marks its tokens with a `typ` claim (`Bearer`, `ID`, `Refresh`).
/// An access-token check refuses tokens that say they are something else, so
/// an ID token (whose audience is the client) cannot stand in for an access
/// token. A token without `typ` is accepted.
pub fn is_access_token(identity: &VerifiedIdentity) -> bool {
    identity.token_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("bearer") || t.eq_ignore_ascii_case("at+jwt"))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::jose::testkit::{claims, key_set, policy, sign, NOW};

    fn id_token(edit: impl FnOnce(&mut Value)) -> String {
        let mut c = claims();
        c["nonce"] = json!("n-1");
        c["azp"] = json!("edge-web");
        c["typ"] = json!("ID");
        edit(&mut c);
        sign("es256-a", &json!({"alg": "ES256", "kid": "es256-a"}), c.to_string().as_bytes())
    }

    fn validate(token: &str, nonce: &str) -> Result<VerifiedIdentity, IdTokenError> {
        let members = RealmName::parse("members").unwrap();
        validate_id_token(crate::jose::default_backend(), token, &key_set(), &policy(), &members, "edge-web", nonce, NOW)
    }

    #[test]
    fn a_signed_id_token_for_the_client_with_the_flows_nonce_is_accepted() {
        let id = validate(&id_token(|_| {}), "n-1").unwrap();
        assert_eq!(id.subject, "user-1");
        assert!(!is_access_token(&id), "typ ID is not an access token");
    }

    #[test]
    fn nonce_must_equal_the_flows_and_is_required() {
        assert_eq!(validate(&id_token(|_| {}), "n-2").unwrap_err(), IdTokenError::Nonce);
        assert_eq!(validate(&id_token(|c| drop(c.as_object_mut().unwrap().remove("nonce"))), "n-1").unwrap_err(), IdTokenError::Nonce);
        assert_eq!(validate(&id_token(|_| {}), "").unwrap_err(), IdTokenError::Nonce);
    }

    #[test]
    fn audience_must_contain_the_client_and_azp_must_be_the_client() {
        assert_eq!(validate(&id_token(|c| c["aud"] = json!("other")), "n-1").unwrap_err().code(), "audience");
        assert_eq!(validate(&id_token(|c| c["azp"] = json!("other")), "n-1").unwrap_err(), IdTokenError::AuthorizedParty);
        let several_without_azp = id_token(|c| {
            c["aud"] = json!(["edge-web", "other"]);
            c.as_object_mut().unwrap().remove("azp");
        });
        assert_eq!(validate(&several_without_azp, "n-1").unwrap_err(), IdTokenError::AuthorizedParty);
    }

    #[test]
    fn iat_is_required_and_signature_faults_come_through_as_refusals() {
        assert_eq!(validate(&id_token(|c| drop(c.as_object_mut().unwrap().remove("iat"))), "n-1").unwrap_err(), IdTokenError::IssuedAt);
        let mut t = id_token(|_| {});
        t.push('A');
        assert!(matches!(validate(&t, "n-1").unwrap_err(), IdTokenError::Token(_)));
    }

    #[test]
    fn an_id_token_of_another_realm_is_refused() {
        let pros = id_token(|c| {
            c["iss"] = json!("https://id.example.test/realms/pros");
        });
        let members = RealmName::parse("members").unwrap();
        // The client is passed as audience, so only the realm rule can refuse it.
        let identity = UntrustedJwt::parse(&pros)
            .unwrap()
            .verify_with(crate::jose::default_backend(), &key_set(), &policy(), NOW, Some(&["edge-web".to_owned()]))
            .unwrap();
        assert_eq!(check_id_token(&identity, &members, "edge-web", "n-1").unwrap_err(), IdTokenError::Realm);
    }

    #[test]
    fn access_tokens_are_bearer_typed_or_untyped() {
        let token = sign("es256-a", &json!({"alg": "ES256", "kid": "es256-a"}), claims().to_string().as_bytes());
        let id = UntrustedJwt::parse(&token).unwrap().verify(&key_set(), &policy(), NOW).unwrap();
        assert!(is_access_token(&id));
    }
}
