//! The session cookies: which token goes in which cookie for how long, and
//! how they are cleared. The cookie rules (attributes, chunking, clearing
//! stale chunks) are the core's; this module only picks names and lifetimes.

use realmgate_core::cookies::{clear_chunked, set_chunked, CookieAttributes, CookieError, CookieJar, SetCookie};
use realmgate_core::oidc::TokenResponse;

use crate::config::CookieNames;

/// The session tokens a request carries (joined from chunks).
#[derive(Default)]
pub struct SessionTokens {
    pub access: Option<String>,
    pub refresh: Option<String>,
    pub id_token: Option<String>,
}

impl SessionTokens {
    pub fn from_jar(names: &CookieNames, jar: &CookieJar) -> SessionTokens {
        SessionTokens { access: jar.get_joined(&names.access), refresh: jar.get_joined(&names.refresh), id_token: jar.get_joined(&names.id_token) }
    }

    pub fn is_empty(&self) -> bool {
        self.access.is_none() && self.refresh.is_none() && self.id_token.is_none()
    }
}

/// The `Cookie` header to forward to an origin: the request's cookies
/// without the Worker's own (session tokens and state never leave the edge).
/// `None` when nothing is left.
pub fn forwarded_cookie_header(header: &str, names: &CookieNames) -> Option<String> {
    let ours = [&names.state, &names.access, &names.refresh, &names.id_token];
    let is_ours = |name: &str| {
        ours.iter().any(|n| name == n.as_str() || name.strip_prefix(n.as_str()).and_then(|r| r.strip_prefix('.')).is_some_and(|i| i.parse::<u8>().is_ok()))
    };
    let kept: Vec<&str> = header
        .split(';')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter(|pair| !is_ours(pair.split_once('=').map_or(*pair, |(n, _)| n.trim())))
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

/// Cookies for a fresh token response. The access cookie lives as long as
/// the access token; the refresh and ID-token cookies as long as the refresh
/// token (the provider's `refresh_expires_in`, else `session_max_age`). A
/// response without a new refresh or ID token leaves those cookies as they are.
pub fn session_cookies(
    names: &CookieNames,
    attributes: &CookieAttributes,
    tokens: &TokenResponse,
    session_max_age: u64,
    previous: &CookieJar,
) -> Result<Vec<SetCookie>, CookieError> {
    let access_age = tokens.expires_in.unwrap_or(session_max_age).min(session_max_age);
    let long_age = tokens.refresh_expires_in.filter(|s| *s > 0).unwrap_or(session_max_age).min(session_max_age);
    let mut out = set_chunked(&names.access, tokens.access_token.expose(), attributes, Some(access_age), previous)?;
    if let Some(rt) = &tokens.refresh_token {
        out.extend(set_chunked(&names.refresh, rt.expose(), attributes, Some(long_age), previous)?);
    }
    if let Some(it) = &tokens.id_token {
        out.extend(set_chunked(&names.id_token, it.expose(), attributes, Some(long_age), previous)?);
    }
    Ok(out)
}

/// Clears every session cookie (and every chunk of them the request carried).
pub fn clear_session(names: &CookieNames, attributes: &CookieAttributes, previous: &CookieJar) -> Vec<SetCookie> {
    [&names.access, &names.refresh, &names.id_token]
        .into_iter()
        .flat_map(|n| clear_chunked(n, attributes, previous).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use realmgate_core::cookies::parse_cookie_header;
    use realmgate_core::oidc::parse_token_response;

    use super::*;

    fn names() -> CookieNames {
        CookieNames { state: "s".into(), access: "at".into(), refresh: "rt".into(), id_token: "id".into() }
    }

    #[test]
    fn tokens_go_to_their_cookies_with_token_lifetimes() {
        let body = br#"{"access_token":"A","token_type":"Bearer","expires_in":300,"refresh_token":"R","refresh_expires_in":1800,"id_token":"I"}"#;
        let t = parse_token_response(200, body).unwrap();
        let c = session_cookies(&names(), &CookieAttributes::default(), &t, 86400, &CookieJar::default()).unwrap();
        let got: Vec<(&str, &str, Option<u64>)> = c.iter().map(|c| (c.name(), c.value(), c.max_age())).collect();
        assert_eq!(got, [("at", "A", Some(300)), ("rt", "R", Some(1800)), ("id", "I", Some(1800))]);
        assert!(c[0].header_value().contains("HttpOnly") && c[0].header_value().contains("Secure"));
    }

    #[test]
    fn the_origin_never_receives_the_workers_cookies() {
        let h = "theme=dark; at=A; at.0=x; at.1=y; rt=R; s=S; id=I; atx=keep; at.z=keep";
        assert_eq!(forwarded_cookie_header(h, &names()).as_deref(), Some("theme=dark; atx=keep; at.z=keep"));
        assert_eq!(forwarded_cookie_header("at=A; rt=R", &names()), None);
    }

    #[test]
    fn large_tokens_are_chunked_and_clearing_covers_every_chunk_sent() {
        let big = "x".repeat(5000);
        let body = format!(r#"{{"access_token":"{big}","token_type":"Bearer"}}"#);
        let t = parse_token_response(200, body.as_bytes()).unwrap();
        let c = session_cookies(&names(), &CookieAttributes::default(), &t, 600, &CookieJar::default()).unwrap();
        assert_eq!(c.iter().map(|c| c.name()).collect::<Vec<_>>(), ["at.0", "at.1"]);
        let jar = parse_cookie_header("at.0=a; at.1=b; rt=r");
        let jar_tokens = SessionTokens::from_jar(&names(), &jar);
        assert_eq!(jar_tokens.access.as_deref(), Some("ab"));
        let cleared: Vec<String> = clear_session(&names(), &CookieAttributes::default(), &jar).iter().map(|c| c.name().to_owned()).collect();
        assert_eq!(cleared, ["at", "at.0", "at.1", "rt", "id"]);
    }
}
