//! The change feed through the embedded simulator: what another session
//! does to a room shows once, by id and path, and a cursor kept as JSON
//! goes on where it stopped.

use crate::common;

use intralinks_ext::changes::{ChangeCursor, ChangeKind, Changed};
use intralinks_ext::edit::Edit;
use intralinks_ext::{DocumentRef, FolderRef};
use intralinks_sim::demo;

#[tokio::test]
async fn another_sessions_posting_shows_once_by_id_and_path() {
    let (sim, watcher) = common::start().await;
    let poster = common::login(&sim).await;
    let ws = demo::MAIN_WORKSPACE;

    let start = watcher.change_point(ws).await.unwrap();
    let listed = watcher.documents(ws, None).await.unwrap().len();
    assert_eq!(start.len(), listed);
    assert!(listed > 0);
    assert!(watcher.changes(&start).await.unwrap().changes.is_empty());

    // Another session posts a document with its content.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Bid letter.txt");
    std::fs::write(&file, "offer: 100\n").unwrap();
    let folder = FolderRef {
        workspace_id: ws,
        folder_id: demo::FOLDER_CONTRACTS,
    };
    let up = poster.upload(folder, &file, None, None).await.unwrap();

    // Kept and read back, as a service does across a restart.
    let kept = start.to_json().unwrap();
    let feed = watcher
        .changes(&ChangeCursor::from_json(&kept).unwrap())
        .await
        .unwrap();
    assert_eq!(feed.changes.len(), 1, "{:?}", feed.changes);
    let new = &feed.changes[0];
    assert_eq!(new.kind, ChangeKind::New);
    assert_eq!(new.document_id, up.document_id);
    assert_eq!(new.name, "Bid letter.txt");
    assert_eq!(new.folder_id, Some(demo::FOLDER_CONTRACTS));
    assert_eq!(new.path, "Legal/Contracts/Bid letter.txt");
    assert_eq!(new.version, Some(1));
    assert!(new.what.is_empty());
    assert_eq!(feed.cursor.len(), listed + 1);
    // From the new point, nothing again.
    assert!(
        watcher
            .changes(&feed.cursor)
            .await
            .unwrap()
            .changes
            .is_empty()
    );

    // A new version, then a rename and a move: each is a change of that document.
    std::fs::write(&file, "offer: 120\n").unwrap();
    let doc = DocumentRef {
        workspace_id: ws,
        document_id: up.document_id,
    };
    poster
        .put_new_version(doc, &file, None, None)
        .await
        .unwrap();
    let next = watcher.changes(&feed.cursor).await.unwrap();
    let got: Vec<_> = next
        .changes
        .iter()
        .map(|c| (c.kind, c.document_id, c.version, c.what.clone()))
        .collect();
    assert_eq!(
        got,
        [(
            ChangeKind::Changed,
            up.document_id,
            Some(2),
            vec![Changed::Version]
        )]
    );
    let current = poster.document(ws, up.document_id).await.unwrap();
    let mut edit = Edit::rename("Bid letter (final).txt");
    edit.parent = Some(demo::FOLDER_LEGAL);
    poster.update_document(ws, &current, &edit).await.unwrap();
    let moved = watcher.changes(&next.cursor).await.unwrap();
    assert_eq!(moved.changes.len(), 1);
    assert_eq!(moved.changes[0].path, "Legal/Bid letter (final).txt");
    assert_eq!(moved.changes[0].what, [Changed::Name, Changed::Folder]);

    // Deleted: removed, told with its last path.
    let current = poster.document(ws, up.document_id).await.unwrap();
    poster.delete_document(ws, &current).await.unwrap();
    let gone = watcher.changes(&moved.cursor).await.unwrap();
    assert_eq!(gone.changes.len(), 1);
    assert_eq!(gone.changes[0].kind, ChangeKind::Removed);
    assert_eq!(gone.changes[0].path, "Legal/Bid letter (final).txt");
    assert_eq!(gone.cursor.len(), listed);
    sim.shutdown().await;
}

#[tokio::test]
async fn from_the_empty_point_every_document_is_new() {
    let (sim, il) = common::start().await;
    let feed = il
        .changes(&ChangeCursor::empty(demo::MAIN_WORKSPACE))
        .await
        .unwrap();
    let listed = il.documents(demo::MAIN_WORKSPACE, None).await.unwrap();
    assert_eq!(feed.changes.len(), listed.len());
    assert!(feed.changes.iter().all(|c| c.kind == ChangeKind::New));
    let nda = feed
        .changes
        .iter()
        .find(|c| c.document_id == demo::DOC_NDA)
        .unwrap();
    assert_eq!(nda.path, "Legal/Contracts/Mutual NDA.txt");
    assert_eq!(nda.folder_id, Some(demo::FOLDER_CONTRACTS));
    sim.shutdown().await;
}
