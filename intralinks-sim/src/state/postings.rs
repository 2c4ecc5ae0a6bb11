//! Postings: bulk uploads (batches) and their documents, who viewed what
//! (a download by a member is a view), welcome alerts, a member's use of a
//! room, `unread` per caller, and the access report of a document.
//!
//! What the sources show (the Intralinks Python SDK, cited by title in the
//! overlay): batches are listed with `?operationType=` and carry `id` and
//! `createdDate`; a batch's documents come as
//! `batchItemsResponse.contentList`; documents are created into a batch with
//! `batch_id`; the access report lists `docAccessInfo` entries and answers
//! `subcode` `9-9-9-1` while it is not ready. What they do not show, and is
//! the simulator's assumption (listed in the crate README):
//! - a new version uploaded with `batch_id` on the file PUT joins the batch;
//! - only welcome alerts exist (no source shows the call that sends a
//!   posting's alert), so a member's alert times are the same on every
//!   document;
//! - who may see a document: managers (`MANAGER_PLUS`, `MANAGER`,
//!   `HIDDEN_MANAGER`) see all; anyone else through a group with a
//!   permission on the document or a folder above it. The report has one
//!   `USER` entry per (member, granting group) — a manager with no granting
//!   group has one entry without a group — a `DENIED` `USER` entry for every
//!   other member, and one `GROUP` entry per granting group.

use super::*;

/// The roles that see every document of a room.
const MANAGER_ROLES: [&str; 3] = ["MANAGER_PLUS", "MANAGER", "HIDDEN_MANAGER"];

/// A batch (bulk upload).
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) operation_type: String,
    pub(crate) size: i64,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    /// Documents posted in it, in the order they joined, each once.
    pub(crate) items: Vec<i64>,
}

/// When one person first and last viewed one document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    pub(crate) first: i64,
    pub(crate) last: i64,
}

impl State {
    /// V1 `POST /services/workspaces/batches`: opens a batch.
    pub(crate) fn open_batch(
        &mut self,
        caller: &Caller,
        ws: i64,
        operation_type: &str,
        size: i64,
    ) -> Result<i64, ApiError> {
        self.content(caller, ws)?;
        let operation_type = operation_type.trim();
        if operation_type.is_empty() {
            return Err(ApiError::Invalid(
                "operationType is required, e.g. \"Bulk Upload\"".into(),
            ));
        }
        if size < 1 {
            return Err(ApiError::Invalid(
                "batchSize must be a positive number".into(),
            ));
        }
        let id = self.new_id();
        let created_by = self.person_of(&caller.email);
        self.batches.insert(
            id,
            Batch {
                id,
                workspace_id: ws,
                operation_type: operation_type.to_string(),
                size,
                created_on: now_ms(),
                created_by,
                items: Vec::new(),
            },
        );
        Ok(id)
    }

