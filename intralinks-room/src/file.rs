//! The room file: its types, parsing and the checks serde cannot make.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use intralinks_ext::types::PermissionPermission;
use intralinks_ext::{Error, Result};

/// The separator of folder paths in a room file.
pub const PATH_SEPARATOR: char = '/';

/// The role a member gets when the file names none (the service's default).
pub const OWNER_ROLE: &str = "MANAGER_PLUS";

/// One room file: one workspace and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomFile {
    /// The workspace.
    pub workspace: WorkspaceSpec,
    /// Its groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    /// Its members and the groups each belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberSpec>,
    /// Its folders (parents are implied by paths) and each group's level on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderSpec>,
    /// Documents given a level of their own (documents are uploaded, not
    /// created by a room file: one that is not in the room is noted by
    /// [`plan`](crate::plan()) and left alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentSpec>,
}

/// The workspace: found by `id`, else by exact `name`, else created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSpec {
    /// Its name.
    pub name: String,
    /// Its id, when it exists already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Its description; `""` and absent on the service are the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The template it is created from (`templateId`, listed as
    /// `parentTemplateId`). A workspace's template cannot be changed: for an
    /// existing one, a different template is only noted by [`plan`](crate::plan()).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<i64>,
    /// The host it is created under (`hostName`, listed as `host`);
    /// compared only when given, and changed by an update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Its phase; compared only when given, and sent only to change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Its splash screen; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splash: Option<SplashSpec>,
    /// Settings by name (`workspaceSettings` items `{name, value}`); only
    /// the names given are compared, the others are kept.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub settings: BTreeMap<String, String>,
}

/// A workspace's phase (`phase`): the three the service knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Phase {
    /// `OPEN`: the room is in use (the service's default).
    Open,
    /// `PREPARATION`: the room is being set up.
    Preparation,
    /// `HOLD`: the room is on hold.
    Hold,
}

impl Phase {
    /// The wire name: `OPEN`, `PREPARATION` or `HOLD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Open => "OPEN",
            Phase::Preparation => "PREPARATION",
            Phase::Hold => "HOLD",
        }
    }

    /// The phase of a wire name (exactly as the service writes it); `None`
    /// for any other.
    pub fn from_wire(name: &str) -> Option<Phase> {
        [Phase::Open, Phase::Preparation, Phase::Hold]
            .into_iter()
            .find(|p| p.as_str() == name)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A splash screen (the `splash` of `GET`/`PUT /workspaces/{id}/splash`).
/// Applied last: a splash that must be accepted gates the room's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplashSpec {
    /// The text shown (`splashText`).
    pub text: String,
    /// The accept button's text (`acceptText`); compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_text: Option<String>,
    /// Whether it must be accepted to enter (`splashRequired`); compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Its name, unique in the file.
    pub name: String,
    /// Its type (`groupType`), e.g. `WORKSPACE`; compared only when given.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A member of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// E-mail, unique in the file (compared without case).
    pub email: String,
    /// First name; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Organisation; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Role (`roleType`), e.g. `REVIEWER`; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The groups the member belongs to, each declared under `groups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The welcome alert sent when the member is added (`{subject, note}`;
    /// never compared, never exported): nothing is sent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_alert: Option<intralinks_ext::people::WelcomeAlert>,
}

/// A folder, by its path from the root (`ABP/Capital Calls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSpec {
    /// Names from the root, joined by `/`.
    pub path: String,
    /// Each group's level on this folder.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub permissions: BTreeMap<String, PermissionPermission>,
}

/// A document, by its path: its folder's path, `/`, its name
/// (`ABP/Capital Calls/Notice Q1.pdf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// Its folder's path and its name, joined by `/`.
    pub path: String,
    /// Each group's level on this document, beside what its folders give.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub permissions: BTreeMap<String, PermissionPermission>,
}

/// A map whose keys must be unique: YAML parsers keep the last of two equal
/// keys silently, which would apply a level nobody reviewed.
fn unique_keys<'de, D, V>(d: D) -> std::result::Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of names to values")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(k) = map.next_key::<String>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!(
                        "duplicate entry {k:?}; keep one"
                    )));
                }
                let v = map.next_value()?;
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

pub(crate) fn invalid(origin: &str, what: String) -> Error {
    Error::InvalidInput(format!("{origin}: {what}"))
}

