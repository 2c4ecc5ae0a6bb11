//! The `intralinks-sim` binary: first stdout line is the URL, flags work,
//! `--help` documents them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_intralinks-sim");

#[tokio::test]
async fn prints_the_url_first_and_serves() {
    let mut child = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--latency-ms",
            "1",
            "--token-lifetime",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().expect("a first line").expect("utf-8");
    let login = lines.next().expect("a second line").expect("utf-8");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url[17..].parse::<u16>().is_ok(), "{url}");
    assert!(
        login.contains("demo-client") && login.contains("demo@example.com"),
        "{login}"
    );

    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/_sim/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let faults: serde_json::Value = http
        .get(format!("{url}/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["latencyMs"], 1);
    let token: serde_json::Value = http
        .post(format!("{url}/v2/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
            ("email", "demo@example.com"),
            ("password", "demo-password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["expires_in"], 60);
    child.kill().expect("stop the binary");
    let _ = child.wait();
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr",
        "--token-lifetime",
        "--refresh-token-lifetime",
        "--latency-ms",
        "--error-rate",
        "--retry-after-secs",
        "--drop-mid-body-rate",
        "--truncate-rate",
        "--rate-limit",
        "--burst",
        "--max-concurrent",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn a_rate_limit_without_a_rate_is_refused_with_its_form() {
    let out = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--rate-limit", "fast"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"fast\" is not a rate from 0.001/s to 1000000/s, as in --rate-limit 50/s"),
        "{err}"
    );
    let out = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "50/s",
            "--burst",
            "0",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("burst must be at least 1 when perSecond is set"),
        "{err}"
    );
}

#[test]
fn a_rate_out_of_range_is_refused() {
    let out = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--error-rate", "1.5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("errorRate"));
    assert!(out.stdout.is_empty());
}
