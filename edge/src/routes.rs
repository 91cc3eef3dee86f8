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
