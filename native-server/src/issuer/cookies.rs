//! The issuer's cookies: the browser session (`RG_SESSION`, the random
//! value whose SHA-256 the sessions table holds) and the CSRF double-submit
//! token (`RG_CSRF`), each scoped to its realm's path, httpOnly, SameSite=Lax,
//! Secure when the issuer is served over https.

use axum::http::{header, HeaderMap, HeaderValue};
use realmgate_core::RealmName;
use subtle::ConstantTimeEq;

pub const SESSION: &str = "RG_SESSION";
pub const CSRF: &str = "RG_CSRF";

/// The value of cookie `name`, if the request carries exactly one.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut found = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == name {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(v);
                }
            }
        }
    }
    found.filter(|v| !v.is_empty() && v.len() <= 256)
}

fn path(realm: &RealmName) -> String {
    format!("/realms/{}/", realm.as_str())
}

/// `Set-Cookie` for `name=value` on the realm's path; `max_age` seconds (0 clears).
pub fn set(name: &str, value: &str, realm: &RealmName, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}", path(realm))).ok()
}

pub fn clear(name: &str, realm: &RealmName, secure: bool) -> Option<HeaderValue> {
    set(name, "", realm, 0, secure)
}

/// Whether the form's CSRF field equals the cookie (constant-time).
pub fn csrf_ok(headers: &HeaderMap, field: Option<&str>) -> bool {
    match (get(headers, CSRF), field) {
        (Some(c), Some(f)) if !f.is_empty() => c.as_bytes().ct_eq(f.as_bytes()).into(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_parse_and_duplicates_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; RG_CSRF=tok; b=2"));
        assert_eq!(get(&h, CSRF), Some("tok"));
        assert!(csrf_ok(&h, Some("tok")));
        assert!(!csrf_ok(&h, Some("tok2")) && !csrf_ok(&h, None) && !csrf_ok(&h, Some("")));
        h.append(header::COOKIE, HeaderValue::from_static("RG_CSRF=other"));
        assert_eq!(get(&h, CSRF), None);
    }
}
