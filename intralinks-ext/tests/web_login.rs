//! Logging in for a web service, against the simulator: the authorize URL,
//! the form posted as a browser would (nothing followed off loopback), the
//! code exchanged once, a spent code and a wrong `state` refused.

use intralinks_ext::{Checked, Error, Intralinks, LoginRedirect, Secret, WebLogin};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::keys;

/// A client that follows no redirect: the test reads each `Location`.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Requests answered so far by `METHOD /path`.
async fn count(sim: &Simulator, key: &str) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v[key].as_u64().unwrap_or(0)
}

/// Opens `url` as a browser, logs in on the form as the demo user, and
/// answers the redirect's `Location` (not followed).
async fn log_in_through_the_form(url: &url::Url) -> String {
    let http = browser();
    let page = http.get(url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("<h1>Sign in to Intralinks</h1>"), "{page}");
    // The form carries the URL's parameters as hidden fields; post them with
    // the person's e-mail and password.
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    for (name, value) in &form {
        assert!(
            page.contains(&format!("name=\"{name}\" value=\"{value}\"")),
            "{name} is carried: {page}"
        );
    }
    form.push(("email".into(), demo::EMAIL.into()));
    form.push(("password".into(), demo::PASSWORD.into()));
    let action = url.join("/v2/oauth/authorize").unwrap();
    let r = http.post(action).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 302);
    r.headers()["location"].to_str().unwrap().to_string()
}

fn query_of(location: &str) -> &str {
    location.split_once('?').unwrap().1
}

#[tokio::test]
async fn authorize_code_token_round_trip_without_a_browser() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let login = WebLogin::new(&sim.url(), demo::CLIENT_ID).unwrap();
    let state = login.state().expose().to_string();
    assert_eq!(
        login.url().as_str(),
        format!(
            "{}/v2/oauth/authorize?client_id=demo-client&state={state}&scope=ilservices&endOtherSessions=false",
            sim.url()
        )
    );
    // Kept between the two requests of the service, as JSON.
    let kept = serde_json::to_string(&login).unwrap();
    let login: WebLogin = serde_json::from_str(&kept).unwrap();

    let location = log_in_through_the_form(&login.url()).await;
    // Back at the app's registered redirect URI (loopback; not followed).
    let (at, query) = location.split_once('?').unwrap();
    assert_eq!(at, demo::REDIRECT_URI);
    let redirect = LoginRedirect::from_query(query).unwrap();
    assert_eq!(redirect.state().map(Secret::expose), Some(state.as_str()));
    assert_eq!(redirect.code().expose().len(), 32);

    let il = Intralinks::builder(sim.url())
        .login_web(keys(), &login, &redirect)
        .await
        .unwrap();
    let session = il.session().unwrap();
    assert_eq!(session.email().await.as_deref(), Some(demo::EMAIL));
    assert!(session.tokens().await.refresh_token.is_some());
    let list = il.api().list_workspaces().send().checked().await.unwrap();
    assert_eq!(list.workspace.len(), 9);
    assert_eq!(count(&sim, "POST /v2/oauth/token").await, 1);

    // The same redirect again (a reload, a replay): the code is spent.
    let e = Intralinks::builder(sim.url())
        .login_web(keys(), &login, &redirect)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::CodeRefused { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the service refused the authorization code (invalid client or user credentials): a code works once, for a short time, and only for the app and redirect URI it was issued to: start the login again"
    );
    assert!(!e.to_string().contains(redirect.code().expose()));
    // So it is when sent as a plain grant (no state checked then).
    let e = Intralinks::builder(sim.url())
        .login(
            keys(),
            intralinks_ext::Grant::AuthorizationCode {
                code: redirect.code().clone(),
                redirect_uri: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::CodeRefused { .. }), "{e:?}");
    assert_eq!(count(&sim, "POST /v2/oauth/token").await, 3);
    // The first session is unharmed.
    il.api().list_workspaces().send().checked().await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_state_is_refused_before_any_request() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mine = WebLogin::new(&sim.url(), demo::CLIENT_ID).unwrap();
    // Someone else's login, whose redirect is slipped into this browser.
    let theirs = WebLogin::new(&sim.url(), demo::CLIENT_ID).unwrap();
    let location = log_in_through_the_form(&theirs.url()).await;
    let forged = LoginRedirect::from_query(query_of(&location)).unwrap();
    let no_state = LoginRedirect::new(forged.code().clone(), None);
    for redirect in [&forged, &no_state] {
        let e = Intralinks::builder(sim.url())
            .login_web(keys(), &mine, redirect)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::LoginStateMismatch), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the web login's redirect carries another state than the login it claims to finish: it may be forged or belong to an earlier login; nothing was sent: start the login again"
        );
    }
    assert_eq!(count(&sim, "POST /v2/oauth/token").await, 0);
    // The code itself was untouched: its own login still finishes.
    let il = Intralinks::builder(sim.url())
        .login_web(keys(), &theirs, &forged)
        .await
        .unwrap();
    assert_eq!(
        il.session().unwrap().email().await.as_deref(),
        Some(demo::EMAIL)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_loopback_redirect_uri_is_sent_again_with_the_code() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let earlier = common::login(&sim)
        .await
        .session()
        .unwrap()
        .access_token()
        .await;
    let login = WebLogin::new(&sim.url(), demo::CLIENT_ID)
        .unwrap()
        .redirect_uri("http://127.0.0.1:8765/intralinks/done")
        .unwrap()
        .end_other_sessions(true);
    assert!(
        login.url().as_str().ends_with(
            "&scope=ilservices&endOtherSessions=true&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fintralinks%2Fdone"
        ),
        "{}",
        login.url()
    );
    let location = log_in_through_the_form(&login.url()).await;
    assert!(
        location.starts_with("http://127.0.0.1:8765/intralinks/done?code="),
        "{location}"
    );
    let redirect = LoginRedirect::from_query(query_of(&location)).unwrap();
    let il = Intralinks::builder(sim.url())
        .login_web(keys(), &login, &redirect)
        .await
        .unwrap();
    il.api().list_workspaces().send().checked().await.unwrap();
    // endOtherSessions: the earlier session of the same person is over.
    let e = Intralinks::builder(sim.url())
        .token(earlier)
        .unwrap()
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");

    // Keys of another app, or a client for another host: refused, unsent.
    let other_app = intralinks_ext::AppKeys {
        client_id: "another-app".into(),
        client_secret: Secret::new("s3cret-of-another"),
    };
    let e = Intralinks::builder(sim.url())
        .login_web(other_app, &login, &redirect)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "this web login was begun for the app \"demo-client\", not \"another-app\": finish it with the keys of the app that began it"
    );
    let e = Intralinks::builder("https://test-api.intralinks.com")
        .login_web(keys(), &login, &redirect)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "this web login was begun for {}, not https://test-api.intralinks.com: finish it with a client for the host that began it",
            sim.url()
        )
    );
    assert_eq!(count(&sim, "POST /v2/oauth/token").await, 2);
    sim.shutdown().await;
}
