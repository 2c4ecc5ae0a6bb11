//! The API surface of a spec — its operations and named types — and what
//! changed between two versions of it, for `cargo xtask regen` to report.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::lint::METHODS;

/// Operations (by operationId) and types (by schema name), each with a
/// canonical description used to tell whether it changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Surface {
    /// operationId → `METHOD path` plus its canonical JSON.
    pub operations: BTreeMap<String, (String, String)>,
    /// Schema name → canonical JSON.
    pub types: BTreeMap<String, String>,
}

impl Surface {
    /// Reads the surface of a spec.
    pub fn of(spec: &Value) -> Self {
        let mut surface = Surface::default();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    if let Some(op) = item.get(method) {
                        let id = op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or("(no operationId)")
                            .to_string();
                        let mut shape = op.clone();
                        if let Some(o) = shape.as_object_mut() {
                            for doc_only in ["summary", "description", "tags"] {
                                o.shift_remove(doc_only);
                            }
                        }
                        surface.operations.insert(
                            id,
                            (
                                format!("{} {path}", method.to_ascii_uppercase()),
                                canonical(&shape),
                            ),
                        );
                    }
                }
            }
        }
        if let Some(schemas) = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                surface.types.insert(name.clone(), canonical(schema));
            }
        }
        surface
    }

    /// Lines saying what was added, removed or changed from `old` to `self`.
    pub fn changes_since(&self, old: &Surface) -> Vec<String> {
        let mut lines = Vec::new();
        for (id, (route, shape)) in &self.operations {
            match old.operations.get(id) {
                None => lines.push(format!("+ operation {id} ({route})")),
                Some((old_route, old_shape)) if old_route != route || old_shape != shape => {
                    lines.push(format!("~ operation {id} ({route})"))
                }
                _ => {}
            }
        }
        for (id, (route, _)) in &old.operations {
            if !self.operations.contains_key(id) {
                lines.push(format!("- operation {id} ({route})"));
            }
        }
        for (name, shape) in &self.types {
            match old.types.get(name) {
                None => lines.push(format!("+ type {name}")),
                Some(old_shape) if old_shape != shape => lines.push(format!("~ type {name}")),
                _ => {}
            }
        }
        for name in old.types.keys() {
            if !self.types.contains_key(name) {
                lines.push(format!("- type {name}"));
            }
        }
        lines
    }
}

/// JSON with object keys sorted, so that key order does not count as a change.
fn canonical(value: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let sorted: BTreeMap<&String, Value> =
                    m.iter().map(|(k, v)| (k, sort(v))).collect();
                Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_added_removed_and_changed() {
        let old = Surface::of(&json!({
            "paths": {"/a": {"get": {"operationId": "getA", "summary": "x"}},
                      "/b": {"get": {"operationId": "getB"}}},
            "components": {"schemas": {"A": {"type": "object"}, "B": {"type": "string"}}}
        }));
        let new = Surface::of(&json!({
            "paths": {"/a": {"get": {"operationId": "getA", "summary": "reworded",
                                      "parameters": [{"name": "q", "in": "query"}]}},
                      "/c": {"post": {"operationId": "postC"}}},
            "components": {"schemas": {"A": {"type": "object"}, "C": {"type": "integer"}}}
        }));
        assert_eq!(
            new.changes_since(&old),
            vec![
                "~ operation getA (GET /a)",
                "+ operation postC (POST /c)",
                "- operation getB (GET /b)",
                "+ type C",
                "- type B",
            ]
        );
        assert!(new.changes_since(&new).is_empty());
    }
}
