//! An example service built on `intralinks-ext`, `intralinks-sync` and
//! `intralinks-room`: it watches one workspace for what is posted to it,
//! archives every new document (or new version) in a directory, and plans
//! room files, applying one only once a person confirmed its plan.
//!
//! What it shows is that the library offers what such a service needs, so
//! that the service keeps no token file and no counters of its own:
//! - the session lives in the library's token store ([`FileStore`]): the
//!   first start logs in, every later one goes on from the stored pair
//!   ([`Builder::resume`]) without logging in again, and the library stores
//!   each refreshed pair;
//! - a scan is one [`sync::mirror`] run, and its outcome is the library's
//!   report: each document fetched, replaced, adopted or deleted, with its
//!   id and version ([`MirrorReport::changed`]), each failure with its kind;
//! - its progress is the library's [`SyncHook::snapshots`], streamed as
//!   server-sent events to any number of subscribers;
//! - a stop raises the run's [`StopSignal`]: what arrived is kept, and the
//!   next scan goes on from it;
//! - a room file is planned ([`room::plan`]), the plan shown with its
//!   digest, and applied on confirmation ([`room::apply_reviewed`]), or
//!   refused with nothing sent when the room changed since.
//!
//! Routes:
//! - `POST /scan` scans now and answers the outcome (409 while a scan runs);
//!   `GET /scan` answers the last outcome; scans also run every
//!   [`Config::every`];
//! - `POST /scan/stop` stops the scan under way;
//! - `GET /scan/progress`: server-sent events, a [`Snapshot`] each time the
//!   figures change, until the scan ends (the last figures alone when none
//!   runs);
//! - `POST /room/plan` with a room file (YAML) answers its plan;
//!   `POST /room/apply` with `{"digest": "..."}` applies the plan of that
//!   digest.
//!
//! [`Builder::resume`]: intralinks_ext::Builder::resume

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use intralinks_ext::store::FileStore;
use intralinks_ext::{AppKeys, Error, FixedAnswers, Grant, Intralinks, StopSignal};
use intralinks_room::{self as room, Plan, RoomFile};
use intralinks_sync::{self as sync, MirrorReport, Snapshot, SyncHook, SyncOptions};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

/// What the service watches, and how it reaches Intralinks.
#[derive(Debug, Clone)]
pub struct Config {
    /// Host root, e.g. `https://test-api.intralinks.com`.
    pub base_url: String,
    /// The app's keys.
    pub keys: AppKeys,
    /// How to log in the first time, and again should the stored refresh
    /// token be refused; `None`: a session must be stored already.
    pub login: Option<Grant>,
    /// The service's own directory: the stored session (`session.json`,
    /// kept by the library) and the writer locks of room applies.
    pub state: PathBuf,
    /// The workspace watched.
    pub workspace: i64,
    /// Where its documents are archived.
    pub archive: PathBuf,
    /// How to enter a workspace that must be entered first (scans, plans).
    pub entry: FixedAnswers,
    /// A scan every this long, the first at start; `None`: on request only.
    pub every: Option<Duration>,
}

/// The running service.
pub struct Service {
    il: Intralinks,
    workspace: i64,
    archive: PathBuf,
    entry: FixedAnswers,
    room: room::Options,
    scans: Mutex<Scans>,
    /// The plans shown, by digest, with their room files, waiting for a
    /// confirmation (a real service keeps them in its store, and lets them
    /// expire).
    plans: Mutex<HashMap<String, (RoomFile, Plan)>>,
}

