//! Email addresses as stored: normalized by the core (the single rule shared
//! with the edge), so lookups and uniqueness work on one spelling.

use std::fmt;

use super::FieldError;

/// A normalized email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> Result<Email, FieldError> {
        normalize(raw).map(Email).map_err(|e| FieldError::new(field, e.code(), e.to_string()))
    }

    /// An address read back from storage (already normalized).
    pub(crate) fn from_stored(s: String) -> Email {
        Email(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The one line that binds the server to the core's email rule.
fn normalize(raw: &str) -> Result<String, realmgate_core::email::EmailError> {
    realmgate_core::email::normalize(raw)
}

/// Normalizes a domain the way the core normalizes an address's domain.
pub fn normalize_domain(raw: &str) -> Result<String, FieldError> {
    realmgate_core::email::domain(&format!("x@{raw}"))
        .ok_or_else(|| FieldError::new("domain", "invalid_domain", "not a valid email domain"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalized_by_the_core() {
        assert_eq!(Email::parse("email", "  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        assert_eq!(Email::parse("email", "not-an-email").unwrap_err().field, "email");
        assert_eq!(normalize_domain("Example.COM").unwrap(), "example.com");
        assert!(normalize_domain("a@b").is_err());
    }
}
