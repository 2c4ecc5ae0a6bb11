//! OpenAPI Overlay 1.0 application.
//!
//! Targets are RFC 9535 JSONPath expressions evaluated with `serde_json_path`.
//! `update` merges objects deeply (keys of the update replace or extend the
//! target's) and appends to arrays; `remove: true` deletes every node the
//! target selects. A target that selects nothing is an error: in a document
//! whose whole point is to correct another one, a silent no-op is a bug.

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::GenError;

/// An OpenAPI Overlay document (version 1.0 of the Overlay Specification).
#[derive(Debug, Clone, Deserialize)]
pub struct Overlay {
    /// The Overlay Specification version, `1.0.0`.
    pub overlay: String,
    /// Title and version of the overlay itself.
    pub info: OverlayInfo,
    /// The document the overlay is written for.
    #[serde(default)]
    pub extends: Option<String>,
    /// The actions, applied in order.
    pub actions: Vec<Action>,
}

/// The `info` object of an overlay.
#[derive(Debug, Clone, Deserialize)]
pub struct OverlayInfo {
    /// Title of the overlay.
    pub title: String,
    /// Version of the overlay.
    pub version: String,
}

/// One overlay action.
#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    /// RFC 9535 JSONPath selecting the nodes to change.
    pub target: String,
    /// What the action corrects, and the evidence for it.
    #[serde(default)]
    pub description: Option<String>,
    /// A value merged into every selected node.
    #[serde(default)]
    pub update: Option<Value>,
    /// Whether the selected nodes are removed.
    #[serde(default)]
    pub remove: bool,
}

impl Overlay {
    /// Parses an overlay from YAML text and checks its version and actions.
    pub fn from_yaml(text: &str) -> Result<Self, GenError> {
        let overlay: Overlay = serde_yaml_ng::from_str(text).map_err(|e| GenError::Yaml {
            file: "overlay.yaml".into(),
            message: e.to_string(),
        })?;
        if !overlay.overlay.starts_with("1.0") {
            return Err(GenError::Overlay {
                index: 0,
                description: String::new(),
                message: format!(
                    "overlay version {} is not supported; write `overlay: 1.0.0`",
                    overlay.overlay
                ),
            });
        }
        for (index, action) in overlay.actions.iter().enumerate() {
            let fail = |message: &str| GenError::Overlay {
                index,
                description: action.description.clone().unwrap_or_default(),
                message: message.to_string(),
            };
            if action
                .description
                .as_deref()
                .unwrap_or("")
                .trim()
                .is_empty()
            {
                return Err(fail(
                    "every action needs a description naming its evidence (seed, sample or package)",
                ));
            }
            match (&action.update, action.remove) {
                (Some(_), true) => {
                    return Err(fail("an action either updates or removes, not both"));
                }
                (None, false) => return Err(fail("an action needs `update` or `remove: true`")),
                _ => {}
            }
        }
        Ok(overlay)
    }

    /// Applies every action, in order, to `doc`.
    pub fn apply(&self, doc: &mut Value) -> Result<(), GenError> {
        for (index, action) in self.actions.iter().enumerate() {
            action.apply(doc).map_err(|message| GenError::Overlay {
                index,
                description: action.description.clone().unwrap_or_default(),
                message,
            })?;
        }
        Ok(())
    }
}

impl Action {
    fn apply(&self, doc: &mut Value) -> Result<(), String> {
        let path = JsonPath::parse(&self.target)
            .map_err(|e| format!("target `{}` is not RFC 9535 JSONPath: {e}", self.target))?;
        let pointers: Vec<String> = path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(format!(
                "target `{}` selects nothing in the document; fix the path or drop the action",
                self.target
            ));
        }
        if self.remove {
            // Remove the deepest and the last array elements first, so that the
            // pointers still to be removed stay valid.
            let mut pointers = pointers;
            pointers.sort_by(|a, b| compare_pointers(b, a));
            for pointer in pointers {
                remove_at(doc, &pointer)?;
            }
        } else if let Some(update) = &self.update {
            for pointer in pointers {
                let node = doc
                    .pointer_mut(&pointer)
                    .ok_or_else(|| format!("node {pointer} vanished during the update"))?;
                merge(node, update);
            }
        }
        Ok(())
    }
}

fn compare_pointers(a: &str, b: &str) -> std::cmp::Ordering {
    let pa: Vec<&str> = a.split('/').collect();
    let pb: Vec<&str> = b.split('/').collect();
    for (x, y) in pa.iter().zip(pb.iter()) {
        let ord = match (x.parse::<usize>(), y.parse::<usize>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

fn remove_at(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| "the document root cannot be removed".to_string())?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index: usize = key
                .parse()
                .map_err(|_| format!("{pointer}: not an array index"))?;
            if index < items.len() {
                items.remove(index);
            }
            Ok(())
        }
        _ => Err(format!("{pointer}: its parent is not an object or array")),
    }
}

/// Merges `update` into `target`: objects merge key by key, recursively;
/// an array target gets the update appended (its items, if it is an array);
/// anything else is replaced.
pub fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (key, value) in u {
                match t.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        t.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (Value::Array(t), u) => t.push(u.clone()),
        (t, u) => *t = u.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: &str) -> Overlay {
        Overlay::from_yaml(&format!(
            "overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}"
        ))
        .unwrap()
    }

    #[test]
    fn update_merges_deeply_and_keeps_siblings() {
        let mut doc = json!({"a": {"id": {"type": "string", "description": "x"}}});
        overlay("  - target: $.a.id\n    description: ids are ints\n    update: {type: integer}\n")
            .apply(&mut doc)
            .unwrap();
        assert_eq!(
            doc,
            json!({"a": {"id": {"type": "integer", "description": "x"}}})
        );
    }

    #[test]
    fn update_appends_to_arrays() {
        let mut doc = json!({"servers": [{"url": "a"}]});
        overlay("  - target: $.servers\n    description: more\n    update: {url: b}\n")
            .apply(&mut doc)
            .unwrap();
        assert_eq!(doc, json!({"servers": [{"url": "a"}, {"url": "b"}]}));
    }

    #[test]
    fn remove_with_filter_and_wildcard() {
        let mut doc = json!({"s": {
            "A": {"properties": {"d": {"format": "date-time"}, "k": {"type": "string"}}},
            "B": {"properties": {"e": {"format": "date-time"}}}
        }});
        overlay("  - target: $.s.*.properties[?@.format == 'date-time']\n    description: dates\n    remove: true\n")
            .apply(&mut doc)
            .unwrap();
        assert_eq!(
            doc,
            json!({"s": {"A": {"properties": {"k": {"type": "string"}}}, "B": {"properties": {}}}})
        );
    }

    #[test]
    fn remove_many_array_elements_keeps_the_rest() {
        let mut doc = json!({"l": [1, 2, 3, 4]});
        overlay("  - target: $.l[?@ > 1 && @ < 4]\n    description: drop\n    remove: true\n")
            .apply(&mut doc)
            .unwrap();
        assert_eq!(doc, json!({"l": [1, 4]}));
    }

    #[test]
    fn a_target_that_selects_nothing_is_an_error() {
        let mut doc = json!({"a": 1});
        let err = overlay("  - target: $.b\n    description: typo\n    remove: true\n")
            .apply(&mut doc)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "overlay action #0 (typo): target `$.b` selects nothing in the document; fix the path or drop the action"
        );
    }

    #[test]
    fn an_action_without_evidence_is_refused() {
        let err = Overlay::from_yaml(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    remove: true\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("needs a description naming its evidence"),
            "{err}"
        );
    }
}
