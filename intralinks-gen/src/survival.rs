//! What the published spec declares, and whether it survives the overlay.
//!
//! Every operation, parameter, request body and response of the published
//! spec must either be in the effective spec or have been taken out by a
//! `remove: true` action whose target selected it (or a node holding it).
//! Anything else is a silent loss — the kind of bug where an `update` that
//! was meant to add parameters replaced the published ones — and stops
//! generation with a message naming what was lost.

use std::fmt;

use serde_json::Value;

use crate::lint::METHODS;
use crate::overlay::Removal;

/// One thing the published spec declares for an operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Element {
    /// The operation itself.
    Operation {
        /// Lower-case HTTP method.
        method: String,
        /// Path template.
        path: String,
    },
    /// A parameter of the operation (its own or its path item's).
    Parameter {
        /// Lower-case HTTP method.
        method: String,
        /// Path template.
        path: String,
        /// `query`, `path`, `header` or `cookie`.
        location: String,
        /// The parameter's name.
        name: String,
    },
    /// The request body of the operation.
    RequestBody {
        /// Lower-case HTTP method.
        method: String,
        /// Path template.
        path: String,
    },
    /// One response of the operation.
    Response {
        /// Lower-case HTTP method.
        method: String,
        /// Path template.
        path: String,
        /// The status code, or `default`.
        status: String,
    },
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Element::Operation { method, path } => {
                write!(f, "{} {path}", method.to_ascii_uppercase())
            }
            Element::Parameter {
                method,
                path,
                location,
                name,
            } => write!(
                f,
                "{} {path}: {location} parameter `{name}`",
                method.to_ascii_uppercase()
            ),
            Element::RequestBody { method, path } => {
                write!(f, "{} {path}: request body", method.to_ascii_uppercase())
            }
            Element::Response {
                method,
                path,
                status,
            } => write!(
                f,
                "{} {path}: response {status}",
                method.to_ascii_uppercase()
            ),
        }
    }
}

/// A published element that a `remove` action took out.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    /// What was removed.
    pub element: Element,
    /// Position of the action that removed it, from 0.
    pub action: usize,
    /// That action's description (its evidence).
    pub description: String,
}

/// The outcome of [`check`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Survival {
    /// Published elements missing from the effective spec, each removed by a
    /// `remove` action.
    pub removed: Vec<Removed>,
    /// Published elements missing from the effective spec that no `remove`
    /// action took out: silent losses.
    pub dropped: Vec<Element>,
}

