//! `intralinks report --format xlsx` end to end against intralinks-sim, read
//! back with a spreadsheet reader: typed cells (numbers, dates, text), titles
//! for people, the header row frozen, a formula-looking name kept as text,
//! and a workbook refused on a terminal but written to a pipe.

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use intralinks_ext::types::{CreateFoldersRequest, FolderInput, FolderInputItem};
use intralinks_ext::{Checked, FixedAnswers};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::*;

fn s(text: &str) -> Data {
    Data::String(text.into())
}

fn n(value: f64) -> Data {
    Data::Float(value)
}

/// The sheets of a workbook, with every cell's value and every cell's formula.
fn read(path: &Path) -> (Vec<String>, Vec<Vec<Data>>, Vec<String>) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    let cells = book.worksheet_range(&names[0]).unwrap();
    assert_eq!(cells.start(), Some((0, 0)), "the sheet starts at A1");
    let rows = cells.rows().map(|r| r.to_vec()).collect();
    let formulas = book
        .worksheet_formula(&names[0])
        .unwrap()
        .used_cells()
        .map(|(_, _, f)| f.clone())
        .filter(|f| !f.is_empty())
        .collect();
    (names, rows, formulas)
}

/// `xl/worksheets/sheet1.xml` of the workbook at `path`.
fn sheet_xml(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn datetime(d: &Data) -> chrono::NaiveDateTime {
    match d {
        Data::DateTime(dt) => dt.as_datetime().unwrap(),
        other => panic!("not a date cell: {other:?}"),
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, sec: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, sec)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_xlsx_has_typed_cells_titles_and_a_frozen_header() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("documents.xlsx");
    let o = run(
        &sim.url(),
        &[
            "report",
            "documents",
            "701421",
            "--format",
            "xlsx",
            "-o",
            file.to_str().unwrap(),
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "");
    assert_eq!(err(&o), "reported 1 workspace(s), 6 row(s)\n");

    let (sheets, rows, formulas) = read(&file);
    assert_eq!(sheets, ["Documents"]);
    assert_eq!(rows.len(), 7, "the header and six documents");
    assert_eq!(
        rows[0],
        [
            "Workspace ID",
            "Workspace",
            "Folder path",
            "Name",
            "Document ID",
            "Size (bytes)",
            "Created (UTC)",
            "Last modified (UTC)",
            "Version",
            "SHA-1 (base64)",
            "Note",
            "Index",
            "Extension",
            "Created by (first name)",
            "Created by (last name)",
            // One column per custom field, after the fixed ones.
            "Closing Date",
            "Deal Code",
            "Stage"
        ]
        .map(s)
    );
    let first = &rows[1];
    assert_eq!(
        first[..6],
        [
            n(701421.0),
            s("Demo API Workspace"),
            s("Data Tapes"),
            s("Cash flow sample.dat"),
            n(5368709126.0),
            n(49152.0),
        ]
    );
    assert!(
        matches!(&first[6], Data::DateTime(d) if d.is_datetime()),
        "{:?}",
        first[6]
    );
    assert_eq!(datetime(&first[6]), at(2013, 3, 31, 12, 27, 56));
    assert_eq!(datetime(&first[7]), at(2013, 4, 1, 12, 27, 56));
    assert_eq!(
        first[8..11],
        [n(1.0), s("Zj6Zd9solDEeYhJ9Nn92omcb/d0="), Data::Empty]
    );
    // The NDA's field values are text cells; the others are empty.
    assert_eq!(
        first[11..15],
        [s("3.1"), s("dat"), s("John"), s("Doe")],
        "the index number is text, not a number"
    );
    assert_eq!(rows[6][15..], [Data::Empty, s("ABP-7"), s("Closing")]);
    assert_eq!(rows[5][15..], [s("2024-03-31"), Data::Empty, Data::Empty]);
    // The 1 GiB document's size and every name, in path order.
    assert_eq!(rows[2][5], n(1073746391.0));
    let names: Vec<&Data> = rows[1..].iter().map(|r| &r[3]).collect();
    assert_eq!(
        names,
        [
            "Cash flow sample.dat",
            "Loan tape.dat",
            "Read me.txt",
            "Annual report 2023.dat",
            "Q4 board pack.txt",
            "Mutual NDA.txt"
        ]
        .map(s)
        .iter()
        .collect::<Vec<_>>()
    );
    assert!(formulas.is_empty(), "{formulas:?}");

    let xml = sheet_xml(&file);
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "the first row is frozen: {xml}"
    );
    assert!(
        xml.contains(r#"<c r="A1" s="1" t="s">"#),
        "the header has its own (bold) style: {xml}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn access_by_member_xlsx_names_people_and_keeps_a_formula_looking_name_as_text() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = library(&sim).await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let hostile = "=cmd|' /C calc'!A0";
    // Controls XML cannot hold as they are, and a run that looks like the
    // workbook's own escape for them.
    let controls = "\u{1b}[31mred\u{7} _x0041_ tab\there";
    for name in [hostile, controls] {
        il.api()
            .create_folder()
            .workspace_id(demo::MAIN_WORKSPACE)
            .body(CreateFoldersRequest {
                folders: vec![FolderInputItem {
                    folder: FolderInput {
                        name: name.into(),
                        parent_id: Some(demo::FOLDER_FINANCIALS),
                        note: None,
                    },
                }],
            })
            .send()
            .checked()
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    // No --format: the .xlsx name says it.
    let file = dir.path().join("access.XLSX");
    let o = run(
        &sim.url(),
        &[
            "report",
            "access",
            "--by-user",
            "701421",
            "-o",
            file.to_str().unwrap(),
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o), "reported 1 workspace(s), 43 row(s)\n");

    let (sheets, rows, formulas) = read(&file);
    assert_eq!(sheets, ["Access by member"]);
    assert_eq!(rows.len(), 44);
    assert_eq!(
        rows[0],
        [
            "Workspace ID",
            "Workspace",
            "Path",
            "Type",
            "ID",
            "Member ID",
            "E-mail",
            "First name",
            "Last name",
            "Permission",
            "Through groups"
        ]
        .map(s)
    );
    assert_eq!(
        rows[1],
        [
            n(701421.0),
            s("Demo API Workspace"),
            s("Data Tapes"),
            s("FOLDER"),
            n(4714065400.0),
            n(4395175834.0),
            s("bob.review@example.com"),
            s("Bob"),
            s("Review"),
            s("SEE_AND_DOWNLOAD"),
            s("1. Interest"),
        ]
    );
    let path = format!("Financials/{hostile}");
    let who: Vec<(Data, Data, Data, Data)> = rows
        .iter()
        .filter(|r| r[2] == s(&path))
        .map(|r| (r[2].clone(), r[6].clone(), r[7].clone(), r[8].clone()))
        .collect();
    assert_eq!(
        who,
        [
            ("alice.hidden@example.com", "Alice", "Hidden"),
            ("dan.manager@example.com", "Dan", "Manager"),
            ("demo@example.com", "Demo", "User"),
        ]
        .map(|(e, f, l)| (s(&path), s(e), s(f), s(l)))
    );
    let exact = format!("Financials/{controls}");
    assert_eq!(
        rows.iter().filter(|r| r[2] == s(&exact)).count(),
        3,
        "the name with controls reads back as it was"
    );
    assert!(formulas.is_empty(), "no cell is a formula: {formulas:?}");
    assert!(!sheet_xml(&file).contains("<f>"), "no formula element");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn xlsx_goes_to_a_pipe_and_is_refused_on_a_terminal() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &sim.url(),
        &["report", "members", "701421", "--format", "xlsx"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(&o.stdout[..4], b"PK\x03\x04", "a zip archive on the pipe");
    let piped = dir.path().join("piped.xlsx");
    std::fs::write(&piped, &o.stdout).unwrap();
    let (sheets, rows, _) = read(&piped);
    assert_eq!(sheets, ["Members"]);
    assert_eq!(rows[0][4], s("E-mail"));
    assert_eq!(rows[0][8], s("Role"));

    #[cfg(unix)]
    {
        let mut pty = Pty::spawn(command(
            &sim.url(),
            &["report", "members", "701421", "--format", "xlsx"],
            dir.path(),
        ));
        pty.expect("garble the terminal");
        let (code, shown) = pty.finish();
        assert_eq!(code, Some(1), "{shown}");
        assert!(
            shown.contains(
                "error: an xlsx workbook is binary and would garble the terminal; write it to a file with -o FILE.xlsx, or pipe it"
            ),
            "{shown}"
        );
        assert!(!shown.contains("PK"), "{shown}");
    }
    sim.shutdown().await;
}
