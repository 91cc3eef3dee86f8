//! Where to send the browser after login: an origin-relative path only
//! (FORMAT.md "Return path"). A refused or empty value means the default
//! landing path, never the value.

/// The product's default landing path.
pub const DEFAULT_RETURN_PATH: &str = "/";
/// The longest return path accepted, in bytes.
pub const MAX_LEN: usize = 2048;

/// Why a `return_to` value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReturnPathError {
    #[error("return path is empty")]
    Empty,
    #[error("return path is longer than 2048 bytes")]
    TooLong,
    #[error("return path must start with exactly one '/'")]
    NotOriginRelative,
    #[error("return path holds a character outside printable ASCII, or a backslash in the path")]
    Character,
    #[error("return path holds a malformed percent-escape or one that decodes to '/', '\\' or a control character")]
    Escape,
}

impl ReturnPathError {
    pub fn code(&self) -> &'static str {
        match self {
            ReturnPathError::Empty => "return_path_empty",
            ReturnPathError::TooLong => "return_path_too_long",
            ReturnPathError::NotOriginRelative => "return_path_not_relative",
            ReturnPathError::Character => "return_path_character",
            ReturnPathError::Escape => "return_path_escape",
        }
    }
}

/// A validated same-origin return path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReturnPath(String);

impl ReturnPath {
    /// Validates a raw `return_to` (already percent-decoded once by the query parser).
    pub fn parse(raw: &str) -> Result<ReturnPath, ReturnPathError> {
        if raw.is_empty() {
            return Err(ReturnPathError::Empty);
        }
        if raw.len() > MAX_LEN {
            return Err(ReturnPathError::TooLong);
        }
        let bytes = raw.as_bytes();
        if bytes[0] != b'/' || matches!(bytes.get(1), Some(b'/' | b'\\')) {
            return Err(ReturnPathError::NotOriginRelative);
        }
        if !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(ReturnPathError::Character);
        }
        let path_end = raw.find(['?', '#']).unwrap_or(raw.len());
        check_path(&bytes[..path_end])?;
        Ok(ReturnPath(raw.to_owned()))
    }

    /// The validated path, or the default landing path when `raw` is absent or refused.
    pub fn or_default(raw: Option<&str>) -> ReturnPath {
        raw.and_then(|r| ReturnPath::parse(r).ok()).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This path with `key=value` appended to its query (before any fragment);
    /// `value` is percent-encoded.
    pub fn with_query_param(&self, key: &str, value: &str) -> ReturnPath {
        let (before_fragment, fragment) = match self.0.find('#') {
            Some(i) => self.0.split_at(i),
            None => (self.0.as_str(), ""),
        };
        let sep = if before_fragment.contains('?') { '&' } else { '?' };
        let pair: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(key, value).finish();
        ReturnPath(format!("{before_fragment}{sep}{pair}{fragment}"))
    }
}

impl Default for ReturnPath {
    fn default() -> Self {
        ReturnPath(DEFAULT_RETURN_PATH.to_owned())
    }
}

impl TryFrom<String> for ReturnPath {
    type Error = ReturnPathError;
    fn try_from(value: String) -> Result<Self, ReturnPathError> {
        ReturnPath::parse(&value)
    }
}

impl From<ReturnPath> for String {
    fn from(p: ReturnPath) -> String {
        p.0
    }
}

fn check_path(path: &[u8]) -> Result<(), ReturnPathError> {
    let mut i = 0;
    while i < path.len() {
        match path[i] {
            b'\\' => return Err(ReturnPathError::Character),
            b'%' => {
                let decoded = match (path.get(i + 1).and_then(hex), path.get(i + 2).and_then(hex)) {
                    (Some(h), Some(l)) => h * 16 + l,
                    _ => return Err(ReturnPathError::Escape),
                };
                if decoded == b'/' || decoded == b'\\' || decoded < 0x20 || decoded == 0x7f {
                    return Err(ReturnPathError::Escape);
                }
                i += 3;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn plain_paths_with_query_and_fragment_are_kept_as_is() {
        for ok in ["/", "/dashboard?x=1", "/a/b#frag", "/search?q=https%3A%2F%2Fevil.example%2F", "/docs?ref=//evil.example", "/caf%C3%A9"] {
            assert_eq!(ReturnPath::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn network_path_and_backslash_references_are_refused() {
        for bad in ["//evil.example", "///evil", "/\\evil", "\\/evil", "https://evil.example/", "javascript:alert(1)", "evil", "?x"] {
            assert!(ReturnPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn whitespace_controls_and_non_ascii_are_refused_everywhere() {
        for bad in ["/\t/evil", "/a b", "/x?q=a b", "/x#a\nb", "/\u{b}/evil", "/ｅvil", "/x?q=é", "/\u{7f}"] {
            assert_eq!(ReturnPath::parse(bad).unwrap_err(), ReturnPathError::Character, "{bad:?}");
        }
    }

    #[test]
    fn escapes_decoding_to_slash_backslash_or_controls_are_refused_in_the_path_only() {
        for bad in ["/%2F%2Fevil", "/%5cevil", "/%2f", "/%0d%0aSet-Cookie:x", "/%7F", "/%", "/%4", "/%zz"] {
            assert_eq!(ReturnPath::parse(bad).unwrap_err(), ReturnPathError::Escape, "{bad}");
        }
        assert!(ReturnPath::parse("/x?next=%2F%2Fevil").is_ok(), "query escapes are data, not path");
    }

    #[test]
    fn refused_or_missing_values_mean_the_default_path() {
        assert_eq!(ReturnPath::or_default(None).as_str(), DEFAULT_RETURN_PATH);
        assert_eq!(ReturnPath::or_default(Some("")).as_str(), DEFAULT_RETURN_PATH);
        assert_eq!(ReturnPath::or_default(Some("//evil")).as_str(), DEFAULT_RETURN_PATH);
        assert_eq!(ReturnPath::or_default(Some(&format!("/{}", "a".repeat(MAX_LEN)))).as_str(), DEFAULT_RETURN_PATH);
    }

    #[test]
    fn query_params_are_appended_before_the_fragment_and_encoded() {
        let p = ReturnPath::parse("/a?x=1#top").unwrap();
        assert_eq!(p.with_query_param("auth_error", "access denied").as_str(), "/a?x=1&auth_error=access+denied#top");
        assert_eq!(ReturnPath::default().with_query_param("auth_error", "x").as_str(), "/?auth_error=x");
    }
}
