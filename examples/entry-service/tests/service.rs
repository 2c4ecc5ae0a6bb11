//! Drives the example service against the simulator: entry across three
//! HTTP requests with no replayed step, a document fetched, and the session
//! restored from the token file across two restarts of the service's client.

use std::time::Duration;

use intralinks_entry_service::{Config, Service, read_tokens};
use intralinks_ext::{AppKeys, Grant, Secret};
use intralinks_sim::{SimConfig, Simulator, demo};
use serde_json::{Value, json};

const WS: i64 = demo::SPLASH_QUESTION_OTP_WORKSPACE;
/// The "Welcome.txt" document of that workspace.
const DOC: i64 = 5_368_800_003;

async fn serve(service: &std::sync::Arc<Service>) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = service.router();
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, handle)
}

async fn requests(sim: &Simulator) -> Value {
    reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn count(requests: &Value, key: &str) -> u64 {
    requests[key].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn entry_across_three_requests_and_a_session_that_survives_two_restarts() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        base_url: sim.url(),
        keys: AppKeys {
            client_id: demo::CLIENT_ID.into(),
            client_secret: Secret::new(demo::CLIENT_SECRET),
        },
        login: Grant::Password {
            email: demo::EMAIL.into(),
            password: Secret::new(demo::PASSWORD),
            end_other_sessions: false,
        },
        token_file: dir.path().join("tokens.json"),
    };
    let http = reqwest::Client::new();

    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;
    let entry_posts = format!("POST /v2/workspaces/{WS}/splash");
    let splash_gets = format!("GET /v2/workspaces/{WS}/splash");

    // 1. The user opens the workspace: the service shows the splash.
    let r: Value = http
        .post(format!("{url}/workspaces/{WS}/entry"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["state"], "needs");
    assert_eq!(r["demand"]["demand"], "acceptSplash");
    assert_eq!(
        r["demand"]["splash"]["splashText"],
        "<p>Strictly confidential. Access is logged.</p>"
    );
    let seen = requests(&sim).await;
    assert_eq!(
        (count(&seen, &entry_posts), count(&seen, &splash_gets)),
        (1, 1)
    );

    // 2. The user accepts and answers the question in one request; a
    //    one-time password is mailed.
    let r: Value = http
        .post(format!("{url}/workspaces/{WS}/entry/reply"))
        .json(&json!({"acceptSplash": true, "answer": demo::ANSWER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"state": "needs", "demand": {"demand": "oneTimePassword"}, "attempts": 0})
    );
    let seen = requests(&sim).await;
    assert_eq!(count(&seen, &entry_posts), 3);

    // 3. Later, the password arrives and the user types it in.
    let mail: Vec<Value> = reqwest::get(format!("{}/_sim/mailbox", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let otp = mail.last().unwrap()["oneTimePassword"]
        .as_str()
        .unwrap()
        .to_string();
    let r: Value = http
        .post(format!("{url}/workspaces/{WS}/entry/reply"))
        .json(&json!({"oneTimePassword": otp}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"state": "entered", "states": ["ACCEPT_SPLASH", "SECURITY_QUESTION", "ONE_TIME_PASSWORD", "ALLOW"]})
    );
    // Four entry requests in all, one per step — nothing replayed — and the
    // splash read once.
    let seen = requests(&sim).await;
    assert_eq!(
        (count(&seen, &entry_posts), count(&seen, &splash_gets)),
        (4, 1)
    );

    let body = http
        .get(format!("{url}/workspaces/{WS}/documents/{DOC}"))
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
    assert_eq!(
        body.text().await.unwrap(),
        "Welcome to Splash, Question and Password.\n"
    );
    service.stop().await.unwrap();
    server.abort();
    let first = read_tokens(&config.token_file).unwrap().unwrap();

    // Two restarts, each after the access token expired: the client goes on
    // from the token file with the newest (single-use) refresh token.
    let mut previous = first;
    for restart in 1..=2 {
        tokio::time::sleep(Duration::from_millis(2200)).await;
        let service = Service::start(&config).await.unwrap();
        let (url, server) = serve(&service).await;
        let body = http
            .get(format!("{url}/workspaces/{WS}/documents/{DOC}"))
            .send()
            .await
            .unwrap();
        assert_eq!(body.status(), 200, "restart {restart}");
        assert_eq!(
            body.text().await.unwrap(),
            "Welcome to Splash, Question and Password.\n"
        );
        service.stop().await.unwrap();
        server.abort();
        let now = read_tokens(&config.token_file).unwrap().unwrap();
        assert_ne!(
            now.refresh_token, previous.refresh_token,
            "restart {restart}"
        );
        assert_ne!(now.access_token, previous.access_token, "restart {restart}");
        previous = now;
    }
    // One login and one refresh per restart; the entry was never repeated.
    let seen = requests(&sim).await;
    assert_eq!(count(&seen, "POST /v2/oauth/token"), 3);
    assert_eq!(count(&seen, &entry_posts), 4);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config.token_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    sim.shutdown().await;
}
