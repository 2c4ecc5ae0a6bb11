//! Groups and members.

use super::*;

impl State {
    pub(super) fn group_in(&self, ws: i64, id: i64) -> Result<&Group, ApiError> {
        self.groups
            .get(&id)
            .filter(|g| g.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    fn group_json(&self, g: &Group) -> Value {
        json!({
            "id": g.id,
            "version": g.version,
            "groupName": g.name,
            "name": g.name,
            "groupType": g.kind,
            "type": g.kind,
            "ftsEnabled": g.fts_enabled,
            "note": g.note,
            "createdBy": g.created_by.json(),
            "createdOn": millis(g.created_on),
            "lastModifiedBy": g.last_modified_by.json(),
            "lastModifiedOn": millis(g.last_modified_on),
            "groupMemberCount": g.members.len(),
            "memberCount": g.members.len(),
            "buyerGroupDetails": {},
        })
        .with_fields(self.field_values_json(Holder::Group, g.id))
    }

    /// `GET /workspaces/{id}/groups`: the groups, and their members when asked.
    pub(crate) fn list_groups(
        &self,
        caller: &Caller,
        ws: i64,
        with_members: bool,
    ) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
        self.content(caller, ws)?;
        let groups: Vec<&Group> = self
            .groups
            .values()
            .filter(|g| g.workspace_id == ws)
            .collect();
        let mut links = Vec::new();
        if with_members {
            for g in &groups {
                for m in g.members.iter().filter_map(|m| self.members.get(m)) {
                    links.push(json!({
                        "workspaceGroupId": g.id,
                        "workspaceUserId": m.id,
                        "userId": m.user_id,
                    }));
                }
            }
        }
        Ok((groups.iter().map(|g| self.group_json(g)).collect(), links))
    }

    /// `GET /workspaces/{id}/groups/{gid}`.
    pub(crate) fn get_group(&self, caller: &Caller, ws: i64, id: i64) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        Ok(self.group_json(self.group_in(ws, id)?))
    }

