//! Small helpers: random tokens, digests, HTML escaping, redirect URLs.

use rand::RngCore;
use sha2_10::{Digest, Sha256};

/// 256 random bits, base64url: codes, refresh tokens, cookies, CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    realmgate_core::b64::encode(&bytes)
}

/// What is stored of a secret value: SHA-256, hex.
pub fn digest(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `base` (a registered redirect URI) with `pairs` appended to its query.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(base).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    Some(url.into())
}

/// Scope strings: split on spaces, no empties, no duplicates, order kept.
pub fn split_scope(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn redirect_query_is_appended_to_an_existing_query() {
        assert_eq!(with_query("https://a.example/cb?x=1", &[("code", "c d"), ("state", "s")]).unwrap(), "https://a.example/cb?x=1&code=c+d&state=s");
        assert_eq!(split_scope(" openid  email openid "), ["openid", "email"]);
    }
}
