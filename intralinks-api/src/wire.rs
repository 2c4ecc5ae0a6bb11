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
///
/// Every secret made in this process (by [`Secret::new`], `From`, or decoded
/// from an answer, such as a new access token) is remembered — the last
/// 256 of them, in memory only — so that [`mask_secrets`] can
/// hide it wherever a server echoes it back.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

/// How many secrets [`mask_secrets`] remembers.
pub const KNOWN_SECRETS: usize = 256;

/// Secrets shorter than this are not remembered: masking every "T" or "1"
/// in a message would hide more than it protects.
const MIN_REMEMBERED: usize = 4;

fn known() -> &'static std::sync::Mutex<std::collections::VecDeque<String>> {
    static KNOWN: std::sync::OnceLock<std::sync::Mutex<std::collections::VecDeque<String>>> =
        std::sync::OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

fn remember(value: &str) {
    if value.chars().count() < MIN_REMEMBERED {
        return;
    }
    let mut list = match known().lock() {
        Ok(list) => list,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(i) = list.iter().position(|v| v == value) {
        list.remove(i);
    } else if list.len() >= KNOWN_SECRETS {
        list.pop_front();
    }
    list.push_back(value.to_string());
}

/// Field names whose values are secrets, in forms (`password=…`), JSON
/// (`"password": "…"`) and XML (`<password>…</password>`); compared
/// without case.
const SECRET_FIELDS: [&str; 10] = [
    "password",
    "client_secret",
    "access_token",
    "refresh_token",
    "token",
    "code",
    "answer",
    "oneTimePassword",
    "one_time_password",
    "otp",
];

/// Hides secrets in text that came from a server or carries one: every
/// secret this process knows (see [`Secret`]), whatever surrounds it; the
/// value after `Bearer `; and the values of secret fields in form, JSON and
/// XML shapes, even when the secret was never seen before.
pub fn mask_secrets(text: &str) -> String {
    let mut out = text.to_string();
    {
        let list = match known().lock() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut values: Vec<&String> = list.iter().collect();
        // Longest first, so that a secret containing another is hidden whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for v in values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), "***");
            }
        }
    }
    out = mask_after(&out, "Bearer ", |c| {
        c.is_whitespace() || matches!(c, '"' | ',' | ';' | '\'' | '<' | '&')
    });
    for field in SECRET_FIELDS {
        out = mask_field(&out, field);
    }
    out
}

/// Replaces what follows each `marker` up to `end` with `***`.
fn mask_after(text: &str, marker: &str, end: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let stop = rest.find(|c: char| end(c)).unwrap_or(rest.len());
        if stop > 0 && &rest[..stop] != "***" {
            out.push_str("***");
        } else {
            out.push_str(&rest[..stop]);
        }
        rest = &rest[stop..];
    }
    out.push_str(rest);
    out
}

/// Masks the value of `field` as `field=v`, `"field": "v"` and `<field>v</field>`.
fn mask_field(text: &str, field: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let name = field.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&name) {
        let start = from + found;
        let after = start + name.len();
        from = after;
        // A whole word: not part of a longer name.
        let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if start > 0 && word_char(bytes[start - 1]) && bytes[start - 1] != b'<' {
            continue;
        }
        if after < bytes.len() && word_char(bytes[after]) {
            continue;
        }
        let (value_start, terminators): (usize, &[u8]) = if lower[after..].starts_with('=') {
            (after + 1, b"&\" \t\r\n,;")
        } else if start > 0 && bytes[start - 1] == b'<' && lower[after..].starts_with('>') {
            (after + 1, b"<")
        } else if start > 0 && bytes[start - 1] == b'"' && lower[after..].starts_with('"') {
            // "field" : "value"
            let mut i = after + 1;
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b':') {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'"' && lower[after + 1..i].contains(':') {
                (i + 1, b"\"")
            } else {
                continue;
            }
        } else {
            continue;
        };
        let end = bytes[value_start..]
            .iter()
            .position(|b| terminators.contains(b))
            .map(|p| value_start + p)
            .unwrap_or(bytes.len());
        if end > value_start && &text[value_start..end] != "***" {
            spans.push((value_start, end));
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (a, b) in spans {
        out.push_str(&text[last..a]);
        out.push_str("***");
        last = b;
    }
    out.push_str(&text[last..]);
    out
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

impl Secret {
    /// Wraps a credential (and remembers it for [`mask_secrets`]).
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        remember(&value);
        Self(value)
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
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
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
    fn known_secrets_are_masked_wherever_they_appear() {
        let token = Secret::new("tok-8f3kQ9zLmN");
        let text = format!(
            "invalid access token: Bearer {}; echoed {}!",
            token.expose(),
            token.expose()
        );
        assert_eq!(
            mask_secrets(&text),
            "invalid access token: Bearer ***; echoed ***!"
        );
        let decoded: Secret = serde_json::from_str(r#""refresh-77aa99bb""#).unwrap();
        assert_eq!(
            mask_secrets(&format!("<p>{}</p>", decoded.expose())),
            "<p>***</p>"
        );
    }

    #[test]
    fn secret_fields_are_masked_in_forms_json_and_xml_even_when_unknown() {
        assert_eq!(
            mask_secrets(
                "grant_type=client_credentials&client_id=app&client_secret=never-seen-1&email=a@b.c&password=never-seen-2"
            ),
            "grant_type=client_credentials&client_id=app&client_secret=***&email=a@b.c&password=***"
        );
        assert_eq!(
            mask_secrets(
                r#"{"message": "bad", "refresh_token" : "never-seen-3", "answer":"blue"}"#
            ),
            r#"{"message": "bad", "refresh_token" : "***", "answer":"***"}"#
        );
        assert_eq!(
            mask_secrets(
                "<entry><oneTimePassword>123456</oneTimePassword><answer>x</answer></entry>"
            ),
            "<entry><oneTimePassword>***</oneTimePassword><answer>***</answer></entry>"
        );
        // Names that merely contain a secret field's name are left alone.
        assert_eq!(
            mask_secrets("passwordPolicy=strict&tokenType=bearer&zipcode=1234"),
            "passwordPolicy=strict&tokenType=bearer&zipcode=1234"
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""hunter2""#);
    }
}
