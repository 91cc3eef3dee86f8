//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

/// The end-session URL: `id_token_hint` (so the provider can skip its
/// confirmation page), `post_logout_redirect_uri`, `client_id` and `state`,
/// each only when given.
pub fn end_session_url(
    end_session_endpoint: &str,
    id_token_hint: Option<&str>,
    post_logout_redirect_uri: Option<&str>,
    client_id: &str,
    state: Option<&str>,
) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(end_session_endpoint)?;
    {
        let mut q = url.query_pairs_mut();
        if let Some(h) = id_token_hint {
            q.append_pair("id_token_hint", h);
        }
        if let Some(r) = post_logout_redirect_uri {
            q.append_pair("post_logout_redirect_uri", r);
        }
        q.append_pair("client_id", client_id);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn end_session_url_carries_hint_redirect_client_and_state() {
        let u = end_session_url("https://id.example.com/realms/a/protocol/openid-connect/logout", Some("h.t.s"), Some("https://app/bye?x=1"), "edge", Some("st")).unwrap();
        let parsed = url::Url::parse(&u).unwrap();
        let q: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            [
                ("id_token_hint".into(), "h.t.s".into()),
                ("post_logout_redirect_uri".into(), "https://app/bye?x=1".into()),
                ("client_id".into(), "edge".into()),
                ("state".into(), "st".into())
            ]
        );
        let bare = end_session_url("https://id/logout", None, None, "edge", None).unwrap();
        assert_eq!(bare, "https://id/logout?client_id=edge");
    }
}
