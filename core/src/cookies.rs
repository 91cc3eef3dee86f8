//! Cookies: `Set-Cookie` building, `Cookie` header parsing, and splitting a
//! large value (tokens) over numbered chunks and joining it back.
//!
//! A chunked cookie `NAME` is stored as `NAME.0`, `NAME.1`, …; an unchunked one
//! under `NAME` itself. Clearing a cookie clears both spellings.

use std::collections::BTreeMap;

/// Largest value stored in one cookie; browsers cap a whole cookie near 4096 bytes.
pub const CHUNK_SIZE: usize = 3800;
/// Most chunks one value may use (about 38 KB).
pub const MAX_CHUNKS: usize = 10;

/// Why a cookie could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CookieError {
    #[error("cookie name is empty or not an RFC 6265 token")]
    Name,
    #[error("cookie value has a character outside RFC 6265 cookie-octets")]
    Value,
    #[error("a __Host- cookie must be Secure, have Path=/ and no Domain; a __Secure- cookie must be Secure")]
    Prefix,
    #[error("cookie value needs more than the allowed number of chunks")]
    TooLarge,
    #[error("cookie path or domain holds a control character or ';'")]
    Attribute,
}

impl CookieError {
    pub fn code(&self) -> &'static str {
        match self {
            CookieError::Name => "cookie_name",
            CookieError::Value => "cookie_value",
            CookieError::Prefix => "cookie_prefix",
            CookieError::TooLarge => "cookie_too_large",
            CookieError::Attribute => "cookie_attribute",
        }
    }
}

/// `SameSite` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// The attributes shared by every cookie of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieAttributes {
    pub http_only: bool,
    pub secure: bool,
    pub same_site: SameSite,
    pub path: String,
    pub domain: Option<String>,
}

impl Default for CookieAttributes {
    /// httpOnly, Secure, SameSite=Lax, Path=/: what every Realmgate cookie uses.
    fn default() -> Self {
        CookieAttributes { http_only: true, secure: true, same_site: SameSite::Lax, path: "/".into(), domain: None }
    }
}

/// One `Set-Cookie` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookie {
    name: String,
    value: String,
    attributes: CookieAttributes,
    max_age: Option<u64>,
}

impl SetCookie {
    /// A cookie; `max_age` `None` makes a session cookie.
    pub fn new(name: &str, value: &str, attributes: &CookieAttributes, max_age: Option<u64>) -> Result<SetCookie, CookieError> {
        check_name(name)?;
        if !value.bytes().all(is_cookie_octet) {
            return Err(CookieError::Value);
        }
        let bad_attr = |s: &str| s.bytes().any(|b| b < 0x20 || b == 0x7f || b == b';');
        if bad_attr(&attributes.path) || attributes.domain.as_deref().is_some_and(bad_attr) {
            return Err(CookieError::Attribute);
        }
        check_prefix(name, attributes)?;
        Ok(SetCookie { name: name.to_owned(), value: value.to_owned(), attributes: attributes.clone(), max_age })
    }

