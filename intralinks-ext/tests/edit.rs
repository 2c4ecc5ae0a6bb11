//! Renaming, moving, re-noting and deleting documents and folders, a new
//! folder, and custom field values — through the simulator, exact values.

use crate::common;

use intralinks_ext::edit::{Edit, documents_at, folders_at};
use intralinks_ext::fields::{self, FieldDefinition};
use intralinks_ext::listing::document_folder;
use intralinks_ext::{Error, FixedAnswers};
use intralinks_sim::demo;

const WS: i64 = demo::MAIN_WORKSPACE;

#[tokio::test]
async fn a_document_is_renamed_moved_and_deleted_at_the_version_read() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let nda = il.document(WS, demo::DOC_NDA).await.unwrap();
    assert_eq!(nda.name.as_deref(), Some("Mutual NDA.txt"));

    let renamed = il
        .update_document(WS, &nda, &Edit::rename("NDA (signed).txt"))
        .await
        .unwrap();
    assert_eq!(renamed.id, Some(demo::DOC_NDA));
    assert_eq!(renamed.name.as_deref(), Some("NDA (signed).txt"));
    assert_eq!(renamed.parent_id, Some(demo::FOLDER_CONTRACTS));
    assert_ne!(renamed.version, nda.version);

    // The NDA as first read is stale now: nothing changes.
    let e = il
        .update_document(WS, &nda, &Edit::move_to(demo::FOLDER_LEGAL))
        .await
        .unwrap_err();
    let Error::ChangedMeanwhile {
        what, id, version, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((*what, *id), ("document", demo::DOC_NDA));
    assert_eq!(Some(version.as_str()), nda.version.as_deref());
    assert_eq!(
        e.to_string(),
        format!(
            "document {} changed meanwhile (it is no longer at the version that was read, {}); nothing was changed: look at it again, then retry",
            demo::DOC_NDA,
            version
        )
    );
    assert_eq!((e.status(), e.subcode()), (Some(400), Some("3-3")));
    let e = il.delete_document(WS, &nda).await.unwrap_err();
    assert!(matches!(e, Error::ChangedMeanwhile { .. }), "{e:?}");

    // Read again, it moves; its path says so.
    let fresh = il.document(WS, demo::DOC_NDA).await.unwrap();
    let moved = il
        .update_document(WS, &fresh, &Edit::move_to(demo::FOLDER_LEGAL))
        .await
        .unwrap();
    assert_eq!(moved.parent_id, Some(demo::FOLDER_LEGAL));
    let (folders, docs) = (
        il.folders(WS).await.unwrap(),
        il.documents(WS, None).await.unwrap(),
    );
    let found = documents_at(&folders, &docs, "Legal/NDA (signed).txt");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, demo::DOC_NDA);
    assert_eq!(document_folder(found[0]), Some(demo::FOLDER_LEGAL));
    assert!(documents_at(&folders, &docs, "Legal/Contracts/Mutual NDA.txt").is_empty());

    // A note, then the document goes.
    let noted = il
        .update_document(WS, found[0], &Edit::note("countersigned 2024-05-02"))
        .await
        .unwrap();
    let now = il.document(WS, demo::DOC_NDA).await.unwrap();
    assert_eq!(now.note.as_deref(), Some("countersigned 2024-05-02"));
    assert_eq!(now.version, noted.version);
    il.delete_document(WS, &now).await.unwrap();
    let e = il.document(WS, demo::DOC_NDA).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let left: Vec<i64> = il
        .documents(WS, None)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(left.len(), 5);
    assert!(!left.contains(&demo::DOC_NDA));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_folder_is_created_renamed_moved_noted_and_deleted() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let made = il
        .create_folder(
            WS,
            "Tax",
            Some(demo::FOLDER_FINANCIALS),
            Some("VAT returns"),
        )
        .await
        .unwrap();
    let id = made.id.unwrap();
    assert_eq!(made.name.as_deref(), Some("Tax"));
    assert_eq!(made.parent_id, Some(demo::FOLDER_FINANCIALS));
    assert_eq!(made.has_note, Some(true));

    let folders = il.folders(WS).await.unwrap();
    let tax = folders_at(&folders, "Financials/Tax")[0].clone();
    assert_eq!(tax.id, id);
    let renamed = il
        .update_folder(WS, &tax, &Edit::rename("Tax 2024"))
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Tax 2024"));
    // Stale: the folder as first listed.
    let e = il
        .update_folder(WS, &tax, &Edit::move_to(demo::FOLDER_LEGAL))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::ChangedMeanwhile { what: "folder", id: i, .. } if i == id),
        "{e:?}"
    );
    let e = il.delete_folder(WS, &tax, false).await.unwrap_err();
    assert!(matches!(e, Error::ChangedMeanwhile { .. }), "{e:?}");

    let folders = il.folders(WS).await.unwrap();
    let tax = folders_at(&folders, "Financials/Tax 2024")[0].clone();
    il.update_folder(WS, &tax, &Edit::move_to(demo::FOLDER_LEGAL))
        .await
        .unwrap();
    let folders = il.folders(WS).await.unwrap();
    assert!(folders_at(&folders, "Financials/Tax 2024").is_empty());
    let tax = folders_at(&folders, "Legal/Tax 2024")[0].clone();
    let e = il
        .update_folder(WS, &tax, &Edit::move_to(tax.id))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    il.update_folder(WS, &tax, &Edit::note("")).await.unwrap();
    let got = il
        .api()
        .get_folder()
        .workspace_id(WS)
        .folder_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.folder[0].note, None);
    il.delete_folder(WS, &got.folder[0], false).await.unwrap();
    assert!(folders_at(&il.folders(WS).await.unwrap(), "Legal/Tax 2024").is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_edits_are_refused_before_any_request() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let readme = il.document(WS, demo::DOC_README).await.unwrap();
    for (edit, says) in [
        (Edit::default(), "nothing to change on document 5368709121"),
        (Edit::rename(" "), "a name cannot be empty"),
        (Edit::rename("a/b"), "a name cannot hold '/'"),
    ] {
        let e = il.update_document(WS, &readme, &edit).await.unwrap_err();
        match e {
            Error::InvalidInput(m) => assert!(m.starts_with(says), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let mut unversioned = readme.clone();
    unversioned.version = None;
    let e = il.delete_document(WS, &unversioned).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "document 5368709121 was read without its version, which an update or delete must name; read it again (list or get it), then retry"
    );
    let e = il.create_folder(WS, "", None, None).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
    sim.shutdown().await;
}

#[tokio::test]
async fn custom_field_values_are_read_with_their_names() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let definitions = il.field_definitions(WS).await.unwrap();
    let summary: Vec<(i64, Option<&str>, Option<&str>)> = definitions
        .iter()
        .map(|d: &FieldDefinition| (d.id, d.name.as_deref(), d.kind.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (880_001, Some("Deal Code"), Some("TEXT")),
            (880_002, Some("Closing Date"), Some("DATE")),
            (880_003, Some("Stage"), Some("SELECT")),
        ]
    );
    let names = fields::names(&definitions);
    let nda = il.document(WS, demo::DOC_NDA).await.unwrap();
    let shown: Vec<(String, String)> = fields::values(nda.custom_fields.as_ref())
        .iter()
        .map(|(id, v)| (names[id].clone(), fields::text(v)))
        .collect();
    assert_eq!(
        shown,
        [
            ("Deal Code".to_string(), "ABP-7".to_string()),
            ("Stage".to_string(), "Closing".to_string())
        ]
    );
    let on_nda = il.document_fields(WS, demo::DOC_NDA).await.unwrap();
    assert_eq!(on_nda.len(), 2);
    assert_eq!(on_nda[0].name.as_deref(), Some("Deal Code"));
    assert_eq!(on_nda[0].value, Some(serde_json::json!("ABP-7")));
    let on_legal = il.folder_fields(WS, demo::FOLDER_LEGAL).await.unwrap();
    assert_eq!(on_legal[0].value, Some(serde_json::json!("Closing")));
    let on_group = il.group_fields(WS, demo::GROUP_INTEREST).await.unwrap();
    assert_eq!(on_group[0].value, Some(serde_json::json!("ABP-7")));
    let room = il.workspace_fields(WS).await.unwrap();
    assert_eq!(
        room.iter()
            .map(|f| fields::text(f.value.as_ref().unwrap()))
            .collect::<Vec<_>>(),
        ["ABP-7", "2024-06-30", "Due Diligence"]
    );
    sim.shutdown().await;
}
