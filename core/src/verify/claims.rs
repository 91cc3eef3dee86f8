//! The claim rules, in FORMAT.md's order: `iss` names an allowed realm
//! exactly; `aud` (string or array of strings) holds one of the accepted
//! audiences; `exp` is required and `exp <= now - leeway` is expired; `nbf >
//! now + leeway` is not yet valid; `iat > now + leeway` and a missing or
//! empty `sub` are bad claims. NumericDates may be integers or numbers with
//! a fraction; all arithmetic is on i128/f64, so no value can overflow.

use serde::Serialize;
use serde_json::Number;

use super::payload::{Claim, Claims};
use super::{JwtErrorCode, Refusal};
use crate::policy::{RealmName, RealmPolicy};

/// Who a verified token says the caller is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedIdentity {
    pub realm: RealmName,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    /// `exp`, rounded down to whole seconds.
    pub expires_at: u64,
    pub issued_at: Option<u64>,
    pub not_before: Option<u64>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub preferred_username: Option<String>,
    /// `sid`.
    pub session_id: Option<String>,
    /// `scope`, split on spaces.
    pub scopes: Vec<String>,
    /// `azp`.
    pub authorized_party: Option<String>,
    /// The `typ` claim (Keycloak: `Bearer`, `ID`, `Refresh`).
    pub token_type: Option<String>,
    pub nonce: Option<String>,
    /// `jti`.
    pub jwt_id: Option<String>,
}

const fn refuse(code: JwtErrorCode, reason: &'static str) -> Refusal {
    Refusal::new(code, reason)
}

/// Checks the claims of a token whose signature verified.
pub(super) fn check(
    claims: Claims,
    policy: &RealmPolicy,
    now: u64,
    audiences: Option<&[String]>,
) -> Result<VerifiedIdentity, Refusal> {
    const BAD_ISS: Refusal = refuse(JwtErrorCode::Issuer, "iss is missing, not a string, or not an allowed realm's issuer");
    let issuer = claims.iss.as_str().ok_or(BAD_ISS)?;
    let realm = policy.realm_from_issuer(issuer).ok_or(BAD_ISS)?;
    let accepted = match audiences {
        Some(given) => given,
        None => policy.realm(realm.as_str()).map_err(|_| BAD_ISS)?.1.accepted_audiences(),
    };

    let token_audiences = string_or_strings(claims.aud)
        .ok_or(refuse(JwtErrorCode::Audience, "aud is missing or not a string or an array of strings"))?;
    if !token_audiences.iter().any(|a| accepted.contains(a)) {
        return Err(refuse(JwtErrorCode::Audience, "aud holds none of the accepted audiences"));
    }

    let leeway = i128::from(policy.leeway_seconds());
    let now = i128::from(now);
    let exp = numeric_date(&claims.exp)
        .and_then(|d| d.ok_or(refuse(JwtErrorCode::Claims, "exp is missing")))?;
    if exp.at_or_before(now - leeway) {
        return Err(refuse(JwtErrorCode::Expired, "exp is at or before now minus leeway"));
    }
    let nbf = numeric_date(&claims.nbf)?;
    if nbf.is_some_and(|d| d.after(now + leeway)) {
        return Err(refuse(JwtErrorCode::NotYetValid, "nbf is after now plus leeway"));
    }
    let iat = numeric_date(&claims.iat)?;
    if iat.is_some_and(|d| d.after(now + leeway)) {
        return Err(refuse(JwtErrorCode::Claims, "iat is after now plus leeway"));
    }
    let realm = realm.clone();
    let Claims { iss, sub, email, email_verified, preferred_username, sid, scope, azp, typ, nonce, jti, .. } = claims;
    let subject = match sub {
        Claim::Str(s) if !s.is_empty() => s,
        _ => return Err(refuse(JwtErrorCode::Claims, "sub is missing, empty or not a string")),
    };

    Ok(VerifiedIdentity {
        realm,
        issuer: iss.into_string().unwrap_or_default(),
        subject,
        audiences: token_audiences,
        expires_at: exp.floor_u64(),
        issued_at: iat.map(NumericDate::floor_u64),
        not_before: nbf.map(NumericDate::floor_u64),
        email: email.into_string(),
        email_verified: match email_verified {
            Claim::Bool(b) => Some(b),
            _ => None,
        },
        preferred_username: preferred_username.into_string(),
        session_id: sid.into_string(),
        scopes: scope
            .as_str()
            .map(|s| s.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        authorized_party: azp.into_string(),
        token_type: typ.into_string(),
        nonce: nonce.into_string(),
        jwt_id: jti.into_string(),
    })
}

fn string_or_strings(value: Claim) -> Option<Vec<String>> {
    match value {
        Claim::Str(s) => Some(vec![s]),
        Claim::Strs(items) => Some(items),
        _ => None,
    }
}

/// A NumericDate (RFC 7519 §2): seconds, integer or with a fraction.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NumericDate {
    Int(i128),
    Float(f64),
}