    /// `POST /workspaces/{id}/groups`.
    pub(crate) fn create_group(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::GroupInput,
    ) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let name = input
            .group_name
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ApiError::Invalid("groupName is required".into()))?;
        let id = self.new_id();
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        let now = now_ms();
        self.groups.insert(
            id,
            Group {
                id,
                workspace_id: ws,
                name: name.clone(),
                kind: input.group_type.unwrap_or_else(|| "WORKSPACE".into()),
                note: input.note.unwrap_or_else(|| " ".into()),
                fts_enabled: false,
                version: version.clone(),
                members: BTreeSet::new(),
                created_on: now,
                created_by: who.clone(),
                last_modified_on: now,
                last_modified_by: who,
            },
        );
        Ok(json!({ "id": id, "workspaceId": ws, "name": name, "version": version }))
    }

    /// `PUT /workspaces/{id}/groups/{gid}`.
    pub(crate) fn update_group(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        input: crate::wire::GroupInput,
    ) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let g = self.group_in(ws, id)?;
        check_version(&g.version, input.version.as_deref())?;
        if input
            .group_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(ApiError::Invalid("groupName must not be empty".into()));
        }
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        let Some(g) = self.groups.get_mut(&id) else {
            return Err(ApiError::NotFound);
        };
        if let Some(n) = input.group_name {
            g.name = n;
        }
        if let Some(t) = input.group_type {
            g.kind = t;
        }
        if let Some(n) = input.note {
            g.note = n;
        }
        g.version = version.clone();
        g.last_modified_on = now_ms();
        g.last_modified_by = who;
        Ok(json!({ "id": id, "workspaceId": ws, "name": g.name, "version": version }))
    }

    /// `DELETE /workspaces/{id}/groups[?removeUsers=true]`.
    pub(crate) fn delete_groups(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
        remove_users: bool,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("groups must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("group id is required".into()))?;
            check_version(&self.group_in(ws, id)?.version, r.version.as_deref())?;
        }
        for r in refs {
            let Some(g) = r.id.and_then(|id| self.groups.remove(&id)) else {
                continue;
            };
            self.permissions.retain(|_, p| p.group_id != g.id);
            if remove_users {
                for m in g.members {
                    if self
                        .members
                        .get(&m)
                        .is_some_and(|m| m.email != caller.email)
                    {
                        self.remove_member(m);
                    }
                }
            }
        }
        Ok(())
    }

    /// `GET /workspaces/{id}/groups/{gid}/users`.
    pub(crate) fn group_members(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let g = self.group_in(ws, id)?;
        Ok(g.members
            .iter()
            .filter_map(|m| self.members.get(m))
            .map(member_json)
            .collect())
    }

    /// `POST /workspaces/{id}/groups/{gid}/users`.
    pub(crate) fn add_group_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        member_ids: Vec<i64>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        self.group_in(ws, id)?;
        if member_ids.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for m in &member_ids {
            if self.members.get(m).is_none_or(|m| m.workspace_id != ws) {
                return Err(ApiError::NotFound);
            }
        }
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        if let Some(g) = self.groups.get_mut(&id) {
            g.members.extend(member_ids);
            g.version = version;
            g.last_modified_on = now_ms();
            g.last_modified_by = who;
        }
        Ok(())
    }

    pub(super) fn add_member_record(
        &mut self,
        ws: i64,
        email: &str,
        role: &str,
        by: &str,
    ) -> Member {
        let email = email.to_ascii_lowercase();
        let (user_id, person) = match self.accounts.get(&email) {
            Some(a) => (a.user_id, a.person.clone()),
            None => {
                let user_id = self.new_id();
                let person = Person {
                    first: String::new(),
                    last: String::new(),
                    org: String::new(),
                };
                self.accounts.insert(
                    email.clone(),
                    Account {
                        user_id,
                        password: None,
                        person: person.clone(),
                        office_phone: String::new(),
                        question_key: crate::demo::SECURITY_QUESTION_KEY.into(),
                        answer: Secret(crate::demo::ANSWER.into()),
                    },
                );
                (user_id, person)
            }
        };
        let id = self.new_id();
        let version = self.new_version(id);
        let who = self.person_of(by);
        let now = now_ms();
        let m = Member {
            id,
            workspace_id: ws,
            user_id,
            email,
            person,
            role: role.to_string(),
            title: String::new(),
            phone: String::new(),
            key_contact: false,
            first_accessed: None,
            last_accessed: None,
            first_alert: None,
            last_alert: None,
            version,
            created_on: now,
            created_by: who.clone(),
            last_modified_on: now,
            last_modified_by: who,
        };
        self.members.insert(id, m.clone());
        m
    }

    fn remove_member(&mut self, id: i64) {
        self.members.remove(&id);
        for g in self.groups.values_mut() {
            g.members.remove(&id);
        }
    }

    /// `GET /workspaces/{id}/users[?email=]`. With `email`, an account that
    /// is no member of the workspace is found too, without the member's id
    /// and role (the Intralinks Python SDK's user_accounts_v2_test finds
    /// this way the user its exchange_members_v2_test removed).
    pub(crate) fn list_members(
        &self,
        caller: &Caller,
        ws: i64,
        email: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let members: Vec<Value> = self
            .members
            .values()
            .filter(|m| m.workspace_id == ws)
            .filter(|m| email.is_none_or(|e| m.email.eq_ignore_ascii_case(e.trim())))
            .map(|m| member_json(m).with_fields(self.field_values_json(Holder::Member, m.id)))
            .collect();
        if let Some(e) = email
            && members.is_empty()
        {
            let e = e.trim().to_ascii_lowercase();
            return Ok(self
                .accounts
                .get(&e)
                .map(|a| account_json(&e, a))
                .into_iter()
                .collect());
        }
        Ok(members)
    }

    /// `POST /users`: a user account on the service, in no workspace. The
    /// Intralinks Python SDK's create_user_account takes the address, both
    /// names and the organisation, and a phone and a language: the phone is
    /// kept and shown, the language accepted and not kept.
    pub(crate) fn create_account(
        &mut self,
        _caller: &Caller,
        input: crate::wire::UserInput,
    ) -> Result<Value, ApiError> {
        let email = input
            .email()
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| e.contains('@') && !e.contains(char::is_whitespace))
            .ok_or_else(|| ApiError::Invalid("a valid email is required".into()))?;
        let field = |v: &Option<String>, name: &str| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| ApiError::Invalid(format!("{name} is required")))
        };
        let person = Person {
            first: field(&input.first_name, "firstName")?,
            last: field(&input.last_name, "lastName")?,
            org: field(&input.organization, "organization")?,
        };
        if self.accounts.contains_key(&email) {
            return Err(ApiError::Invalid(format!(
                "a user account with email {email} exists already"
            )));
        }
        let user_id = self.new_id();
        self.accounts.insert(
            email.clone(),
            Account {
                user_id,
                password: None,
                person,
                office_phone: input
                    .office_phone
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or_default()
                    .to_string(),
                question_key: crate::demo::SECURITY_QUESTION_KEY.into(),
                answer: Secret(crate::demo::ANSWER.into()),
            },
        );
        Ok(json!({ "userId": user_id, "emailId": email }))
    }

    /// `GET /users/{email}`: the account with that address, for any caller.
    pub(crate) fn get_account(&self, _caller: &Caller, email: &str) -> Result<Value, ApiError> {
        let email = email.trim().to_ascii_lowercase();
        self.accounts
            .get(&email)
            .map(|a| account_json(&email, a))
            .ok_or(ApiError::NotFound)
    }

    /// `POST /workspaces/{id}/users`.
    pub(crate) fn create_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::UserInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        let mut seen = BTreeSet::new();
        for i in &inputs {
            let email = i
                .email()
                .filter(|e| e.contains('@'))
                .ok_or_else(|| ApiError::Invalid("a valid emailId is required".into()))?;
            let email = email.trim().to_ascii_lowercase();
            if self.member_of(ws, &email).is_some() || !seen.insert(email) {
                return Err(ApiError::AlreadyMember);
            }
            i.welcome_alert()?;
        }
        let mut partials = Vec::new();
        for i in inputs {
            let email = i.email().unwrap_or_default().trim().to_ascii_lowercase();
            let role = i.role_type.clone().unwrap_or_else(|| "REVIEWER".into());
            let existing = self.accounts.contains_key(&email);
            let alert = i.welcome_alert()?;
            let mut m = self.add_member_record(ws, &email, &role, &caller.email);
            if let Some(a) = self.accounts.get_mut(&email)
                && a.password.is_none()
            {
                // Invited users take the names they are invited with, and
                // keep them as an account when they leave the room (the
                // Intralinks Python SDK's user_accounts_v2_test finds them so).
                if let Some(f) = &i.first_name {
                    a.person.first = f.clone();
                }
                if let Some(l) = &i.last_name {
                    a.person.last = l.clone();
                }
                if let Some(o) = &i.organization {
                    a.person.org = o.clone();
                }
                m.person = a.person.clone();
            }
            if m.person.first.is_empty() {
                m.person = Person {
                    first: i.first_name.clone().unwrap_or_default(),
                    last: i.last_name.clone().unwrap_or_default(),
                    org: i.organization.clone().unwrap_or_default(),
                };
            }
            if let Some(t) = i.title {
                m.title = t;
            }
            if let Some(p) = i.office_phone {
                m.phone = p;
            }
            self.members.insert(m.id, m.clone());
            if let Some(alert) = alert {
                self.send_welcome_alert(m.id, existing, alert);
            }
            partials.push(json!({
                "id": m.id,
                "workspaceId": ws,
                "userId": m.user_id,
                "email": m.email,
                "version": m.version,
            }));
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}/users`.
    pub(crate) fn update_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::UserUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("user id is required".into()))?;
            let m = self
                .members
                .get(&id)
                .filter(|m| m.workspace_id == ws)
                .ok_or(ApiError::NotFound)?;
            check_version(&m.version, i.version.as_deref())?;
        }
        let who = self.person_of(&caller.email);
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(m) = self.members.get_mut(&id) else {
                continue;
            };
            if let Some(r) = i.role_type {
                m.role = r;
            }
            if let Some(t) = i.title {
                m.title = t;
            }
            if let Some(p) = i.office_phone {
                m.phone = p;
            }
            if let Some(k) = i.key_contact {
                m.key_contact = k;
            }
            if let Some(f) = i.first_name {
                m.person.first = f;
            }
            if let Some(l) = i.last_name {
                m.person.last = l;
            }
            if let Some(o) = i.organization {
                m.person.org = o;
            }
            m.version = version;
            m.last_modified_on = now_ms();
            m.last_modified_by = who.clone();
            partials.push(json!({
                "id": m.id,
                "workspaceId": ws,
                "userId": m.user_id,
                "version": m.version,
            }));
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/users` with `{id, version}` items.
    pub(crate) fn delete_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("user id is required".into()))?;
            let m = self
                .members
                .get(&id)
                .filter(|m| m.workspace_id == ws)
                .ok_or(ApiError::NotFound)?;
            check_version(&m.version, r.version.as_deref())?;
        }
        for r in refs {
            if let Some(id) = r.id {
                self.remove_member(id);
            }
        }
        Ok(())
    }
}

