//! The library as a service uses it: transfers through memory, sessions kept
//! across restarts, short-lived tokens, the step-at-a-time entry.

use std::time::Duration;

use intralinks_ext::types::EntryState;
use intralinks_ext::{
    Checked, Demand, DocumentRef, EntryStep, Error, FolderRef, Intralinks, Reply, Secret, file_hash,
};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::{keys, login};

/// A simulator and a session in its main workspace.
async fn in_main_workspace() -> (Simulator, Intralinks) {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = login(&sim).await;
    il.enter(
        demo::MAIN_WORKSPACE,
        &mut intralinks_ext::FixedAnswers::default(),
    )
    .await
    .unwrap();
    (sim, il)
}

async fn control(sim: &Simulator, path: &str) -> serde_json::Value {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", sim.url()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    r.json().await.unwrap()
}

#[tokio::test]
async fn upload_from_a_reader_and_download_into_a_writer_are_verified() {
    let (sim, il) = in_main_workspace().await;
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let up = il
        .upload_from(
            FolderRef {
                workspace_id: demo::MAIN_WORKSPACE,
                folder_id: demo::FOLDER_LEGAL,
            },
            "in-memory.bin",
            std::io::Cursor::new(bytes.clone()),
            bytes.len() as u64,
            None,
        )
        .await
        .unwrap();
    assert_eq!(up.bytes, 200_000);
    assert_eq!(up.sha1_base64, file_hash(&bytes));

    let doc = il
        .document(demo::MAIN_WORKSPACE, up.document_id)
        .await
        .unwrap();
    assert_eq!(
        doc.file_hash_download.as_deref(),
        Some(up.sha1_base64.as_str())
    );
    let mut back = Vec::new();
    let written = il
        .download_into(demo::MAIN_WORKSPACE, &doc, &mut back, None)
        .await
        .unwrap();
    assert_eq!(back, bytes);
    assert_eq!(
        (written.bytes, written.sha1_base64),
        (200_000, file_hash(&bytes))
    );

    // A document whose bytes no longer match its hash: the writer is told.
    control(&sim, &format!("/_sim/corrupt/{}", up.document_id)).await;
    let doc = il
        .document(demo::MAIN_WORKSPACE, up.document_id)
        .await
        .unwrap();
    let mut sink = Vec::new();
    let e = il
        .download_into(demo::MAIN_WORKSPACE, &doc, &mut sink, None)
        .await
        .unwrap_err();
    let Error::HashMismatch {
        document_id,
        destination: None,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*document_id, up.document_id);
    assert!(
        e.to_string().contains("discard what the writer received"),
        "{e}"
    );

    // The file download takes named ids, removes what a killed download of
    // the same file left, and lands with the umask's permissions.
    let dir = tempfile::tempdir().unwrap();
    let stray = dir.path().join(".sample.dat.a1B2c3.part");
    std::fs::write(&stray, b"half").unwrap();
    let got = il
        .download(
            DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: demo::DOC_SAMPLE,
            },
            &dir.path().join("sample.dat"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(got.bytes, std::fs::metadata(&got.path).unwrap().len());
    assert!(!stray.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let plain = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let mode = std::fs::metadata(&got.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, plain, "as any tool writes a file");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_small_download_into_memory_is_verified_bounded_and_told() {
    let (sim, il) = in_main_workspace().await;
    let limits = (
        intralinks_ext::TransferLimits::default(),
        std::time::Duration::from_secs(5),
    );
    // 48 KiB, under the 64 KiB bound: its bytes, its hash, and `on_open`
    // told the body's start and length.
    let doc = il
        .document(demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await
        .unwrap();
    let opened = std::sync::Mutex::new(None);
    let (bytes, written) = il
        .download_small(demo::MAIN_WORKSPACE, &doc, limits, |start, len| {
            *opened.lock().unwrap() = Some((start, len));
            None
        })
        .await
        .unwrap();
    assert_eq!(bytes.len(), 48 * 1024);
    assert_eq!(written.bytes, 48 * 1024);
    assert_eq!(
        Some(written.sha1_base64.as_str()),
        doc.file_hash_download.as_deref()
    );
    assert_eq!(file_hash(&bytes), written.sha1_base64);
    assert_eq!(*opened.lock().unwrap(), Some((0, 48 * 1024)));

    // Over the bound: refused before anything is asked for.
    let big = il
        .document(demo::MAIN_WORKSPACE, demo::DOC_ANNUAL_REPORT)
        .await
        .unwrap();
    let e = il
        .download_small(demo::MAIN_WORKSPACE, &big, limits, |_, _| {
            panic!("no body may be opened")
        })
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "more than the {} of a download into memory; download it to a file",
            intralinks_ext::transfer::SMALL_DOWNLOAD
        )),
        "{e}"
    );

    // Bytes that are not the document's: a hash mismatch.
    control(&sim, &format!("/_sim/corrupt/{}", demo::DOC_SAMPLE)).await;
    let doc = il
        .document(demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await
        .unwrap();
    let e = il
        .download_small(demo::MAIN_WORKSPACE, &doc, limits, |_, _| None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::HashMismatch { document_id, destination: None, .. } if document_id == demo::DOC_SAMPLE),
        "{e:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_session_goes_on_from_stored_tokens_and_hands_out_each_new_pair() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let first = login(&sim).await;
    let stored = first.session().unwrap().tokens().await;
    assert!(stored.refresh_token.is_some());
    drop(first);

    // Later, in another process: every access token has expired.
    assert_eq!(control(&sim, "/_sim/expire-tokens").await["expired"], 1);
    let il = Intralinks::builder(sim.url())
        .session(keys(), stored.clone())
        .unwrap();
    let session = il.session().unwrap().clone();
    let mut pairs = session.subscribe();
    let list = il.api().list_workspaces().send().checked().await.unwrap();
    assert_eq!(list.workspace.len(), 9);
    assert_eq!(session.refresh_count(), 1);
    assert!(pairs.has_changed().unwrap());
    let new = pairs.borrow_and_update().clone();
    assert_ne!(new.refresh_token, stored.refresh_token);
    assert_eq!(new, session.tokens().await);

    // The old refresh token was single-use: a client still holding it is refused.
    control(&sim, "/_sim/expire-tokens").await;
    let stale = Intralinks::builder(sim.url())
        .session(keys(), stored)
        .unwrap();
    let e = stale
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_token_shorter_than_the_refresh_lead_is_not_refreshed_on_every_call() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: Duration::from_secs(5),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let il = login(&sim).await;
    for _ in 0..13 {
        il.api().list_workspaces().send().checked().await.unwrap();
    }
    assert_eq!(il.session().unwrap().refresh_count(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn entry_one_step_at_a_time_from_a_spawned_task() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = login(&sim).await;
    // Send: the whole entry runs in a spawned task.
    let task = tokio::spawn({
        let il = il.clone();
        async move { il.start_entry(demo::SPLASH_QUESTION_WORKSPACE).await }
    });
    let EntryStep::Needs(progress) = task.await.unwrap().unwrap() else {
        panic!("entered without the splash")
    };
    let Demand::AcceptSplash {
        splash: Some(splash),
    } = progress.demand()
    else {
        panic!("{progress:?}")
    };
    assert_eq!(
        splash.splash_text.as_deref(),
        Some("<p>Confidential: authorised users only.</p>")
    );
    // A reply that does not answer the demand is refused before anything is sent.
    let e = il
        .resume_entry(
            progress.as_ref(),
            Reply::OneTimePassword(Secret::new("123456")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workspace 701423 entry asks for ACCEPT_SPLASH, not a one-time password; reply to what it asks"
    );
    // The progress survives serialisation, as a service keeps it.
    let kept = serde_json::to_string(progress.as_ref()).unwrap();
    let progress = serde_json::from_str(&kept).unwrap();
    let EntryStep::Needs(progress) = il
        .resume_entry(&progress, Reply::AcceptSplash)
        .await
        .unwrap()
    else {
        panic!("no question asked")
    };
    assert_eq!(
        progress.demand(),
        &Demand::SecurityQuestion {
            key: "NAME_OF_CHILDHOOD_SLED".into()
        }
    );
    let EntryStep::Entered(entered) = il
        .resume_entry(&progress, Reply::Answer(Secret::new(demo::ANSWER)))
        .await
        .unwrap()
    else {
        panic!("not entered")
    };
    assert_eq!(
        entered.states,
        [
            EntryState::AcceptSplash,
            EntryState::SecurityQuestion,
            EntryState::Allow
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_a_refused_login_not_a_refused_token() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let e = Intralinks::builder(sim.url())
        .login(
            keys(),
            intralinks_ext::Grant::Password {
                email: demo::EMAIL.into(),
                password: Secret::new("not-the-password"),
                end_other_sessions: false,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::LoginRefused { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("the service refused the login ("),
        "{text}"
    );
    assert!(
        text.ends_with("check the e-mail and password, and the app's client id and secret"),
        "{text}"
    );
    assert!(!text.contains("not-the-password") && !format!("{e:?}").contains("not-the-password"));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_restored_session_logs_in_again_when_its_refresh_token_is_refused_given_a_password() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: Duration::from_secs(1),
        refresh_token_lifetime: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let stored = login(&sim).await.session().unwrap().tokens().await;
    // Both tokens of the stored pair expire.
    tokio::time::sleep(Duration::from_millis(2200)).await;

    // Restored without a grant: the refused refresh token ends the session.
    let plain = Intralinks::builder(sim.url())
        .session(keys(), stored.clone())
        .unwrap();
    let e = plain
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");

    // Restored with the password grant: it logs in again, once, and the
    // call goes through with new tokens.
    let again = Intralinks::builder(sim.url())
        .session_with_login(keys(), stored.clone(), common::password())
        .unwrap();
    let workspaces = again
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap()
        .workspace;
    assert!(workspaces.iter().any(|w| w.id == demo::MAIN_WORKSPACE));
    let session = again.session().unwrap();
    assert_eq!(session.refresh_count(), 1);
    assert_ne!(session.tokens().await.refresh_token, stored.refresh_token);

    // A grant that works once is refused up front, with what to do.
    let e = Intralinks::builder(sim.url())
        .session_with_login(
            keys(),
            stored,
            intralinks_ext::Grant::RefreshToken(Secret::new("used")),
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(m) if m.starts_with("only a password grant can log in again")),
        "{e:?}"
    );
}
