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
        login: Some(Grant::Password {
            email: demo::EMAIL.into(),
            password: Secret::new(demo::PASSWORD),
            end_other_sessions: false,
        }),
        redirect_uri: None,
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

/// The `Location` of a redirect answer (never followed: every hop is read).
fn location(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), 302, "a redirect");
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_logs_the_service_in_on_the_service_page() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The service listens first: its callback is the redirect URI it names.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        base_url: sim.url(),
        keys: AppKeys {
            client_id: demo::CLIENT_ID.into(),
            client_secret: Secret::new(demo::CLIENT_SECRET),
        },
        login: None,
        redirect_uri: Some(format!("{url}/login/callback")),
        token_file: dir.path().join("tokens.json"),
    };
    let service = Service::start(&config).await.unwrap();
    let app = service.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    // A browser that follows nothing: the test reads every hop.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let readme = format!(
        "{url}/workspaces/{}/documents/{}",
        demo::MAIN_WORKSPACE,
        demo::DOC_README
    );

    // Not logged in yet.
    let r = browser.get(&readme).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"error": "the service is not logged in to Intralinks: open /login"})
    );
    assert!(read_tokens(&config.token_file).unwrap().is_none());

    // 1. /login: off to the authorize page, a cookie naming the login.
    let r = browser.get(format!("{url}/login")).send().await.unwrap();
    let to = location(&r);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("login=") && cookie.ends_with("; Path=/login; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let authorize = intralinks_ext::url::Url::parse(&to).unwrap();
    assert_eq!(
        authorize.as_str().split_once('?').unwrap().0,
        format!("{}/v2/oauth/authorize", sim.url())
    );
    let fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "state",
            "scope",
            "endOtherSessions",
            "redirect_uri"
        ]
    );
    assert_eq!(fields[4].1, format!("{url}/login/callback"));

    // 2. The person logs in on the service's page (posted as the browser would).
    let r = browser.get(&to).send().await.unwrap();
    let status = r.status();
    assert_eq!(status, 200, "{to}: {}", r.text().await.unwrap());
    let mut form = fields.clone();
    form.push(("email".into(), demo::EMAIL.into()));
    form.push(("password".into(), demo::PASSWORD.into()));
    let r = browser
        .post(format!("{}/v2/oauth/authorize", sim.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back = location(&r);
    assert!(
        back.starts_with(&format!("{url}/login/callback?code=")),
        "{back}"
    );

    // 3. Back at the service, with the cookie: the code is exchanged.
    let r = browser
        .get(&back)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, json!({"loggedIn": demo::EMAIL}));
    let stored = read_tokens(&config.token_file).unwrap().unwrap();
    assert_eq!(stored.email.as_deref(), Some(demo::EMAIL));

    // The service works for everyone now: a room that demands nothing, no entry.
    let r = browser.get(&readme).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().len(), 52);
    let seen = requests(&sim).await;
    assert_eq!(count(&seen, "POST /v2/oauth/token"), 1);
    assert_eq!(
        count(
            &seen,
            &format!("POST /v2/workspaces/{}/splash", demo::MAIN_WORKSPACE)
        ),
        0
    );

    // The same callback again: that login is over.
    let r = browser
        .get(&back)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // Someone else's redirect in a browser that began its own login: refused
    // by the state, before any request.
    let r = browser.get(format!("{url}/login")).send().await.unwrap();
    let fresh = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let fresh = fresh.split(';').next().unwrap().to_string();
    let r = browser
        .get(&back)
        .header("cookie", &fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"],
        "the web login's redirect carries another state than the login it claims to finish: it may be forged or belong to an earlier login; nothing was sent: start the login again"
    );
    assert_eq!(count(&requests(&sim).await, "POST /v2/oauth/token"), 1);
    service.stop().await.unwrap();
    server.abort();
    sim.shutdown().await;
}
