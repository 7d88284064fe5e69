//! The Request object as a binding hands it to the engine.
//!
//! Both bindings deliver the same thing: the framing (Credentials, Session, Debug) and the
//! operation's own fields under their wire names. The SOAP decoder builds a tree of them; the
//! JSON binding keeps each field as the JSON text it arrived as, borrowed from the body, so the
//! operation's input is decoded straight from the bytes and a large request (100,000 inventory
//! items) is never also held as a tree.

use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

const FRAMING: [&str; 3] = ["Credentials", "Session", "Debug"];

/// One request: the framing, split off, and the operation's own fields.
pub struct RequestObject<'a> {
    pub(crate) framing: Map<String, Value>,
    pub(crate) fields: Fields<'a>,
}

pub(crate) enum Fields<'a> {
    Tree(Map<String, Value>),
    Json(Vec<(String, &'a RawValue)>),
}

/// Why a JSON body is not a Request object.
#[derive(Debug, thiserror::Error)]
pub enum JsonRequestError {
    #[error("The body must be a JSON object: the Request.")]
    NotAnObject,
    #[error("The body is not valid JSON: {0}.")]
    Invalid(serde_json::Error),
}

impl RequestObject<'static> {
    /// A request given as a tree; `null` is an empty request.
    pub fn from_value(request: Value) -> Result<Self, Value> {
        let mut fields = match request {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => return Err(other),
        };
        let mut framing = Map::new();
        for key in FRAMING {
            if let Some(v) = fields.remove(key) {
                framing.insert(key.to_string(), v);
            }
        }
        Ok(RequestObject { framing, fields: Fields::Tree(fields) })
    }
}

impl<'a> RequestObject<'a> {
    /// A request given as a JSON body; an empty body is an empty request. Only the framing is
    /// parsed here: the operation's fields stay JSON text until the engine decodes them.
    pub fn from_json(body: &'a [u8]) -> Result<Self, JsonRequestError> {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            None => return Ok(RequestObject { framing: Map::new(), fields: Fields::Json(Vec::new()) }),
            Some(b'{') => {}
            Some(_) => {
                // Tell "valid JSON but not an object" from "not JSON at all".
                return Err(match serde_json::from_slice::<de::IgnoredAny>(body) {
                    Ok(_) => JsonRequestError::NotAnObject,
                    Err(e) => JsonRequestError::Invalid(e),
                });
            }
        }
        let RawFields(all) = serde_json::from_slice(body).map_err(JsonRequestError::Invalid)?;
        let mut framing = Map::new();
        let mut fields = Vec::with_capacity(all.len());
        for (key, raw) in all {
            if FRAMING.contains(&key.as_str()) {
                let value = serde_json::from_str(raw.get()).map_err(JsonRequestError::Invalid)?;
                framing.insert(key, value);
            } else {
                fields.push((key, raw));
            }
        }
        Ok(RequestObject { framing, fields: Fields::Json(fields) })
    }

    /// Whether the request authenticates itself (Credentials or Session).
    pub fn authenticates(&self) -> bool {
        self.framing.contains_key("Credentials") || self.framing.contains_key("Session")
    }

    /// Sets Credentials, for bindings that carry them outside the Request object (HTTP Basic).
    pub fn set_credentials(&mut self, credentials: Value) {
        self.framing.insert("Credentials".into(), credentials);
    }
}

impl Fields<'_> {
    /// Decodes the operation's input, naming the offending field on failure. May be called
    /// again (the fields are only borrowed), which the engine does to echo a request whose
    /// processing failed.
    pub(crate) fn decode<T: de::DeserializeOwned>(&self) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
        match self {
            Fields::Tree(map) => serde_path_to_error::deserialize(map.into_deserializer()),
            Fields::Json(fields) => {
                let entries = fields.iter().map(|(k, v)| (k.as_str(), *v));
                serde_path_to_error::deserialize(de::value::MapDeserializer::new(entries))
            }
        }
    }
}

impl Fields<'_> {
    /// The path of the first text holding a NUL character (U+0000), which no field may carry:
    /// PostgreSQL cannot store it and XML cannot carry it, so it is refused up front on both
    /// engines and both bindings rather than failing (or surviving) differently in each.
    pub(crate) fn nul_character(&self) -> Option<String> {
        match self {
            Fields::Tree(map) => map.iter().find_map(|(k, v)| nul_in(v, k.clone())),
            Fields::Json(fields) => fields.iter().find_map(|(k, raw)| {
                // JSON text can carry NUL only as the escape \u0000; parse just such a field.
                if !raw.get().contains("\\u0000") {
                    return None;
                }
                let value: Value = serde_json::from_str(raw.get()).ok()?;
                nul_in(&value, k.clone())
            }),
        }
    }
}

fn nul_in(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_in(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| nul_in(v, format!("{path}.{k}"))),
        _ => None,
    }
}

/// The top-level members of a JSON object, each kept as the text it arrived as.
struct RawFields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(RawFields(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Input {
        #[serde(rename = "ProductID")]
        product_id: Option<i32>,
        #[serde(rename = "Note", default)]
        note: Option<String>,
    }

    #[test]
    fn json_and_tree_decode_alike_and_split_the_framing() {
        let body = br#"{"Session":{"SessionKey":"k"},"Debug":true,"ProductID":7,"Note":""}"#;
        let json = RequestObject::from_json(body).unwrap();
        let tree = RequestObject::from_value(serde_json::from_slice(body).unwrap()).unwrap();
        for r in [&json, &tree] {
            assert_eq!(r.framing.get("Session"), Some(&json!({"SessionKey": "k"})));
            assert_eq!(r.framing.get("Debug"), Some(&json!(true)));
            assert_eq!(r.fields.decode::<Input>().unwrap(), Input { product_id: Some(7), note: Some(String::new()) });
        }
    }

    #[test]
    fn decode_errors_name_the_field() {
        let r = RequestObject::from_json(br#"{"ProductID":"seven"}"#).unwrap();
        let e = r.fields.decode::<Input>().unwrap_err();
        assert_eq!(e.path().to_string(), "ProductID");
    }

    #[test]
    fn nul_characters_are_found_with_their_path() {
        let body = br#"{"Note":"ok","InventoryItems":[{"Identifier":"1"},{"Note":"a\u0000b"}]}"#;
        let json = RequestObject::from_json(body).unwrap();
        let tree = RequestObject::from_value(serde_json::from_slice(body).unwrap()).unwrap();
        for r in [&json, &tree] {
            assert_eq!(r.fields.nul_character().as_deref(), Some("InventoryItems[1].Note"));
        }
        // An escaped backslash followed by "u0000" is not a NUL.
        let text = RequestObject::from_json(br#"{"Note":"C:\\u0000"}"#).unwrap();
        assert_eq!(text.fields.nul_character(), None);
    }

    #[test]
    fn bodies_that_are_not_objects_are_told_apart() {
        assert!(matches!(RequestObject::from_json(b"[1]"), Err(JsonRequestError::NotAnObject)));
        assert!(matches!(RequestObject::from_json(b"{\"a\":"), Err(JsonRequestError::Invalid(_))));
        assert!(matches!(RequestObject::from_json(b"nope"), Err(JsonRequestError::Invalid(_))));
        let empty = RequestObject::from_json(b"  ").unwrap();
        assert!(!empty.authenticates());
    }
}
