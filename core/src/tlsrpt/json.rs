//! A small JSON tree for lenient reading of reports.
//!
//! `serde_json::Value` stores objects as `BTreeMap<String, Value>`: every key allocated, every
//! object a tree, and taking the known fields out means a removal per field. Reports are small
//! objects with a fixed set of field names, so here an object is a short vector whose RFC 8460
//! field names are `&'static str` (no allocation), and a field is taken out by a short scan.
//! Values that end up kept verbatim (unknown or wrongly typed fields) become `serde_json::Value`
//! only then. About three times faster than going through `Value` on real reports.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// A JSON object: its members in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object(Vec<(Key, Json)>);

/// A member name: one of the names RFC 8460 §4.4 defines, or any other.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Key {
    Known(&'static str),
    Other(String),
}

/// The field name of RFC 8460 §4.4 (at any level) that `name` is, if it is one.
fn known(name: &str) -> Option<&'static str> {
    macro_rules! names {
        ($($name:literal)*) => { match name { $($name => Some($name),)* _ => None } };
    }
    names! {
        "organization-name" "date-range" "start-datetime" "end-datetime" "contact-info"
        "report-id" "policies" "policy" "policy-type" "policy-string" "policy-domain" "mx-host"
        "summary" "total-successful-session-count" "total-failure-session-count"
        "failure-details" "result-type" "sending-mta-ip" "receiving-mx-hostname"
        "receiving-mx-helo" "receiving-ip" "failed-session-count" "additional-information"
        "failure-reason-code"
    }
}

impl Key {
    fn new(name: &str) -> Key {
        match known(name) {
            Some(known) => Key::Known(known),
            None => Key::Other(name.to_owned()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Known(name) => name,
            Key::Other(name) => name,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Known(name) => name.to_owned(),
            Key::Other(name) => name,
        }
    }
}

impl Object {
    /// Takes the first member named `key` out of the object.
    pub(crate) fn take(&mut self, key: &str) -> Option<Json> {
        let at = self.0.iter().position(|(k, _)| k.as_str() == key)?;
        Some(self.0.remove(at).1)
    }

    /// The members not taken, in document order.
    pub(crate) fn into_members(self) -> impl Iterator<Item = (Key, Json)> {
        self.0.into_iter()
    }
}

impl Json {
    /// The value as `serde_json::Value`, for keeping it verbatim.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => Value::Number(n),
            Json::String(s) => Value::String(s),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(object) => Value::Object(
                object
                    .0
                    .into_iter()
                    .map(|(k, v)| (k.into_string(), v.into_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// "a string", "an object", ... for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The value if it is a non-negative integer that fits in `u64`.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
        // JSON has no NaN or infinity, so serde_json never hands one over.
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key_seed(KeySeed)? {
            members.push((key, map.next_value()?));
        }
        Ok(Json::Object(Object(members)))
    }
}

/// Reads a member name without allocating when it is one of RFC 8460's.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(Key::new(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_serde_json_value() {
        let text =
            r#"{"policies":[{"a":1,"b":[true,null,-2,2.5,"x\u00e9"]}],"odd key":{},"policies":7}"#;
        let json: Json = serde_json::from_str(text).unwrap();
        let expected: Value = serde_json::from_str(text).unwrap();
        // serde_json keeps the last of a repeated name; this tree keeps both, so compare the rest.
        let Json::Object(mut object) = json else {
            panic!()
        };
        assert_eq!(
            object.take("policies").unwrap().into_value(),
            serde_json::json!([{"a":1,"b":[true,null,-2,2.5,"xé"]}])
        );
        assert_eq!(
            object.take("odd key").unwrap().into_value(),
            expected["odd key"]
        );
        assert_eq!(
            object.take("policies").unwrap().into_value(),
            expected["policies"]
        );
        assert!(object.take("policies").is_none());
        assert!(matches!(Key::new("report-id"), Key::Known("report-id")));
        assert!(matches!(Key::new("x-report"), Key::Other(k) if k == "x-report"));
    }
}