    /// A cookie that deletes `name` (empty value, `Max-Age=0`).
    pub fn clear(name: &str, attributes: &CookieAttributes) -> Result<SetCookie, CookieError> {
        SetCookie::new(name, "", attributes, Some(0))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value. Session cookies carry tokens: never log it.
    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// The `Set-Cookie` header value.
    pub fn header_value(&self) -> String {
        let a = &self.attributes;
        let mut out = format!("{}={}; Path={}", self.name, self.value, a.path);
        if let Some(d) = &a.domain {
            out.push_str("; Domain=");
            out.push_str(d);
        }
        if let Some(age) = self.max_age {
            out.push_str(&format!("; Max-Age={age}"));
        }
        if a.http_only {
            out.push_str("; HttpOnly");
        }
        if a.secure {
            out.push_str("; Secure");
        }
        out.push_str(match a.same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
        out
    }
}

/// The cookies of a request's `Cookie` header. When a name repeats, the first
/// occurrence wins (the most specific path comes first in browsers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookieJar(BTreeMap<String, String>);

impl CookieJar {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The value stored under `name`, unchunked or joined from `name.0`,
    /// `name.1`, … (stopping at the first missing chunk). Empty values count
    /// as absent.
    pub fn get_joined(&self, name: &str) -> Option<String> {
        if let Some(v) = self.get(name).filter(|v| !v.is_empty()) {
            return Some(v.to_owned());
        }
        let mut out = String::new();
        for i in 0..MAX_CHUNKS {
            match self.get(&chunk_name(name, i)) {
                Some(part) if !part.is_empty() => out.push_str(part),
                _ => break,
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// Parses a `Cookie` header (`a=1; b=2`). Pairs without `=` or with an invalid
/// name are skipped; surrounding double quotes on a value are kept as sent.
pub fn parse_cookie_header(header: &str) -> CookieJar {
    let mut jar = BTreeMap::new();
    for pair in header.split(';') {
        let Some((name, value)) = pair.split_once('=') else { continue };
        let name = name.trim_matches(|c| c == ' ' || c == '\t');
        let value = value.trim_matches(|c| c == ' ' || c == '\t');
        if check_name(name).is_ok() {
            jar.entry(name.to_owned()).or_insert_with(|| value.to_owned());
        }
    }
    CookieJar(jar)
}

/// The cookies that store `value` under `name`: one cookie when it fits in
/// [`CHUNK_SIZE`], numbered chunks otherwise. Cookies of the other spelling
/// and stale chunks that `previous` holds are cleared in the same response.
pub fn set_chunked(
    name: &str,
    value: &str,
    attributes: &CookieAttributes,
    max_age: Option<u64>,
    previous: &CookieJar,
) -> Result<Vec<SetCookie>, CookieError> {
    let mut out = Vec::new();
    let mut written = Vec::new();
    if value.len() <= CHUNK_SIZE {
        out.push(SetCookie::new(name, value, attributes, max_age)?);
        written.push(name.to_owned());
    } else {
        // Cookie-octets are ASCII, so byte chunks are char boundaries;
        // a non-ASCII value is refused by SetCookie::new anyway.
        if !value.is_ascii() {
            return Err(CookieError::Value);
        }
        let chunks: Vec<&str> = value.as_bytes().chunks(CHUNK_SIZE).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
        if chunks.len() > MAX_CHUNKS {
            return Err(CookieError::TooLarge);
        }
        for (i, chunk) in chunks.iter().enumerate() {
            let n = chunk_name(name, i);
            out.push(SetCookie::new(&n, chunk, attributes, max_age)?);
            written.push(n);
        }
    }
    for stale in spellings(name).filter(|n| previous.get(n).is_some() && !written.contains(n)) {
        out.push(SetCookie::clear(&stale, attributes)?);
    }
    Ok(out)
}

/// Clears `name` in both spellings: the plain cookie always, and every chunk
/// the request carried.
pub fn clear_chunked(name: &str, attributes: &CookieAttributes, previous: &CookieJar) -> Result<Vec<SetCookie>, CookieError> {
    let mut out = vec![SetCookie::clear(name, attributes)?];
    for n in spellings(name).skip(1).filter(|n| previous.get(n).is_some()) {
        out.push(SetCookie::clear(&n, attributes)?);
    }
    Ok(out)
}

fn spellings(name: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(name.to_owned()).chain((0..MAX_CHUNKS).map(move |i| chunk_name(name, i)))
}

fn chunk_name(name: &str, i: usize) -> String {
    format!("{name}.{i}")
}

fn check_name(name: &str) -> Result<(), CookieError> {
    // RFC 7230 token characters.
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(tchar) {
        return Err(CookieError::Name);
    }
    Ok(())
}

fn check_prefix(name: &str, a: &CookieAttributes) -> Result<(), CookieError> {
    if name.starts_with("__Host-") && (!a.secure || a.path != "/" || a.domain.is_some()) {
        return Err(CookieError::Prefix);
    }
    if name.starts_with("__Secure-") && !a.secure {
        return Err(CookieError::Prefix);
    }
    Ok(())
}

fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn attrs() -> CookieAttributes {
        CookieAttributes::default()
    }

    #[test]
    fn set_cookie_carries_httponly_secure_samesite_path_and_max_age() {
        let c = SetCookie::new("__Host-rg_state", "abc", &attrs(), Some(600)).unwrap();
        assert_eq!(c.header_value(), "__Host-rg_state=abc; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax");
        let cleared = SetCookie::clear("rg", &attrs()).unwrap();
        assert_eq!(cleared.header_value(), "rg=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    }

    #[test]
    fn host_prefix_requires_secure_root_path_and_no_domain() {
        let mut a = attrs();
        a.secure = false;
        assert_eq!(SetCookie::new("__Host-x", "v", &a, None).unwrap_err(), CookieError::Prefix);
        assert_eq!(SetCookie::new("__Secure-x", "v", &a, None).unwrap_err(), CookieError::Prefix);
        let mut a = attrs();
        a.path = "/auth".into();
        assert_eq!(SetCookie::new("__Host-x", "v", &a, None).unwrap_err(), CookieError::Prefix);
        let mut a = attrs();
        a.domain = Some("example.com".into());
        assert_eq!(SetCookie::new("__Host-x", "v", &a, None).unwrap_err(), CookieError::Prefix);
        assert!(SetCookie::new("x", "v", &a, None).is_ok());
    }

    #[test]
    fn names_and_values_outside_rfc6265_are_refused() {
        for bad in ["", "a b", "a;b", "a=b", "ä"] {
            assert_eq!(SetCookie::new(bad, "v", &attrs(), None).unwrap_err(), CookieError::Name, "{bad:?}");
        }
        for bad in ["a b", "a;b", "a,b", "a\"b", "a\\b", "a\nb", "é"] {
            assert_eq!(SetCookie::new("n", bad, &attrs(), None).unwrap_err(), CookieError::Value, "{bad:?}");
        }
        let mut a = attrs();
        a.path = "/; Domain=evil".into();
        assert_eq!(SetCookie::new("n", "v", &a, None).unwrap_err(), CookieError::Attribute);
    }

    #[test]
    fn cookie_header_parsing_trims_and_keeps_the_first_duplicate() {
        let jar = parse_cookie_header("a=1;  b = 2 ; a=3; junk; =x; c=");
        assert_eq!(jar.get("a"), Some("1"));
        assert_eq!(jar.get("b"), Some("2"));
        assert_eq!(jar.get("c"), Some(""));
        assert_eq!(jar.names().count(), 3);
    }

    #[test]
    fn large_values_split_into_numbered_chunks_and_join_back() {
        let value = "x".repeat(CHUNK_SIZE * 2 + 5);
        let cookies = set_chunked("rg_at", &value, &attrs(), Some(300), &CookieJar::default()).unwrap();
        let names: Vec<&str> = cookies.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["rg_at.0", "rg_at.1", "rg_at.2"]);
        assert!(cookies.iter().all(|c| c.value().len() <= CHUNK_SIZE));
        let header: Vec<String> = cookies.iter().map(|c| format!("{}={}", c.name(), c.value())).collect();
        assert_eq!(parse_cookie_header(&header.join("; ")).get_joined("rg_at").unwrap(), value);
    }

    #[test]
    fn a_small_value_is_one_cookie_and_stale_chunks_are_cleared() {
        let previous = parse_cookie_header("rg_at.0=aaa; rg_at.1=bbb");
        assert_eq!(previous.get_joined("rg_at").as_deref(), Some("aaabbb"));
        let cookies = set_chunked("rg_at", "small", &attrs(), None, &previous).unwrap();
        let summary: Vec<(&str, Option<u64>)> = cookies.iter().map(|c| (c.name(), c.max_age())).collect();
        assert_eq!(summary, [("rg_at", None), ("rg_at.0", Some(0)), ("rg_at.1", Some(0))]);
    }

    #[test]
    fn clearing_covers_the_plain_cookie_and_every_chunk_sent() {
        let previous = parse_cookie_header("rg_rt.0=a; rg_rt.1=b; other=c");
        let cleared = clear_chunked("rg_rt", &attrs(), &previous).unwrap();
        let names: Vec<&str> = cleared.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["rg_rt", "rg_rt.0", "rg_rt.1"]);
        assert!(cleared.iter().all(|c| c.max_age() == Some(0) && c.value().is_empty()));
    }

    #[test]
    fn values_beyond_the_chunk_limit_are_refused() {
        let value = "x".repeat(CHUNK_SIZE * MAX_CHUNKS + 1);
        assert_eq!(set_chunked("t", &value, &attrs(), None, &CookieJar::default()).unwrap_err(), CookieError::TooLarge);
    }
}
