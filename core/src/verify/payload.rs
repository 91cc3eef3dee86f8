//! The token payload, parsed in one pass into the claims the rules read.
//!
//! Same acceptance as the strict parser ([`crate::jose::parse_strict_object`]):
//! a JSON object with no repeated member name at any depth (escaped names
//! compared decoded), else `malformed`. But nothing is built for the claims
//! the rules never read: they are checked for syntax and repeated names and
//! dropped, and member names are compared borrowed from the payload. The
//! claims that are kept become the [`super::VerifiedIdentity`] by move.

use core::fmt;
use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// A kept claim's value, reduced to what the rules distinguish.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) enum Claim {
    /// Absent.
    #[default]
    Absent,
    Str(String),
    Bool(bool),
    Num(Number),
    /// An array whose elements are all strings.
    Strs(Vec<String>),
    /// Anything else (null, an object, an array holding a non-string).
    Other,
}

impl Claim {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Claim::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The string, moved out.
    pub(super) fn into_string(self) -> Option<String> {
        match self {
            Claim::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The claims the verification rules and [`super::VerifiedIdentity`] read.
#[derive(Clone, Debug, Default)]
pub(super) struct Claims {
    pub iss: Claim,
    pub aud: Claim,
    pub exp: Claim,
    pub nbf: Claim,
    pub iat: Claim,
    pub sub: Claim,
    pub email: Claim,
    pub email_verified: Claim,
    pub preferred_username: Claim,
    pub sid: Claim,
    pub scope: Claim,
    pub azp: Claim,
    pub typ: Claim,
    pub nonce: Claim,
    pub jti: Claim,
}

impl Claims {
    fn slot(&mut self, name: &str) -> Option<&mut Claim> {
        Some(match name {
            "iss" => &mut self.iss,
            "aud" => &mut self.aud,
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "sub" => &mut self.sub,
            "email" => &mut self.email,
            "email_verified" => &mut self.email_verified,
            "preferred_username" => &mut self.preferred_username,
            "sid" => &mut self.sid,
            "scope" => &mut self.scope,
            "azp" => &mut self.azp,
            "typ" => &mut self.typ,
            "nonce" => &mut self.nonce,
            "jti" => &mut self.jti,
            _ => return None,
        })
    }
}

/// Why a payload is refused (both are `malformed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PayloadError {
    /// An object repeats a member name.
    Duplicate,
    /// Not JSON (syntax, encoding, nesting deeper than serde_json's limit).
    Syntax,
    /// Valid JSON, but not an object.
    NotObject,
}

/// Parses a payload: a JSON object without repeated member names anywhere.
pub(super) fn parse(bytes: &[u8]) -> Result<Claims, PayloadError> {
    match serde_json::from_slice::<Top>(bytes) {
        Ok(Top(Some(claims))) => Ok(claims),
        Ok(Top(None)) => Err(PayloadError::NotObject),
        // Our visitors' only custom error is a repeated name; serde_json files
        // custom errors as data errors.
        Err(e) if e.is_data() => Err(PayloadError::Duplicate),
        Err(_) => Err(PayloadError::Syntax),
    }
}

fn duplicate<E: de::Error>() -> E {
    E::custom("duplicate member name")
}

/// An object's member names so far, to refuse a repeated one as soon as it
/// is read: a linear scan while there are few (a token's usual case), an
/// ordered set beyond, so a payload of thousands of names stays O(n log n).
struct Names<'de> {
    few: Vec<Cow<'de, str>>,
    many: BTreeSet<Cow<'de, str>>,
}

impl<'de> Names<'de> {
    const FEW: usize = 24;

    fn new() -> Names<'de> {
        Names { few: Vec::new(), many: BTreeSet::new() }
    }

    fn insert<E: de::Error>(&mut self, name: Cow<'de, str>) -> Result<(), E> {
        if self.few.contains(&name) || self.many.contains(&name) {
            return Err(duplicate());
        }
        if self.few.len() < Self::FEW {
            self.few.push(name);
        } else {
            self.many.insert(name);
        }
        Ok(())
    }
}

/// A member name, borrowed from the payload unless it has escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The top level: `Some` for an object, `None` for any other (valid) value.
struct Top(Option<Claims>);

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate member names")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        SkipVisitor.visit_seq(seq).map(|()| Top(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut claims = Claims::default();
        let mut names = Names::new();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            match claims.slot(&name) {
                // A kept claim is never Absent once read: a second one is a repeat.
                Some(slot) if *slot != Claim::Absent => return Err(duplicate()),
                Some(slot) => *slot = map.next_value_seed(KeptSeed)?,
                None => {
                    map.next_value_seed(SkipSeed)?;
                    names.insert(name)?;
                }
            }
        }
        Ok(Top(Some(claims)))
    }
}

/// A kept claim's value; nested objects are checked and dropped.
struct KeptSeed;