/// Every element the published spec declares, in document order.
pub fn elements(spec: &Value) -> Vec<Element> {
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let method = method.to_string();
            let path = path.clone();
            out.push(Element::Operation {
                method: method.clone(),
                path: path.clone(),
            });
            for (location, name) in parameters(spec, item, op) {
                out.push(Element::Parameter {
                    method: method.clone(),
                    path: path.clone(),
                    location,
                    name,
                });
            }
            if op.get("requestBody").is_some() {
                out.push(Element::RequestBody {
                    method: method.clone(),
                    path: path.clone(),
                });
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for status in responses.keys() {
                    out.push(Element::Response {
                        method: method.clone(),
                        path: path.clone(),
                        status: status.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Compares the published spec with the effective one and sorts each missing
/// element into removed (with the action that removed it) or dropped.
pub fn check(published: &Value, effective: &Value, removals: &[Removal]) -> Survival {
    let mut survival = Survival::default();
    for element in elements(published) {
        if present(effective, &element) {
            continue;
        }
        match removals.iter().find(|r| removes(published, r, &element)) {
            Some(r) => survival.removed.push(Removed {
                element,
                action: r.action,
                description: r.description.clone(),
            }),
            None => survival.dropped.push(element),
        }
    }
    survival
}

/// `(in, name)` of an operation's parameters, path-level ones first, `$ref`s resolved in `spec`.
fn parameters(spec: &Value, item: &Value, op: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for list in [item.get("parameters"), op.get("parameters")] {
        for param in list.and_then(Value::as_array).into_iter().flatten() {
            if let Some(key) = parameter_key(spec, param)
                && !out.contains(&key)
            {
                out.push(key);
            }
        }
    }
    out
}

fn parameter_key(spec: &Value, param: &Value) -> Option<(String, String)> {
    let param = match param.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.strip_prefix('#')?)?,
        None => param,
    };
    Some((
        param.get("in")?.as_str()?.to_string(),
        param.get("name")?.as_str()?.to_string(),
    ))
}

fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<(&'a Value, &'a Value)> {
    let item = spec.get("paths")?.get(path)?;
    Some((item, item.get(method)?))
}

fn present(effective: &Value, element: &Element) -> bool {
    match element {
        Element::Operation { method, path } => operation(effective, method, path).is_some(),
        Element::Parameter {
            method,
            path,
            location,
            name,
        } => operation(effective, method, path).is_some_and(|(item, op)| {
            parameters(effective, item, op).contains(&(location.clone(), name.clone()))
        }),
        Element::RequestBody { method, path } => operation(effective, method, path)
            .is_some_and(|(_, op)| op.get("requestBody").is_some()),
        Element::Response {
            method,
            path,
            status,
        } => operation(effective, method, path).is_some_and(|(_, op)| {
            op.pointer(&format!("/responses/{}", escape(status)))
                .is_some()
        }),
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether `removal` took out `element` or a node that held it.
fn removes(published: &Value, removal: &Removal, element: &Element) -> bool {
    let op_pointer = |method: &str, path: &str| format!("/paths/{}/{method}", escape(path));
    let within = |pointer: &str| {
        removal.pointer == pointer || pointer.starts_with(&format!("{}/", removal.pointer))
    };
    match element {
        Element::Operation { method, path } => within(&op_pointer(method, path)),
        Element::RequestBody { method, path } => {
            within(&format!("{}/requestBody", op_pointer(method, path)))
        }
        Element::Response {
            method,
            path,
            status,
        } => within(&format!(
            "{}/responses/{}",
            op_pointer(method, path),
            escape(status)
        )),
        Element::Parameter {
            method,
            path,
            location,
            name,
        } => {
            let key = (location.clone(), name.clone());
            let at_op = format!("{}/parameters", op_pointer(method, path));
            let at_item = format!("/paths/{}/parameters", escape(path));
            if within(&at_op) || within(&at_item) {
                return true;
            }
            // One parameter removed from a list: the one with this key.
            [at_op, at_item].iter().any(|list| {
                removal
                    .pointer
                    .strip_prefix(&format!("{list}/"))
                    .is_some_and(|index| !index.contains('/'))
                    && parameter_key(published, &removal.value).as_ref() == Some(&key)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::Overlay;
    use serde_json::json;

    fn published() -> Value {
        json!({
            "paths": {
                "/workspaces": {"get": {
                    "operationId": "listWorkspaces",
                    "parameters": [
                        {"name": "type", "in": "query"},
                        {"name": "offset", "in": "query"},
                        {"name": "limit", "in": "query"}
                    ],
                    "responses": {"200": {"description": "ok"}}
                }},
                "/old": {"get": {"operationId": "old", "responses": {"200": {"description": "ok"}}}}
            }
        })
    }

    fn run(actions: &str) -> Survival {
        let overlay = Overlay::from_yaml(&format!(
            "overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}"
        ))
        .unwrap();
        let mut effective = published();
        let removals = overlay.apply_recorded(&mut effective).unwrap();
        check(&published(), &effective, &removals)
    }

    #[test]
    fn added_parameters_keep_the_published_ones() {
        let s = run(
            "  - target: $.paths['/workspaces'].get\n    description: more filters\n    update:\n      parameters:\n        - {name: phase, in: query}\n",
        );
        assert_eq!(s, Survival::default());
    }

    #[test]
    fn a_renamed_parameter_is_a_silent_loss_named_in_full() {
        let s = run(
            "  - target: $.paths['/workspaces'].get.parameters[?@.name == 'limit']\n    description: rename\n    update: {name: pageSize}\n",
        );
        assert!(s.removed.is_empty());
        assert_eq!(
            s.dropped
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["GET /workspaces: query parameter `limit`"]
        );
    }

    #[test]
    fn removals_are_attributed_to_their_action() {
        let s = run(concat!(
            "  - target: $.paths['/old']\n    description: not served\n    remove: true\n",
            "  - target: $.paths['/workspaces'].get.parameters[?@.name == 'type']\n    description: ignored by the service\n    remove: true\n",
        ));
        assert!(s.dropped.is_empty(), "{:?}", s.dropped);
        assert_eq!(
            s.removed
                .iter()
                .map(|r| format!("#{} {}: {}", r.action, r.description, r.element))
                .collect::<Vec<_>>(),
            [
                "#1 ignored by the service: GET /workspaces: query parameter `type`",
                "#0 not served: GET /old",
                "#0 not served: GET /old: response 200",
            ]
        );
    }
}
