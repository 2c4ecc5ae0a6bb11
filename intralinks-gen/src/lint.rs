//! Checks the effective spec for what progenitor 0.15 cannot handle.
//!
//! progenitor panics on some inputs (more than one success type, an unknown
//! media type) and silently merges others (two inline schemas of one
//! operation that get the same generated name). Each is reported here with the
//! operation and path, before progenitor sees the document.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

/// HTTP methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Media types progenitor generates code for.
const REQUEST_TYPES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
];

/// An operation left out of generation, for `intralinks-ext` to cover by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedOperation {
    /// The operationId.
    pub operation_id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Why progenitor cannot generate it.
    pub reason: String,
}

/// What is wrong with one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintProblem {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The operationId, if there is one.
    pub operation_id: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for LintProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}): {}",
            self.method,
            self.path,
            self.operation_id.as_deref().unwrap_or("no operationId"),
            self.message
        )
    }
}

/// The outcome of a lint: problems that stop generation, and operations to leave out.
#[derive(Debug, Default)]
pub struct LintReport {
    /// Problems that would make progenitor panic or lose data.
    pub problems: Vec<LintProblem>,
    /// Operations progenitor cannot generate (multipart bodies).
    pub excluded: Vec<ExcludedOperation>,
}

/// Lints `spec` (the effective spec as JSON).
pub fn lint(spec: &Value) -> LintReport {
    let mut report = LintReport::default();
    let components: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let upper = method.to_ascii_uppercase();
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(String::from);
            let mut problem = |message: String| {
                report.problems.push(LintProblem {
                    method: upper.clone(),
                    path: path.clone(),
                    operation_id: operation_id.clone(),
                    message,
                })
            };
            let Some(id) = operation_id.clone() else {
                problem("missing operationId; add one in the overlay (progenitor names methods after it)".into());
                continue;
            };
            if let Some(other) = seen_ids.insert(id.clone(), format!("{upper} {path}")) {
                problem(format!(
                    "operationId `{id}` is also used by {other}; operationIds must be unique"
                ));
            }

            // Parameters: one (location, name) once, or progenitor emits
            // the same builder method twice.
            let mut params: BTreeSet<(String, String)> = BTreeSet::new();
            let declared = item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(
                    op.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                );
            for param in declared {
                let param = resolve(spec, param);
                let location = param.get("in").and_then(Value::as_str).unwrap_or("?");
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                if !params.insert((location.to_string(), name.to_string())) {
                    problem(format!(
                        "{location} parameter `{name}` is declared twice; an overlay `update` appends to `parameters`, so add only new ones and change an existing one through a target that selects it"
                    ));
                }
            }

            // Request body.
            let mut excluded = false;
            if let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            {
                if content.keys().any(|k| k.starts_with("multipart/form-data")) {
                    report.excluded.push(ExcludedOperation {
                        operation_id: id.clone(),
                        method: upper.clone(),
                        path: path.clone(),
                        reason:
                            "multipart/form-data request body: progenitor 0.15 cannot generate it"
                                .into(),
                    });
                    excluded = true;
                } else {
                    if content.len() > 1 {
                        problem(format!(
                            "request body offers {} media types; progenitor takes exactly one",
                            content.len()
                        ));
                    }
                    for (media, body) in content {
                        if !REQUEST_TYPES.contains(&media.as_str()) {
                            problem(format!(
                                "unsupported request media type `{media}`; progenitor generates only {}",
                                REQUEST_TYPES.join(", ")
                            ));
                        }
                        if is_inline_object(body.get("schema"))
                            && components.contains(&pascal(&id, "Body"))
                        {
                            problem(format!(
                                "inline request schema collides with component `{}`; name it in components.schemas",
                                pascal(&id, "Body")
                            ));
                        }
                    }
                }
            }
            if excluded {
                continue;
            }

            // Responses.
            let mut success: BTreeSet<String> = BTreeSet::new();
            let mut errors: BTreeSet<String> = BTreeSet::new();
            let mut inline = 0usize;
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for (code, response) in responses {
                    let response = resolve(spec, response);
                    let kind = match response.get("content").and_then(Value::as_object) {
                        None => "no content".to_string(),
                        Some(content) => {
                            for media in content.keys() {
                                let ok = media == "application/json"
                                    || media.starts_with("application/json;")
                                    || media == "application/octet-stream";
                                if !ok {
                                    problem(format!(
                                        "unsupported response media type `{media}` for {code}; use application/json or application/octet-stream"
                                    ));
                                }
                            }
                            match content.get("application/json") {
                                Some(mt) => {
                                    let schema = mt.get("schema");
                                    if is_inline_object(schema) {
                                        inline += 1;
                                    }
                                    schema_key(schema)
                                }
                                None => "raw bytes".to_string(),
                            }
                        }
                    };
                    if code.starts_with('2') || code == "default" {
                        success.insert(kind);
                    } else if code.starts_with('4') || code.starts_with('5') {
                        errors.insert(kind);
                    }
                }
            }
            if success.len() > 1 {
                problem(format!(
                    "two success types ({}); progenitor panics on this, give every 2xx answer one schema",
                    success.into_iter().collect::<Vec<_>>().join(" and ")
                ));
            }
            if errors.len() > 1 {
                problem(format!(
                    "two error types ({}); progenitor panics on this, give every 4xx/5xx answer one schema",
                    errors.into_iter().collect::<Vec<_>>().join(" and ")
                ));
            }
            if inline > 1 {
                problem(format!(
                    "{inline} inline response schemas would all be named `{}` and silently merged; name them in components.schemas",
                    pascal(&id, "Response")
                ));
            } else if inline == 1 && components.contains(&pascal(&id, "Response")) {
                problem(format!(
                    "inline response schema collides with component `{}`; name it in components.schemas",
                    pascal(&id, "Response")
                ));
            }
        }
    }
    report
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| spec.pointer(p))
            .unwrap_or(value),
        None => value,
    }
}

