//! Logging in as people do: asked on a terminal (secrets not echoed), one
//! session per host side by side, the last host the default, and `auth
//! status` to see who is logged in where.

use std::path::Path;
use std::process::Command;

use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::{err, out};

/// The binary with only a session file (and a base URL when given): no credentials.
fn bare(url: Option<&str>, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    if let Some(url) = url {
        c.env("INTRALINKS_BASE_URL", url);
    }
    c
}

async fn output(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_are_kept_per_host_and_the_last_is_the_default() {
    let a = Simulator::start(SimConfig::default()).await.unwrap();
    let b = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();

    for sim in [&a, &b] {
        let o = common::run(&sim.url(), &["login"], cwd).await;
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).starts_with(&format!("logged in to {} as {}", sim.url(), demo::EMAIL)));
    }
    let o = output(bare(None, &["--json", "auth", "status"], cwd)).await;
    assert!(o.status.success(), "{}", err(&o));
    let status = common::json(&o);
    let hosts: Vec<(&str, bool, &str)> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["host"].as_str().unwrap(),
                r["default"].as_bool().unwrap(),
                r["email"].as_str().unwrap(),
            )
        })
        .collect();
    let mut want = [(a.url(), false, demo::EMAIL), (b.url(), true, demo::EMAIL)];
    want.sort();
    let want: Vec<(&str, bool, &str)> = want.iter().map(|(h, d, e)| (h.as_str(), *d, *e)).collect();
    assert_eq!(hosts, want);
    for r in status.as_array().unwrap() {
        let left = r["accessTokenSecondsLeft"].as_u64().unwrap();
        assert!((3500..=3599).contains(&left), "{left}");
        assert_eq!(r["canRefresh"], true);
    }
    let o = output(bare(None, &["auth", "status"], cwd)).await;
    let text = out(&o);
    assert!(
        text.contains(&format!(
            "{} (default)\n  logged in as {}\n  access token valid for 59 min; renewed when needed",
            b.url(),
            demo::EMAIL
        )),
        "{text}"
    );

    // No base URL: the default host. A URL written with /v2/ finds its session.
    let o = output(bare(None, &["--json", "workspaces"], cwd)).await;
    assert!(o.status.success(), "{}", err(&o));
    let v2 = format!("{}/v2/", a.url());
    let o = output(bare(Some(&v2), &["--json", "workspaces"], cwd)).await;
    assert!(o.status.success(), "{}", err(&o));
    let count = |sim: &Simulator| {
        let url = format!("{}/_sim/requests", sim.url());
        async move {
            let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            v["GET /v2/workspaces"].as_u64().unwrap_or(0)
        }
    };
    assert_eq!((count(&a).await, count(&b).await), (1, 1));

    // Logging out of one host keeps the other.
    let o = output(bare(Some(&a.url()), &["logout"], cwd)).await;
    assert!(o.status.success(), "{}", err(&o));
    let o = output(bare(None, &["--json", "auth", "status"], cwd)).await;
    let status = common::json(&o);
    assert_eq!(status.as_array().unwrap().len(), 1);
    assert_eq!(status[0]["host"], b.url());
    let o = output(bare(Some(&a.url()), &["workspaces"], cwd)).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with(&format!("error: not logged in to {}", a.url())),
        "{}",
        err(&o)
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn login_asks_on_a_terminal_and_never_echoes_secrets() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url();
    let cwd = dir.path().to_path_buf();
    let shown = tokio::task::spawn_blocking(move || {
        let mut pty = common::Pty::spawn(bare(Some(&url), &["login"], &cwd));
        pty.expect("App client id: ");
        pty.type_line(demo::CLIENT_ID);
        pty.expect("App client secret: ");
        pty.wait_for_no_echo();
        pty.type_line(demo::CLIENT_SECRET);
        pty.expect("E-mail: ");
        pty.type_line(demo::EMAIL);
        pty.expect("Password: ");
        pty.wait_for_no_echo();
        pty.type_line(demo::PASSWORD);
        pty.expect("logged in to");
        pty.finish()
    })
    .await
    .unwrap();
    let (code, shown) = shown;
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains(&format!("logging in to {}", sim.url())),
        "{shown}"
    );
    assert!(shown.contains(demo::EMAIL), "{shown}");
    assert!(
        !shown.contains(demo::PASSWORD),
        "the password was echoed: {shown}"
    );
    assert!(
        !shown.contains(demo::CLIENT_SECRET),
        "the secret was echoed: {shown}"
    );

    // Without a terminal, the same command says what it needs.
    let o = output(bare(Some(&sim.url()), &["login"], dir.path())).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("or a terminal to ask for them on"),
        "{}",
        err(&o)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_base_url_of_the_wrong_shape_is_said_so_not_not_logged_in() {
    let dir = tempfile::tempdir().unwrap();
    let o = output(bare(
        Some("test-api.intralinks.com"),
        &["workspaces"],
        dir.path(),
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: the base URL \"test-api.intralinks.com\" is not a URL (relative URL without a base); use the host root, e.g. https://test-api.intralinks.com\n"
    );
    let o = output(bare(
        Some("http://example.com/v2"),
        &["workspaces"],
        dir.path(),
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("error: refusing to send credentials to http://example.com"),
        "{}",
        err(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_commands_at_once_with_a_due_token_cost_one_refresh_and_all_succeed() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let o = common::run(&sim.url(), &["login"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    // The saved access token is due now.
    let file = cwd.join("session.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for s in saved["sessions"].as_object_mut().unwrap().values_mut() {
        s["tokens"]["expiresAt"] = serde_json::json!(1);
    }
    std::fs::write(&file, serde_json::to_vec(&saved).unwrap()).unwrap();
    let tokens = || async {
        let v: serde_json::Value = reqwest::get(format!("{}/_sim/requests", sim.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["POST /v2/oauth/token"].as_u64().unwrap_or(0)
    };
    let before = tokens().await;
    let url = sim.url();
    let runs = (0..4).map(|_| common::run_saved(&url, &["--json", "workspaces"], cwd));
    let outputs = futures_util::future::join_all(runs).await;
    for o in &outputs {
        assert!(o.status.success(), "{}", err(o));
    }
    assert_eq!(tokens().await - before, 1, "one refresh for four commands");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_base_url_holding_a_password_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["login"][..], &["auth", "status"][..], &["workspaces"][..]] {
        let o = common::run("http://user:PASSWORD-9z@127.0.0.1:9", args, dir.path()).await;
        assert_ne!(o.status.code(), Some(0), "{args:?}");
        let text = format!("{}{}", out(&o), err(&o));
        assert!(!text.contains("PASSWORD-9z"), "{args:?}: {text}");
        assert!(text.contains("user name or password"), "{args:?}: {text}");
    }
    assert!(!dir.path().join("session.json").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn login_ends_other_sessions_only_when_asked() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // A session of the same person elsewhere (another program, the web).
    let elsewhere = reqwest::Client::new()
        .post(format!("{}/v2/oauth/token", sim.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
            ("email", demo::EMAIL),
            ("password", demo::PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let still = |token: String| {
        let url = format!("{}/v2/workspaces", sim.url());
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let o = common::run(&sim.url(), &["login"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(still(elsewhere.clone()).await, 200);
    let o = common::run(&sim.url(), &["login", "--end-other-sessions"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).starts_with(&format!("logged in to {} as {}", sim.url(), demo::EMAIL)),
        "{}",
        out(&o)
    );
    assert_eq!(still(elsewhere).await, 401);
    // The session just saved is the one that goes on.
    let o = output(bare(None, &["--json", "workspaces"], cwd)).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(common::json(&o).as_array().unwrap().len(), 9);
    sim.shutdown().await;
}
