//! Wire types the generated code refers to by replacement: millisecond dates,
//! `"T"`/`"F"` booleans and redacted secrets.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date as the service sends it: `{"milliseconds": 1364560076000}`, or `{}`
/// when unset.
///
/// ```
/// use intralinks_api::Millis;
/// let m: Millis = serde_json::from_str(r#"{"milliseconds": 1364560076000}"#).unwrap();
/// assert_eq!(m.to_datetime().unwrap().to_rfc3339(), "2013-03-29T12:27:56+00:00");
/// let unset: Millis = serde_json::from_str("{}").unwrap();
/// assert_eq!(unset.to_datetime(), None);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Millis {
    /// Milliseconds since the Unix epoch; `None` for `{}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milliseconds: Option<i64>,
}

impl Millis {
    /// A set date from milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Self {
            milliseconds: Some(ms),
        }
    }

    /// An unset date, sent as `{}`.
    pub const fn unset() -> Self {
        Self { milliseconds: None }
    }

    /// The date as a chrono value; `None` when unset or out of chrono's range.
    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        self.milliseconds
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
    }
}

impl From<DateTime<Utc>> for Millis {
    fn from(value: DateTime<Utc>) -> Self {
        Self::from_millis(value.timestamp_millis())
    }
}

impl From<Millis> for Option<DateTime<Utc>> {
    fn from(value: Millis) -> Self {
        value.to_datetime()
    }
}

/// A boolean the service sends as the string `"T"` or `"F"`.
///
/// Anything else is a decoding error rather than a silent `false`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TfBool(pub bool);

impl TfBool {
    /// The boolean.
    pub const fn get(self) -> bool {
        self.0
    }
}

impl From<TfBool> for bool {
    fn from(value: TfBool) -> Self {
        value.0
    }
}

impl From<bool> for TfBool {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl fmt::Display for TfBool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "T" } else { "F" })
    }
}

impl Serialize for TfBool {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0 { "T" } else { "F" })
    }
}

impl<'de> Deserialize<'de> for TfBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        match s.as_ref() {
            "T" => Ok(Self(true)),
            "F" => Ok(Self(false)),
            other => Err(serde::de::Error::custom(format!(
                "expected \"T\" or \"F\", found {other:?}"
            ))),
        }
    }
}

/// A credential: password, client secret, token, one-time password or
/// security answer. Its `Debug` output is `Secret(***)`; read it with
/// [`Secret::expose`] only where it goes on the wire.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the credential is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_trips_and_unset_is_empty_object() {
        let m: Millis = serde_json::from_str(r#"{"milliseconds":1295622214000}"#).unwrap();
        assert_eq!(m, Millis::from_millis(1_295_622_214_000));
        assert_eq!(
            m.to_datetime().unwrap().to_rfc3339(),
            "2011-01-21T15:03:34+00:00"
        );
        assert_eq!(serde_json::to_string(&Millis::unset()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"milliseconds":1295622214000}"#
        );
        let back: Millis = m.to_datetime().unwrap().into();
        assert_eq!(back, m);
    }

    #[test]
    fn tf_bool_accepts_only_t_and_f() {
        assert_eq!(
            serde_json::from_str::<TfBool>(r#""T""#).unwrap(),
            TfBool(true)
        );
        assert_eq!(
            serde_json::from_str::<TfBool>(r#""F""#).unwrap(),
            TfBool(false)
        );
        let err = serde_json::from_str::<TfBool>(r#""yes""#).unwrap_err();
        assert_eq!(err.to_string(), "expected \"T\" or \"F\", found \"yes\"");
        assert_eq!(serde_json::to_string(&TfBool(true)).unwrap(), r#""T""#);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""hunter2""#);
    }
}