/// Splits a folder path into its names; `None` when a name is empty.
pub(crate) fn segments(path: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = path.split(PATH_SEPARATOR).map(str::to_owned).collect();
    if parts.iter().any(|p| p.trim().is_empty()) {
        return None;
    }
    Some(parts)
}

/// The most a room file may hold: a room of thousands of members and
/// folders takes well under a megabyte.
pub const ROOM_FILE_LIMIT: usize = 4 * 1024 * 1024;

/// The deepest nesting of `[` and `{` a room file may use (its keys need 3).
const FLOW_DEPTH_LIMIT: usize = 32;

/// What is refused before the YAML parser sees the text, so that refusing
/// costs little: a file over [`ROOM_FILE_LIMIT`], an alias (`*name`, which
/// can repeat one large value thousands of times), and flow nesting deeper
/// than [`FLOW_DEPTH_LIMIT`]. Quoted text, comments and block scalars
/// (`|`, `>`) are skipped.
fn precheck(text: &str, origin: &str) -> Result<()> {
    if text.len() > ROOM_FILE_LIMIT {
        return Err(invalid(
            origin,
            format!(
                "the file is larger than {} MiB, more than any room needs; check that it is the room file",
                ROOM_FILE_LIMIT / (1024 * 1024)
            ),
        ));
    }
    let mut depth = 0usize;
    // Inside a block scalar: the indentation its lines must exceed.
    let mut block: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        let at = |what: String| invalid(origin, format!("line {}: {what}", n + 1));
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        // The last character that was not a blank, before this one on the
        // line: a quote or an alias starts a node only after one of
        // `:[{,-` or at the start.
        let mut last: Option<char> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let node_start = last.is_none_or(|l| ":[{,-".contains(l));
            match quote {
                Some('\'') if c == '\'' => quote = None,
                Some('"') if c == '"' && prev != '\\' => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if prev == ' ' || prev == '\t' || last.is_none() => break,
                    '\'' | '"' if node_start => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > FLOW_DEPTH_LIMIT {
                            return Err(at(format!(
                                "brackets nest more than {FLOW_DEPTH_LIMIT} deep; a room file needs 3"
                            )));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    '*' if node_start
                        && chars
                            .peek()
                            .is_some_and(|n| n.is_alphanumeric() || "_-".contains(*n)) =>
                    {
                        return Err(at(
                            "a YAML alias (*name) is not allowed in a room file, since it can repeat a value thousands of times; write the value out".into(),
                        ));
                    }
                    _ => {}
                },
            }
            if !c.is_whitespace() {
                last = Some(c);
            }
            prev = c;
        }
        let code = line.split(" #").next().unwrap_or("").trim_end();
        if quote.is_none()
            && (code.ends_with('|')
                || code.ends_with('>')
                || code.ends_with("|-")
                || code.ends_with(">-")
                || code.ends_with("|+")
                || code.ends_with(">+"))
        {
            block = Some(indent);
        }
    }
    Ok(())
}

impl RoomFile {
    /// Parses and checks a room file; `origin` (its path) starts every
    /// error message. An unknown key is an error naming its line.
    pub fn parse(text: &str, origin: &str) -> Result<RoomFile> {
        precheck(text, origin)?;
        let file: RoomFile = serde_yaml_ng::from_str(text).map_err(|e| {
            invalid(
                origin,
                format!(
                    "{e}; fix the file (the keys are described in the room module's documentation)"
                ),
            )
        })?;
        file.check(origin)?;
        Ok(file)
    }

    /// Reads and parses a room file.
    pub fn load(path: &Path) -> Result<RoomFile> {
        let origin = path.display().to_string();
        let cannot = |e: std::io::Error| {
            invalid(
                &origin,
                format!("cannot read the room file: {e}; check the path"),
            )
        };
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(cannot)?;
        // Never more than the limit is read, however large the file.
        let mut text = String::new();
        file.take(ROOM_FILE_LIMIT as u64 + 1)
            .read_to_string(&mut text)
            .map_err(cannot)?;
        RoomFile::parse(&text, &origin)
    }