/// A claim as a NumericDate: `Ok(None)` when absent, `claims` when not a number.
fn numeric_date(claim: &Claim) -> Result<Option<NumericDate>, Refusal> {
    match claim {
        Claim::Absent => Ok(None),
        Claim::Num(n) => NumericDate::from_number(n)
            .map(Some)
            .ok_or(refuse(JwtErrorCode::Claims, "a NumericDate claim is not a finite number")),
        _ => Err(refuse(JwtErrorCode::Claims, "a NumericDate claim (exp, nbf, iat) is not a number")),
    }
}

impl NumericDate {
    fn from_number(n: &Number) -> Option<NumericDate> {
        if let Some(i) = n.as_i64() {
            Some(NumericDate::Int(i128::from(i)))
        } else if let Some(u) = n.as_u64() {
            Some(NumericDate::Int(i128::from(u)))
        } else {
            n.as_f64().filter(|f| f.is_finite()).map(NumericDate::Float)
        }
    }

    fn at_or_before(self, limit: i128) -> bool {
        match self {
            NumericDate::Int(i) => i <= limit,
            NumericDate::Float(f) => f <= limit as f64,
        }
    }

    fn after(self, limit: i128) -> bool {
        !self.at_or_before(limit)
    }

    /// Whole seconds, clamped to `0..=u64::MAX`.
    fn floor_u64(self) -> u64 {
        match self {
            NumericDate::Int(i) => u64::try_from(i.max(0)).unwrap_or(u64::MAX),
            // `as` saturates (and maps NaN to 0, which from_number excludes).
            NumericDate::Float(f) => f.floor() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn numeric_dates_compare_exactly_and_floor_saturates() {
        assert!(NumericDate::Int(10).at_or_before(10));
        assert!(!NumericDate::Int(11).at_or_before(10));
        assert!(NumericDate::Float(10.0).at_or_before(10));
        assert!(NumericDate::Float(10.5).after(10));
        assert_eq!(NumericDate::Float(10.9).floor_u64(), 10);
        assert_eq!(NumericDate::Float(-5.5).floor_u64(), 0);
        assert_eq!(NumericDate::Float(1e300).floor_u64(), u64::MAX);
        assert_eq!(NumericDate::Int(-1).floor_u64(), 0);
        assert_eq!(NumericDate::Int(i128::from(u64::MAX)).floor_u64(), u64::MAX);
    }

    #[test]
    fn huge_and_negative_numbers_are_numbers_not_errors() {
        let n: Number = serde_json::from_str("-9223372036854775808").unwrap();
        assert_eq!(NumericDate::from_number(&n), Some(NumericDate::Int(i128::from(i64::MIN))));
        let n: Number = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(NumericDate::from_number(&n), Some(NumericDate::Int(i128::from(u64::MAX))));
        let n: Number = serde_json::from_str("1e308").unwrap();
        assert!(matches!(NumericDate::from_number(&n), Some(NumericDate::Float(_))));
    }
}
