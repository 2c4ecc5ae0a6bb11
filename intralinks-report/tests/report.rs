//! The report module against intralinks-sim: exact rows of the demo room
//! (documents, members, each group's and each member's effective level on
//! every path), CSV that survives hostile names, and reports across every
//! visible workspace with some that need more than the given answers.

use futures_util::StreamExt;
use intralinks_ext::types::{
    AddGroupUsersRequest, CreateDocumentsRequest, CreateFoldersRequest, DocumentInput,
    DocumentInputItem, FolderInput, FolderInputItem, Permission,
};
use intralinks_ext::{Checked, Error, FixedAnswers, Intralinks, Secret};
use intralinks_report::{
    self, AccessRow, DocumentRow, Format, ItemKind, MemberGroupRow, MemberRow, Row, UserAccessRow,
    WorkspaceRef, Writer,
};
use intralinks_sim::demo;

use crate::common;
use common::start;

fn main_ws() -> WorkspaceRef {
    WorkspaceRef {
        id: demo::MAIN_WORKSPACE,
        name: "Demo API Workspace".into(),
    }
}

/// The rows of one workspace, entered with no answers (the main room needs none).
async fn rows<R: Row>(il: &Intralinks, ws: &WorkspaceRef) -> Vec<R> {
    il.in_workspace(ws.id, &FixedAnswers::default(), || R::fetch(il, ws))
        .await
        .unwrap()
}

fn date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(s.parse().unwrap())
}

