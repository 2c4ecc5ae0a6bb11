//! Request bodies as clients send them. Unknown fields are ignored (clients
//! send whole entities back on updates); ids may come as numbers or numeric
//! strings; booleans as JSON booleans or `"T"`/`"F"`.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::ApiError;

/// An integer from a JSON number or a numeric string.
pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_i64(&v)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected an integer id")),
    }
}

/// A boolean from `true`/`false`, `"T"`/`"F"` or `"true"`/`"false"`.
pub(crate) fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "T" | "true" | "TRUE" | "True" => Some(true),
            "F" | "false" | "FALSE" | "False" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_bool(&v)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected a boolean")),
    }
}

/// A string, or a version sent as a number.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(serde::de::Error::custom("expected a string")),
    }
}

/// `WorkspaceInput` (create and update). The package sends `workspaceName`
/// renamed to `name`, plus `hostName`/`templateId` on create.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkspaceInput {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    workspace_name: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) host: Option<String>,
    #[serde(default)]
    pub(crate) host_name: Option<String>,
    #[serde(default)]
    pub(crate) phase: Option<String>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) template_id: Option<i64>,
    /// Integer version, checked when present.
    #[serde(default)]
    pub(crate) version: Option<Value>,
}

impl WorkspaceInput {
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().or(self.workspace_name.as_deref())
    }
}

/// `{"workspaces": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateWorkspaces {
    pub(crate) workspaces: Vec<WorkspaceInput>,
}

/// A folder or document to create: `FolderInput` and `DocumentInput` of the
/// spec have the same fields.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntityInput {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) parent_id: Option<i64>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// `{"folder": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct FolderItem {
    pub(crate) folder: EntityInput,
}

/// `{"folders": [{"folder": {...}}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateFolders {
    pub(crate) folders: Vec<FolderItem>,
}

/// A folder or document sent back for update (rename, re-note, move).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntityUpdate {
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) parent_id: Option<i64>,
}

/// `{"folders": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateFolders {
    pub(crate) folders: Vec<EntityUpdate>,
}

/// `{"document": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct DocumentItem {
    pub(crate) document: EntityInput,
}

/// `{"documents": [{"document": {...}}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateDocuments {
    pub(crate) documents: Vec<DocumentItem>,
}

/// `{"documents": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateDocuments {
    pub(crate) documents: Vec<EntityUpdate>,
}

/// `{id, version}` naming one entity for a delete.
#[derive(Debug, Deserialize)]
pub(crate) struct EntityRef {
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) version: Option<String>,
}

/// `{"documents": [{id, version}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct DeleteDocuments {
    pub(crate) documents: Vec<EntityRef>,
}

/// `{"groups": [{id, version}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct DeleteGroups {
    pub(crate) groups: Vec<EntityRef>,
}

/// `{"users": [{id, version}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct DeleteUsers {
    pub(crate) users: Vec<EntityRef>,
}

/// `GroupInput` (flat body for create and update).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupInput {
    #[serde(default)]
    pub(crate) group_name: Option<String>,
    #[serde(default)]
    pub(crate) group_type: Option<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) version: Option<String>,
}

/// `{"workspaceUserId": N}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupMemberRef {
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) workspace_user_id: Option<i64>,
}

/// `{"users": [{"workspaceUserId": N}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct AddGroupUsers {
    pub(crate) users: Vec<GroupMemberRef>,
}

/// `UserInput` (the package merges the user's fields in).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserInput {
    #[serde(default)]
    email_id: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    pub(crate) first_name: Option<String>,
    #[serde(default)]
    pub(crate) last_name: Option<String>,
    #[serde(default)]
    pub(crate) organization: Option<String>,
    #[serde(default)]
    pub(crate) role_type: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) office_phone: Option<String>,
    /// Whether to send the welcome alert (functions/v2/exchange_members.py).
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) send_alert: Option<bool>,
    /// The welcome alert's texts, with `sendAlert` true.
    #[serde(default)]
    pub(crate) welcome_alert_details: Option<WelcomeAlertDetails>,
}

/// `welcomeAlertDetails {customSubject, customNote, saveAlertSettings}`;
/// `saveAlertSettings` is taken and not kept (no source shows its effect).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WelcomeAlertDetails {
    #[serde(default)]
    pub(crate) custom_subject: Option<String>,
    #[serde(default)]
    pub(crate) custom_note: Option<String>,
}

/// A welcome alert asked for at member creation: its subject and note.
#[derive(Debug, Clone)]
pub(crate) struct WelcomeAlert {
    pub(crate) subject: String,
    pub(crate) note: String,
}

impl UserInput {
    pub(crate) fn email(&self) -> Option<&str> {
        self.email_id.as_deref().or(self.email.as_deref())
    }

    /// The welcome alert asked for: only with `sendAlert` true. Its texts
    /// are mandatory then (functions/entities.py alert_fields).
    pub(crate) fn welcome_alert(&self) -> Result<Option<WelcomeAlert>, ApiError> {
        if self.send_alert != Some(true) {
            return Ok(None);
        }
        let details = self.welcome_alert_details.as_ref();
        let text = |v: Option<&String>, name: &str| {
            v.map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::Invalid(format!(
                        "sendAlert is true: welcomeAlertDetails.{name} is required"
                    ))
                })
        };
        Ok(Some(WelcomeAlert {
            subject: text(
                details.and_then(|d| d.custom_subject.as_ref()),
                "customSubject",
            )?,
            note: text(details.and_then(|d| d.custom_note.as_ref()), "customNote")?,
        }))
    }
}

/// `{"users": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateUsers {
    pub(crate) users: Vec<UserInput>,
}

/// A member sent back for update.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserUpdate {
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) role_type: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) office_phone: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) key_contact: Option<bool>,
    #[serde(default)]
    pub(crate) first_name: Option<String>,
    #[serde(default)]
    pub(crate) last_name: Option<String>,
    #[serde(default)]
    pub(crate) organization: Option<String>,
}

/// `{"users": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateUsers {
    pub(crate) users: Vec<UserUpdate>,
}

/// `Permission` as posted.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PermissionInput {
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) group_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) folder_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub(crate) document_id: Option<i64>,
    #[serde(default)]
    pub(crate) permission: Option<String>,
}

/// `Splash` as put.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SplashInput {
    #[serde(default)]
    pub(crate) splash_text: Option<String>,
    #[serde(default)]
    pub(crate) accept_text: Option<String>,
    #[serde(default)]
    pub(crate) display_type: Option<String>,
    #[serde(default)]
    pub(crate) splash_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) splash_required: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) has_accept_button: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) has_image: Option<bool>,
}

/// `{"workspaceSettings": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Settings {
    pub(crate) workspace_settings: Vec<Value>,
}

/// `contentDeclarationUpdateRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Declaration {
    #[serde(default)]
    pub(crate) content_declaration: Option<String>,
}

/// `EntryRequest`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryRequest {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) accept_splash: Option<bool>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) answer: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) one_time_password: Option<String>,
    #[serde(default)]
    pub(crate) content_declaration_update_request: Option<Declaration>,
}

/// Parses a JSON body; an empty body counts as `{}` when `T: Default`.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| crate::error::ApiError::Invalid(format!("body is not the expected JSON: {e}")))
}
