//! Helpers for the workspace-level tests: the effective spec, the seed
//! fixtures, and validation of payloads against the spec's schemas.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf()
}

/// The committed effective spec, as JSON.
pub fn effective_spec() -> Value {
    let text = std::fs::read_to_string(root().join("openapi/effective.yaml"))
        .expect("openapi/effective.yaml exists; run `cargo xtask regen`");
    serde_yaml_ng::from_str(&text).expect("openapi/effective.yaml is YAML")
}

/// A fixture from `tests/fixtures`, parsed as JSON.
pub fn fixture(name: &str) -> Value {
    let path = root().join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Validates `value` against `schema` (any schema object of the spec, e.g.
/// `{"$ref": "#/components/schemas/FolderList"}`), resolving references in
/// the spec. Returns every violation, each with its location.
pub fn validate(spec: &Value, schema: &Value, value: &Value) -> Result<(), Vec<String>> {
    let mut root = json!({ "components": spec.get("components").cloned().unwrap_or(Value::Null) });
    if let (Some(r), Some(s)) = (root.as_object_mut(), schema.as_object()) {
        for (k, v) in s {
            r.insert(k.clone(), v.clone());
        }
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .map_err(|e| vec![format!("schema does not compile: {e}")])?;
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates `value` against a named component schema.
pub fn validate_component(spec: &Value, name: &str, value: &Value) -> Result<(), Vec<String>> {
    validate(
        spec,
        &json!({ "$ref": format!("#/components/schemas/{name}") }),
        value,
    )
}

/// The JSON schema the spec gives for `method path` answering `status`, with
/// response references resolved. `None` when the spec declares no JSON body.
pub fn response_schema(spec: &Value, method: &str, path: &str, status: u16) -> Option<Value> {
    let op = spec
        .get("paths")?
        .get(path)?
        .get(method.to_ascii_lowercase())?;
    let mut response = op.get("responses")?.get(status.to_string())?.clone();
    if let Some(r) = response.get("$ref").and_then(Value::as_str) {
        response = spec.pointer(r.trim_start_matches('#'))?.clone();
    }
    response
        .get("content")?
        .get("application/json")?
        .get("schema")
        .cloned()
}
