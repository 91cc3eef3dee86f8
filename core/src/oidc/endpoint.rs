//! Endpoint URLs taken from a provider: https, or http on a loopback host
//! when the policy allows it for local development.

/// Why an endpoint URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    #[error("endpoint is not an absolute URL")]
    NotAUrl,
    #[error("endpoint must use https (http only on loopback when allowed)")]
    Insecure,
    #[error("endpoint must not carry credentials or a fragment")]
    Shape,
}

/// Checks an endpoint URL and returns it parsed.
pub fn check_endpoint(raw: &str, allow_insecure_loopback: bool) -> Result<url::Url, EndpointError> {
    let url = url::Url::parse(raw).map_err(|_| EndpointError::NotAUrl)?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() || url.host().is_none() {
        return Err(EndpointError::Shape);
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure_loopback && is_loopback(&url) => Ok(url),
        _ => Err(EndpointError::Insecure),
    }
}

/// `localhost` or a loopback IP address: the only hosts where http is ever allowed.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn https_always_http_only_on_loopback_when_allowed() {
        assert!(check_endpoint("https://id.example.com/token", false).is_ok());
        assert_eq!(check_endpoint("http://id.example.com/token", true).unwrap_err(), EndpointError::Insecure);
        assert_eq!(check_endpoint("http://127.0.0.1:9/token", false).unwrap_err(), EndpointError::Insecure);
        assert!(check_endpoint("http://127.0.0.1:9/token", true).is_ok());
        assert!(check_endpoint("http://[::1]:9/token", true).is_ok());
        assert_eq!(check_endpoint("https://u:p@id.example.com/", false).unwrap_err(), EndpointError::Shape);
        assert_eq!(check_endpoint("/relative", false).unwrap_err(), EndpointError::NotAUrl);
        assert_eq!(check_endpoint("javascript:alert(1)", true).unwrap_err(), EndpointError::Shape);
    }
}
