//! Email addresses: normalization and domain extraction (FORMAT.md "Email").
//!
//! Surrounding ASCII whitespace is trimmed; then exactly one `@`, no quoted
//! local part, no whitespace, control characters or specials
//! (`( ) < > [ ] : ; @ \ , "`) inside, a non-empty local part, and a domain of at
//! least two non-empty labels of letters, digits and inner hyphens with no
//! leading, trailing or doubled dot. The whole address is lowercased and an
//! internationalised domain becomes lowercase A-labels.

/// Why a value is not an acceptable email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmailError {
    #[error("not an email address: it needs exactly one '@'")]
    At,
    #[error("the part before '@' is empty, too long, quoted, or has a space, control character or special")]
    LocalPart,
    #[error("the domain is not at least two dot-separated labels of letters, digits and inner hyphens")]
    Domain,
    #[error("the address is longer than 254 characters")]
    TooLong,
}

impl EmailError {
    /// Stable short code for logs and API problems.
    pub fn code(&self) -> &'static str {
        match self {
            EmailError::At => "email_at",
            EmailError::LocalPart => "email_local_part",
            EmailError::Domain => "email_domain",
            EmailError::TooLong => "email_too_long",
        }
    }
}

/// The longest address accepted (RFC 5321's path limit less the brackets).
pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// Normalizes an address: trimmed, lowercased, domain as A-labels.
pub fn normalize(raw: &str) -> Result<String, EmailError> {
    let (local, domain) = split(raw)?;
    let out = format!("{local}@{domain}");
    if out.len() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    Ok(out)
}

/// The normalized domain of a valid address, or `None`.
pub fn domain(raw: &str) -> Option<String> {
    normalize(raw).ok().and_then(|n| n.rsplit_once('@').map(|(_, d)| d.to_owned()))
}

fn split(raw: &str) -> Result<(String, String), EmailError> {
    let value = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    let mut parts = value.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(d), None) => (l, d),
        _ => return Err(EmailError::At),
    };
    Ok((local_part(local)?, ascii_domain(domain)?))
}

/// Invisible format characters (Unicode category Cf: zero-width, joiners,
/// bidirectional overrides, BOM, soft hyphen, …). They make look-alike
/// addresses and spoof how an address is displayed, so they are refused like
/// control characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

fn local_part(local: &str) -> Result<String, EmailError> {
    const SPECIALS: &[char] = &['(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '"'];
    let bad = |c: char| c.is_whitespace() || c.is_control() || is_invisible(c) || SPECIALS.contains(&c);
    let lowered = local.to_lowercase();
    if local.is_empty() || lowered.len() > MAX_LOCAL_LEN || local.chars().any(bad) {
        return Err(EmailError::LocalPart);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::LocalPart);
    }
    Ok(lowered)
}

fn ascii_domain(domain: &str) -> Result<String, EmailError> {
    // Dots are checked on the raw text so that mapping (e.g. of full-width
    // dots) cannot hide an empty label.
    if domain.is_empty()
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || domain.chars().any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
    {
        return Err(EmailError::Domain);
    }
    let ascii = idna::domain_to_ascii(domain).map_err(|_| EmailError::Domain)?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(EmailError::Domain);
    }
    Ok(ascii)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn normalization_trims_ascii_whitespace_and_lowercases_everything() {
        assert_eq!(normalize("  User.Name@Example.COM\t").unwrap(), "user.name@example.com");
    }

    #[test]
    fn internationalised_domains_become_lowercase_a_labels() {
        assert_eq!(normalize("user@BÜCHER.example").unwrap(), "user@xn--bcher-kva.example");
        assert_eq!(domain("user@bücher.example").as_deref(), Some("xn--bcher-kva.example"));
    }

    #[test]
    fn exactly_one_at_sign() {
        for v in ["example.com", "a@b@example.com", "attacker@evil.example@example.com"] {
            assert_eq!(normalize(v).unwrap_err(), EmailError::At, "{v}");
        }
    }

    #[test]
    fn quoted_local_parts_specials_and_spaces_are_refused() {
        for v in [
            "\"a@b\"@example.com",
            "\"x\"@example.com",
            "bad@evil.example;user@example.com",
            "a,b@example.com",
            "a b@example.com",
            "a\u{0}b@example.com",
            "<a>@example.com",
            "@example.com",
            ".a@example.com",
            "a..b@example.com",
        ] {
            assert!(normalize(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn domain_needs_two_labels_of_letters_digits_and_inner_hyphens() {
        for v in [
            "user@",
            "user@localhost",
            "user@.example.com",
            "user@example.com.",
            "user@example..com",
            "user@-example.com",
            "user@example-.com",
            "user@exa_mple.com",
            "user@example.com bad@evil.example",
            "user@exam ple.com",
        ] {
            assert!(normalize(v).is_err(), "{v:?}");
        }
        assert_eq!(domain("boss@example.com.evil.example").as_deref(), Some("example.com.evil.example"));
        assert_eq!(domain("x@a-b.c0").as_deref(), Some("a-b.c0"));
    }

    #[test]
    fn over_long_addresses_are_refused() {
        let label = "b".repeat(60);
        let long = format!("{}@{label}.{label}.{label}.{label}.com", "a".repeat(10));
        assert_eq!(normalize(&long).unwrap_err(), EmailError::TooLong);
        assert_eq!(normalize(&format!("{}@example.com", "a".repeat(65))).unwrap_err(), EmailError::LocalPart);
    }
}
