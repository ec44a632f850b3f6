//! Typed reads of fields of a JSON object parsed as a [`serde_json::Value`].
//!
//! The frames and bodies the engine reads used to go through serde derives (one deserializer, visitor and
//! error path per type). In the wasm module those cost more than everything else serde_json does — about
//! 40 KB, plus core's float formatter, which serde's `invalid type: floating point …` errors pull in. Every
//! input is now parsed once into a `Value` (whose parser is there anyway) and read with these helpers, which
//! keep serde's rules for the field types they stand for: absent or `null` is `None` for an `Option`, a
//! value of the wrong type is an error naming the field, unknown fields are ignored.

use serde_json::{Map, Value};

/// Parses JSON text that must be an object.
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text).map_err(|e| e.to_string())? {
        Value::Object(o) => Ok(o),
        _ => Err("expected a JSON object".to_owned()),
    }
}

/// How a JSON value's kind reads in a message ("a string", "an array", …).
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(key: &str, expected: &str) -> String {
    format!("invalid `{key}`: expected {expected}")
}

/// The field, `None` when absent or `null`.
fn present<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

/// `Option<&str>`.
pub(crate) fn opt_str<'a>(o: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    present(o, key)
        .map(|v| v.as_str().ok_or_else(|| wrong(key, "a string")))
        .transpose()
}

/// A required string.
pub(crate) fn req_str<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match o.get(key) {
        Some(v) => v.as_str().ok_or_else(|| wrong(key, "a string")),
        None => Err(format!("missing field `{key}`")),
    }
}

/// `Option<u64>`: a non-negative integer (a number with a fraction or exponent is refused, as serde does).
pub(crate) fn opt_u64(o: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    present(o, key)
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| wrong(key, "a non-negative integer"))
        })
        .transpose()
}

/// `Option<u32>`.
pub(crate) fn opt_u32(o: &Map<String, Value>, key: &str) -> Result<Option<u32>, String> {
    present(o, key)
        .map(|v| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| wrong(key, "an integer from 0 to 4294967295"))
        })
        .transpose()
}

/// `Option<f64>`: any number.
pub(crate) fn opt_f64(o: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    present(o, key)
        .map(|v| v.as_f64().ok_or_else(|| wrong(key, "a number")))
        .transpose()
}

/// `Option<bool>`.
pub(crate) fn opt_bool(o: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    present(o, key)
        .map(|v| v.as_bool().ok_or_else(|| wrong(key, "true or false")))
        .transpose()
}

/// `Option<Vec<Value>>`, borrowed.
pub(crate) fn opt_array<'a>(
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Vec<Value>>, String> {
    present(o, key)
        .map(|v| v.as_array().ok_or_else(|| wrong(key, "an array")))
        .transpose()
}

/// `Option<Vec<String>>`.
pub(crate) fn opt_strings(
    o: &Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<String>>, String> {
    let Some(items) = opt_array(o, key)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| wrong(key, "an array of strings"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Each element of an array field as an object (`Option<Vec<T>>` of a struct type).
pub(crate) fn opt_objects<'a>(
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<&'a Map<String, Value>>>, String> {
    let Some(items) = opt_array(o, key)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|v| {
            v.as_object()
                .ok_or_else(|| wrong(key, "an array of objects"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => Map::new(),
        }
    }

    /// The rules of serde's `Option<T>` fields, which the replaced derives followed.
    #[test]
    fn option_fields_follow_serde() {
        let o = obj(
            json!({"s": "x", "n": null, "u": 7, "neg": -1, "f": 1.5, "whole_f": 1.0, "big": 5_000_000_000u64,
                           "b": true, "list": ["a", "b"], "mixed": ["a", 1], "objs": [{}], "notobjs": [1]}),
        );
        assert_eq!(opt_str(&o, "s"), Ok(Some("x")));
        assert_eq!(opt_str(&o, "n"), Ok(None));
        assert_eq!(opt_str(&o, "absent"), Ok(None));
        assert!(opt_str(&o, "u").is_err());
        assert_eq!(req_str(&o, "s"), Ok("x"));
        assert!(req_str(&o, "absent").is_err());
        assert!(req_str(&o, "n").is_err());
        assert_eq!(opt_u64(&o, "u"), Ok(Some(7)));
        assert!(opt_u64(&o, "neg").is_err());
        assert!(opt_u64(&o, "f").is_err());
        assert!(opt_u64(&o, "whole_f").is_err());
        assert!(opt_u32(&o, "big").is_err());
        assert_eq!(opt_u32(&o, "u"), Ok(Some(7)));
        assert_eq!(opt_f64(&o, "u"), Ok(Some(7.0)));
        assert_eq!(opt_f64(&o, "neg"), Ok(Some(-1.0)));
        assert!(opt_f64(&o, "s").is_err());
        assert_eq!(opt_bool(&o, "b"), Ok(Some(true)));
        assert!(opt_bool(&o, "u").is_err());
        assert_eq!(
            opt_strings(&o, "list"),
            Ok(Some(vec!["a".to_owned(), "b".to_owned()]))
        );
        assert!(opt_strings(&o, "mixed").is_err());
        assert_eq!(
            opt_objects(&o, "objs").map(|v| v.map(|v| v.len())),
            Ok(Some(1))
        );
        assert!(opt_objects(&o, "notobjs").is_err());
        assert!(parse_object("[1]").is_err());
        assert!(parse_object("{").is_err());
        assert!(parse_object(" {} ").is_ok());
    }
}
