//! JSON for people and scripts: the wire's field names and exact integer
//! ids, with every `{"milliseconds": N}` date turned into an RFC 3339 UTC string.

use serde_json::Value;

use crate::Millis;

/// Rewrites every millisecond date in `value` (an object whose only key is
/// `milliseconds`) as an RFC 3339 UTC string; an unset date stays `{}`.
pub fn dates_to_rfc3339(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(ms) = map.get("milliseconds").and_then(Value::as_i64)
                && let Some(dt) = Millis::from_millis(ms).to_datetime()
            {
                *value = Value::String(dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
                return;
            }
            map.values_mut().for_each(dates_to_rfc3339);
        }
        Value::Array(items) => items.iter_mut().for_each(dates_to_rfc3339),
        _ => {}
    }
}

/// Serializes a wire record for output: wire names, exact ids, RFC 3339 dates.
pub fn to_output<T: serde::Serialize>(record: &T) -> serde_json::Result<Value> {
    let mut value = serde_json::to_value(record)?;
    dates_to_rfc3339(&mut value);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_become_rfc3339_and_ids_stay_exact() {
        let big: i64 = (1 << 53) + 1;
        let mut v = json!({"id": big, "createdOn": {"milliseconds": 1364560076000i64},
                           "unset": {}, "nested": [{"lastModifiedOn": {"milliseconds": 0}}]});
        dates_to_rfc3339(&mut v);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"id":9007199254740993,"createdOn":"2013-03-29T12:27:56.000Z","unset":{},"nested":[{"lastModifiedOn":"1970-01-01T00:00:00.000Z"}]}"#
        );
    }
}
