//! The deterministic demo data room (see [`crate::demo`] and the README).

use std::collections::BTreeSet;

use bytes::Bytes;
use serde_json::json;

use crate::content::{Content, hash_bytes};
use crate::demo::*;
use crate::state::{
    Account, CustomField, Document, Folder, Group, Holder, Member, On, PermissionRec, Person,
    Secret, SplashConfig, State, Workspace,
};

/// 2013-03-29, the date of the seed folders in seed 003.
const T0: i64 = 1_364_560_075_000;
const DAY: i64 = 86_400_000;

fn john() -> Person {
    Person {
        first: "John".into(),
        last: "Doe".into(),
        org: "TheCompany".into(),
    }
}

fn demo_person() -> Person {
    Person {
        first: "Demo".into(),
        last: "User".into(),
        org: "Example Corp".into(),
    }
}

const README_TEXT: &str = "Welcome to the Intralinks simulator demo data room.\n";

fn nda_text() -> String {
    let mut s = String::from("MUTUAL NON-DISCLOSURE AGREEMENT\n\n");
    for i in 1..=12 {
        s.push_str(&format!(
            "{i}. Each party shall keep the other party's Confidential Information in confidence \
             and use it only to evaluate the proposed transaction.\n"
        ));
    }
    s
}

fn board_pack_text() -> String {
    let mut s = String::from("Q4 BOARD PACK\n=============\n\n");
    let mut line = 0;
    while s.len() < 24 * 1024 {
        line += 1;
        s.push_str(&format!(
            "Line {line:04}: revenue, margin and cash flow were reviewed against plan.\n"
        ));
    }
    s
}

struct Seeder {
    st: State,
}

impl Seeder {
    fn workspace(
        &mut self,
        id: i64,
        name: &str,
        security_level: i32,
        splash: Option<SplashConfig>,
        pvp: bool,
    ) {
        self.st.workspaces.insert(
            id,
            Workspace {
                id,
                name: name.into(),
                description: Some(format!("{name}: a simulated Intralinks workspace")),
                host: "Intralinks".into(),
                phase: "OPEN".into(),
                kind: "ARC".into(),
                parent_template_id: 554_961,
                security_level,
                pvp_enabled: pvp,
                html_view_enabled: false,
                version: 5,
                created_on: T0,
                last_modified_on: T0 + DAY,
                splash,
                custom_fields: Vec::new(),
                settings: vec![
                    json!({"name": "PVP_ENABLED", "value": if pvp { "T" } else { "F" }}),
                    json!({"name": "SECURITY_LEVEL", "value": security_level.to_string()}),
                ],
                otp_delivery_to_choose: false,
            },
        );
    }

    fn folder(&mut self, id: i64, ws: i64, parent: Option<i64>, name: &str, order: i64) {
        let version = self.st.new_version(id);
        self.st.folders.insert(
            id,
            Folder {
                id,
                workspace_id: ws,
                parent_id: parent,
                name: name.into(),
                note: None,
                order_number: order,
                version,
                version_number: 0,
                created_on: T0 + order * 1000,
                created_by: john(),
                last_modified_on: T0 + order * 1000,
                last_modified_by: john(),
            },
        );
    }

