//! Request-level rules a runtime applies around the login flow: same-origin
//! checks for state-changing endpoints, the bearer token of an `Authorization`
//! header (RFC 6750 §2.1), the identity headers given to an origin and which
//! ones a client may never send, and whether a request is a page navigation.
//! In the core so the edge and the native server apply the same ones.

/// Why a state-changing request was refused as cross-site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrossSite {
    /// `Sec-Fetch-Site` is present and is not `same-origin`.
    #[error("Sec-Fetch-Site is not same-origin")]
    FetchSite,
    /// `Origin` is present and is not the Worker's origin (or is `null`).
    #[error("Origin is not this origin")]
    Origin,
}

impl CrossSite {
    /// Stable short code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            CrossSite::FetchSite => "cross_site_fetch",
            CrossSite::Origin => "cross_site_origin",
        }
    }
}

/// `POST /refresh` and `/logout` accept only same-origin requests: when the
/// browser sends `Sec-Fetch-Site` it must be `same-origin`; when it sends
/// `Origin` it must be exactly the Worker's origin. A request with neither
/// (a non-browser client) is not a cross-site browser request and passes;
/// SameSite=Lax on the cookies covers old browsers besides.
pub fn check_same_origin(origin: Option<&str>, sec_fetch_site: Option<&str>, own_origin: &str) -> Result<(), CrossSite> {
    if let Some(site) = sec_fetch_site {
        if !site.trim().eq_ignore_ascii_case("same-origin") {
            return Err(CrossSite::FetchSite);
        }
    }
    if let Some(o) = origin {
        if o.trim() != own_origin {
            return Err(CrossSite::Origin);
        }
    }
    Ok(())
}

/// The token of an `Authorization: Bearer <token>` header (scheme
/// case-insensitive, one space or more, RFC 6750 `b64token` characters).
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    let b64token = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.chars().all(b64token)).then_some(token)
}

/// The identity header prefix the gateway owns: any client-sent header
/// starting with it is removed before forwarding.
pub const IDENTITY_HEADER_PREFIX: &str = "x-auth-";

pub fn is_identity_header(name: &str) -> bool {
    name.as_bytes().get(..IDENTITY_HEADER_PREFIX.len()).is_some_and(|head| head.eq_ignore_ascii_case(IDENTITY_HEADER_PREFIX.as_bytes()))
}

/// What `/verify` and the gateway say about a verified caller. Header values
/// are the claims with control characters removed (they came from a signed
/// token of an allowed realm, but still must not split headers).
pub fn identity_headers(realm: &str, subject: &str, email: Option<&str>, scopes: &[String]) -> Vec<(&'static str, String)> {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    let mut out = vec![("X-Auth-Subject", clean(subject)), ("X-Auth-Realm", clean(realm))];
    if let Some(e) = email {
        out.push(("X-Auth-Email", clean(e)));
    }
    out.push(("X-Auth-Scopes", clean(&scopes.join(" "))));
    out
}

/// A top-level page navigation (redirect to login) rather than an API call (401).
pub fn is_page_navigation(method: &str, sec_fetch_mode: Option<&str>, accept: Option<&str>) -> bool {
    if method != "GET" && method != "HEAD" {
        return false;
    }
    match sec_fetch_mode {
        Some(mode) => mode.eq_ignore_ascii_case("navigate"),
        None => accept.is_some_and(|a| a.to_ascii_lowercase().contains("text/html")),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const ME: &str = "https://app.example.com";

    #[test]
    fn cross_site_state_changes_are_refused_by_fetch_metadata_or_origin() {
        assert_eq!(check_same_origin(None, None, ME), Ok(()));
        assert_eq!(check_same_origin(Some(ME), Some("same-origin"), ME), Ok(()));
        assert_eq!(check_same_origin(None, Some("cross-site"), ME), Err(CrossSite::FetchSite));
        assert_eq!(check_same_origin(None, Some("same-site"), ME), Err(CrossSite::FetchSite));
        assert_eq!(check_same_origin(None, Some("none"), ME), Err(CrossSite::FetchSite));
        assert_eq!(check_same_origin(Some("https://evil.example"), None, ME), Err(CrossSite::Origin));
        assert_eq!(check_same_origin(Some("null"), None, ME), Err(CrossSite::Origin));
        assert_eq!(check_same_origin(Some("https://app.example.com.evil"), Some("same-origin"), ME), Err(CrossSite::Origin));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_token_must_be_b64token() {
        assert_eq!(bearer_token("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(bearer_token("bearer  a.b-c_"), Some("a.b-c_"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Bearer a\"b"), None);
    }

    #[test]
    fn identity_headers_are_recognised_in_any_case() {
        assert!(is_identity_header("X-Auth-Subject"));
        assert!(is_identity_header("x-auth-anything"));
        assert!(is_identity_header("X-AUTH-"));
        assert!(!is_identity_header("x-authorization"));
        assert!(!is_identity_header("authorization"));
        assert!(!is_identity_header("x-autä-subject"), "non-ASCII never panics on a char boundary");
        let h = identity_headers("m", "u\r\nx", Some("a@b"), &["openid".into(), "email".into()]);
        assert_eq!(h[0], ("X-Auth-Subject", "ux".into()));
        assert_eq!(h[3], ("X-Auth-Scopes", "openid email".into()));
    }

    #[test]
    fn navigations_redirect_and_api_calls_do_not() {
        assert!(is_page_navigation("GET", Some("navigate"), None));
        assert!(!is_page_navigation("GET", Some("cors"), Some("text/html")));
        assert!(is_page_navigation("GET", None, Some("text/html,application/xhtml+xml")));
        assert!(!is_page_navigation("GET", None, Some("application/json")));
        assert!(!is_page_navigation("POST", Some("navigate"), None));
    }
}
