//! Custom fields: a room's field definitions, and the values that rooms,
//! folders, documents, groups and members carry.
//!
//! Entities carry their values as `customFields.field`, a list of `{id,
//! value}` (the Intralinks Python SDK's `tools/notebooks_goodies.py` and
//! `tools/user_manager.py` read them so); [`values`] reads them from any
//! listed entity. A field's name is in its definition
//! ([`Intralinks::field_definitions`], `GET …/fieldDefinitions`); no source
//! shows what a definition holds beyond that it is an object, so
//! [`FieldDefinition`] reads `id`, `name` and `type` (or `fieldType`) where
//! they are, and keeps the rest. No source shows a call that sets a value:
//! this module only reads them.
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = Simulator::start(SimConfig::default()).await?;
//! # let il = Intralinks::builder(sim.url())
//! #     .login(
//! #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//! #         Grant::Password {
//! #             email: demo::EMAIL.into(),
//! #             password: Secret::new(demo::PASSWORD),
//! #             end_other_sessions: false,
//! #         },
//! #     )
//! #     .await?;
//! # il.enter(demo::MAIN_WORKSPACE, &mut intralinks_ext::FixedAnswers::default()).await?;
//! use intralinks_ext::fields;
//!
//! let ws = demo::MAIN_WORKSPACE;
//! let definitions = il.field_definitions(ws).await?;
//! let names = fields::names(&definitions);
//! let docs = il.documents(ws, None).await?;
//! let nda = docs.iter().find(|d| d.id == demo::DOC_NDA).unwrap();
//! for (id, value) in fields::values(nda.custom_fields.as_ref()) {
//!     println!("{}: {}", names.get(&id).map(String::as_str).unwrap_or("?"), fields::text(&value));
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use intralinks_api::types::{CustomField, CustomFieldValues};
use serde_json::{Map, Value};

use crate::Intralinks;
use crate::error::{Checked, Result};

/// One custom field's definition, as `GET …/fieldDefinitions` lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FieldDefinition {
    /// Its id: what entities' values name (`customFields.field[].id`).
    pub id: i64,
    /// Its name, when the definition carries `name`.
    pub name: Option<String>,
    /// Its type (`type`, else `fieldType`), when the definition carries one.
    pub kind: Option<String>,
    /// The definition as listed, every key.
    pub raw: Map<String, Value>,
}

impl FieldDefinition {
    /// Reads a listed definition; `None` without an integer `id` (or a
    /// string of digits).
    pub fn from_listed(raw: Map<String, Value>) -> Option<Self> {
        let id = match raw.get("id")? {
            Value::Number(n) => n.as_i64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        let string = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
        let name = string("name");
        let kind = string("type").or_else(|| string("fieldType"));
        Some(FieldDefinition {
            id,
            name,
            kind,
            raw,
        })
    }
}

/// Each field's name by id (the definitions that carry one).
pub fn names(definitions: &[FieldDefinition]) -> BTreeMap<i64, String> {
    definitions
        .iter()
        .filter_map(|d| Some((d.id, d.name.clone()?)))
        .collect()
}

/// The values an entity carries (`customFields.field`), by field id; a
/// field listed twice keeps its first value, one without a value is left out.
pub fn values(fields: Option<&CustomFieldValues>) -> BTreeMap<i64, Value> {
    let mut out = BTreeMap::new();
    for f in fields.map(|c| c.field.as_slice()).unwrap_or_default() {
        if let Some(v) = &f.value {
            out.entry(f.id).or_insert_with(|| v.clone());
        }
    }
    out
}

/// A value as text: a string as it is, `null` as nothing, anything else
/// as compact JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Intralinks {
    /// The custom field definitions of workspace `workspace_id`; a listed
    /// definition without an id is left out.
    pub async fn field_definitions(&self, workspace_id: i64) -> Result<Vec<FieldDefinition>> {
        let list = self
            .api()
            .list_field_definitions()
            .workspace_id(workspace_id)
            .send()
            .checked()
            .await?;
        Ok(list
            .field_definitions
            .into_iter()
            .filter_map(FieldDefinition::from_listed)
            .collect())
    }

    /// The custom fields of the workspace itself (`GET …/customFields`).
    pub async fn workspace_fields(&self, workspace_id: i64) -> Result<Vec<CustomField>> {
        Ok(self
            .api()
            .list_custom_fields()
            .workspace_id(workspace_id)
            .send()
            .checked()
            .await?
            .custom_fields)
    }

    /// The custom fields of one document (`GET …/documents/{id}/customFields`).
    pub async fn document_fields(
        &self,
        workspace_id: i64,
        document_id: i64,
    ) -> Result<Vec<CustomField>> {
        Ok(self
            .api()
            .list_document_custom_fields()
            .workspace_id(workspace_id)
            .document_id(document_id)
            .send()
            .checked()
            .await?
            .custom_fields)
    }

    /// The custom fields of one folder (`GET …/folders/{id}/customFields`).
    pub async fn folder_fields(
        &self,
        workspace_id: i64,
        folder_id: i64,
    ) -> Result<Vec<CustomField>> {
        Ok(self
            .api()
            .list_folder_custom_fields()
            .workspace_id(workspace_id)
            .folder_id(folder_id)
            .send()
            .checked()
            .await?
            .custom_fields)
    }

    /// The custom fields of one group (`GET …/groups/{id}/customFields`).
    pub async fn group_fields(&self, workspace_id: i64, group_id: i64) -> Result<Vec<CustomField>> {
        Ok(self
            .api()
            .list_group_custom_fields()
            .workspace_id(workspace_id)
            .group_id(group_id)
            .send()
            .checked()
            .await?
            .custom_fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_are_read_where_their_keys_are() {
        let raw = |v: Value| v.as_object().unwrap().clone();
        let d = FieldDefinition::from_listed(raw(
            json!({"id": 7, "name": "Deal Code", "fieldType": "TEXT"}),
        ))
        .unwrap();
        assert_eq!(
            (d.id, d.name.as_deref(), d.kind.as_deref()),
            (7, Some("Deal Code"), Some("TEXT"))
        );
        let d = FieldDefinition::from_listed(raw(json!({"id": "8", "type": "DATE"}))).unwrap();
        assert_eq!((d.id, d.name, d.kind.as_deref()), (8, None, Some("DATE")));
        assert_eq!(
            FieldDefinition::from_listed(raw(json!({"name": "x"}))),
            None
        );
        assert_eq!(FieldDefinition::from_listed(raw(json!({"id": 1.5}))), None);
    }

    #[test]
    fn values_are_read_by_id_and_shown_as_text() {
        let cf: CustomFieldValues = serde_json::from_value(json!({"field": [
            {"id": 2, "value": "ABP-7"}, {"id": 3, "value": 12}, {"id": 2, "value": "again"}, {"id": 4}
        ]}))
        .unwrap();
        let v = values(Some(&cf));
        assert_eq!(v.len(), 2);
        assert_eq!(text(&v[&2]), "ABP-7");
        assert_eq!(text(&v[&3]), "12");
        assert_eq!(text(&json!({"a": [1]})), r#"{"a":[1]}"#);
        assert!(values(None).is_empty());
    }
}