/// The scan under way, if any, and the last one.
struct Scans {
    /// How to stop the scan under way.
    running: Option<StopSignal>,
    /// The progress of the scan under way, or of the last one.
    progress: watch::Receiver<Snapshot>,
    /// The outcome of the last scan that ended.
    last: Option<Result<MirrorReport, String>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Service {
    /// Goes on with the stored session, or logs in when none is stored
    /// yet; starts the scans every [`Config::every`].
    pub async fn start(config: &Config) -> Result<Arc<Self>, Error> {
        std::fs::create_dir_all(&config.state).map_err(|source| Error::Io {
            action: "cannot create",
            path: config.state.clone(),
            source,
        })?;
        let store = FileStore::new(config.state.join("session.json"));
        let builder = Intralinks::builder(config.base_url.clone()).token_store(Arc::new(store));
        let keys = config.keys.clone();
        let il = match (
            builder
                .clone()
                .resume(keys.clone(), config.login.clone())
                .await,
            &config.login,
        ) {
            (Ok(il), _) => il,
            // No session stored yet: the login stores the first pair.
            (Err(Error::NoStoredSession), Some(grant)) => {
                builder.login(keys, grant.clone()).await?
            }
            (Err(e), _) => return Err(e),
        };
        let service = Arc::new(Service {
            il,
            workspace: config.workspace,
            archive: config.archive.clone(),
            entry: config.entry.clone(),
            room: room::Options::new(false)
                .with_entry(config.entry.clone())
                .with_lock_dir(config.state.join("room-locks")),
            scans: Mutex::new(Scans {
                running: None,
                progress: watch::channel(Snapshot::default()).1,
                last: None,
            }),
            plans: Mutex::new(HashMap::new()),
        });
        if let Some(every) = config.every {
            // Ends once the service is dropped.
            let weak = Arc::downgrade(&service);
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    let Some(service) = weak.upgrade() else { break };
                    // The outcome is kept for `GET /scan`.
                    let _ = service.scan().await;
                }
            });
        }
        Ok(service)
    }

    /// The service's client (for its tests, and for what else it may do).
    pub fn client(&self) -> &Intralinks {
        &self.il
    }

    /// Scans now: one mirror run of the workspace into the archive, in a
    /// task of its own, so that a caller that goes away (an HTTP client
    /// that hung up) does not cut it short; only [`Service::stop_scan`]
    /// does. `None` when a scan is under way already.
    pub async fn scan(self: &Arc<Self>) -> Option<Result<MirrorReport, Error>> {
        let (hook, progress) = SyncHook::snapshots();
        let stop = StopSignal::default();
        {
            let mut scans = locked(&self.scans);
            if scans.running.is_some() {
                return None;
            }
            scans.running = Some(stop.clone());
            scans.progress = progress;
        }
        let service = Arc::clone(self);
        let run = tokio::spawn(async move {
            let options = SyncOptions {
                entry: Some(service.entry.clone()),
                progress: Some(hook),
                stop,
                ..SyncOptions::default()
            };
            let result =
                sync::mirror(&service.il, service.workspace, &service.archive, &options).await;
            {
                let mut scans = locked(&service.scans);
                scans.running = None;
                scans.last = Some(result.as_ref().map(Clone::clone).map_err(|e| e.to_string()));
            }
            // The hook goes with the options: the progress streams end, on
            // the last figures, once the outcome is there to read.
            drop(options);
            result
        });
        Some(run.await.unwrap_or_else(|e| {
            locked(&self.scans).running = None;
            Err(Error::InvalidInput(format!(
                "the scan ended abnormally: {e}"
            )))
        }))
    }

    /// Stops the scan under way: no new document starts, the transfers in
    /// flight end, and what arrived is kept for the next scan. Whether a
    /// scan was under way.
    pub fn stop_scan(&self) -> bool {
        locked(&self.scans)
            .running
            .as_ref()
            .map(StopSignal::stop)
            .is_some()
    }

    /// The progress of the scan under way, or of the last one: clone it,
    /// read it (`borrow`), wait for it to change (`changed`, which fails
    /// once that scan ended and its last figures were read).
    pub fn progress(&self) -> watch::Receiver<Snapshot> {
        locked(&self.scans).progress.clone()
    }

    /// The service's routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/scan", post(scan_now).get(last_scan))
            .route("/scan/stop", post(stop_scan))
            .route("/scan/progress", get(progress))
            .route("/room/plan", post(plan_room))
            .route("/room/apply", post(apply_room))
            .with_state(Arc::clone(self))
    }
}

async fn scan_now(State(svc): State<Arc<Service>>) -> Response {
    match svc.scan().await {
        Some(Ok(report)) => Json(report).into_response(),
        Some(Err(e)) => failure(e),
        None => refused(
            StatusCode::CONFLICT,
            "a scan is under way: wait for it (GET /scan/progress) or stop it (POST /scan/stop)",
        ),
    }
}

async fn last_scan(State(svc): State<Arc<Service>>) -> Response {
    let last = locked(&svc.scans).last.clone();
    match last {
        Some(Ok(report)) => Json(report).into_response(),
        Some(Err(error)) => refused(StatusCode::BAD_GATEWAY, &error),
        None => refused(StatusCode::NOT_FOUND, "no scan has ended yet"),
    }
}

async fn stop_scan(State(svc): State<Arc<Service>>) -> Response {
    if svc.stop_scan() {
        (StatusCode::ACCEPTED, Json(json!({"stopping": true}))).into_response()
    } else {
        refused(StatusCode::CONFLICT, "no scan is under way")
    }
}

/// One event a change, each the figures as they are then (a subscriber
/// that reads slowly skips figures, never falls behind), until the scan
/// ends.
async fn progress(
    State(svc): State<Arc<Service>>,
) -> Sse<impl Stream<Item = Result<Event, axum::Error>>> {
    let figures = svc.progress();
    Sse::new(futures_util::stream::unfold(
        (figures, true),
        |(mut figures, first)| async move {
            if !first && figures.changed().await.is_err() {
                return None;
            }
            let now = figures.borrow_and_update().clone();
            Some((Event::default().json_data(now), (figures, false)))
        },
    ))
}

async fn plan_room(State(svc): State<Arc<Service>>, body: String) -> Response {
    let planned = async {
        let file = RoomFile::parse(&body, "the room file")?;
        let plan = room::plan(&svc.il, &file, &svc.room).await?;
        locked(&svc.plans).insert(plan.digest.clone(), (file, plan.clone()));
        Ok::<_, Error>(plan)
    }
    .await;
    match planned {
        Ok(plan) => Json(plan).into_response(),
        Err(e) => failure(e),
    }
}

/// A person's confirmation of the plan they read.
#[derive(Debug, Deserialize)]
struct Confirm {
    digest: String,
}

async fn apply_room(State(svc): State<Arc<Service>>, Json(confirm): Json<Confirm>) -> Response {
    let waiting = locked(&svc.plans).remove(&confirm.digest);
    let Some((file, plan)) = waiting else {
        return refused(
            StatusCode::NOT_FOUND,
            "no plan of that digest is waiting: plan the room file again",
        );
    };
    match room::apply_reviewed(&svc.il, &file, &plan, &svc.room).await {
        Ok(applied) => Json(applied).into_response(),
        // The room changed since the plan was made: nothing was sent.
        Err(e @ Error::PlanOutdated { .. }) => refused(StatusCode::CONFLICT, &e.to_string()),
        Err(e) => failure(e),
    }
}

fn refused(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

fn failure(e: Error) -> Response {
    let status = match &e {
        Error::InvalidInput(_) => StatusCode::BAD_REQUEST,
        Error::Blocked { .. } => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::EntryRequired { .. } | Error::EntryRejected { .. } => StatusCode::CONFLICT,
        _ => StatusCode::BAD_GATEWAY,
    };
    refused(status, &e.to_string())
}