fn is_inline_object(schema: Option<&Value>) -> bool {
    schema.is_some_and(|s| s.get("$ref").is_none())
}

fn schema_key(schema: Option<&Value>) -> String {
    match schema {
        None => "no schema".into(),
        Some(s) => match s.get("$ref").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => format!("inline {s}"),
        },
    }
}

/// `getFolder` + `Response` → `GetFolderResponse`, as progenitor names inline types.
fn pascal(id: &str, suffix: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in id.chars() {
        if c == '_' || c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out + suffix
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(op: Value) -> LintReport {
        lint(
            &json!({"paths": {"/x/{id}": {"get": op}}, "components": {"schemas": {"A": {}, "B": {}}}}),
        )
    }

    #[test]
    fn missing_operation_id_names_method_and_path() {
        let r = one(json!({"responses": {}}));
        assert_eq!(
            r.problems[0].to_string(),
            "GET /x/{id} (no operationId): missing operationId; add one in the overlay (progenitor names methods after it)"
        );
    }

    #[test]
    fn two_success_types_are_refused() {
        let r = one(json!({"operationId": "getX", "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
        }}));
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            r.problems[0].message,
            "two success types (#/components/schemas/A and #/components/schemas/B); progenitor panics on this, give every 2xx answer one schema"
        );
    }

    #[test]
    fn colliding_inline_schemas_are_refused() {
        let r = one(json!({"operationId": "getX", "responses": {
            "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"a": {}}}}}},
            "400": {"content": {"application/json": {"schema": {"type": "object", "properties": {"b": {}}}}}}
        }}));
        assert!(
            r.problems.iter().any(|p| p
                .message
                .starts_with("2 inline response schemas would all be named `GetXResponse`")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn unsupported_media_type_is_refused() {
        let r = one(json!({"operationId": "getX", "responses": {
            "200": {"content": {"text/html": {}}}
        }}));
        assert_eq!(
            r.problems[0].message,
            "unsupported response media type `text/html` for 200; use application/json or application/octet-stream"
        );
    }

    #[test]
    fn a_parameter_declared_twice_is_refused() {
        let r = lint(&json!({
            "paths": {"/x/{id}": {"get": {"operationId": "getX", "responses": {}, "parameters": [
                {"$ref": "#/components/parameters/id"},
                {"name": "limit", "in": "query"},
                {"name": "id", "in": "path"},
                {"name": "limit", "in": "header"}
            ]}}},
            "components": {"parameters": {"id": {"name": "id", "in": "path"}}}
        }));
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(
            r.problems[0].to_string(),
            "GET /x/{id} (getX): path parameter `id` is declared twice; an overlay `update` appends to `parameters`, so add only new ones and change an existing one through a target that selects it"
        );
    }

    #[test]
    fn multipart_is_excluded_with_its_reason() {
        let r = one(json!({"operationId": "putX",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {}}));
        assert!(r.problems.is_empty());
        assert_eq!(
            r.excluded,
            vec![ExcludedOperation {
                operation_id: "putX".into(),
                method: "GET".into(),
                path: "/x/{id}".into(),
                reason: "multipart/form-data request body: progenitor 0.15 cannot generate it"
                    .into(),
            }]
        );
    }
}