impl<'de> DeserializeSeed<'de> for KeptSeed {
    type Value = Claim;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Claim, D::Error> {
        d.deserialize_any(KeptVisitor)
    }
}

struct KeptVisitor;

impl<'de> Visitor<'de> for KeptVisitor {
    type Value = Claim;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate member names")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Claim, E> {
        Ok(Claim::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Claim, E> {
        Ok(Claim::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Claim, E> {
        Ok(Claim::Num(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Claim, E> {
        Ok(Number::from_f64(v).map_or(Claim::Other, Claim::Num))
    }
    fn visit_str<E>(self, v: &str) -> Result<Claim, E> {
        Ok(Claim::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Claim, E> {
        Ok(Claim::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Claim, E> {
        Ok(Claim::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claim, A::Error> {
        let mut strings = Some(Vec::new());
        while let Some(item) = seq.next_element_seed(KeptSeed)? {
            match (item, strings.as_mut()) {
                (Claim::Str(s), Some(all)) => all.push(s),
                _ => strings = None,
            }
        }
        Ok(strings.map_or(Claim::Other, Claim::Strs))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Claim, A::Error> {
        SkipVisitor.visit_map(map).map(|()| Claim::Other)
    }
}

/// A value nobody reads: checked for syntax and repeated names, nothing kept.
struct SkipSeed;

impl<'de> DeserializeSeed<'de> for SkipSeed {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate member names")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(SkipSeed)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names = Names::new();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            map.next_value_seed(SkipSeed)?;
            names.insert(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::jose::{parse_strict_object, StrictJsonError};

    /// Accepts and refuses exactly what the strict parser does, with the same kind of error.
    #[test]
    fn agrees_with_the_strict_parser() {
        let cases: &[&[u8]] = &[
            br#"{"a":1,"a":2}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"iss":"x","iss":"y"}"#,
            br#"{"iss":"x","\u0069ss":"y"}"#,
            br#"{"x":{"b":1,"b":1}}"#,
            br#"{"aud":[{"b":1,"b":1}]}"#,
            br#"{"aud":["a",{"b":1,"b":1}]}"#,
            br#"{"sub":{"b":1,"b":1}}"#,
            br#"{"x":[[{"b":1,"\u0062":1}]]}"#,
            br#"[{"b":1,"b":1}]"#,
            br#"[1]"#,
            b"1",
            b"\"s\"",
            b"null",
            b"{a:1}",
            b"{\"a\":1} x",
            b"\xff",
            b"{\"a\":\"\xff\"}",
            br#"{"a":1e400}"#,
            br#"{"exp":1e400}"#,
            br#"{"a":1,"b":{"a":2}}"#,
            br#"{"n":1.5,"i":-3,"s":"x","t":true,"z":null,"aud":["x","y"],"exp":1.5e9}"#,
            b"",
            b"{}",
            br#"{"a":1,"a":2,"#,
        ];
        for &case in cases {
            let ours = parse(case).map(|_| ()).map_err(|e| match e {
                PayloadError::Duplicate => StrictJsonError::Duplicate,
                PayloadError::Syntax => StrictJsonError::Syntax,
                PayloadError::NotObject => StrictJsonError::NotObject,
            });
            assert_eq!(ours, parse_strict_object(case).map(|_| ()), "{}", String::from_utf8_lossy(case));
        }
        let many: String = (0..3000).map(|i| format!("\"k{i}\":{i},")).collect();
        let unique = format!("{{{many}\"iss\":\"i\"}}");
        assert!(parse(unique.as_bytes()).is_ok());
        let repeated = format!("{{{many}\"k2999\":0}}");
        assert_eq!(parse(repeated.as_bytes()).unwrap_err(), PayloadError::Duplicate);
        let deep = format!("{{\"x\":{}", "[".repeat(10_000));
        assert_eq!(parse(deep.as_bytes()).unwrap_err(), PayloadError::Syntax, "recursion limit, no stack overflow");
    }

    #[test]
    fn kept_claims_keep_their_type() {
        let c = parse(br#"{"iss":"i","aud":["a","b"],"exp":10,"nbf":1.5,"sub":"s","email_verified":true,"azp":null,"jti":["x",1],"x":{"y":[1]}}"#)
            .unwrap();
        assert_eq!(c.iss, Claim::Str("i".into()));
        assert_eq!(c.aud, Claim::Strs(vec!["a".into(), "b".into()]));
        assert_eq!(c.exp, Claim::Num(10.into()));
        assert!(matches!(c.nbf, Claim::Num(ref n) if n.as_f64() == Some(1.5)));
        assert_eq!(c.email_verified, Claim::Bool(true));
        assert_eq!((c.azp, c.jti, c.iat), (Claim::Other, Claim::Other, Claim::Absent));
        assert_eq!(parse(br#"{"sub":"\u0073"}"#).unwrap().sub, Claim::Str("s".into()));
    }
}
