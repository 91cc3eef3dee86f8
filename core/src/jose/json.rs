//! Strict JSON for JOSE: a JSON text whose objects repeat no member name, at
//! any depth. `serde_json` alone keeps the last of two equal names, which lets
//! two readers of one header disagree (RFC 7515 §5.2 allows refusing; we do).

use core::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a JSON text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrictJsonError {
    /// Not JSON (syntax, encoding, nesting deeper than serde_json's limit).
    Syntax,
    /// An object repeats a member name.
    Duplicate,
    /// Valid JSON, but not an object at the top.
    NotObject,
}

/// Parses a JSON text that must be an object with no repeated member name anywhere.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, StrictJsonError> {
    match parse(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(StrictJsonError::NotObject),
    }
}

/// Parses any JSON text with no repeated member name anywhere.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, StrictJsonError> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(value)) => Ok(value),
        // Our visitor's only custom error is a duplicate name; serde_json
        // files custom errors as data errors.
        Err(e) if e.is_data() => Err(StrictJsonError::Duplicate),
        Err(_) => Err(StrictJsonError::Syntax),
    }
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate member names")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element::<Strict>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom("duplicate member name"));
            }
            let Strict(v) = map.next_value::<Strict>()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn duplicate_member_names_are_refused_at_any_depth_even_when_escaped() {
        assert_eq!(parse(br#"{"a":1,"a":2}"#), Err(StrictJsonError::Duplicate));
        assert_eq!(parse(br#"{"a":1,"\u0061":2}"#), Err(StrictJsonError::Duplicate));
        assert_eq!(parse(br#"{"x":{"b":1,"b":1}}"#), Err(StrictJsonError::Duplicate));
        assert_eq!(parse(br#"[{"b":1,"b":1}]"#), Err(StrictJsonError::Duplicate));
        assert!(parse(br#"{"a":1,"b":{"a":2}}"#).is_ok(), "same name in different objects is fine");
    }

    #[test]
    fn only_objects_pass_parse_object_and_syntax_errors_are_syntax() {
        assert_eq!(parse_object(b"[1]"), Err(StrictJsonError::NotObject));
        assert_eq!(parse_object(b"{a:1}"), Err(StrictJsonError::Syntax));
        assert_eq!(parse_object(b"{\"a\":1} x"), Err(StrictJsonError::Syntax));
        assert_eq!(parse_object(b"\xff"), Err(StrictJsonError::Syntax));
        let deep = "[".repeat(10_000);
        assert_eq!(parse(deep.as_bytes()), Err(StrictJsonError::Syntax), "recursion limit, no stack overflow");
        assert_eq!(parse_object(br#"{"n":1.5,"i":-3,"s":"x","t":true,"z":null}"#).map(|m| m.len()), Ok(5));
    }
}
