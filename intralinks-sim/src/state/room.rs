//! Folders and documents.

use super::*;

impl State {
    /// Index numbers ("1", "1.2", "1.2.3") of every folder and document of a
    /// workspace: folders first, then documents, each by order number.
    fn index_numbers(&self, ws: i64) -> HashMap<i64, String> {
        let mut children: HashMap<Option<i64>, Vec<(u8, i64, i64)>> = HashMap::new();
        for f in self.folders.values().filter(|f| f.workspace_id == ws) {
            children
                .entry(f.parent_id)
                .or_default()
                .push((0, f.order_number, f.id));
        }
        for d in self.documents.values().filter(|d| d.workspace_id == ws) {
            children
                .entry(Some(d.folder_id))
                .or_default()
                .push((1, d.order_number, d.id));
        }
        for list in children.values_mut() {
            list.sort();
        }
        let mut out = HashMap::new();
        let mut stack: Vec<(Option<i64>, String)> = vec![(None, String::new())];
        while let Some((parent, prefix)) = stack.pop() {
            if let Some(list) = children.get(&parent) {
                for (i, (kind, _, id)) in list.iter().enumerate() {
                    let index = if prefix.is_empty() {
                        format!("{}", i + 1)
                    } else {
                        format!("{prefix}.{}", i + 1)
                    };
                    if *kind == 0 {
                        stack.push((Some(*id), index.clone()));
                    }
                    out.insert(*id, index);
                }
            }
        }
        out
    }

    fn folder_json(&self, f: &Folder, index: &HashMap<i64, String>) -> Value {
        let has_children = self.folders.values().any(|c| c.parent_id == Some(f.id));
        let mut m = Map::new();
        m.insert("id".into(), json!(f.id));
        m.insert("name".into(), json!(f.name));
        m.insert(
            "indexNumber".into(),
            json!(index.get(&f.id).cloned().unwrap_or_default()),
        );
        m.insert("orderNumber".into(), json!(f.order_number));
        m.insert("version".into(), json!(f.version));
        m.insert("hasChildFolders".into(), json!(has_children));
        m.insert("indexingDisabled".into(), json!(false));
        if let Some(p) = f.parent_id {
            m.insert("parentId".into(), json!(p));
        }
        if let Some(n) = &f.note {
            m.insert("note".into(), json!(n));
        }
        m.insert("hasNote".into(), json!(tf(f.note.is_some())));
        m.insert("createdOn".into(), millis(f.created_on));
        m.insert("createdBy".into(), f.created_by.json());
        m.insert("lastModifiedOn".into(), millis(f.last_modified_on));
        m.insert("lastModifiedBy".into(), f.last_modified_by.json());
        m.insert("isFavorite".into(), json!(false));
        m.insert("versionNumber".into(), json!(f.version_number));
        m.insert("isEmailin".into(), json!(false));
        Value::Object(m).with_fields(self.field_values_json(Holder::Folder, f.id))
    }

    /// `GET /workspaces/{id}/folders`. The listing carries `hasNote` but
    /// not `note` (the Intralinks Python SDK's tests read a folder's note
    /// from the folder itself, never from the list).
    pub(crate) fn list_folders(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let index = self.index_numbers(ws);
        Ok(self
            .folders
            .values()
            .filter(|f| f.workspace_id == ws)
            .map(|f| {
                let mut v = self.folder_json(f, &index);
                if let Some(m) = v.as_object_mut() {
                    m.remove("note");
                }
                v
            })
            .collect())
    }