/// An expected row from its JSON form, every field named: the rows are
/// `#[non_exhaustive]`, so outside the library they are read, not built.
fn row<R: serde::de::DeserializeOwned>(fields: serde_json::Value) -> R {
    serde_json::from_value(fields).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_room_documents_exactly() {
    let (sim, il) = start().await;
    let ws = main_ws();
    let got: Vec<DocumentRow> = rows(&il, &ws).await;
    let annual = intralinks_sim::content::compute_generated_hash(
        demo::ANNUAL_REPORT_SEED,
        demo::ANNUAL_REPORT_SIZE,
    );
    let sample =
        intralinks_sim::content::compute_generated_hash(demo::SAMPLE_SEED, demo::SAMPLE_SIZE);
    // (folder path, name, id, size, order within its folder, hash)
    let expected: Vec<(&str, &str, i64, i64, u32, String)> = vec![
        (
            "Data Tapes",
            "Cash flow sample.dat",
            demo::DOC_SAMPLE,
            demo::SAMPLE_SIZE as i64,
            1,
            sample,
        ),
        (
            "Data Tapes",
            "Loan tape.dat",
            demo::DOC_BIG,
            demo::BIG_DOCUMENT_SIZE as i64,
            2,
            demo::BIG_DOCUMENT_HASH.into(),
        ),
        (
            "Financials",
            "Read me.txt",
            demo::DOC_README,
            52,
            3,
            "hxHvr1VfpH+tEO5OTXCC/Gqxlb8=".into(),
        ),
        (
            "Financials/FY2023",
            "Annual report 2023.dat",
            demo::DOC_ANNUAL_REPORT,
            demo::ANNUAL_REPORT_SIZE as i64,
            2,
            annual,
        ),
        (
            "Financials/FY2023/Q4",
            "Q4 board pack.txt",
            demo::DOC_BOARD_PACK,
            24_593,
            1,
            "AvzxTTtVnUCDlBQ8sIVhqKGvOSY=".into(),
        ),
        (
            "Legal/Contracts",
            "Mutual NDA.txt",
            demo::DOC_NDA,
            1_668,
            1,
            "gvOF+pdSAQiV4GuFuyUR99VqT9U=".into(),
        ),
    ];
    // Each document's index number in the room, in the same order.
    let index = ["3.1", "3.2", "1.3", "1.1.2", "1.1.1.1", "2.1.1"];
    let mut expected: Vec<DocumentRow> = expected
        .into_iter()
        .zip(index)
        .map(|((path, name, id, size, order, hash), index)| {
            row(serde_json::json!({
                "workspaceId": demo::MAIN_WORKSPACE,
                "workspaceName": "Demo API Workspace",
                "folderPath": path,
                "name": name,
                "id": id,
                "fileSize": size,
                "createdOn": date(&format!("2013-03-31T12:27:5{}Z", 5 + order)),
                "lastModifiedOn": date(&format!("2013-04-01T12:27:5{}Z", 5 + order)),
                "versionNumber": 1,
                "fileHashDownload": hash,
                "note": null,
                "indexNumber": index,
                "extension": name.rsplit_once('.').unwrap().1,
                "createdByFirstName": "John",
                "createdByLastName": "Doe",
            }))
        })
        .collect();
    // Custom field values, by the field's name (GET …/fieldDefinitions).
    expected[4].custom_fields = [("Closing Date", "2024-03-31")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    expected[5].custom_fields = [("Deal Code", "ABP-7"), ("Stage", "Closing")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    assert_eq!(got, expected);

    // The CSV of those rows: the wire's names in the header, RFC 3339 UTC dates.
    let mut w = Writer::new::<DocumentRow>(Vec::new(), Format::Csv).unwrap();
    for r in &got {
        w.write(r).unwrap();
    }
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "workspaceId,workspaceName,folderPath,name,id,fileSize,createdOn,lastModifiedOn,versionNumber,fileHashDownload,note,indexNumber,extension,createdByFirstName,createdByLastName"
    );
    assert_eq!(
        lines[3],
        "701421,Demo API Workspace,Financials,Read me.txt,5368709121,52,2013-03-31T12:27:58.000Z,2013-04-01T12:27:58.000Z,1,hxHvr1VfpH+tEO5OTXCC/Gqxlb8=,,1.3,txt,John,Doe"
    );
    assert_eq!(lines.len(), 8, "header, six rows, and the empty tail");

    // With one column per custom field, after the fixed ones.
    let fields = intralinks_report::field_columns(&got);
    assert_eq!(fields, ["Closing Date", "Deal Code", "Stage"]);
    let mut w =
        Writer::with_fields::<DocumentRow>(Vec::new(), Format::Csv, fields.clone()).unwrap();
    for r in &got {
        w.write(r).unwrap();
    }
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "workspaceId,workspaceName,folderPath,name,id,fileSize,createdOn,lastModifiedOn,versionNumber,fileHashDownload,note,indexNumber,extension,createdByFirstName,createdByLastName,Closing Date,Deal Code,Stage"
    );
    assert_eq!(
        lines[3],
        "701421,Demo API Workspace,Financials,Read me.txt,5368709121,52,2013-03-31T12:27:58.000Z,2013-04-01T12:27:58.000Z,1,hxHvr1VfpH+tEO5OTXCC/Gqxlb8=,,1.3,txt,John,Doe,,,"
    );
    assert_eq!(
        lines[6],
        "701421,Demo API Workspace,Legal/Contracts,Mutual NDA.txt,5368709122,1668,2013-03-31T12:27:56.000Z,2013-04-01T12:27:56.000Z,1,gvOF+pdSAQiV4GuFuyUR99VqT9U=,,2.1.1,txt,John,Doe,,ABP-7,Closing"
    );
    let mut w = Writer::with_fields::<DocumentRow>(Vec::new(), Format::Json, fields).unwrap();
    w.write(&got[5]).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&w.finish().unwrap()).unwrap();
    assert_eq!(json[0]["Deal Code"], "ABP-7");
    assert_eq!(json[0]["Stage"], "Closing");
    assert_eq!(json[0].get("Closing Date"), None);
    assert_eq!(json[0]["name"], "Mutual NDA.txt");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_room_members_exactly() {
    let (sim, il) = start().await;
    let got: Vec<MemberRow> = rows(&il, &main_ws()).await;
    let expected = [
        (
            demo::MEMBER_HIDDEN_MANAGER,
            9_620_006,
            "alice.hidden@example.com",
            "Alice",
            "Hidden",
            "HIDDEN_MANAGER",
            "Internal",
        ),
        (
            demo::MEMBER_REVIEWER,
            9_620_007,
            "bob.review@example.com",
            "Bob",
            "Review",
            "REVIEWER",
            "1. Interest",
        ),
        (
            demo::MEMBER_PUBLISHER,
            9_620_008,
            "carol.publish@example.com",
            "Carol",
            "Publish",
            "PUBLISHER",
            "",
        ),
        (
            demo::MEMBER_MANAGER,
            9_620_009,
            "dan.manager@example.com",
            "Dan",
            "Manager",
            "MANAGER",
            "Internal",
        ),
        (
            demo::MEMBER_DEMO,
            demo::USER_ID,
            demo::EMAIL,
            "Demo",
            "User",
            "MANAGER_PLUS",
            "Internal",
        ),
    ]
    .map(|(id, user, email, first, last, role, groups)| {
        row::<MemberRow>(serde_json::json!({
            "workspaceId": demo::MAIN_WORKSPACE,
            "workspaceName": "Demo API Workspace",
            "id": id,
            "userId": user,
            "emailId": email,
            "firstName": first,
            "lastName": last,
            "organization": "Example Corp",
            "roleType": role,
            "groups": groups,
            "firstAccessed": date("2013-02-28T12:27:55Z"),
            "lastAccessedOn": date("2013-02-28T12:27:55Z"),
            "status": "ACTIVE",
            "phase": "OPEN",
            "lastAlertSentDate": date("2013-02-27T12:27:55Z"),
            "createdByFirstName": "John",
            "createdByLastName": "Doe",
            "createdOn": date("2013-02-27T12:27:55Z"),
        }))
    });
    let mut expected = expected.to_vec();
    expected[1].custom_fields = [("Deal Code", "ABP-7"), ("Stage", "Due Diligence")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    assert_eq!(got, expected);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_room_members_by_group_exactly() {
    let (sim, il) = start().await;
    let got: Vec<MemberGroupRow> = rows(&il, &main_ws()).await;
    let shown: Vec<(i64, &str, Option<i64>, &str, &str)> = got
        .iter()
        .map(|r| {
            (
                r.id,
                r.email_id.as_str(),
                r.group_id,
                r.group_name.as_str(),
                r.group_type.as_str(),
            )
        })
        .collect();
    let (internal, interest) = (Some(demo::GROUP_INTERNAL), Some(demo::GROUP_INTEREST));
    assert_eq!(
        shown,
        [
            (
                demo::MEMBER_HIDDEN_MANAGER,
                "alice.hidden@example.com",
                internal,
                "Internal",
                "WORKSPACE"
            ),
            (
                demo::MEMBER_REVIEWER,
                "bob.review@example.com",
                interest,
                "1. Interest",
                "WORKSPACE"
            ),
            // In no group: one row, the group columns empty.
            (
                demo::MEMBER_PUBLISHER,
                "carol.publish@example.com",
                None,
                "",
                ""
            ),
            (
                demo::MEMBER_MANAGER,
                "dan.manager@example.com",
                internal,
                "Internal",
                "WORKSPACE"
            ),
            (
                demo::MEMBER_DEMO,
                demo::EMAIL,
                internal,
                "Internal",
                "WORKSPACE"
            ),
        ]
    );
    let mut w = Writer::new::<MemberGroupRow>(Vec::new(), Format::Csv).unwrap();
    w.write(&got[1]).unwrap();
    w.write(&got[2]).unwrap();
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(
        csv,
        format!(
            "workspaceId,workspaceName,id,userId,emailId,firstName,lastName,organization,roleType,groupId,groupName,groupType,status\r\n\
             701421,Demo API Workspace,{},9620007,bob.review@example.com,Bob,Review,Example Corp,REVIEWER,{},1. Interest,WORKSPACE,ACTIVE\r\n\
             701421,Demo API Workspace,{},9620008,carol.publish@example.com,Carol,Publish,Example Corp,PUBLISHER,,,,ACTIVE\r\n",
            demo::MEMBER_REVIEWER,
            demo::GROUP_INTEREST,
            demo::MEMBER_PUBLISHER
        )
    );
    sim.shutdown().await;
}

const SEE: &str = "SEE";
const SAD: &str = "SEE_AND_DOWNLOAD";
const SDP: &str = "SEE_DOWNLOAD_AND_PRINT";

fn kind(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Folder => "F",
        ItemKind::Document => "D",
        other => panic!("an item kind this test does not know: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_room_access_per_group_and_per_member_exactly() {
    let (sim, il) = start().await;
    let ws = main_ws();

    let got: Vec<AccessRow> = rows(&il, &ws).await;
    let got: Vec<(String, &str, i64, String, String)> = got
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                kind(r.kind),
                r.id,
                r.group_name.clone(),
                r.permission.to_string(),
            )
        })
        .collect();
    let (fin, fy23, q4, fy24, legal, contracts, tapes) = (
        demo::FOLDER_FINANCIALS,
        demo::FOLDER_FY2023,
        demo::FOLDER_FY2023_Q4,
        demo::FOLDER_FY2024,
        demo::FOLDER_LEGAL,
        demo::FOLDER_CONTRACTS,
        demo::FOLDER_DATA_TAPES,
    );
    let i = "1. Interest";
    let n = "Internal";
    let expected: Vec<(&str, &str, i64, &str, &str)> = vec![
        ("Data Tapes", "F", tapes, i, SAD),
        (
            "Data Tapes/Cash flow sample.dat",
            "D",
            demo::DOC_SAMPLE,
            i,
            SAD,
        ),
        ("Data Tapes/Loan tape.dat", "D", demo::DOC_BIG, i, SAD),
        ("Financials", "F", fin, n, SDP),
        ("Financials/FY2023", "F", fy23, i, SEE),
        ("Financials/FY2023", "F", fy23, n, SDP),
        (
            "Financials/FY2023/Annual report 2023.dat",
            "D",
            demo::DOC_ANNUAL_REPORT,
            i,
            SEE,
        ),
        (
            "Financials/FY2023/Annual report 2023.dat",
            "D",
            demo::DOC_ANNUAL_REPORT,
            n,
            SDP,
        ),
        ("Financials/FY2023/Q4", "F", q4, i, SEE),
        ("Financials/FY2023/Q4", "F", q4, n, SDP),
        (
            "Financials/FY2023/Q4/Q4 board pack.txt",
            "D",
            demo::DOC_BOARD_PACK,
            i,
            SEE,
        ),
        (
            "Financials/FY2023/Q4/Q4 board pack.txt",
            "D",
            demo::DOC_BOARD_PACK,
            n,
            SDP,
        ),
        ("Financials/FY2024", "F", fy24, n, SDP),
        ("Financials/Read me.txt", "D", demo::DOC_README, n, SDP),
        ("Legal", "F", legal, n, SDP),
        ("Legal/Contracts", "F", contracts, n, SDP),
        ("Legal/Contracts/Mutual NDA.txt", "D", demo::DOC_NDA, n, SDP),
    ];
    let expected: Vec<(String, &str, i64, String, String)> = expected
        .into_iter()
        .map(|(p, k, id, g, l)| (p.to_string(), k, id, g.to_string(), l.to_string()))
        .collect();
    assert_eq!(got, expected);

    // Per member: Internal's three members on Internal's paths, the reviewer
    // on "1. Interest"'s; Carol (in no group) and "2. Commit" (empty) nowhere.
    let got: Vec<UserAccessRow> = rows(&il, &ws).await;
    let got: Vec<String> = got
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}",
                r.path,
                kind(r.kind),
                r.email_id,
                r.workspace_user_id,
                r.permission,
                r.groups
            )
        })
        .collect();
    let internal = [
        ("alice.hidden@example.com", demo::MEMBER_HIDDEN_MANAGER),
        ("dan.manager@example.com", demo::MEMBER_MANAGER),
        (demo::EMAIL, demo::MEMBER_DEMO),
    ];
    let bob = ("bob.review@example.com", demo::MEMBER_REVIEWER);
    let mut expected = Vec::new();
    let mut add = |path: &str, k: &str, who: &[(&str, i64, &str, &str)]| {
        for (email, id, level, group) in who {
            expected.push(format!("{path}|{k}|{email}|{id}|{level}|{group}"));
        }
    };
    let bob_sees = |level| vec![(bob.0, bob.1, level, i)];
    let internal_sees = || -> Vec<(&str, i64, &str, &str)> {
        internal.iter().map(|(e, id)| (*e, *id, SDP, n)).collect()
    };
    let all_on_fy2023 = || -> Vec<(&str, i64, &str, &str)> {
        let mut v = vec![internal_sees()[0]];
        v.push((bob.0, bob.1, SEE, i));
        v.extend(internal_sees()[1..].iter().copied());
        v
    };
    add("Data Tapes", "F", &bob_sees(SAD));
    add("Data Tapes/Cash flow sample.dat", "D", &bob_sees(SAD));
    add("Data Tapes/Loan tape.dat", "D", &bob_sees(SAD));
    add("Financials", "F", &internal_sees());
    add("Financials/FY2023", "F", &all_on_fy2023());
    add(
        "Financials/FY2023/Annual report 2023.dat",
        "D",
        &all_on_fy2023(),
    );
    add("Financials/FY2023/Q4", "F", &all_on_fy2023());
    add(
        "Financials/FY2023/Q4/Q4 board pack.txt",
        "D",
        &all_on_fy2023(),
    );
    add("Financials/FY2024", "F", &internal_sees());
    add("Financials/Read me.txt", "D", &internal_sees());
    add("Legal", "F", &internal_sees());
    add("Legal/Contracts", "F", &internal_sees());
    add("Legal/Contracts/Mutual NDA.txt", "D", &internal_sees());
    assert_eq!(got, expected);
    assert_eq!(got.len(), 37);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_in_two_groups_gets_the_strongest_level_and_both_when_equal() {
    let (sim, il) = start().await;
    let ws = main_ws();
    rows::<MemberRow>(&il, &ws).await; // enters
    // Bob joins Internal too: on FY2023 he now has Internal's stronger level.
    il.api()
        .add_group_members()
        .workspace_id(ws.id)
        .group_id(demo::GROUP_INTERNAL)
        .body(
            serde_json::from_value::<AddGroupUsersRequest>(serde_json::json!({
                "users": [{"workspaceUserId": demo::MEMBER_REVIEWER}]
            }))
            .unwrap(),
        )
        .send()
        .checked()
        .await
        .unwrap();
    let got: Vec<UserAccessRow> = rows(&il, &ws).await;
    let bob = |path: &str| -> Vec<(String, String)> {
        got.iter()
            .filter(|r| r.path == path && r.workspace_user_id == demo::MEMBER_REVIEWER)
            .map(|r| (r.permission.to_string(), r.groups.clone()))
            .collect()
    };
    assert_eq!(
        bob("Financials/FY2023"),
        vec![(SDP.to_string(), "Internal".to_string())]
    );
    assert_eq!(
        bob("Data Tapes"),
        vec![(SAD.to_string(), "1. Interest".to_string())]
    );
    // "2. Commit" gets SEE_DOWNLOAD_AND_PRINT on Financials; Bob, in it and
    // in Internal, is given both names.
    il.api()
        .add_group_members()
        .workspace_id(ws.id)
        .group_id(demo::GROUP_COMMIT)
        .body(
            serde_json::from_value::<AddGroupUsersRequest>(serde_json::json!({
                "users": [{"workspaceUserId": demo::MEMBER_REVIEWER}]
            }))
            .unwrap(),
        )
        .send()
        .checked()
        .await
        .unwrap();
    il.api()
        .create_permission()
        .workspace_id(ws.id)
        .body(
            serde_json::from_value::<Permission>(serde_json::json!({
                "groupId": demo::GROUP_COMMIT, "folderId": demo::FOLDER_FINANCIALS,
                "permission": "SEE_DOWNLOAD_AND_PRINT"
            }))
            .unwrap(),
        )
        .send()
        .checked()
        .await
        .unwrap();
    let got: Vec<UserAccessRow> = rows(&il, &ws).await;
    let row = got
        .iter()
        .find(|r| r.path == "Financials/FY2023/Q4" && r.workspace_user_id == demo::MEMBER_REVIEWER)
        .unwrap();
    assert_eq!(
        (row.permission.to_string(), row.groups.as_str()),
        (SDP.to_string(), "2. Commit; Internal")
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_with_commas_quotes_and_newlines_round_trips() {
    let (sim, il) = start().await;
    let ws = main_ws();
    rows::<MemberRow>(&il, &ws).await; // enters
    let folder_name = "Q&A, \"round 2\"\nanswers";
    let doc_name = "Buyer \"A\", notes\r\nline two.txt";
    // Metadata only, with a note of several lines.
    let bare_name = "Notes, \"draft\"";
    let created = il
        .api()
        .create_folder()
        .workspace_id(ws.id)
        .body(CreateFoldersRequest {
            folders: vec![FolderInputItem {
                folder: FolderInput {
                    name: folder_name.into(),
                    parent_id: Some(demo::FOLDER_LEGAL),
                    note: None,
                },
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    let folder = created.folder_partial[0].id.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("upload.txt");
    std::fs::write(&file, b"hello, world\n").unwrap();
    let up = il
        .upload(
            intralinks_ext::FolderRef {
                workspace_id: ws.id,
                folder_id: folder,
            },
            &file,
            Some(doc_name),
            None,
        )
        .await
        .unwrap();
    let bare = il
        .api()
        .create_documents()
        .workspace_id(ws.id)
        .body(CreateDocumentsRequest {
            documents: vec![DocumentInputItem {
                document: DocumentInput {
                    name: bare_name.into(),
                    parent_id: folder,
                    note: Some("a note, with \"quotes\"\nand a line".into()),
                },
            }],
        })
        .send()
        .checked()
        .await
        .unwrap()
        .document_partial[0]
        .id
        .unwrap();

    for format in [Format::Csv, Format::Json] {
        let docs: Vec<DocumentRow> = rows(&il, &ws).await;
        let access: Vec<AccessRow> = rows(&il, &ws).await;
        let mut w = Writer::new::<DocumentRow>(Vec::new(), format).unwrap();
        docs.iter().for_each(|r| w.write(r).unwrap());
        let doc_bytes = w.finish().unwrap();
        let mut w = Writer::new::<AccessRow>(Vec::new(), format).unwrap();
        access.iter().for_each(|r| w.write(r).unwrap());
        let access_bytes = w.finish().unwrap();

        let (docs_back, access_back): (Vec<DocumentRow>, Vec<AccessRow>) = match format {
            Format::Csv => {
                let mut r = csv::Reader::from_reader(doc_bytes.as_slice());
                assert_eq!(r.headers().unwrap(), DocumentRow::HEADER);
                let d = r.deserialize().map(|x| x.unwrap()).collect();
                let mut r = csv::Reader::from_reader(access_bytes.as_slice());
                let a = r.deserialize().map(|x| x.unwrap()).collect();
                (d, a)
            }
            Format::Json => (
                serde_json::from_slice(&doc_bytes).unwrap(),
                serde_json::from_slice(&access_bytes).unwrap(),
            ),
            _ => unreachable!("CSV and JSON only here"),
        };
        // Written without field columns: read back without values.
        let plain: Vec<DocumentRow> = docs
            .iter()
            .cloned()
            .map(|mut d| {
                d.custom_fields.clear();
                d
            })
            .collect();
        assert_eq!(docs_back, plain, "{format:?}");
        assert_eq!(access_back, access, "{format:?}");

        let mine = docs.iter().find(|d| d.id == up.document_id).unwrap();
        assert_eq!(mine.folder_path, format!("Legal/{folder_name}"));
        assert_eq!(mine.name, doc_name);
        assert_eq!(mine.file_size, Some(13));
        assert_eq!(
            mine.file_hash_download.as_deref(),
            Some(up.sha1_base64.as_str())
        );
        let other = docs.iter().find(|d| d.id == bare).unwrap();
        assert_eq!(
            (other.name.as_str(), other.note.as_deref(), other.file_size),
            (bare_name, Some("a note, with \"quotes\"\nand a line"), None)
        );
        // Inherited from Legal: Internal sees the new folder and its documents.
        let levels: Vec<(String, String)> = access
            .iter()
            .filter(|r| r.path.contains("round 2"))
            .map(|r| (r.path.clone(), format!("{}:{}", r.group_name, r.permission)))
            .collect();
        assert_eq!(
            levels,
            vec![
                (
                    format!("Legal/{folder_name}"),
                    "Internal:SEE_DOWNLOAD_AND_PRINT".to_string()
                ),
                (
                    format!("Legal/{folder_name}/{doc_name}"),
                    "Internal:SEE_DOWNLOAD_AND_PRINT".to_string()
                ),
                (
                    format!("Legal/{folder_name}/{bare_name}"),
                    "Internal:SEE_DOWNLOAD_AND_PRINT".to_string()
                ),
            ]
        );
        if format == Format::Csv {
            let text = String::from_utf8(doc_bytes).unwrap();
            assert!(
                text.contains(
                    "Legal/Q&A, \"\"round 2\"\"\nanswers\",\"Buyer \"\"A\"\", notes\r\nline two.txt\","
                ),
                "RFC 4180 quoting: {text}"
            );
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn across_every_visible_workspace_reports_those_the_answers_open() {
    let (sim, il) = start().await;
    let all = intralinks_report::visible_workspaces(&il).await.unwrap();
    assert_eq!(
        all.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![
            701_421, 701_422, 701_423, 701_424, 701_425, 701_426, 701_427, 701_428, 701_429
        ]
    );
    let answers = FixedAnswers {
        accept_splash: true,
        answer: Some(Secret::new(demo::ANSWER)),
        ..FixedAnswers::default()
    };
    let outcomes: Vec<_> =
        intralinks_report::across::<DocumentRow>(&il, all.clone(), Some(&answers), 3)
            .collect()
            .await;
    let mut reported = Vec::new();
    let mut skipped = Vec::new();
    for (ws, result) in outcomes {
        match result {
            Ok(rows) => reported.push((
                ws.id,
                rows.iter()
                    .map(|r| format!("{}/{}", r.folder_path, r.name))
                    .collect::<Vec<_>>(),
            )),
            Err(Error::EntryIncomplete { state, .. }) => skipped.push((ws.id, state.to_string())),
            Err(e) => panic!("{}: {e}", ws.id),
        }
    }
    let welcome = || vec!["Documents/Welcome.txt".to_string()];
    assert_eq!(reported[0].1.len(), 6);
    assert_eq!(
        reported[1..].to_vec(),
        vec![
            (701_422, welcome()),
            (701_423, welcome()),
            (701_427, welcome())
        ]
    );
    assert_eq!(reported[0].0, 701_421);
    assert_eq!(
        skipped,
        vec![
            (701_424, "ONE_TIME_PASSWORD".to_string()),
            (701_425, "ONE_TIME_PASSWORD".to_string()),
            (701_426, "CONTENT_DECLARATION_REQUIRED".to_string()),
            (701_428, "ONE_TIME_PASSWORD".to_string()),
            (701_429, "OTP_DELIVERY_OPTION".to_string()),
        ]
    );

    // Without answers nothing is entered: no mail, no attempt spent.
    let fresh = common::login(&sim).await;
    let mails = |sim: &intralinks_sim::Simulator| {
        let url = format!("{}/_sim/mailbox", sim.url());
        async move {
            let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            v.as_array().map_or(0, Vec::len)
        }
    };
    let before = mails(&sim).await;
    let outcomes: Vec<_> = intralinks_report::across::<DocumentRow>(&fresh, all, None, 3)
        .collect()
        .await;
    let needs_entry: Vec<i64> = outcomes
        .iter()
        .filter(|(_, r)| matches!(r, Err(Error::EntryRequired { .. })))
        .map(|(ws, _)| ws.id)
        .collect();
    assert_eq!(
        needs_entry,
        vec![
            701_422, 701_423, 701_424, 701_425, 701_426, 701_427, 701_428, 701_429
        ]
    );
    // The room that demands nothing is reported all the same, never entered.
    let (ws, main) = &outcomes[0];
    assert_eq!(ws.id, 701_421);
    assert_eq!(main.as_ref().map(Vec::len).ok(), Some(6));
    assert_eq!(mails(&sim).await, before);
    let requests: serde_json::Value = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(requests.get("POST /v2/workspaces/701421/splash"), None);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_id_alone_is_enough_for_rows_and_lookup_fills_the_name() {
    let (_sim, il) = start().await;
    // The name from the service, in one request.
    let looked_up = WorkspaceRef::lookup(&il, demo::MAIN_WORKSPACE)
        .await
        .unwrap();
    assert_eq!(looked_up, main_ws());
    // Only the id: the same rows, with the name column empty.
    let named: Vec<DocumentRow> = rows(&il, &looked_up).await;
    let bare: Vec<DocumentRow> = rows(&il, &WorkspaceRef::from(demo::MAIN_WORKSPACE)).await;
    assert_eq!(bare.len(), named.len());
    assert_eq!(named.len(), 6);
    for (b, n) in bare.iter().zip(&named) {
        assert_eq!(b.workspace_name, "");
        assert_eq!(n.workspace_name, "Demo API Workspace");
        assert_eq!(
            (b.id, &b.folder_path, &b.name),
            (n.id, &n.folder_path, &n.name)
        );
    }
}