    /// The batch `id` of `ws`, or the service's "cannot find" answer.
    pub(crate) fn batch_in(&self, ws: i64, id: i64) -> Result<&Batch, ApiError> {
        self.batches
            .get(&id)
            .filter(|b| b.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    /// Adds documents to a batch (each once).
    pub(crate) fn add_to_batch(&mut self, id: i64, documents: &[i64]) {
        if let Some(b) = self.batches.get_mut(&id) {
            for d in documents {
                if !b.items.contains(d) {
                    b.items.push(*d);
                }
            }
        }
    }

    /// `GET /workspaces/{id}/batches[?operationType=]`, oldest first.
    pub(crate) fn list_batches(
        &self,
        caller: &Caller,
        ws: i64,
        operation_type: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        Ok(self
            .batches
            .values()
            .filter(|b| b.workspace_id == ws)
            .filter(|b| operation_type.is_none_or(|t| b.operation_type.eq_ignore_ascii_case(t)))
            .map(|b| {
                json!({
                    "id": b.id,
                    "createdDate": millis(b.created_on),
                    "operationType": b.operation_type,
                    "batchSize": b.size,
                    "createdBy": b.created_by.json(),
                })
            })
            .collect())
    }

    /// `GET /workspaces/{id}/batches/{batchId}`: the batch's documents that
    /// still exist, as the caller sees them.
    pub(crate) fn batch_items(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<DocView>, ApiError> {
        self.content(caller, ws)?;
        let batch = self.batch_in(ws, id)?;
        let mut views = Vec::new();
        for d in &batch.items {
            if self.documents.contains_key(d) {
                views.push(self.get_document(caller, ws, *d)?);
            }
        }
        Ok(self.with_unread(caller, views))
    }

    /// Marks each rendered document `unread` for the caller: true until
    /// they download it.
    pub(crate) fn with_unread(&self, caller: &Caller, mut views: Vec<DocView>) -> Vec<DocView> {
        for v in &mut views {
            let id = v.value.get("id").and_then(Value::as_i64).unwrap_or(0);
            let seen = self.views.contains_key(&(id, caller.email.clone()));
            v.value.insert("unread".into(), json!(!seen));
        }
        views
    }

    /// A download of document `id` by the caller: a view, and a use of the room.
    pub(crate) fn record_view(&mut self, caller: &Caller, ws: i64, id: i64) {
        let now = now_ms();
        self.views
            .entry((id, caller.email.clone()))
            .and_modify(|s| s.last = now)
            .or_insert(Seen {
                first: now,
                last: now,
            });
        self.touch(&caller.email, ws);
    }

    /// The member `email` used room `ws` now: `firstAccessed` once,
    /// `lastAccessedOn` every time.
    pub(crate) fn touch(&mut self, email: &str, ws: i64) {
        let now = now_ms();
        if let Some(m) = self
            .members
            .values_mut()
            .find(|m| m.workspace_id == ws && m.email == email)
        {
            m.first_accessed.get_or_insert(now);
            m.last_accessed = Some(now);
        }
    }

    /// Sends a member the welcome alert: into the mailbox, with its kind,
    /// subject and note, and into the member's alert dates.
    pub(crate) fn send_welcome_alert(
        &mut self,
        member_id: i64,
        existing: bool,
        alert: crate::wire::WelcomeAlert,
    ) {
        let now = now_ms();
        let Some(m) = self.members.get_mut(&member_id) else {
            return;
        };
        m.first_alert.get_or_insert(now);
        m.last_alert = Some(now);
        let mail = Mail {
            email: m.email.clone(),
            workspace_id: m.workspace_id,
            what: Mailed::Alert {
                kind: if existing {
                    "WELCOME_EXISTING_USER"
                } else {
                    "WELCOME_NEW_USER"
                },
                subject: alert.subject,
                note: alert.note,
                sent_on: now,
            },
        };
        self.mailbox.push(mail);
    }

    /// `GET /workspaces/{id}/documents/{did}/accessReport`: `None` while the
    /// report is "being built" (the first ask per document, when
    /// `/_sim/access-report` says so), else the entries.
    pub(crate) fn access_report(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Option<Vec<Value>>, ApiError> {
        self.content(caller, ws)?;
        let folder = self.doc_in(ws, id)?.folder_id;
        if self.report_not_ready_first && self.report_asked.insert(id) {
            return Ok(None);
        }
        // The groups with a permission on the document, by id.
        let granting: BTreeSet<i64> = self
            .permissions
            .values()
            .filter(|p| p.workspace_id == ws)
            .filter(|p| match p.on {
                On::Folder(f) => self.is_descendant(folder, f),
                On::Document(d) => d == id,
            })
            .map(|p| p.group_id)
            .collect();
        let mut entries = Vec::new();
        for g in granting.iter().filter_map(|g| self.groups.get(g)) {
            entries.push(json!({
                "descriptor": "GROUP",
                "access": "ALLOWED",
                "groupId": g.id,
                "groupName": g.name,
                "groupType": g.kind,
            }));
        }
        for m in self.members.values().filter(|m| m.workspace_id == ws) {
            let groups: Vec<&Group> = self
                .groups
                .values()
                .filter(|g| g.workspace_id == ws && g.members.contains(&m.id))
                .collect();
            let via: Vec<&&Group> = groups.iter().filter(|g| granting.contains(&g.id)).collect();
            let manager = MANAGER_ROLES.contains(&m.role.as_str());
            let seen = self.views.get(&(id, m.email.clone())).copied();
            let user = |access: &str, group: Option<&Group>| {
                let mut v = json!({
                    "descriptor": "USER",
                    "access": access,
                    "firstName": m.person.first,
                    "lastName": m.person.last,
                    "organization": m.person.org,
                    "email": m.email,
                    "role": m.role,
                    "alertFailure": false,
                    "viewed": seen.is_some(),
                });
                if let Some(g) = group {
                    v["groupId"] = json!(g.id);
                    v["groupName"] = json!(g.name);
                    v["groupType"] = json!(g.kind);
                }
                if let Some(t) = m.first_alert {
                    v["firstAlert"] = millis(t);
                }
                if let Some(t) = m.last_alert {
                    v["lastAlert"] = millis(t);
                }
                if let Some(s) = seen {
                    v["firstViewedOn"] = millis(s.first);
                    v["lastViewedOn"] = millis(s.last);
                }
                v
            };
            if !via.is_empty() {
                for g in via {
                    entries.push(user("ALLOWED", Some(g)));
                }
            } else if manager {
                entries.push(user("ALLOWED", groups.first().copied()));
            } else {
                entries.push(user("DENIED", groups.first().copied()));
            }
        }
        Ok(Some(entries))
    }

    /// `POST /_sim/token`: a fresh session of the person with this address,
    /// as a password login would give them.
    pub(crate) fn token_for(
        &mut self,
        email: &str,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Result<Grant, ApiError> {
        let email = email.trim().to_ascii_lowercase();
        if !self.accounts.contains_key(&email) {
            return Err(ApiError::Invalid(format!(
                "no account has the address {email:?}; create the person first (POST /v2/users, or add them to a room)"
            )));
        }
        Ok(self.open_session(email, false, lifetime, refresh_lifetime))
    }
}