    pub(super) fn folder_in(&self, ws: i64, id: i64) -> Result<&Folder, ApiError> {
        self.folders
            .get(&id)
            .filter(|f| f.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    /// `GET /workspaces/{id}/folders/{fid}`.
    pub(crate) fn get_folder(&self, caller: &Caller, ws: i64, id: i64) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let f = self.folder_in(ws, id)?;
        Ok(self.folder_json(f, &self.index_numbers(ws)))
    }

    fn next_order(&self, ws: i64, parent: Option<i64>) -> i64 {
        let folders = self
            .folders
            .values()
            .filter(|f| f.workspace_id == ws && f.parent_id == parent)
            .map(|f| f.order_number);
        let docs = self
            .documents
            .values()
            .filter(|d| d.workspace_id == ws && Some(d.folder_id) == parent)
            .map(|d| d.order_number);
        folders.chain(docs).max().unwrap_or(0) + 1
    }

    fn partial(&self, id: i64, parent: Option<i64>, name: &str, version: &str) -> Value {
        let mut v = json!({ "id": id });
        if let Some(p) = parent {
            v["parentId"] = json!(p);
        }
        v["name"] = json!(name);
        v["version"] = json!(version);
        v
    }

    /// `POST /workspaces/{id}/folders`. Each partial in the answer carries
    /// `hasNote` as a JSON boolean (the Intralinks Python SDK's tests assert
    /// `hasNote` is `false` on a folder created without a note).
    pub(crate) fn create_folders(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::EntityInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("folders must not be empty".into()));
        }
        for i in &inputs {
            if i.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("folder name is required".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let id = self.new_id();
            let version = self.new_version(id);
            let name = i.name.unwrap_or_default();
            let order = self.next_order(ws, i.parent_id);
            let note = i.note.filter(|n| !n.is_empty());
            let mut partial = self.partial(id, i.parent_id, &name, &version);
            partial["hasNote"] = json!(note.is_some());
            partials.push(partial);
            self.folders.insert(
                id,
                Folder {
                    id,
                    workspace_id: ws,
                    parent_id: i.parent_id,
                    name,
                    note,
                    order_number: order,
                    version,
                    version_number: 0,
                    created_on: now,
                    created_by: who.clone(),
                    last_modified_on: now,
                    last_modified_by: who.clone(),
                },
            );
        }
        Ok(partials)
    }