    /// The file as YAML, as [`RoomFile::parse`] reads it.
    pub fn to_yaml(&self) -> Result<String> {
        serde_yaml_ng::to_string(self)
            .map_err(|e| Error::InvalidInput(format!("cannot write the room as YAML: {e}")))
    }

    /// Checks what serde cannot: names unique, groups declared, paths whole.
    pub fn check(&self, origin: &str) -> Result<()> {
        if self.workspace.name.trim().is_empty() {
            return Err(invalid(
                origin,
                "workspace.name is empty; name the workspace".into(),
            ));
        }
        if self
            .workspace
            .host
            .as_deref()
            .is_some_and(|h| h.trim().is_empty())
        {
            return Err(invalid(
                origin,
                "workspace.host is empty; name the host, or leave the key out".into(),
            ));
        }
        if self.workspace.template.is_some_and(|t| t <= 0) {
            return Err(invalid(
                origin,
                "workspace.template must be a template's id (a positive number); correct it, or leave the key out".into(),
            ));
        }
        let mut groups = BTreeSet::new();
        for g in &self.groups {
            if g.name.trim().is_empty() {
                return Err(invalid(origin, "a group has an empty name; name it".into()));
            }
            if !groups.insert(g.name.as_str()) {
                return Err(invalid(
                    origin,
                    format!("group {:?} is declared twice; keep one", g.name),
                ));
            }
        }
        let mut emails = BTreeSet::new();
        for m in &self.members {
            let e = m.email.as_str();
            if !intralinks_ext::text::is_email_address(e) {
                return Err(invalid(
                    origin,
                    format!(
                        "member e-mail {:?} is not one plain e-mail address (name@example.com: no spaces, display name, mailto: or second address); correct it",
                        m.email
                    ),
                ));
            }
            if !emails.insert(e.to_lowercase()) {
                return Err(invalid(
                    origin,
                    format!("member {:?} is listed twice; keep one", m.email),
                ));
            }
            if let Some(Err(e)) = m.welcome_alert.as_ref().map(|a| a.details()) {
                return Err(invalid(origin, format!("member {:?}: {e}", m.email)));
            }
            for g in &m.groups {
                if !groups.contains(g.as_str()) {
                    return Err(invalid(
                        origin,
                        format!(
                            "member {:?} is in group {g:?}, which is not declared under groups; declare it",
                            m.email
                        ),
                    ));
                }
            }
        }
        let mut paths = BTreeSet::new();
        for f in &self.folders {
            let Some(parts) = segments(&f.path) else {
                return Err(invalid(
                    origin,
                    format!(
                        "folder path {:?} has an empty name; write names separated by single '/'",
                        f.path
                    ),
                ));
            };
            if !paths.insert(parts) {
                return Err(invalid(
                    origin,
                    format!("folder {:?} is listed twice; keep one", f.path),
                ));
            }
            for g in f.permissions.keys() {
                if !groups.contains(g.as_str()) {
                    return Err(invalid(
                        origin,
                        format!(
                            "folder {:?} gives a permission to group {g:?}, which is not declared under groups; declare it",
                            f.path
                        ),
                    ));
                }
            }
        }
        let mut documents = BTreeSet::new();
        for d in &self.documents {
            let parts = match segments(&d.path) {
                Some(parts) if parts.len() >= 2 => parts,
                _ => {
                    return Err(invalid(
                        origin,
                        format!(
                            "document path {:?} is not a folder's path, '/', a name: documents live in folders; write the whole path",
                            d.path
                        ),
                    ));
                }
            };
            if !documents.insert(parts) {
                return Err(invalid(
                    origin,
                    format!("document {:?} is listed twice; keep one", d.path),
                ));
            }
            for g in d.permissions.keys() {
                if !groups.contains(g.as_str()) {
                    return Err(invalid(
                        origin,
                        format!(
                            "document {:?} gives a permission to group {g:?}, which is not declared under groups; declare it",
                            d.path
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every folder path the file needs, parents included, parents first.
    pub(crate) fn all_paths(&self) -> Vec<Vec<String>> {
        let mut all = BTreeSet::new();
        for f in &self.folders {
            if let Some(parts) = segments(&f.path) {
                for n in 1..=parts.len() {
                    all.insert(parts[..n].to_vec());
                }
            }
        }
        let mut v: Vec<Vec<String>> = all.into_iter().collect();
        v.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        v
    }
}
