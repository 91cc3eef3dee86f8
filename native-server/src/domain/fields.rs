//! Validated field values for the admin API. Each parse refuses with a
//! `FieldError` naming the field and a stable code.

use std::fmt;

/// A field value that was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, detail: impl Into<String>) -> Self {
        FieldError { field, code, detail: detail.into() }
    }
}

/// Text of 1..=max characters with no control characters and no
/// surrounding whitespace.
fn checked_text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let count = raw.chars().count();
    if count == 0 {
        return Err(FieldError::new(field, "empty", "must not be empty"));
    }
    if count > max {
        return Err(FieldError::new(field, "too_long", format!("must be at most {max} characters")));
    }
    if raw.chars().any(char::is_control) {
        return Err(FieldError::new(field, "control_character", "must not contain control characters"));
    }
    if raw.trim() != raw {
        return Err(FieldError::new(field, "surrounding_whitespace", "must not start or end with whitespace"));
    }
    Ok(raw.to_owned())
}

/// A first or last name (1–100 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &'static str, raw: &str) -> Result<Name, FieldError> {
        checked_text(field, raw, Self::MAX_CHARS).map(Name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The calling service's profile id (opaque, 1–200 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileId(String);

impl ProfileId {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<ProfileId, FieldError> {
        checked_text("profile_id", raw, Self::MAX_CHARS).map(ProfileId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identity-provider alias sent as `kc_idp_hint` (Keycloak's alias charset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpHint(String);

impl IdpHint {
    pub fn parse(raw: &str) -> Result<IdpHint, FieldError> {
        let ok = !raw.is_empty()
            && raw.len() <= 100
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(IdpHint(raw.to_owned()))
        } else {
            Err(FieldError::new("idp_hint", "invalid_idp_hint", "must be 1-100 characters of A-Z a-z 0-9 . _ -"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plaintext password on its way to the hasher. Never printed.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Bounded so that hashing cost cannot be driven up by the caller.
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: String) -> Result<Password, FieldError> {
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(FieldError::new("password", "too_short", format!("must be at least {} characters", Self::MIN_CHARS)));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(FieldError::new("password", "too_long", format!("must be at most {} bytes", Self::MAX_BYTES)));
        }
        Ok(Password(raw))
    }

    /// A password given at check time: only the size bound applies (a
    /// too-short password simply fails the check).
    pub fn for_check(raw: String) -> Result<Password, FieldError> {
        if raw.len() > Self::MAX_BYTES {
            return Err(FieldError::new("password", "too_long", format!("must be at most {} bytes", Self::MAX_BYTES)));
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_bounded_and_free_of_control_characters() {
        assert!(Name::parse("first_name", "Zoë").is_ok());
        assert_eq!(Name::parse("first_name", &"a".repeat(101)).unwrap_err().code, "too_long");
        assert_eq!(Name::parse("first_name", "").unwrap_err().code, "empty");
        assert_eq!(Name::parse("first_name", "a\u{0}b").unwrap_err().code, "control_character");
        assert_eq!(Name::parse("first_name", " a").unwrap_err().code, "surrounding_whitespace");
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse("correct horse".into()).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