    pub(super) fn is_descendant(&self, candidate: i64, ancestor: i64) -> bool {
        let mut cur = Some(candidate);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.folders.get(&c).and_then(|f| f.parent_id);
        }
        false
    }

    /// `PUT /workspaces/{id}/folders`: rename, re-note or move folders; the
    /// partials carry `hasNote` as in the create answer.
    pub(crate) fn update_folders(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::EntityUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("folders must not be empty".into()));
        }
        // Check everything first: an update is all or nothing.
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("folder id is required".into()))?;
            let f = self.folder_in(ws, id)?;
            check_version(&f.version, i.version.as_deref())?;
            if i.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("folder name must not be empty".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
                if self.is_descendant(p, id) {
                    return Err(ApiError::Invalid(
                        "a folder cannot move into itself or its subfolders".into(),
                    ));
                }
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(f) = self.folders.get_mut(&id) else {
                continue;
            };
            if let Some(n) = i.name {
                f.name = n;
            }
            if let Some(n) = i.note {
                f.note = Some(n).filter(|n| !n.is_empty());
            }
            if let Some(p) = i.parent_id {
                f.parent_id = Some(p);
            }
            f.version = version;
            f.version_number += 1;
            f.last_modified_on = now;
            f.last_modified_by = who.clone();
            let (parent, name, version) = (f.parent_id, f.name.clone(), f.version.clone());
            let has_note = f.note.is_some();
            let mut partial = self.partial(id, parent, &name, &version);
            partial["hasNote"] = json!(has_note);
            partials.push(partial);
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/folders/{fid}?version=&deleteFolderContents=`.
    pub(crate) fn delete_folder(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
        with_contents: bool,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        let f = self.folder_in(ws, id)?;
        check_version(&f.version, version)?;
        let doomed: BTreeSet<i64> = self
            .folders
            .keys()
            .copied()
            .filter(|c| self.is_descendant(*c, id))
            .collect();
        let non_empty = doomed.len() > 1 || self.documents.values().any(|d| d.folder_id == id);
        if non_empty && !with_contents {
            return Err(ApiError::FolderNotEmpty);
        }
        let doomed_documents: BTreeSet<i64> = self
            .documents
            .values()
            .filter(|d| doomed.contains(&d.folder_id))
            .map(|d| d.id)
            .collect();
        self.folders.retain(|k, _| !doomed.contains(k));
        self.documents.retain(|_, d| !doomed.contains(&d.folder_id));
        self.forget_permissions(&doomed, &doomed_documents);
        Ok(())
    }

    /// `GET /workspaces/{id}/folders/{fid}/contents`.
    pub(crate) fn folder_contents(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<ContentView>, ApiError> {
        self.content(caller, ws)?;
        self.folder_in(ws, id)?;
        let index = self.index_numbers(ws);
        let mut items: Vec<(u8, i64, i64, ContentView)> = Vec::new();
        for f in self.folders.values().filter(|f| f.parent_id == Some(id)) {
            let has_children = self.folders.values().any(|c| c.parent_id == Some(f.id));
            let v = json!({
                "id": f.id,
                "entityType": "FOLDER",
                "name": f.name,
                "parentId": id,
                "indexNumber": index.get(&f.id).cloned().unwrap_or_default(),
                "version": f.version,
                "hasChildFolders": has_children,
                "createdOn": millis(f.created_on),
                "lastModifiedOn": millis(f.last_modified_on),
            });
            items.push((0, f.order_number, f.id, ContentView::Folder(v)));
        }
        for d in self.documents.values().filter(|d| d.folder_id == id) {
            let mut m = Map::new();
            m.insert("id".into(), json!(d.id));
            m.insert("entityType".into(), json!("DOCUMENT"));
            m.insert("name".into(), json!(d.name));
            m.insert("parentId".into(), json!(id));
            m.insert(
                "indexNumber".into(),
                json!(index.get(&d.id).cloned().unwrap_or_default()),
            );
            m.insert("version".into(), json!(d.version));
            if let Some(e) = d.extension() {
                m.insert("extension".into(), json!(e));
            }
            if let Some(c) = &d.content {
                m.insert("fileSize".into(), json!(c.len()));
            }
            m.insert("createdOn".into(), millis(d.created_on));
            m.insert("lastModifiedOn".into(), millis(d.last_modified_on));
            items.push((
                1,
                d.order_number,
                d.id,
                ContentView::Document(DocView {
                    value: m,
                    hash: hash_source(d),
                }),
            ));
        }
        items.sort_by_key(|(k, o, id, _)| (*k, *o, *id));
        Ok(items.into_iter().map(|(_, _, _, v)| v).collect())
    }

    pub(super) fn doc_in(&self, ws: i64, id: i64) -> Result<&Document, ApiError> {
        self.documents
            .get(&id)
            .filter(|d| d.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    fn doc_view(&self, d: &Document, index: &HashMap<i64, String>) -> DocView {
        let mut m = Map::new();
        m.insert("id".into(), json!(d.id));
        m.insert("name".into(), json!(d.name));
        m.insert("parentId".into(), json!(d.folder_id));
        m.insert("folderId".into(), json!(d.folder_id));
        m.insert(
            "indexNumber".into(),
            json!(index.get(&d.id).cloned().unwrap_or_default()),
        );
        m.insert("orderNumber".into(), json!(d.order_number));
        m.insert("version".into(), json!(d.version));
        m.insert("versionNumber".into(), json!(d.version_number));
        if let Some(e) = d.extension() {
            m.insert("extension".into(), json!(e));
        }
        if let Some(c) = &d.content {
            m.insert("fileSize".into(), json!(c.len()));
        }
        if let Some(n) = &d.note {
            m.insert("note".into(), json!(n));
        }
        m.insert("isFavorite".into(), json!(false));
        m.insert("createdOn".into(), millis(d.created_on));
        m.insert("createdBy".into(), d.created_by.json());
        m.insert("lastModifiedOn".into(), millis(d.last_modified_on));
        m.insert("lastModifiedBy".into(), d.last_modified_by.json());
        if let Some(f) = self.field_values_json(Holder::Document, d.id) {
            m.insert("customFields".into(), f);
        }
        DocView {
            value: m,
            hash: hash_source(d),
        }
    }

    /// `GET /workspaces/{id}/documents[?folderId=]`.
    pub(crate) fn list_documents(
        &self,
        caller: &Caller,
        ws: i64,
        folder: Option<i64>,
    ) -> Result<Vec<DocView>, ApiError> {
        let (ids, index) = self.listed_documents(caller, ws, folder)?;
        Ok(self.listed_views(ws, &ids, &index))
    }

    /// What `GET /workspaces/{id}/documents[?folderId=]` lists: the ids
    /// (in id order), and the room's index numbers, for
    /// [`State::listed_views`] a part at a time.
    pub(crate) fn listed_documents(
        &self,
        caller: &Caller,
        ws: i64,
        folder: Option<i64>,
    ) -> Result<(Vec<i64>, HashMap<i64, String>), ApiError> {
        self.content(caller, ws)?;
        if let Some(f) = folder {
            self.folder_in(ws, f)?;
        }
        let ids = self
            .documents
            .values()
            .filter(|d| d.workspace_id == ws && folder.is_none_or(|f| d.folder_id == f))
            .map(|d| d.id)
            .collect();
        Ok((ids, self.index_numbers(ws)))
    }

    /// The listing's views of documents `ids` of room `ws` (those still
    /// there).
    pub(crate) fn listed_views(
        &self,
        ws: i64,
        ids: &[i64],
        index: &HashMap<i64, String>,
    ) -> Vec<DocView> {
        ids.iter()
            .filter_map(|id| self.documents.get(id))
            .filter(|d| d.workspace_id == ws)
            .map(|d| {
                // The listing says whether a note exists as a JSON boolean
                // (the Intralinks Python SDK's tests: `hasNote` is `false`
                // on a document created without a note).
                let mut view = self.doc_view(d, index);
                view.value.insert("hasNote".into(), json!(d.note.is_some()));
                view
            })
            .collect()
    }

    /// `GET /workspaces/{id}/documents/{did}`.
    pub(crate) fn get_document(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<DocView, ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        Ok(self.doc_view(d, &self.index_numbers(ws)))
    }

    /// `POST /workspaces/{id}/documents`: metadata only, no file yet.
    pub(crate) fn create_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::EntityInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for i in &inputs {
            if i.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("document name is required".into()));
            }
            let parent = i.parent_id.ok_or_else(|| {
                ApiError::Invalid("parentId is required: documents live in folders".into())
            })?;
            self.folder_in(ws, parent)?;
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        // Each folder's next order number, found once per call (a scan of
        // the room) and counted on from there.
        let mut orders: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for i in inputs {
            let Some(parent) = i.parent_id else { continue };
            let id = self.new_id();
            let version = self.new_version(id);
            let name = i.name.unwrap_or_default();
            let order = match orders.get_mut(&parent) {
                Some(next) => {
                    *next += 1;
                    *next
                }
                None => *orders
                    .entry(parent)
                    .or_insert(self.next_order(ws, Some(parent))),
            };
            partials.push(self.partial(id, Some(parent), &name, &version));
            self.documents.insert(
                id,
                Document {
                    id,
                    workspace_id: ws,
                    folder_id: parent,
                    name,
                    note: i.note.filter(|n| !n.is_empty()),
                    order_number: order,
                    version,
                    version_number: 0,
                    created_on: now,
                    created_by: who.clone(),
                    last_modified_on: now,
                    last_modified_by: who.clone(),
                    content: None,
                    known_hash: None,
                    corrupt: false,
                },
            );
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}/documents`: rename, re-note or move documents.
    pub(crate) fn update_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::EntityUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("document id is required".into()))?;
            let d = self.doc_in(ws, id)?;
            check_version(&d.version, i.version.as_deref())?;
            if i.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("document name must not be empty".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(d) = self.documents.get_mut(&id) else {
                continue;
            };
            if let Some(n) = i.name {
                d.name = n;
            }
            if let Some(n) = i.note {
                d.note = Some(n).filter(|n| !n.is_empty());
            }
            if let Some(p) = i.parent_id {
                d.folder_id = p;
            }
            d.version = version;
            d.last_modified_on = now;
            d.last_modified_by = who.clone();
            let (parent, name, version) = (d.folder_id, d.name.clone(), d.version.clone());
            partials.push(self.partial(id, Some(parent), &name, &version));
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/documents` with `{id, version}` items.
    pub(crate) fn delete_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("document id is required".into()))?;
            check_version(&self.doc_in(ws, id)?.version, r.version.as_deref())?;
        }
        let mut partials = Vec::new();
        let mut gone = BTreeSet::new();
        for r in refs {
            if let Some(d) = r.id.and_then(|id| self.documents.remove(&id)) {
                gone.insert(d.id);
                partials.push(json!({ "id": d.id, "parentId": d.folder_id, "name": d.name }));
            }
        }
        self.forget_permissions(&BTreeSet::new(), &gone);
        Ok(partials)
    }

    /// What a download needs: the bytes' location and the file name.
    pub(crate) fn download(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<(Content, String, String), ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        let c = d.content.clone().ok_or(ApiError::NoFile)?;
        Ok((c, d.name.clone(), d.version.clone()))
    }

    /// Before an upload streams: the document exists and `version` is current.
    pub(crate) fn check_upload(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        check_version(&self.doc_in(ws, id)?.version, version)
    }

    /// After an upload streamed: store it if nothing changed meanwhile.
    pub(crate) fn commit_upload(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
        content: Content,
        hash: String,
    ) -> Result<Value, ApiError> {
        self.check_upload(caller, ws, id, version)?;
        let who = self.person_of(&caller.email);
        let new_version = self.new_version(id);
        let Some(d) = self.documents.get_mut(&id) else {
            return Err(ApiError::NotFound);
        };
        d.content = Some(content);
        d.known_hash = Some(hash);
        d.corrupt = false;
        d.version = new_version;
        d.version_number += 1;
        d.last_modified_on = now_ms();
        d.last_modified_by = who;
        let (parent, name, version) = (d.folder_id, d.name.clone(), d.version.clone());
        Ok(self.partial(id, Some(parent), &name, &version))
    }

    /// `/_sim/corrupt/{documentId}`: advertise a wrong `fileHashDownload`.
    pub(crate) fn corrupt(&mut self, id: i64) -> Result<(), ApiError> {
        let d = self.documents.get_mut(&id).ok_or(ApiError::NotFound)?;
        if d.content.is_none() {
            return Err(ApiError::NoFile);
        }
        d.corrupt = true;
        Ok(())
    }
}

fn hash_source(d: &Document) -> HashSource {
    match (&d.content, &d.known_hash) {
        (None, _) => HashSource::None,
        _ if d.corrupt => HashSource::Known(crate::content::hash_bytes(
            format!("corrupted document {}", d.id).as_bytes(),
        )),
        (_, Some(h)) => HashSource::Known(h.clone()),
        (Some(Content::Generated { seed, len }), None) => HashSource::Generated {
            seed: *seed,
            len: *len,
        },
        (Some(c), None) => match c {
            Content::Memory(b) => HashSource::Known(crate::content::hash_bytes(b)),
            _ => HashSource::None,
        },
    }
}
