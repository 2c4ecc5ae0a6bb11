//! `intralinks login`, `logout` and `auth status`: the saved sessions. They
//! work on the session file and the host in effect, never on the
//! connection of the context.

use clap::Subcommand;
use intralinks_ext::{AppKeys, Checked, Grant, Intralinks};

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{self, say, tell};
use crate::saved;

/// The commands about saved sessions.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in with the INTRALINKS_* credentials and save the session for later commands.
    Login {
        /// End your other sessions on the service (other programs, the web
        /// interface) as this login starts (`endOtherSessions=true`).
        #[arg(long)]
        end_other_sessions: bool,
    },
    /// Revoke the saved session's token and forget it.
    Logout,
    /// Saved sessions: `auth status` shows who is logged in on which host.
    Auth {
        /// What to show.
        #[command(subcommand)]
        what: AuthCommand,
    },
}

/// `intralinks auth ...`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Each saved host, who is logged in there, and the access token's time left.
    Status,
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        match self {
            Command::Login { end_other_sessions } => login(ctx, end_other_sessions).await,
            Command::Logout => logout(ctx).await,
            Command::Auth {
                what: AuthCommand::Status,
            } => auth_status(ctx),
        }
        .map(|()| Status::Done)
    }
}

/// The login's credentials: from the flags and environment, and on a
/// terminal what is missing is asked for (secrets without echo).
fn login_credentials(ctx: &Context) -> CliResult<(AppKeys, Grant)> {
    let options = &ctx.options;
    if let Some(c) = options.credentials() {
        return Ok(c);
    }
    let missing = "login needs INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and INTRALINKS_PASSWORD, or a terminal to ask for them on";
    if !crate::prompt::interactive(&ctx.out) {
        return Err(missing.into());
    }
    tell!(ctx.out, "logging in to {}", output::safe(&ctx.base_url))?;
    let client_id = match &options.client_id {
        Some(v) => v.clone(),
        None => crate::prompt::ask_line(&ctx.out, "App client id: ").ok_or(missing)?,
    };
    let client_secret = match &options.client_secret {
        Some(v) => v.clone(),
        None => crate::prompt::ask_secret("App client secret: ").ok_or(missing)?,
    };
    let email = match &options.email {
        Some(v) => v.clone(),
        None => crate::prompt::ask_line(&ctx.out, "E-mail: ").ok_or(missing)?,
    };
    let password = match &options.password {
        Some(v) => v.clone(),
        None => crate::prompt::ask_secret("Password: ").ok_or(missing)?,
    };
    Ok((
        AppKeys {
            client_id,
            client_secret,
        },
        Grant::Password {
            email,
            password,
            end_other_sessions: false,
        },
    ))
}

async fn login(ctx: &Context, end_others: bool) -> CliResult {
    let (keys, mut grant) = login_credentials(ctx)?;
    if let Grant::Password {
        end_other_sessions, ..
    } = &mut grant
    {
        *end_other_sessions = end_others;
    }
    let il = Intralinks::builder(ctx.base_url.clone())
        .login(keys.clone(), grant)
        .await
        .map_err(err)?;
    let session = il.session().ok_or("the login gave no session")?;
    let path = saved::store(&saved::Saved {
        base_url: ctx.base_url.clone(),
        client_id: Some(keys.client_id),
        client_secret: Some(keys.client_secret),
        tokens: Some(session.tokens().await),
        access_token: None,
    })?;
    let who = session.email().await.unwrap_or_else(|| "you".into());
    if ctx.out.json {
        ctx.out.print_json(
            &serde_json::json!({"email": who, "host": ctx.base_url, "sessionFile": path}),
        )
    } else {
        say!(
            ctx.out,
            "logged in to {} as {}; session saved to {}",
            output::safe(&ctx.base_url),
            output::safe(&who),
            output::safe(&path.display().to_string())
        )
    }
}

/// `intralinks auth status`: every saved session, without connecting.
fn auth_status(ctx: &Context) -> CliResult {
    let all = saved::read_all()?;
    let now = std::time::SystemTime::now();
    let records: Vec<serde_json::Value> = all
        .sessions
        .values()
        .map(|s| {
            let key = saved::canonical(&s.base_url);
            let left = s
                .tokens
                .as_ref()
                .and_then(|t| t.expires_at.duration_since(now).ok())
                .map(|d| d.as_secs());
            serde_json::json!({
                "host": key,
                "default": all.default.as_deref() == Some(key.as_str()),
                "email": s.tokens.as_ref().and_then(|t| t.email.clone()),
                "accessTokenSecondsLeft": left,
                "canRefresh": s.tokens.as_ref().is_some_and(|t| t.refresh_token.is_some()) && s.keys().is_some(),
            })
        })
        .collect();
    if ctx.out.json {
        return ctx.out.print_json(&records);
    }
    if records.is_empty() {
        return Err("not logged in anywhere: run `intralinks login`".into());
    }
    for r in &records {
        let host = r["host"].as_str().unwrap_or_default();
        say!(
            ctx.out,
            "{}{}",
            output::safe(host),
            if r["default"] == true {
                " (default)"
            } else {
                ""
            }
        )?;
        say!(
            ctx.out,
            "  logged in as {}",
            output::safe(r["email"].as_str().unwrap_or("(e-mail not known)"))
        )?;
        let left = match r["accessTokenSecondsLeft"].as_u64() {
            Some(s) if s >= 60 => format!("access token valid for {} min", s / 60),
            Some(s) => format!("access token valid for {s} s"),
            None => "access token expired".to_string(),
        };
        let refresh = if r["canRefresh"] == true {
            "; renewed when needed"
        } else {
            "; log in again when it ends"
        };
        say!(ctx.out, "  {left}{refresh}")?;
    }
    Ok(())
}

async fn logout(ctx: &Context) -> CliResult {
    let base_url = &ctx.base_url;
    let Some(s) = saved::load(base_url)? else {
        return Err(format!("no saved session for {base_url}: nothing to log out").into());
    };
    let Some(token) = s.access() else {
        saved::remove(base_url)?;
        return Err("the saved session holds no token; it is forgotten".into());
    };
    let (Some(client_id), Some(secret)) = (
        s.client_id.clone().or(ctx.options.client_id.clone()),
        s.client_secret
            .clone()
            .or(ctx.options.client_secret.clone()),
    ) else {
        return Err(
            "logout needs INTRALINKS_CLIENT_SECRET (and INTRALINKS_CLIENT_ID) to revoke the token"
                .into(),
        );
    };
    let il = Intralinks::builder(base_url.clone())
        .anonymous()
        .map_err(err)?;
    il.api()
        .revoke_o_auth_token()
        .body(intralinks_ext::types::RevokeRequest {
            token,
            client_id,
            client_secret: secret,
        })
        .send()
        .checked()
        .await
        .map_err(err)?;
    saved::remove(base_url)?;
    say!(
        ctx.out,
        "logged out of {}; the token is revoked",
        output::safe(base_url)
    )
}
