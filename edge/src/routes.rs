//! Which handler a request goes to: the endpoints under the configured
//! prefix, gateway prefixes, or nothing.

use crate::config::GatewayConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Login,
    Callback,
    Refresh,
    Logout,
    Session,
    Verify,
    Gateway,
    NotFound,
}

impl Route {
    /// The route's name in log lines.
    pub fn name(self) -> &'static str {
        match self {
            Route::Login => "login",
            Route::Callback => "callback",
            Route::Refresh => "refresh",
            Route::Logout => "logout",
            Route::Session => "session",
            Route::Verify => "verify",
            Route::Gateway => "gateway",
            Route::NotFound => "not_found",
        }
    }

    /// The one method each endpoint answers (gateway: any).
    pub fn allows(self, method: &str) -> bool {
        match self {
            Route::Login | Route::Callback | Route::Session => method == "GET" || method == "HEAD",
            Route::Verify => matches!(method, "GET" | "HEAD" | "POST"),
            Route::Refresh | Route::Logout => method == "POST",
            Route::Gateway | Route::NotFound => true,
        }
    }
}

/// Routes `path` (already the URL's path, percent-encoded as received).
pub fn route(path: &str, prefix: &str, gateway: Option<&GatewayConfig>) -> Route {
    if let Some(rest) = path.strip_prefix(prefix) {
        match rest {
            "/login" => return Route::Login,
            "/callback" => return Route::Callback,
            "/refresh" => return Route::Refresh,
            "/logout" => return Route::Logout,
            "/session" => return Route::Session,
            "/verify" => return Route::Verify,
            _ => {}
        }
    }
    match gateway {
        Some(g) if g.prefixes.iter().any(|p| under_prefix(path, p)) => Route::Gateway,
        _ => Route::NotFound,
    }
}

/// The path of an already-serialized WHATWG URL (the runtime's `request.url`)
/// without parsing it again: after `scheme://`, the authority ends at the first
/// `/` (a special scheme's serialization always has a path), and the path ends
/// at `?` or `#` (inside the path both are always percent-encoded). Anything
/// else gives `""`, which routes nowhere (the caller then parses the URL).
pub fn path_of_serialized_url(url: &str) -> &str {
    let Some(after_scheme) = url.find("://").map(|i| &url[i + 3..]) else { return "" };
    let Some(start) = after_scheme.find('/') else { return "" };
    let path = &after_scheme[start..];
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}

/// `/app` covers `/app` and `/app/...` but not `/apple`; `/app/` covers `/app/...`.
fn under_prefix(path: &str, prefix: &str) -> bool {
    if prefix.ends_with('/') {
        path.starts_with(prefix) || path == prefix.trim_end_matches('/')
    } else {
        path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gw() -> GatewayConfig {
        GatewayConfig { prefixes: vec!["/app/".into(), "/api".into()], origin: url::Url::parse("http://o").unwrap(), realm: "m".into() }
    }

    #[test]
    fn endpoints_live_exactly_under_the_prefix() {
        assert_eq!(route("/auth/login", "/auth", None), Route::Login);
        assert_eq!(route("/edge/verify", "/edge", None), Route::Verify);
        assert_eq!(route("/auth/login/", "/auth", None), Route::NotFound);
        assert_eq!(route("/authx/login", "/auth", None), Route::NotFound);
        assert_eq!(route("/AUTH/login", "/auth", None), Route::NotFound);
    }

    #[test]
    fn the_path_of_a_serialized_url_is_what_the_parser_gives() {
        for u in [
            "http://127.0.0.1:9114/auth/verify",
            "https://edge.example/auth/verify?x=1#f",
            "https://u:p@edge.example/a/b%3Fc?d/e",
            "https://edge.example/",
            "https://edge.example/auth/verify#/x?y",
        ] {
            assert_eq!(path_of_serialized_url(u), url::Url::parse(u).unwrap().path(), "{u}");
        }
        assert_eq!(path_of_serialized_url("/auth/verify"), "");
        assert_eq!(path_of_serialized_url("data:text/plain,x"), "");
        assert_eq!(path_of_serialized_url("http://h"), "");
    }

    #[test]
    fn gateway_prefixes_match_on_segment_boundaries() {
        let g = gw();
        assert_eq!(route("/app/orders", "/auth", Some(&g)), Route::Gateway);
        assert_eq!(route("/app", "/auth", Some(&g)), Route::Gateway);
        assert_eq!(route("/api/x", "/auth", Some(&g)), Route::Gateway);
        assert_eq!(route("/apiary", "/auth", Some(&g)), Route::NotFound);
        assert_eq!(route("/apple", "/auth", Some(&g)), Route::NotFound);
    }

    #[test]
    fn state_changing_endpoints_are_post_only() {
        assert!(!Route::Refresh.allows("GET"));
        assert!(!Route::Logout.allows("GET"));
        assert!(Route::Logout.allows("POST"));
        assert!(!Route::Login.allows("POST"));
    }
}