    fn document(
        &mut self,
        id: i64,
        ws: i64,
        folder: i64,
        name: &str,
        order: i64,
        content: Content,
    ) {
        let version = self.st.new_version(id);
        let known_hash = match &content {
            Content::Memory(b) => Some(hash_bytes(b)),
            _ => None,
        };
        self.st.documents.insert(
            id,
            Document {
                id,
                workspace_id: ws,
                folder_id: folder,
                name: name.into(),
                note: None,
                order_number: order,
                version,
                version_number: 1,
                created_on: T0 + 2 * DAY + order * 1000,
                created_by: john(),
                last_modified_on: T0 + 3 * DAY + order * 1000,
                last_modified_by: john(),
                content: Some(content),
                known_hash,
                corrupt: false,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn member(&mut self, id: i64, ws: i64, user_id: i64, email: &str, person: Person, role: &str) {
        let version = self.st.new_version(id);
        self.st.members.insert(
            id,
            Member {
                id,
                workspace_id: ws,
                user_id,
                email: email.into(),
                person,
                role: role.into(),
                title: String::new(),
                phone: String::new(),
                key_contact: role == "MANAGER_PLUS",
                first_accessed: Some(T0 - 29 * DAY),
                last_accessed: Some(T0 - 29 * DAY),
                first_alert: Some(T0 - 30 * DAY),
                last_alert: Some(T0 - 30 * DAY),
                version,
                created_on: T0 - 30 * DAY,
                created_by: john(),
                last_modified_on: T0 - 30 * DAY,
                last_modified_by: john(),
            },
        );
    }

    fn account(&mut self, user_id: i64, email: &str, person: Person, password: Option<&str>) {
        self.st.accounts.insert(
            email.into(),
            Account {
                user_id,
                password: password.map(|p| Secret(p.into())),
                person,
                office_phone: String::new(),
                question_key: SECURITY_QUESTION_KEY.into(),
                answer: Secret(ANSWER.into()),
            },
        );
    }

    fn group(&mut self, id: i64, ws: i64, name: &str, members: &[i64]) {
        let version = self.st.new_version(id);
        self.st.groups.insert(
            id,
            Group {
                id,
                workspace_id: ws,
                name: name.into(),
                kind: "WORKSPACE".into(),
                note: " ".into(),
                fts_enabled: name == "Internal",
                version,
                members: members.iter().copied().collect::<BTreeSet<_>>(),
                created_on: T0 - 20 * DAY,
                created_by: john(),
                last_modified_on: T0 - 10 * DAY,
                last_modified_by: john(),
            },
        );
    }

    fn permission(&mut self, id: i64, ws: i64, group: i64, folder: i64, level: &str) {
        self.st.permissions.insert(
            id,
            PermissionRec {
                id,
                workspace_id: ws,
                group_id: group,
                on: On::Folder(folder),
                level: level.into(),
            },
        );
    }
}

fn splash(text: &str, image: Option<[u8; 3]>) -> SplashConfig {
    SplashConfig {
        text: text.into(),
        accept_text: "agree".into(),
        display_type: "DISPLAY_EVERYTIME".into(),
        splash_type: "PUBLIC".into(),
        required: true,
        image,
    }
}

/// The seeded state.
/// What the seeded data room holds besides the demo workspaces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seed {
    /// The generated workspace, if asked for.
    pub(crate) generated: Option<crate::Generated>,
    /// The Python SDK's test room, if asked for.
    pub(crate) sdk_test_room: bool,
}

pub(crate) fn build(seed: &Seed) -> State {
    let mut s = Seeder { st: State::empty() };
    s.st.clients
        .insert(CLIENT_ID.into(), Secret(CLIENT_SECRET.into()));
    s.st.redirect_uris
        .insert(CLIENT_ID.into(), REDIRECT_URI.into());

    s.account(USER_ID, EMAIL, demo_person(), Some(PASSWORD));
    let people = [
        (
            9_620_006,
            "alice.hidden@example.com",
            "Alice",
            "Hidden",
            "HIDDEN_MANAGER",
            MEMBER_HIDDEN_MANAGER,
        ),
        (
            9_620_007,
            "bob.review@example.com",
            "Bob",
            "Review",
            "REVIEWER",
            MEMBER_REVIEWER,
        ),
        (
            9_620_008,
            "carol.publish@example.com",
            "Carol",
            "Publish",
            "PUBLISHER",
            MEMBER_PUBLISHER,
        ),
        (
            9_620_009,
            "dan.manager@example.com",
            "Dan",
            "Manager",
            "MANAGER",
            MEMBER_MANAGER,
        ),
    ];
    for (uid, email, first, last, _, _) in people {
        let person = Person {
            first: first.into(),
            last: last.into(),
            org: "Example Corp".into(),
        };
        // Each can log in as themselves: "<first name>-password".
        let password = format!("{}-password", first.to_ascii_lowercase());
        s.account(uid, email, person, Some(&password));
    }
    s.account(
        9_620_100,
        "owner@elsewhere.example",
        john(),
        Some(OWNER_PASSWORD),
    );

    // The main workspace: no entry requirement, the whole tree.
    s.workspace(MAIN_WORKSPACE, "Demo API Workspace", 1, None, false);
    if let Some(w) = s.st.workspaces.get_mut(&MAIN_WORKSPACE) {
        w.description =
            Some("This is a demonstration workspace for users of the Intralinks API".into());
        w.custom_fields = vec![
            CustomField {
                id: 880_001,
                name: "Deal Code".into(),
                kind: "TEXT",
                required: false,
                options: vec![],
            },
            CustomField {
                id: 880_002,
                name: "Closing Date".into(),
                kind: "DATE",
                required: false,
                options: vec![],
            },
            CustomField {
                id: 880_003,
                name: "Stage".into(),
                kind: "SELECT",
                required: true,
                options: vec!["Teaser".into(), "Due Diligence".into(), "Closing".into()],
            },
        ];
    }
    // Custom field values: the room's own, and a few of its folders,
    // documents, groups and members (listed as customFields.field).
    for (holder, id, field, value) in [
        (Holder::Workspace, MAIN_WORKSPACE, 880_001, "ABP-7"),
        (Holder::Workspace, MAIN_WORKSPACE, 880_002, "2024-06-30"),
        (Holder::Workspace, MAIN_WORKSPACE, 880_003, "Due Diligence"),
        (Holder::Folder, FOLDER_LEGAL, 880_003, "Closing"),
        (Holder::Document, DOC_NDA, 880_001, "ABP-7"),
        (Holder::Document, DOC_NDA, 880_003, "Closing"),
        (Holder::Document, DOC_BOARD_PACK, 880_002, "2024-03-31"),
        (Holder::Group, GROUP_INTEREST, 880_001, "ABP-7"),
        (Holder::Member, MEMBER_REVIEWER, 880_001, "ABP-7"),
        (Holder::Member, MEMBER_REVIEWER, 880_003, "Due Diligence"),
    ] {
        s.st.set_field_value(holder, id, field, json!(value));
    }
    s.member(
        MEMBER_DEMO,
        MAIN_WORKSPACE,
        USER_ID,
        EMAIL,
        demo_person(),
        "MANAGER_PLUS",
    );
    for (uid, email, first, last, role, mid) in people {
        let person = Person {
            first: first.into(),
            last: last.into(),
            org: "Example Corp".into(),
        };
        s.member(mid, MAIN_WORKSPACE, uid, email, person, role);
    }
    s.folder(FOLDER_FINANCIALS, MAIN_WORKSPACE, None, "Financials", 1);
    s.folder(
        FOLDER_FY2023,
        MAIN_WORKSPACE,
        Some(FOLDER_FINANCIALS),
        "FY2023",
        1,
    );
    s.folder(
        FOLDER_FY2023_Q4,
        MAIN_WORKSPACE,
        Some(FOLDER_FY2023),
        "Q4",
        1,
    );
    s.folder(
        FOLDER_FY2024,
        MAIN_WORKSPACE,
        Some(FOLDER_FINANCIALS),
        "FY2024",
        2,
    );
    s.folder(FOLDER_LEGAL, MAIN_WORKSPACE, None, "Legal", 2);
    s.folder(
        FOLDER_CONTRACTS,
        MAIN_WORKSPACE,
        Some(FOLDER_LEGAL),
        "Contracts",
        1,
    );
    s.folder(FOLDER_DATA_TAPES, MAIN_WORKSPACE, None, "Data Tapes", 3);

    s.document(
        DOC_README,
        MAIN_WORKSPACE,
        FOLDER_FINANCIALS,
        "Read me.txt",
        3,
        Content::Memory(Bytes::from_static(README_TEXT.as_bytes())),
    );
    s.document(
        DOC_NDA,
        MAIN_WORKSPACE,
        FOLDER_CONTRACTS,
        "Mutual NDA.txt",
        1,
        Content::Memory(Bytes::from(nda_text())),
    );
    s.document(
        DOC_BOARD_PACK,
        MAIN_WORKSPACE,
        FOLDER_FY2023_Q4,
        "Q4 board pack.txt",
        1,
        Content::Memory(Bytes::from(board_pack_text())),
    );
    s.document(
        DOC_ANNUAL_REPORT,
        MAIN_WORKSPACE,
        FOLDER_FY2023,
        "Annual report 2023.dat",
        2,
        Content::Generated {
            seed: ANNUAL_REPORT_SEED,
            len: ANNUAL_REPORT_SIZE,
        },
    );
    s.document(
        DOC_SAMPLE,
        MAIN_WORKSPACE,
        FOLDER_DATA_TAPES,
        "Cash flow sample.dat",
        1,
        Content::Generated {
            seed: SAMPLE_SEED,
            len: SAMPLE_SIZE,
        },
    );
    s.document(
        DOC_BIG,
        MAIN_WORKSPACE,
        FOLDER_DATA_TAPES,
        "Loan tape.dat",
        2,
        Content::Generated {
            seed: BIG_DOCUMENT_SEED,
            len: BIG_DOCUMENT_SIZE,
        },
    );
    s.group(
        GROUP_INTERNAL,
        MAIN_WORKSPACE,
        "Internal",
        &[MEMBER_DEMO, MEMBER_HIDDEN_MANAGER, MEMBER_MANAGER],
    );
    s.group(
        GROUP_INTEREST,
        MAIN_WORKSPACE,
        "1. Interest",
        &[MEMBER_REVIEWER],
    );
    s.group(GROUP_COMMIT, MAIN_WORKSPACE, "2. Commit", &[]);
    s.permission(
        6_100_000_001,
        MAIN_WORKSPACE,
        GROUP_INTERNAL,
        FOLDER_FINANCIALS,
        "SEE_DOWNLOAD_AND_PRINT",
    );
    s.permission(
        6_100_000_002,
        MAIN_WORKSPACE,
        GROUP_INTERNAL,
        FOLDER_LEGAL,
        "SEE_DOWNLOAD_AND_PRINT",
    );
    s.permission(
        6_100_000_003,
        MAIN_WORKSPACE,
        GROUP_INTEREST,
        FOLDER_FY2023,
        "SEE",
    );
    s.permission(
        6_100_000_004,
        MAIN_WORKSPACE,
        GROUP_INTEREST,
        FOLDER_DATA_TAPES,
        "SEE_AND_DOWNLOAD",
    );

    // One small workspace per entry path.
    let small: [(i64, &str, i32, Option<SplashConfig>, bool); 9] = [
        (
            SPLASH_WORKSPACE,
            "Splash Only",
            1,
            Some(splash(
                "<p>By entering you agree to keep everything you see confidential.</p>",
                Some([204, 0, 0]),
            )),
            false,
        ),
        (
            SPLASH_QUESTION_WORKSPACE,
            "Splash and Question",
            5,
            Some(splash("<p>Confidential: authorised users only.</p>", None)),
            false,
        ),
        (
            SPLASH_QUESTION_OTP_WORKSPACE,
            "Splash, Question and Password",
            2,
            Some(splash(
                "<p>Strictly confidential. Access is logged.</p>",
                Some([0, 128, 0]),
            )),
            false,
        ),
        (OTP_WORKSPACE, "Password Only", 6, None, false),
        (
            CONTENT_DECLARATION_WORKSPACE,
            "Public and Private Content",
            1,
            None,
            true,
        ),
        (FOREIGN_WORKSPACE, "Someone Else's Deal", 1, None, false),
        // The two risk-assessed levels the entry guide names alone (seed 000):
        // the simulator always challenges, as if every login were risky.
        (
            RISK_QUESTION_WORKSPACE,
            "Risk-Assessed Question",
            3,
            None,
            false,
        ),
        (RISK_OTP_WORKSPACE, "Risk-Assessed Password", 4, None, false),
        (
            OTP_DELIVERY_WORKSPACE,
            "Password Delivery to Choose",
            6,
            None,
            false,
        ),
    ];
    for (i, (ws, name, level, splash, pvp)) in small.into_iter().enumerate() {
        let i = i as i64;
        s.workspace(ws, name, level, splash, pvp);
        if ws == OTP_DELIVERY_WORKSPACE
            && let Some(w) = s.st.workspaces.get_mut(&ws)
        {
            w.otp_delivery_to_choose = true;
        }
        let folder = 4_714_600_001 + i;
        let doc = 5_368_800_001 + i;
        s.folder(folder, ws, None, "Documents", 1);
        s.document(
            doc,
            ws,
            folder,
            "Welcome.txt",
            1,
            Content::Memory(Bytes::from(format!("Welcome to {name}.\n"))),
        );
        if ws == FOREIGN_WORKSPACE {
            s.member(
                4_395_176_000 + i,
                ws,
                9_620_100,
                "owner@elsewhere.example",
                john(),
                "MANAGER_PLUS",
            );
        } else {
            s.member(
                4_395_176_000 + i,
                ws,
                USER_ID,
                EMAIL,
                demo_person(),
                "MANAGER_PLUS",
            );
        }
    }
    if let Some(g) = &seed.generated {
        s.generated(g);
    }
    if seed.sdk_test_room {
        s.sdk_test_room();
    }
    s.st
}

impl Seeder {
    /// The Python SDK's test room: a name, no description, one member.
    fn sdk_test_room(&mut self) {
        let ws = SDK_TEST_WORKSPACE;
        self.workspace(ws, "API Unit Test", 1, None, false);
        if let Some(w) = self.st.workspaces.get_mut(&ws) {
            w.description = None;
        }
        self.member(
            SDK_TEST_MEMBER,
            ws,
            USER_ID,
            EMAIL,
            demo_person(),
            "MANAGER_PLUS",
        );
    }

    /// The generated workspace: `g.folders` root folders (at least one),
    /// `g.documents` documents spread round-robin over them.
    fn generated(&mut self, g: &crate::Generated) {
        let ws = GENERATED_WORKSPACE;
        self.workspace(ws, "Generated Room", 1, None, false);
        self.member(
            GENERATED_MEMBER,
            ws,
            USER_ID,
            EMAIL,
            demo_person(),
            "MANAGER_PLUS",
        );
        let folders = g.folders.max(1);
        for j in 0..folders {
            let id = GENERATED_FIRST_FOLDER + j as i64;
            self.folder(id, ws, None, &format!("folder-{j:03}"), j as i64 + 1);
        }
        for i in 0..g.documents {
            let folder = GENERATED_FIRST_FOLDER + (i % folders) as i64;
            let bytes = crate::content::generated_text(i, g.bytes);
            let id = GENERATED_FIRST_DOCUMENT + i as i64;
            self.document(
                id,
                ws,
                folder,
                &format!("doc-{i:05}.txt"),
                i as i64 + 1,
                Content::Memory(Bytes::from(bytes)),
            );
        }
    }
}
