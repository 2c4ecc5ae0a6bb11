//! intralinks-ext end to end against intralinks-sim: the flow of seed 001,
//! every entry path with lockout, every error variant with its message,
//! verified transfers, token refresh, V1 entry and the splash image.

use std::sync::Arc;
use std::time::Duration;

use intralinks_ext::types::{ContentDeclaration, Splash};
use intralinks_ext::{
    Checked, Error, FixedAnswers, Intralinks, Progress, Prompter, RetryPolicy, Secret, file_hash,
};
use intralinks_sim::{Simulator, demo};

fn names(states: &[intralinks_ext::types::EntryState]) -> Vec<String> {
    states.iter().map(ToString::to_string).collect()
}

use crate::common;
use common::{keys, password, start};

async fn faults(sim: &Simulator, body: serde_json::Value) {
    let r = reqwest::Client::new()
        .put(format!("{}/_sim/faults", sim.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// Reads the newest one-time password from the simulator's mailbox.
fn latest_otp(url: &str) -> Secret {
    let url = format!("{url}/_sim/mailbox");
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async move {
            let mail: Vec<serde_json::Value> =
                reqwest::get(url).await.unwrap().json().await.unwrap();
            let last = mail.last().expect("a one-time password was mailed");
            assert_eq!(last["email"], demo::EMAIL);
            Secret::new(last["oneTimePassword"].as_str().unwrap())
        })
    })
}

/// Answers like a person: accepts the splash, knows the answer, reads the mail.
struct Person {
    url: String,
    answers: Vec<&'static str>,
    asked: Vec<String>,
}

impl Prompter for Person {
    fn accept_splash(&mut self, splash: Option<&Splash>) -> Option<bool> {
        self.asked.push(format!(
            "splash:{}",
            splash.and_then(|s| s.splash_text.clone()).is_some()
        ));
        Some(true)
    }
    fn security_answer(&mut self, key: &str, failed: Option<i32>) -> Option<Secret> {
        self.asked.push(format!("question:{key}:{failed:?}"));
        if self.answers.is_empty() {
            None
        } else {
            Some(Secret::new(self.answers.remove(0)))
        }
    }
    fn one_time_password(&mut self, failed: Option<i32>) -> Option<Secret> {
        self.asked.push(format!("otp:{failed:?}"));
        Some(latest_otp(&self.url))
    }
    fn content_declaration(&mut self) -> Option<ContentDeclaration> {
        self.asked.push("content".into());
        Some(ContentDeclaration::Public)
    }
}

