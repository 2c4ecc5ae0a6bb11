//! OAuth: login, bad credentials, refresh, revoke, expiry, sessions.

use crate::common;

use std::time::Duration;

use common::*;
use intralinks_sim::{SimConfig, demo};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn login_answers_a_bearer_token_pair() {
    let ctx = start().await;
    let v = ctx.login_answer().await;
    let token = v["access_token"].as_str().unwrap();
    assert!(token.len() >= 28, "{token}");
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(v["token_type"], "BearerToken");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["email"], demo::EMAIL);
    assert!(v["refresh_token"].as_str().unwrap().len() >= 28);
    assert_ne!(v["refresh_token"], v["access_token"]);
    // A second login is a second session with another token.
    let other = ctx.login().await;
    assert_ne!(other, token);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn grant_type_may_come_in_the_query_string() {
    let ctx = start().await;
    // Seed 001: grant_type in the URL, the rest in the form.
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token?grant_type=client_credentials"))
        .form(&[
            ("email", demo::EMAIL),
            ("password", demo::PASSWORD),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "BearerToken");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_answer_401_json() {
    let ctx = start().await;
    for (field, value) in [
        ("password", "wrong"),
        ("client_secret", "wrong"),
        ("email", "nobody@example.com"),
    ] {
        let mut form = login_form();
        for f in form.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        let r = ctx
            .http
            .post(ctx.v2("/oauth/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{field}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], "Unauthorized");
        assert_eq!(v["error"]["code"], 401);
        assert!(
            v["error"]["description"]
                .as_str()
                .unwrap()
                .contains("credentials")
        );
        // The password never comes back.
        assert!(!v.to_string().contains(demo::PASSWORD));
    }
    // A missing grant_type is a malformed request, not bad credentials.
    let form: Vec<_> = login_form()
        .into_iter()
        .filter(|(k, _)| *k != "grant_type")
        .collect();
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"]["subcode"], "2-1");
    assert_eq!(v["errors"][0]["subCode"], "2-1");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_answer_the_401_shape() {
    let ctx = start().await;
    let (s, v) = ctx.call(Method::GET, None, "/workspaces", None).await;
    assert_unauthorized(s, &v);
    let (s, v) = ctx.get("not-a-token", "/workspaces").await;
    assert_unauthorized(s, &v);
    let r = ctx
        .http
        .get(ctx.v2("/workspaces"))
        .header("Authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Workspace content and entry are guarded the same way.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some("nope"),
            "/workspaces/701421/splash",
            Some(json!({})),
        )
        .await;
    assert_unauthorized(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn revoke_from_a_form_body_then_401() {
    let ctx = start().await;
    let token = ctx.login().await;
    assert_eq!(ctx.get(&token, "/workspaces").await.0, StatusCode::OK);
    let r = ctx
        .http
        .put(ctx.v2("/oauth/revoke"))
        .bearer_auth(&token)
        .form(&[
            ("token", token.as_str()),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({
            "message": "the passed token and associated refresh/access token have been revoked",
            "token": "XXXX",
            "cascade": "true"
        })
    );
    assert!(!v.to_string().contains(&token));
    let (s, v) = ctx.get(&token, "/workspaces").await;
    assert_unauthorized(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn revoke_from_the_query_string_cascades_to_the_refresh_token() {
    let ctx = start().await;
    let pair = ctx.login_answer().await;
    let token = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap();
    // Seed 003: the parameters in the query string.
    let r = ctx
        .http
        .put(ctx.v2("/oauth/revoke"))
        .query(&[
            ("token", token),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, v) = ctx.get(token, "/workspaces").await;
    assert_unauthorized(s, &v);
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Wrong client credentials on revoke: 401, and the token survives.
    let other = ctx.login().await;
    let r = ctx
        .http
        .put(ctx.v2("/oauth/revoke"))
        .form(&[
            ("token", other.as_str()),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(ctx.get(&other, "/workspaces").await.0, StatusCode::OK);
    // POST is not the live service's method for revoke: the HTML 404.
    let r = ctx.http.post(ctx.v2("/oauth/revoke")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_answer_401_and_refresh_gives_a_working_one() {
    let ctx = start().await;
    let pair = ctx.login_answer().await;
    let token = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap();
    ctx.enter_main(token).await;
    let (s, v) = ctx.control(Method::POST, "/_sim/expire-tokens", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["expired"], 1);
    let (s, v) = ctx.get(token, "/workspaces").await;
    assert_unauthorized(s, &v);

    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let fresh: Value = r.json().await.unwrap();
    let new_token = fresh["access_token"].as_str().unwrap();
    assert_ne!(new_token, token);
    assert_eq!(fresh["email"], demo::EMAIL);
    // Same session: the workspace is still entered.
    let (s, v) = ctx
        .get(
            new_token,
            &format!("/workspaces/{}/folders", demo::MAIN_WORKSPACE),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Refresh tokens are single use.
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn token_lifetime_is_configurable_and_enforced() {
    let ctx = start_with(SimConfig {
        token_lifetime: Duration::from_millis(1500),
        ..SimConfig::default()
    })
    .await;
    let v = ctx.login_answer().await;
    assert_eq!(v["expires_in"], 1);
    let token = v["access_token"].as_str().unwrap();
    assert_eq!(ctx.get(token, "/workspaces").await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let (s, body) = ctx.get(token, "/workspaces").await;
    assert_unauthorized(s, &body);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn end_other_sessions_revokes_the_users_other_tokens() {
    let ctx = start().await;
    let first = ctx.login().await;
    let second = ctx.login().await;
    assert_eq!(ctx.get(&first, "/workspaces").await.0, StatusCode::OK);
    let mut form = login_form();
    for f in form.iter_mut() {
        if f.0 == "endOtherSessions" {
            f.1 = "true";
        }
    }
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let third: Value = r.json().await.unwrap();
    assert_eq!(
        ctx.get(&first, "/workspaces").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ctx.get(&second, "/workspaces").await.0,
        StatusCode::UNAUTHORIZED
    );
    let third = third["access_token"].as_str().unwrap();
    assert_eq!(ctx.get(third, "/workspaces").await.0, StatusCode::OK);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn reset_ends_sessions_and_restores_the_seed() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{}/folders", demo::MAIN_WORKSPACE),
            Some(json!({"folders": [{"folder": {"name": "Temporary"}}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let created = v["folderPartial"][0]["id"].as_i64().unwrap();
    let (s, _) = ctx.control(Method::POST, "/_sim/reset", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        ctx.get(&token, "/workspaces").await.0,
        StatusCode::UNAUTHORIZED
    );
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/folders/{created}", demo::MAIN_WORKSPACE),
        )
        .await;
    assert_not_found(s, &v);
    let (_, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/folders", demo::MAIN_WORKSPACE),
        )
        .await;
    assert_eq!(v["folder"].as_array().unwrap().len(), 7);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn the_generated_client_logs_in_refreshes_and_revokes() {
    use intralinks_api::Secret;
    use intralinks_api::types::{OAuthTokenRequest, OAuthTokenRequestGrantType, RevokeRequest};
    let ctx = start().await;
    let anonymous = intralinks_api::Client::new(&ctx.v2(""), intralinks_api::Runtime::default());
    let login = OAuthTokenRequest {
        grant_type: OAuthTokenRequestGrantType::ClientCredentials,
        client_id: demo::CLIENT_ID.into(),
        client_secret: Secret::new(demo::CLIENT_SECRET),
        email: Some(demo::EMAIL.into()),
        password: Some(Secret::new(demo::PASSWORD)),
        end_other_sessions: Some(false),
        code: None,
        redirect_uri: None,
        refresh_token: None,
    };
    let token = anonymous
        .get_o_auth_token()
        .body(login.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.token_type, "BearerToken");
    assert_eq!(token.expires_in, 3599);
    assert_eq!(token.email.as_deref(), Some(demo::EMAIL));
    let api = ctx.api(token.access_token.expose());
    assert_eq!(
        api.list_workspaces()
            .send()
            .await
            .unwrap()
            .into_inner()
            .workspace
            .len(),
        9
    );

    let refreshed = anonymous
        .get_o_auth_token()
        .body(OAuthTokenRequest {
            grant_type: OAuthTokenRequestGrantType::RefreshToken,
            email: None,
            password: None,
            refresh_token: token.refresh_token.clone(),
            ..login.clone()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_ne!(refreshed.access_token, token.access_token);

    let wrong = anonymous
        .get_o_auth_token()
        .body(OAuthTokenRequest {
            password: Some(Secret::new("nope")),
            ..login
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.status().map(|s| s.as_u16()), Some(401));

    anonymous
        .revoke_o_auth_token()
        .body(RevokeRequest {
            client_id: demo::CLIENT_ID.into(),
            client_secret: Secret::new(demo::CLIENT_SECRET),
            token: refreshed.access_token.clone(),
        })
        .send()
        .await
        .unwrap();
    let gone = api.list_workspaces().send().await.unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(401));
    ctx.sim.shutdown().await;
}

// ------------------------------------------------------------ web login

/// The authorize request of the demo app, as the Intralinks Python SDK's
/// `build_oauth_url` writes it (and `redirect_uri` when given).
fn authorize_fields<'a>(state: &'a str, redirect: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("client_id", demo::CLIENT_ID),
        ("state", state),
        ("scope", "ilservices"),
        ("endOtherSessions", "false"),
    ];
    if let Some(r) = redirect {
        f.push(("redirect_uri", r));
    }
    f
}

async fn exchange(ctx: &Ctx, form: &[(&str, String)]) -> (StatusCode, Value) {
    let r = ctx
        .http
        .post(ctx.v2("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

fn assert_bad_credentials(status: StatusCode, v: &Value) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(
        *v,
        json!({"status": "Unauthorized", "error": {
            "code": 401,
            "description": "invalid client or user credentials",
            "subcode": "the passed client_id/client_secret or email/password are not valid"
        }})
    );
}

#[tokio::test]
async fn the_authorize_form_logs_in_and_its_code_is_exchanged_once() {
    let ctx = start().await;
    let fields = authorize_fields("xyz", None);
    // The browser's first stop: the form, carrying what the URL carried.
    let r = ctx
        .http
        .get(ctx.v2("/oauth/authorize"))
        .query(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let page = r.text().await.unwrap();
    assert!(
        page.contains(
            "<form method=\"post\" action=\"/v2/oauth/authorize\">\n\
             <input type=\"hidden\" name=\"client_id\" value=\"demo-client\">\n\
             <input type=\"hidden\" name=\"state\" value=\"xyz\">\n\
             <input type=\"hidden\" name=\"scope\" value=\"ilservices\">\n\
             <input type=\"hidden\" name=\"endOtherSessions\" value=\"false\">\n\
             <label>E-mail <input type=\"email\" name=\"email\""
        ),
        "{page}"
    );

    // The person logs in: the browser is sent to the registered redirect
    // URI with a code and the state, unchanged. Not followed.
    let r = ctx.submit_authorize(&fields).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let code = query_value(&location, "code").unwrap();
    assert_eq!(code.len(), 32);
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric()), "{code}");
    assert_eq!(
        location,
        format!("{}?code={code}&state=xyz", demo::REDIRECT_URI)
    );

    // The app exchanges the code: a session of the person who logged in.
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["token_type"], "BearerToken");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["email"], demo::EMAIL);
    let token = v["access_token"].as_str().unwrap();
    let (s, v) = ctx.get(token, "/workspaces").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["workspace"].as_array().map(Vec::len), Some(9));

    // Single use: the same code again is refused, and so is a made-up one.
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_bad_credentials(s, &v);
    let (s, v) = exchange(&ctx, &exchange_form("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_bad_credentials(s, &v);
    // A code with a wrong app secret is refused before it is looked at: it
    // stays its app's, once.
    let code = ctx.authorization_code().await;
    let mut wrong = exchange_form(&code);
    wrong[2].1 = "wrong".into();
    let (s, v) = exchange(&ctx, &wrong).await;
    assert_bad_credentials(s, &v);
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_bad_credentials(s, &v);
    // No code at all is a malformed request.
    let (s, v) = exchange(&ctx, &exchange_form(&code)[..3]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        v["errors"][0]["message"],
        "Invalid request: code is required"
    );
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn the_authorize_form_refuses_what_it_cannot_trust() {
    let ctx = start().await;
    // An unknown app, or a redirect URI the app did not register (and not
    // on loopback): a page, never a redirect.
    for (fields, why) in [
        (
            vec![("client_id", "someone-else"), ("state", "s")],
            "The app (client_id) is not known.",
        ),
        (
            authorize_fields("s", Some("https://attacker.example/cb")),
            "The redirect_uri is not one this app registered (and not an http loopback address).",
        ),
        (
            authorize_fields("s", Some("http://127.0.0.1:5555/cb#frag")),
            "The redirect_uri has a fragment (RFC 6749 3.1.2).",
        ),
    ] {
        let r = ctx
            .http
            .get(ctx.v2("/oauth/authorize"))
            .query(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{why}");
        assert!(r.text().await.unwrap().contains(&format!("<p>{why}</p>")));
        let r = ctx.submit_authorize(&fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{why}");
        assert!(r.headers().get("location").is_none());
    }
    // A wrong password: the form again, with a note, and no code.
    let r = ctx
        .http
        .post(ctx.v2("/oauth/authorize"))
        .form(&[
            ("client_id", demo::CLIENT_ID),
            ("state", "s"),
            ("email", demo::EMAIL),
            ("password", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("location").is_none());
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<p role=\"alert\">The e-mail or password is wrong.</p>"),
        "{page}"
    );
    assert!(
        !page.contains("wrong\""),
        "the password is not echoed: {page}"
    );
    // Carried values are escaped.
    let r = ctx
        .http
        .get(ctx.v2("/oauth/authorize"))
        .query(&authorize_fields("\"><script>", None))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(
        page.contains("name=\"state\" value=\"&quot;&gt;&lt;script&gt;\""),
        "{page}"
    );
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_loopback_redirect_uri_must_be_repeated_at_the_exchange() {
    let ctx = start().await;
    // RFC 8252: any port on loopback; the state comes back as it was sent.
    let redirect = "http://127.0.0.1:5555/done?app=1";
    let r = ctx
        .submit_authorize(&authorize_fields("a b&c=d", Some(redirect)))
        .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://127.0.0.1:5555/done?app=1&code="),
        "{location}"
    );
    assert_eq!(query_value(&location, "state").as_deref(), Some("a b&c=d"));
    let code = query_value(&location, "code").unwrap();
    // Without the redirect URI of the authorize request: refused (RFC 6749 4.1.3).
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_bad_credentials(s, &v);
    let r = ctx
        .submit_authorize(&authorize_fields("s", Some(redirect)))
        .await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let code = query_value(&location, "code").unwrap();
    let mut form = exchange_form(&code);
    form.push(("redirect_uri", redirect.into()));
    let (s, v) = exchange(&ctx, &form).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn authorization_codes_are_short_lived() {
    let ctx = start_with(SimConfig {
        authorization_code_lifetime: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .await;
    let code = ctx.authorization_code().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, v) = exchange(&ctx, &exchange_form(&code)).await;
    assert_bad_credentials(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn end_other_sessions_at_the_authorize_step_ends_them() {
    let ctx = start().await;
    let earlier = ctx.login().await;
    let mut fields = authorize_fields("s", None);
    fields[3].1 = "true";
    let r = ctx.submit_authorize(&fields).await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let code = query_value(&location, "code").unwrap();
    // Not yet: only the exchange opens the new session.
    assert_eq!(ctx.get(&earlier, "/workspaces").await.0, StatusCode::OK);
    let (s, fresh) = exchange(&ctx, &exchange_form(&code)).await;
    assert_eq!(s, StatusCode::OK, "{fresh}");
    let (s, v) = ctx.get(&earlier, "/workspaces").await;
    assert_unauthorized(s, &v);
    let (s, v) = ctx
        .get(fresh["access_token"].as_str().unwrap(), "/workspaces")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    ctx.sim.shutdown().await;
}
