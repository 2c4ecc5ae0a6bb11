//! Custom fields: a room's definitions, and the values its workspace,
//! folders, documents, groups and members carry.
//!
//! Listed entities carry their values as `customFields.field`, a list of
//! `{id, value}` (the Intralinks Python SDK's tools read them so); an
//! entity's own `…/customFields` answers its values, each as the room's
//! field (id, name, type) with the entity's value — no source shows those
//! items, this is the simulator's reading. Definitions are answered only by
//! `…/fieldDefinitions`. No call sets a value (no source shows one): the
//! seeded values are all there are.

use super::*;

/// What carries a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Holder {
    Workspace,
    Folder,
    Document,
    Group,
    Member,
}

/// Puts an entity's values (`customFields`) into its JSON.
pub(crate) trait WithFields {
    /// The same JSON object with `customFields` when `fields` is some.
    fn with_fields(self, fields: Option<Value>) -> Value;
}

impl WithFields for Value {
    fn with_fields(mut self, fields: Option<Value>) -> Value {
        if let (Some(f), Some(m)) = (fields, self.as_object_mut()) {
            m.insert("customFields".into(), f);
        }
        self
    }
}

impl State {
    /// An entity's values as listed (`{"field": [{id, value}]}`), or `None`
    /// when it has none.
    pub(crate) fn field_values_json(&self, holder: Holder, id: i64) -> Option<Value> {
        let values = self.field_values.get(&(holder, id))?;
        let field: Vec<Value> = values
            .iter()
            .map(|(f, v)| json!({ "id": f, "value": v }))
            .collect();
        (!field.is_empty()).then(|| json!({ "field": field }))
    }

    /// Gives an entity a value (the seeds).
    pub(crate) fn set_field_value(&mut self, holder: Holder, id: i64, field: i64, value: Value) {
        self.field_values
            .entry((holder, id))
            .or_default()
            .insert(field, value);
    }

    /// The values of one entity of `ws`, each as the room's field with the
    /// value beside it.
    fn values_of(&self, w: &Workspace, holder: Holder, id: i64) -> Vec<Value> {
        let Some(values) = self.field_values.get(&(holder, id)) else {
            return Vec::new();
        };
        w.custom_fields
            .iter()
            .filter_map(|f| {
                let value = values.get(&f.id)?;
                Some(json!({
                    "id": f.id,
                    "name": f.name,
                    "type": f.kind,
                    "value": value,
                }))
            })
            .collect()
    }

    /// `GET /workspaces/{id}/customFields`: the room's own values.
    pub(crate) fn custom_fields(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        let w = self.content(caller, ws)?;
        Ok(self.values_of(w, Holder::Workspace, ws))
    }

    /// `GET …/{documents|folders|groups}/{id}/customFields` (`kind`
    /// "document", "folder" or "group"): that entity's values.
    pub(crate) fn entity_custom_fields(
        &self,
        caller: &Caller,
        ws: i64,
        kind: &str,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        let w = self.content(caller, ws)?;
        let holder = match kind {
            "document" => {
                self.doc_in(ws, id)?;
                Holder::Document
            }
            "folder" => {
                self.folder_in(ws, id)?;
                Holder::Folder
            }
            _ => {
                self.group_in(ws, id)?;
                Holder::Group
            }
        };
        Ok(self.values_of(w, holder, id))
    }

    /// `GET /workspaces/{id}/fieldDefinitions`.
    pub(crate) fn field_definitions(
        &self,
        caller: &Caller,
        ws: i64,
    ) -> Result<Vec<Value>, ApiError> {
        let w = self.content(caller, ws)?;
        Ok(w.custom_fields
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "name": f.name,
                    "fieldType": f.kind,
                    "required": f.required,
                    "entityTypes": ["DOCUMENT", "FOLDER"],
                    "options": f.options,
                })
            })
            .collect())
    }
}