fn person(sim: &Simulator, answers: Vec<&'static str>) -> Person {
    Person {
        url: sim.url(),
        answers,
        asked: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_001_flow_token_workspaces_enter_folders_contents_download() {
    let (sim, il) = start().await;
    assert_eq!(
        il.session().unwrap().email().await.as_deref(),
        Some(demo::EMAIL)
    );
    let workspaces = il
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap()
        .workspace;
    let main = workspaces
        .iter()
        .find(|w| w.id == demo::MAIN_WORKSPACE)
        .expect("listed");
    assert_eq!(main.name.as_deref(), Some("Demo API Workspace"));
    assert_eq!(main.security_level, Some(1));

    let entered = il
        .enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(names(&entered.states), vec!["ALLOW"]);

    let folders = il
        .api()
        .list_folders()
        .workspace_id(demo::MAIN_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap()
        .folder;
    let fy23 = folders
        .iter()
        .find(|f| f.id == demo::FOLDER_FY2023)
        .unwrap();
    assert_eq!(fy23.parent_id, Some(demo::FOLDER_FINANCIALS));
    assert!(
        folders
            .iter()
            .find(|f| f.id == demo::FOLDER_FINANCIALS)
            .unwrap()
            .parent_id
            .is_none()
    );
    assert!(fy23.created_on.unwrap().to_datetime().is_some());

    let contents = il
        .api()
        .get_folder_contents()
        .workspace_id(demo::MAIN_WORKSPACE)
        .folder_id(demo::FOLDER_FY2023)
        .send()
        .checked()
        .await
        .unwrap()
        .contents;
    let doc = contents
        .iter()
        .find(|c| c.id == demo::DOC_ANNUAL_REPORT)
        .unwrap();
    assert_eq!(doc.entity_type.to_string(), "DOCUMENT");
    assert!(
        contents
            .iter()
            .any(|c| c.id == demo::FOLDER_FY2023_Q4 && c.entity_type.to_string() == "FOLDER")
    );

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("annual.dat");
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let s = seen.clone();
    let done = il
        .download(
            intralinks_ext::DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: demo::DOC_ANNUAL_REPORT,
            },
            &dest,
            Some(Arc::new(move |p| s.lock().unwrap().push(p))),
        )
        .await
        .unwrap();
    assert_eq!(done.bytes, demo::ANNUAL_REPORT_SIZE);
    let bytes = std::fs::read(&dest).unwrap();
    let mut expected = vec![0u8; demo::ANNUAL_REPORT_SIZE as usize];
    intralinks_sim::content::fill(demo::ANNUAL_REPORT_SEED, 0, &mut expected);
    assert!(
        bytes == expected,
        "downloaded bytes differ from the generator"
    );
    assert_eq!(done.sha1_base64, file_hash(&bytes));
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(
        (last.done, last.total),
        (demo::ANNUAL_REPORT_SIZE, Some(demo::ANNUAL_REPORT_SIZE))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_entry_path() {
    let (sim, il) = start().await;

    // Splash only; without --accept-splash nothing is accepted.
    let e = il
        .enter(demo::SPLASH_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workspace 701422 entry stopped at ACCEPT_SPLASH: the splash screen must be read and accepted"
    );
    let mut p = person(&sim, vec![]);
    let entered = il.enter(demo::SPLASH_WORKSPACE, &mut p).await.unwrap();
    assert_eq!(names(&entered.states), vec!["ACCEPT_SPLASH", "ALLOW"]);
    assert_eq!(p.asked, vec!["splash:true"]);

    // Splash + question.
    let mut p = person(&sim, vec![demo::ANSWER]);
    let entered = il
        .enter(demo::SPLASH_QUESTION_WORKSPACE, &mut p)
        .await
        .unwrap();
    assert_eq!(
        names(&entered.states),
        vec!["ACCEPT_SPLASH", "SECURITY_QUESTION", "ALLOW"]
    );
    assert_eq!(
        p.asked,
        vec![
            "splash:true".to_string(),
            // The first ask: nothing was refused yet.
            format!("question:{}:None", demo::SECURITY_QUESTION_KEY)
        ]
    );

    // Splash + question + one-time password: four POSTs.
    let mut p = person(&sim, vec![demo::ANSWER]);
    let entered = il
        .enter(demo::SPLASH_QUESTION_OTP_WORKSPACE, &mut p)
        .await
        .unwrap();
    assert_eq!(
        names(&entered.states),
        vec![
            "ACCEPT_SPLASH",
            "SECURITY_QUESTION",
            "ONE_TIME_PASSWORD",
            "ALLOW"
        ]
    );

    // One-time password only.
    let mut p = person(&sim, vec![]);
    let entered = il.enter(demo::OTP_WORKSPACE, &mut p).await.unwrap();
    assert_eq!(names(&entered.states), vec!["ONE_TIME_PASSWORD", "ALLOW"]);
    assert_eq!(p.asked, vec!["otp:None"]);

    // Content declaration.
    let mut p = person(&sim, vec![]);
    let entered = il
        .enter(demo::CONTENT_DECLARATION_WORKSPACE, &mut p)
        .await
        .unwrap();
    assert_eq!(
        names(&entered.states),
        vec!["CONTENT_DECLARATION_REQUIRED", "ALLOW"]
    );

    // Entered workspaces answer.
    for ws in [
        demo::SPLASH_WORKSPACE,
        demo::SPLASH_QUESTION_OTP_WORKSPACE,
        demo::OTP_WORKSPACE,
    ] {
        il.api()
            .list_folders()
            .workspace_id(ws)
            .send()
            .checked()
            .await
            .unwrap();
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_that_demands_nothing_needs_no_entry_and_levels_3_and_4_are_entered() {
    let (sim, il) = start().await;
    // 701421 (level 1, no splash, no declaration): content at once, no entry call.
    let folders = il.folders(demo::MAIN_WORKSPACE).await.unwrap();
    assert_eq!(folders.len(), 7);
    let posts = |sim: &Simulator, ws: i64| {
        let url = format!("{}/_sim/requests", sim.url());
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move {
                let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
                v[format!("POST /v2/workspaces/{ws}/splash")]
                    .as_u64()
                    .unwrap_or(0)
            })
        })
    };
    assert_eq!(posts(&sim, demo::MAIN_WORKSPACE), 0);
    // `in_workspace` enters only on a 303: none here.
    let answers = FixedAnswers::default();
    let docs = il
        .in_workspace(demo::MAIN_WORKSPACE, &answers, || {
            il.documents(demo::MAIN_WORKSPACE, None)
        })
        .await
        .unwrap();
    assert_eq!(docs.len(), 6);
    assert_eq!(posts(&sim, demo::MAIN_WORKSPACE), 0);

    // Level 3, a risk-assessed question: asked, answered, in.
    let e = il
        .enter(demo::RISK_QUESTION_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workspace 701427 entry stopped at SECURITY_QUESTION: the security question \"Name of childhood sled?\" must be answered"
    );
    let mut p = person(&sim, vec![demo::ANSWER]);
    let entered = il
        .enter(demo::RISK_QUESTION_WORKSPACE, &mut p)
        .await
        .unwrap();
    assert_eq!(names(&entered.states), vec!["SECURITY_QUESTION", "ALLOW"]);
    assert_eq!(entered.attempts, Some(0));
    assert_eq!(
        p.asked,
        vec![format!("question:{}:None", demo::SECURITY_QUESTION_KEY)]
    );
    assert_eq!(posts(&sim, demo::RISK_QUESTION_WORKSPACE), 3);

    // Level 4, a risk-assessed one-time password: mailed, given, in.
    let mut p = person(&sim, vec![]);
    let entered = il.enter(demo::RISK_OTP_WORKSPACE, &mut p).await.unwrap();
    assert_eq!(names(&entered.states), vec!["ONE_TIME_PASSWORD", "ALLOW"]);
    assert_eq!(p.asked, vec!["otp:None"]);
    for ws in [demo::RISK_QUESTION_WORKSPACE, demo::RISK_OTP_WORKSPACE] {
        let docs = il.documents(ws, None).await.unwrap();
        assert_eq!(docs[0].name.as_deref(), Some("Welcome.txt"), "{ws}");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn otp_delivery_option_is_decoded_and_named() {
    let (sim, il) = start().await;
    let message = "workspace 701429 entry stopped at OTP_DELIVERY_OPTION: the user must choose how the one-time password reaches them, and no source shows how the API takes that choice, so this client cannot make it: choose it in the Intralinks web interface, then retry";
    // One step at a time, V2 and V1, and through a prompter: the same error,
    // after one entry request, with nothing asked of anyone.
    for v1 in [false, true] {
        let e = if v1 {
            il.start_entry_v1(demo::OTP_DELIVERY_WORKSPACE).await
        } else {
            il.start_entry(demo::OTP_DELIVERY_WORKSPACE).await
        }
        .unwrap_err();
        match &e {
            Error::EntryIncomplete {
                workspace_id,
                state,
                security_question_key,
                attempts,
            } => {
                assert_eq!(*workspace_id, demo::OTP_DELIVERY_WORKSPACE);
                assert_eq!(*state, intralinks_ext::types::EntryState::OtpDeliveryOption);
                assert_eq!(*security_question_key, None);
                assert_eq!(*attempts, None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.to_string(), message);
        assert!(!e.is_transient());
    }
    let mut p = person(&sim, vec![demo::ANSWER]);
    let e = il
        .enter(demo::OTP_DELIVERY_WORKSPACE, &mut p)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), message);
    assert!(p.asked.is_empty(), "{:?}", p.asked);
    // The state decodes on its own too.
    assert_eq!(
        "OTP_DELIVERY_OPTION"
            .parse::<intralinks_ext::types::EntryState>()
            .ok(),
        Some(intralinks_ext::types::EntryState::OtpDeliveryOption)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_answers_lock_out_and_the_right_one_no_longer_helps() {
    let (sim, il) = start().await;
    // A wrong answer is never resent on its own: fixed answers stop after one try.
    let mut once = FixedAnswers {
        accept_splash: true,
        answer: Some(Secret::new("wrong")),
        ..Default::default()
    };
    let e = il
        .enter(demo::SPLASH_QUESTION_WORKSPACE, &mut once)
        .await
        .unwrap_err();
    // Refused, said so, and nothing more sent.
    let Error::EntryRejected {
        state, attempts, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(
        (state.to_string(), *attempts),
        ("SECURITY_QUESTION".to_string(), Some(1))
    );
    assert_eq!(
        e.to_string(),
        "workspace 701423: the service did not accept the answer to the security question (1 wrong so far; 2 more wrong attempts lock this user out of the room); nothing more was sent: check it, then run again"
    );

    let mut p = person(&sim, vec!["wrong-2", "wrong-3"]);
    let e = il
        .enter(demo::SPLASH_QUESTION_WORKSPACE, &mut p)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Blocked {
                workspace_id: 701423,
                attempts: Some(3)
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "workspace 701423 has locked this user out (state BLOCK, 3 failed attempts): only the Intralinks web interface can unlock it"
    );
    let mut right = person(&sim, vec![demo::ANSWER]);
    let e = il
        .enter(demo::SPLASH_QUESTION_WORKSPACE, &mut right)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Blocked { .. }), "{e:?}");

    // Three wrong one-time passwords block too.
    struct WrongOtp;
    impl Prompter for WrongOtp {
        fn accept_splash(&mut self, _: Option<&Splash>) -> Option<bool> {
            None
        }
        fn security_answer(&mut self, _: &str, _: Option<i32>) -> Option<Secret> {
            None
        }
        fn one_time_password(&mut self, _: Option<i32>) -> Option<Secret> {
            Some(Secret::new("000000"))
        }
        fn content_declaration(&mut self) -> Option<ContentDeclaration> {
            None
        }
    }
    let e = il
        .enter(demo::OTP_WORKSPACE, &mut WrongOtp)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Blocked {
                workspace_id: 701425,
                ..
            }
        ),
        "{e:?}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_error_variant_with_its_message() {
    let (sim, il) = start().await;

    let e = il
        .api()
        .list_folders()
        .workspace_id(demo::SPLASH_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workspace 701422 must be entered first (accept its splash, answer what it asks), then retry"
    );

    let e = il
        .api()
        .get_workspace()
        .workspace_id(demo::FOREIGN_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::NotFound { ref message, .. } if message == "Cannot find entity in repository; the request was GET /v2/workspaces/701499"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("not found (Cannot find entity in repository; the request was GET /v2/workspaces/701499, errorId "),
        "{e}"
    );

    // Optimistic concurrency: a stale version is refused.
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let e = il
        .api()
        .delete_folder()
        .workspace_id(demo::MAIN_WORKSPACE)
        .folder_id(demo::FOLDER_FY2024)
        .version("0000000000000000000000000000000000000000")
        .send()
        .checked()
        .await
        .unwrap_err();
    let Error::Service {
        status, subcode, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((*status, subcode.as_deref()), (400, Some("3-3")));
    assert!(
        e.to_string()
            .starts_with("the service answered 400 (code 400, subCode 3-3): "),
        "{e}"
    );

    let bad = Intralinks::builder(sim.url())
        .token(Secret::new("not-a-token"))
        .unwrap();
    let e = bad
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    assert!(!e.to_string().contains("not-a-token") && !format!("{e:?}").contains("not-a-token"));

    let html = Intralinks::builder(format!("{}/nowhere", sim.url()))
        .token(Secret::new("x"))
        .unwrap();
    let e = html
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    let Error::UnexpectedBody {
        status,
        content_type,
        excerpt,
        decode_error: None,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*status, Some(404));
    let content_type = content_type.as_deref().unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(excerpt.starts_with("<html>"), "{excerpt}");

    let closed = Intralinks::builder("http://127.0.0.1:9")
        .retry(RetryPolicy::none())
        .token(Secret::new("x"))
        .unwrap();
    let e = closed
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // The URL (without its query) and the cause, not just "error sending request".
    let text = e.to_string();
    assert!(
        text.starts_with("could not talk to the service: "),
        "{text}"
    );
    assert!(text.contains("http://127.0.0.1:9/v2/workspaces"), "{text}");
    assert!(!text.contains('?'), "{text}");
    assert!(text.contains("Connection refused"), "{text}");

    faults(&sim, serde_json::json!({"latencyMs": 1500})).await;
    let slow = Intralinks::builder(sim.url())
        .read_timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .login(keys(), password())
        .await;
    // The login itself is slow too: a timeout either way.
    let e = match slow {
        Err(e) => e,
        Ok(il) => il
            .api()
            .list_workspaces()
            .send()
            .checked()
            .await
            .unwrap_err(),
    };
    assert!(
        matches!(e, Error::Timeout { after: Some(d) } if d == Duration::from_millis(200)),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "the service did not answer in time (waited 200 ms); retry, or raise the timeout"
    );

    // Gateway 503 with Retry-After: retried, then reported as a transient service error.
    faults(
        &sim,
        serde_json::json!({"errorRate": 1.0, "retryAfterSecs": 0}),
    )
    .await;
    let quick = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    let il2 = Intralinks::builder(sim.url())
        .retry(quick)
        .token(il.session().unwrap().access_token().await)
        .unwrap();
    let e = il2
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Service { status: 503, .. }), "{e:?}");
    assert!(e.is_transient());
    faults(&sim, serde_json::json!({})).await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_then_download_round_trip_with_hash_checks() {
    let (sim, il) = start().await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("model.xlsx");
    let data: Vec<u8> = (0..700_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&source, &data).unwrap();

    let up = il
        .upload(
            intralinks_ext::FolderRef {
                workspace_id: demo::MAIN_WORKSPACE,
                folder_id: demo::FOLDER_FY2024,
            },
            &source,
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(up.bytes, data.len() as u64);
    assert_eq!(up.sha1_base64, file_hash(&data));
    let doc = il
        .document(demo::MAIN_WORKSPACE, up.document_id)
        .await
        .unwrap();
    assert_eq!(doc.name.as_deref(), Some("model.xlsx"));
    assert_eq!(doc.parent_id, Some(demo::FOLDER_FY2024));
    assert_eq!(
        doc.file_hash_download.as_deref(),
        Some(file_hash(&data).as_str())
    );
    assert_eq!(doc.version, up.version);

    let back = dir.path().join("back/model.xlsx");
    let done = il
        .download(
            intralinks_ext::DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: up.document_id,
            },
            &back,
            None,
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), data);
    assert_eq!(done.sha1_base64, up.sha1_base64);
    sim.shutdown().await;
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mismatched_hash_or_a_dropped_connection_leaves_nothing() {
    let (sim, il) = start().await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let r = reqwest::Client::new()
        .post(format!("{}/_sim/corrupt/{}", sim.url(), demo::DOC_SAMPLE))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let dest = dir.path().join("sample.dat");
    let e = il
        .download(
            intralinks_ext::DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: demo::DOC_SAMPLE,
            },
            &dest,
            None,
        )
        .await
        .unwrap_err();
    let Error::HashMismatch {
        document_id,
        destination,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*document_id, demo::DOC_SAMPLE);
    assert_eq!(destination.as_deref(), Some(dest.as_path()));
    assert!(e.to_string().contains("nothing was written to"));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );

    faults(&sim, serde_json::json!({"dropMidBodyRate": 1.0})).await;
    let dest = dir.path().join("annual.dat");
    let e = il
        .download(
            intralinks_ext::DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: demo::DOC_ANNUAL_REPORT,
            },
            &dest,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(_) | Error::UnexpectedBody { .. }),
        "{e:?}"
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    faults(&sim, serde_json::json!({})).await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refreshed_once_for_many_calls_and_logout_revokes() {
    let (sim, il) = start().await;
    let before = il.session().unwrap().access_token().await;
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/expire-tokens", sim.url()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let calls = (0..8).map(|_| {
        let il = il.clone();
        tokio::spawn(async move {
            il.api()
                .list_workspaces()
                .send()
                .checked()
                .await
                .map(|l| l.workspace.len())
        })
    });
    for c in calls {
        assert!(c.await.unwrap().unwrap() >= 6);
    }
    assert_eq!(il.session().unwrap().refresh_count(), 1);
    assert_ne!(il.session().unwrap().access_token().await, before);

    il.logout().await.unwrap();
    let e = il
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_entry_splash_image_and_exit() {
    let (sim, il) = start().await;
    let splash = il.splash_v1(demo::SPLASH_WORKSPACE).await.unwrap();
    assert_eq!(splash.has_image, Some(intralinks_ext::TfBool(true)));
    assert!(splash.splash_text.as_deref().is_some_and(|t| !t.is_empty()));

    let mut p = person(&sim, vec![demo::ANSWER]);
    let entered = il
        .enter_v1(demo::SPLASH_QUESTION_WORKSPACE, &mut p)
        .await
        .unwrap();
    assert_eq!(
        names(&entered.states),
        vec!["ACCEPT_SPLASH", "SECURITY_QUESTION", "ALLOW"]
    );
    il.api()
        .list_folders()
        .workspace_id(demo::SPLASH_QUESTION_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap();
    il.exit_v1(demo::SPLASH_QUESTION_WORKSPACE).await.unwrap();
    let e = il
        .api()
        .list_folders()
        .workspace_id(demo::SPLASH_QUESTION_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::EntryRequired {
                workspace_id: Some(701423)
            }
        ),
        "{e:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = il
        .save_splash_image(demo::SPLASH_WORKSPACE, &dir.path().join("splash"))
        .await
        .unwrap();
    assert_eq!(path.file_name().unwrap(), "splash.gif");
    assert!(std::fs::read(&path).unwrap().starts_with(b"GIF89a"));

    let v2 = il
        .api()
        .get_splash()
        .workspace_id(demo::SPLASH_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap();
    assert_eq!(v2.splash.unwrap().has_image, Some(true));
    sim.shutdown().await;
}
