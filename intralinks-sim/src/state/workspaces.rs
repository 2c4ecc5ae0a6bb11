//! Workspaces and their settings.

use super::*;

impl State {
    fn workspace_json(&self, w: &Workspace) -> Value {
        let mut m = Map::new();
        m.insert("workspaceName".into(), json!(w.name));
        m.insert("parentTemplateId".into(), json!(w.parent_template_id));
        // A description set to "" is not sent at all (the Intralinks Python
        // SDK's tests: an update with `description: ""` reads back without
        // the field).
        if let Some(d) = w.description.as_ref().filter(|d| !d.is_empty()) {
            m.insert("description".into(), json!(d));
        }
        m.insert("host".into(), json!(w.host));
        m.insert("securityLevel".into(), json!(w.security_level));
        m.insert("type".into(), json!(w.kind));
        m.insert(
            "statistics".into(),
            json!({"newTasks": 0, "newParticipantRequests": 0}),
        );
        m.insert("pvpEnabled".into(), json!(tf(w.pvp_enabled)));
        m.insert("version".into(), json!(w.version));
        m.insert("htmlViewEnabled".into(), json!(tf(w.html_view_enabled)));
        m.insert("phase".into(), json!(w.phase));
        m.insert("name".into(), json!(w.name));
        m.insert("id".into(), json!(w.id));
        m.insert("createdOn".into(), millis(w.created_on));
        m.insert("lastModifiedOn".into(), millis(w.last_modified_on));
        Value::Object(m).with_fields(self.field_values_json(Holder::Workspace, w.id))
    }

    /// `GET /workspaces`.
    pub(crate) fn list_workspaces(
        &self,
        caller: &Caller,
        phase: Option<&str>,
        user_id: Option<i64>,
    ) -> Vec<Value> {
        self.workspaces
            .values()
            .filter(|w| self.member_of(w.id, &caller.email).is_some())
            .filter(|w| phase.is_none_or(|p| w.phase.eq_ignore_ascii_case(p)))
            .filter(|w| {
                user_id.is_none_or(|u| {
                    self.members
                        .values()
                        .any(|m| m.workspace_id == w.id && m.user_id == u)
                })
            })
            .map(|w| self.workspace_json(w))
            .collect()
    }

    /// `GET /workspaces/{id}`.
    pub(crate) fn get_workspace(&self, caller: &Caller, ws: i64) -> Result<Value, ApiError> {
        Ok(self.workspace_json(self.visible(caller, ws)?))
    }

    /// `POST /workspaces`: the caller becomes its MANAGER_PLUS.
    pub(crate) fn create_workspaces(
        &mut self,
        caller: &Caller,
        inputs: Vec<crate::wire::WorkspaceInput>,
    ) -> Result<Vec<Value>, ApiError> {
        if inputs.is_empty() {
            return Err(ApiError::Invalid("workspaces must not be empty".into()));
        }
        for i in &inputs {
            if i.name().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("workspace name is required".into()));
            }
        }
        let mut partials = Vec::new();
        let now = now_ms();
        for input in inputs {
            let id = self.new_id();
            let name = input.name().unwrap_or_default().to_string();
            self.workspaces.insert(
                id,
                Workspace {
                    id,
                    name: name.clone(),
                    description: input.description.clone(),
                    host: input
                        .host
                        .clone()
                        .or(input.host_name.clone())
                        .unwrap_or_else(|| "Intralinks".into()),
                    phase: input.phase.clone().unwrap_or_else(|| "OPEN".into()),
                    kind: "ARC".into(),
                    parent_template_id: input.template_id.unwrap_or(554_961),
                    security_level: 1,
                    pvp_enabled: false,
                    html_view_enabled: false,
                    version: 0,
                    created_on: now,
                    last_modified_on: now,
                    splash: None,
                    custom_fields: Vec::new(),
                    settings: Vec::new(),
                    otp_delivery_to_choose: false,
                },
            );
            self.add_member_record(id, &caller.email, "MANAGER_PLUS", &caller.email);
            partials.push(json!({ "id": id, "workspaceId": id, "name": name }));
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}`.
    pub(crate) fn update_workspace(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::WorkspaceInput,
    ) -> Result<(), ApiError> {
        let current = self.visible(caller, ws)?.version;
        if let Some(v) = &input.version {
            let sent = crate::wire::as_i64(v).ok_or(ApiError::StaleVersion)?;
            if sent != current {
                return Err(ApiError::StaleVersion);
            }
        }
        let Some(w) = self.workspaces.get_mut(&ws) else {
            return Err(ApiError::NotFound);
        };
        if let Some(n) = input.name() {
            if n.trim().is_empty() {
                return Err(ApiError::Invalid("workspace name must not be empty".into()));
            }
            w.name = n.to_string();
        }
        if let Some(d) = input.description {
            w.description = Some(d);
        }
        if let Some(h) = input.host.or(input.host_name) {
            w.host = h;
        }
        if let Some(p) = input.phase {
            w.phase = p;
        }
        w.version += 1;
        w.last_modified_on = now_ms();
        Ok(())
    }

    /// `DELETE /workspaces/{id}`: the workspace and all it holds.
    pub(crate) fn delete_workspace(&mut self, caller: &Caller, ws: i64) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        self.workspaces.remove(&ws);
        self.folders.retain(|_, f| f.workspace_id != ws);
        self.documents.retain(|_, d| d.workspace_id != ws);
        self.groups.retain(|_, g| g.workspace_id != ws);
        self.members.retain(|_, m| m.workspace_id != ws);
        self.permissions.retain(|_, p| p.workspace_id != ws);
        for s in self.sessions.values_mut() {
            s.entries.remove(&ws);
        }
        Ok(())
    }

    /// `GET /workspaces/{id}/settings`.
    pub(crate) fn settings(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        Ok(self.visible(caller, ws)?.settings.clone())
    }

    /// `PUT /workspaces/{id}/settings`: replaces the settings list.
    pub(crate) fn update_settings(
        &mut self,
        caller: &Caller,
        ws: i64,
        settings: Vec<Value>,
    ) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        if let Some(w) = self.workspaces.get_mut(&ws) {
            w.settings = settings;
            w.last_modified_on = now_ms();
        }
        Ok(())
    }
}
