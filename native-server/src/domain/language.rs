//! Languages as BCP 47 tags, validated against the IANA subtag registry
//! (the `language-tags` crate), so `en-GB` passes and `xx-QQ` does not.

use super::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language(String);

impl Language {
    pub fn parse(raw: &str) -> Result<Language, FieldError> {
        if raw.len() > 64 {
            return Err(FieldError::new("language", "too_long", "must be at most 64 characters"));
        }
        let tag = language_tags::LanguageTag::parse(raw)
            .map_err(|e| FieldError::new("language", "invalid_language", format!("not a BCP 47 tag: {e}")))?;
        tag.validate()
            .map_err(|e| FieldError::new("language", "unknown_language", format!("not a registered language tag: {e}")))?;
        Ok(Language(tag.as_str().to_owned()))
    }

    pub(crate) fn from_stored(s: String) -> Language {
        Language(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_tags_pass_and_unknown_or_malformed_ones_do_not() {
        for ok in ["en", "en-GB", "de-CH", "zh-Hans-CN", "fr"] {
            assert!(Language::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Language::parse("xx-QQ").unwrap_err().code, "unknown_language");
        assert_eq!(Language::parse("english please").unwrap_err().code, "invalid_language");
        assert_eq!(Language::parse("").unwrap_err().code, "invalid_language");
    }
}
