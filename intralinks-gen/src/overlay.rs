//! OpenAPI Overlay 1.0 application.
//!
//! Targets are RFC 9535 JSONPath expressions evaluated with `serde_json_path`.
//! `update` follows the specification's merge rules (see [`merge`]): objects
//! merge recursively, arrays are appended to, primitives are replaced, and any
//! other combination is an error naming the action; `remove: true` deletes
//! every node the target selects. A target that selects nothing is an error: in a document
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
        self.apply_recorded(doc).map(drop)
    }

    /// Applies every action, in order, to `doc`, and returns every node that
    /// a `remove` action took out, in the order removed.
    pub fn apply_recorded(&self, doc: &mut Value) -> Result<Vec<Removal>, GenError> {
        let mut removals = Vec::new();
        for (index, action) in self.actions.iter().enumerate() {
            let description = action.description.clone().unwrap_or_default();
            let removed = action.apply(doc).map_err(|message| GenError::Overlay {
                index,
                description: description.clone(),
                message,
            })?;
            removals.extend(removed.into_iter().map(|(pointer, value)| Removal {
                action: index,
                description: description.clone(),
                pointer,
                value,
            }));
        }
        Ok(removals)
    }
}

/// A node that a `remove: true` action took out of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// Position of the action in `actions`, from 0.
    pub action: usize,
    /// The action's description (its evidence).
    pub description: String,
    /// JSON pointer of the node, in the document as it was when removed.
    pub pointer: String,
    /// The node removed.
    pub value: Value,
}

impl Action {
    /// Applies the action; returns the nodes it removed, with their pointers.
    fn apply(&self, doc: &mut Value) -> Result<Vec<(String, Value)>, String> {
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
        let mut removed = Vec::new();
        if self.remove {
            // Remove the deepest and the last array elements first, so that the
            // pointers still to be removed stay valid.
            let mut pointers = pointers;
            pointers.sort_by(|a, b| compare_pointers(b, a));
            for pointer in pointers {
                if let Some(value) = remove_at(doc, &pointer)? {
                    removed.push((pointer, value));
                }
            }
            removed.reverse();
        } else if let Some(update) = &self.update {
            for pointer in pointers {
                let node = doc
                    .pointer_mut(&pointer)
                    .ok_or_else(|| format!("node {pointer} vanished during the update"))?;
                merge(node, update, &pointer)?;
            }
        }
        Ok(removed)
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

/// Removes the node at `pointer`; returns it, or `None` when an earlier
/// removal of the same action already took it (a parent and its child both selected).
fn remove_at(doc: &mut Value, pointer: &str) -> Result<Option<Value>, String> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| "the document root cannot be removed".to_string())?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => Ok(map.shift_remove(&key)),
        Some(Value::Array(items)) => {
            let index: usize = key
                .parse()
                .map_err(|_| format!("{pointer}: not an array index"))?;
            Ok((index < items.len()).then(|| items.remove(index)))
        }
        None => Ok(None),
        _ => Err(format!("{pointer}: its parent is not an object or array")),
    }
}

/// Merges `update` into `target` as the Overlay Specification says (1.0.0,
/// with the merge rules clarified in 1.1.0):
///
/// - an object target takes each property of an object update: an object
///   property merges recursively, an array property is appended to the
///   target's array, a primitive replaces the target's primitive, and a
///   property the target lacks is added;
/// - an array target gets an array update's items appended, or any other
///   update appended as one item;
/// - a primitive target is replaced by a primitive update;
/// - any other combination (an object where the target has an array or a
///   primitive, ...) is incompatible and an error naming the JSON pointer.
///
/// `at` is the JSON pointer of `target`, for the error message.
pub fn merge(target: &mut Value, update: &Value, at: &str) -> Result<(), String> {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (key, value) in u {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match t.get_mut(key) {
                    None => {
                        t.insert(key.clone(), value.clone());
                    }
                    Some(existing) => merge_property(existing, value, &here)?,
                }
            }
            Ok(())
        }
        (Value::Array(t), Value::Array(u)) => {
            t.extend(u.iter().cloned());
            Ok(())
        }
        (Value::Array(t), u) => {
            t.push(u.clone());
            Ok(())
        }
        (t, u) if !is_container(t) && !is_container(u) => {
            *t = u.clone();
            Ok(())
        }
        (t, u) => Err(incompatible(t, u, at)),
    }
}

/// One property of an object update merged into the target's property.
fn merge_property(existing: &mut Value, value: &Value, at: &str) -> Result<(), String> {
    match (existing, value) {
        (e @ Value::Object(_), u @ Value::Object(_)) => merge(e, u, at),
        (Value::Array(e), Value::Array(u)) => {
            e.extend(u.iter().cloned());
            Ok(())
        }
        (e, u) if !is_container(e) && !is_container(u) => {
            *e = u.clone();
            Ok(())
        }
        (e, u) => Err(incompatible(e, u, at)),
    }
}

fn is_container(v: &Value) -> bool {
    v.is_object() || v.is_array()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        _ => "a primitive",
    }
}

fn incompatible(target: &Value, update: &Value, at: &str) -> String {
    format!(
        "the update gives {} where the document has {} at {}; the Overlay Specification \
         merges only object into object, array into array and primitive into primitive: \
         remove the node in an earlier action, then add it",
        kind(update),
        kind(target),
        if at.is_empty() {
            "the document root"
        } else {
            at
        }
    )
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
    fn update_appends_to_nested_arrays_and_replaces_primitives() {
        let mut doc =
            json!({"get": {"summary": "old", "parameters": [{"name": "limit"}], "tags": ["a"]}});
        overlay(concat!(
            "  - target: $.get\n    description: more\n",
            "    update: {summary: new, parameters: [{name: phase}], tags: [b]}\n"
        ))
        .apply(&mut doc)
        .unwrap();
        assert_eq!(
            doc,
            json!({"get": {"summary": "new", "parameters": [{"name": "limit"}, {"name": "phase"}], "tags": ["a", "b"]}})
        );
    }

    #[test]
    fn an_incompatible_update_is_an_error_naming_the_action_and_node() {
        let mut doc = json!({"get": {"parameters": [{"name": "limit"}]}});
        let err = overlay(
            "  - target: $.get\n    description: a map for a list\n    update: {parameters: {name: phase}}\n",
        )
        .apply(&mut doc)
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "overlay action #0 (a map for a list): the update gives an object where the document has an array at /get/parameters; the Overlay Specification merges only object into object, array into array and primitive into primitive: remove the node in an earlier action, then add it"
        );
        let err = overlay("  - target: $.get\n    description: text for a map\n    update: [1]\n")
            .apply(&mut doc)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("the update gives an array where the document has an object at /get;"),
            "{err}"
        );
    }

    #[test]
    fn removals_are_recorded_with_their_action() {
        let mut doc = json!({"a": {"x": 1}, "b": [1, 2, 3]});
        let removals = overlay(concat!(
            "  - target: $.a.x\n    description: gone\n    remove: true\n",
            "  - target: $.b[?@ > 1]\n    description: big\n    remove: true\n"
        ))
        .apply_recorded(&mut doc)
        .unwrap();
        let seen: Vec<(usize, &str, &Value)> = removals
            .iter()
            .map(|r| (r.action, r.pointer.as_str(), &r.value))
            .collect();
        assert_eq!(
            seen,
            [
                (0, "/a/x", &json!(1)),
                (1, "/b/1", &json!(2)),
                (1, "/b/2", &json!(3))
            ]
        );
        assert_eq!(doc, json!({"a": {}, "b": [1]}));
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