/// An account as `GET /users/{email}` shows it, and a `?email=` lookup
/// of someone who is no member of the workspace: the account's own fields
/// (the Intralinks Python SDK's user_manager.py reads userId, emailId, the
/// names and organization), no member id and no role; `officePhone` when
/// the account was created with one.
fn account_json(email: &str, a: &Account) -> Value {
    let mut v = json!({
        "userId": a.user_id,
        "emailId": email,
        "firstName": a.person.first,
        "lastName": a.person.last,
        "organization": a.person.org,
    });
    if !a.office_phone.is_empty() {
        v["officePhone"] = json!(a.office_phone);
    }
    v
}

fn member_json(m: &Member) -> Value {
    let mut v = json!({
        "id": m.id,
        "userId": m.user_id,
        "emailId": m.email,
        "firstName": m.person.first,
        "lastName": m.person.last,
        "firstNameSort": m.person.first,
        "lastNameSort": m.person.last,
        "organization": m.person.org,
        "organizationSort": m.person.org,
        "roleType": m.role,
        "status": "ACTIVE",
        "title": if m.title.is_empty() { "UNAVAILABLE" } else { &m.title },
        "officePhone": m.phone,
        "country": "UNITED_STATES",
        "industry": "UNAVAILABLE",
        "functionalArea": "UNAVAILABLE",
        "alertPreference": "IMMEDIATE",
        "keyContact": m.key_contact,
        "doNotSendAlert": false,
        "eitherASubmitterOrCoordinator": false,
        "isPlaceholderUser": false,
        "isWelcomeAlertSent": m.first_alert.is_some(),
        "unauthenticatedDocumentAccess": "F",
        "version": m.version,
        "createdBy": m.created_by.json(),
        "createdOn": millis(m.created_on),
        "lastModifiedBy": m.last_modified_by.json(),
        "lastModifiedOn": millis(m.last_modified_on),
    });
    // A member who never came in, or was never alerted, has no key at all
    // (the Intralinks Python SDK's README, live answers).
    for (key, when) in [
        ("firstAccessed", m.first_accessed),
        ("lastAccessedOn", m.last_accessed),
        ("lastAlertSentDate", m.last_alert),
    ] {
        if let Some(t) = when {
            v[key] = millis(t);
        }
    }
    v
}
