//! Drives the example service against the simulator embedded as a library:
//! scans that list what they archived, by id; progress as server-sent
//! events; a stop in the middle and a resume; a restart that goes on from
//! the stored session; a room file planned, then applied on confirmation,
//! and a stale plan refused with no write.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use intralinks_ext::{AppKeys, DocumentRef, FixedAnswers, Grant, Secret};
use intralinks_sim::{Bandwidth, Generated, SimConfig, Simulator, content, demo};
use posting_watch::{Config, Service};
use serde_json::{Value, json};

const WS: i64 = demo::GENERATED_WORKSPACE;
const FIRST: i64 = demo::GENERATED_FIRST_DOCUMENT;

fn config(sim: &Simulator, dir: &Path, workspace: i64) -> Config {
    Config {
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
        state: dir.join("state"),
        workspace,
        archive: dir.join("archive"),
        entry: FixedAnswers::default(),
        every: None,
    }
}

/// The service on a free loopback port: its URL, and the server's task.
async fn serve(service: &Arc<Service>) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = service.router();
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, handle)
}

/// A request's status and JSON answer.
async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// The requests the simulator saw, by method and path.
async fn requests(sim: &Simulator) -> BTreeMap<String, u64> {
    reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn token_requests(sim: &Simulator) -> u64 {
    requests(sim)
        .await
        .get("POST /v2/oauth/token")
        .copied()
        .unwrap_or(0)
}

/// Requests that change something (neither reads nor logins).
async fn writes(sim: &Simulator) -> u64 {
    requests(sim)
        .await
        .iter()
        .filter(|(k, _)| !k.starts_with("GET ") && !k.contains("/oauth/"))
        .map(|(_, n)| n)
        .sum()
}

/// Every file in the archive but the sync's state, path → bytes.
fn archived(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if rel == intralinks_sync::STATE_DIR {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The generated room's first `n` documents of `bytes` bytes, in one folder.
fn generated(n: usize, bytes: usize) -> BTreeMap<String, Vec<u8>> {
    (0..n)
        .map(|i| {
            (
                format!("folder-000/doc-{i:05}.txt"),
                content::generated_text(i, bytes),
            )
        })
        .collect()
}

/// What a scan's outcome lists for a document it `kind` (fetched,
/// replaced, ...): its version as the room lists it now.
async fn entry(service: &Service, i: i64, bytes: u64, kind: &str) -> Value {
    let doc = service.client().document(WS, FIRST + i).await.unwrap();
    json!({
        "path": format!("folder-000/doc-{i:05}.txt"),
        "id": FIRST + i,
        "version": doc.version,
        "bytes": bytes,
        "kind": kind,
    })
}

/// Reads server-sent events from `r` until `until` holds for one (or the
/// stream ends); answers the data of the events read.
async fn events(mut r: reqwest::Response, until: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut text = String::new();
    let mut seen = Vec::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let data = event.strip_prefix("data: ").unwrap().trim_end();
            seen.push(serde_json::from_str::<Value>(data).unwrap());
            if until(seen.last().unwrap()) {
                return seen;
            }
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn scans_list_what_they_archived_and_a_restart_goes_on_from_the_stored_session() {
    let sim = Simulator::start(SimConfig {
        generated: Some(Generated::new(3, 1)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sim, dir.path(), WS);
    let http = reqwest::Client::new();
    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;

    // Nothing scanned yet.
    let (status, last) = call(http.get(format!("{url}/scan"))).await;
    assert_eq!(
        (status, last),
        (404, json!({"error": "no scan has ended yet"}))
    );

    // The first scan archives the three documents and lists them.
    let (status, first) = call(http.post(format!("{url}/scan"))).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        first["changed"],
        json!([
            entry(&service, 0, 200, "fetched").await,
            entry(&service, 1, 200, "fetched").await,
            entry(&service, 2, 200, "fetched").await,
        ])
    );
    assert_eq!(
        (
            &first["fetched"],
            &first["bytesFetched"],
            &first["failures"],
            &first["fatal"]
        ),
        (&json!(3), &json!(600), &json!([]), &Value::Null)
    );
    assert_eq!(archived(&config.archive), generated(3, 200));

    // The progress endpoint answers the last figures, then ends.
    let r = http
        .get(format!("{url}/scan/progress"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert_eq!(
        r.text().await.unwrap(),
        "data: {\"itemsTotal\":3,\"bytesTotal\":600,\"itemsDone\":3,\"bytesDone\":600,\"failed\":0,\"stopped\":0,\"waiting\":false}\n\n"
    );

    // A new version of one document: the next scan replaces exactly it.
    let edited = dir.path().join("edited.txt");
    std::fs::write(&edited, b"a new version\n").unwrap();
    service
        .client()
        .put_new_version(
            DocumentRef {
                workspace_id: WS,
                document_id: FIRST + 1,
            },
            &edited,
            None,
            None,
        )
        .await
        .unwrap();
    let (status, second) = call(http.post(format!("{url}/scan"))).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        second["changed"],
        json!([entry(&service, 1, 14, "replaced").await])
    );
    assert_ne!(
        second["changed"][0]["version"],
        first["changed"][1]["version"]
    );
    assert_eq!(
        (&second["fetched"], &second["upToDate"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(
        std::fs::read(config.archive.join("folder-000/doc-00001.txt")).unwrap(),
        b"a new version\n"
    );
    server.abort();
    drop(service);
    assert_eq!(token_requests(&sim).await, 1);

    // Restarted: the service goes on from the stored session, no login.
    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;
    let (status, third) = call(http.post(format!("{url}/scan"))).await;
    assert_eq!(status, 200, "{third}");
    assert_eq!(
        (&third["changed"], &third["documents"], &third["upToDate"]),
        (&json!([]), &json!(3), &json!(3))
    );
    assert_eq!(token_requests(&sim).await, 1);
    server.abort();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_stopped_in_the_middle_fails_nothing_and_the_next_one_resumes_it() {
    const SIZE: usize = 1_000_000;
    let sim = Simulator::start(SimConfig {
        generated: Some(Generated {
            documents: 4,
            folders: 1,
            bytes: SIZE,
        }),
        bandwidth: Bandwidth {
            up_bytes_per_sec: 0,
            down_bytes_per_sec: 500_000,
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sim, dir.path(), WS);
    let http = reqwest::Client::new();
    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;

    let scan = tokio::spawn({
        let (http, url) = (http.clone(), url.clone());
        async move { call(http.post(format!("{url}/scan"))).await }
    });
    // Subscribed once the scan is under way (before it, the stream holds
    // the figures of no scan and ends at once).
    let figures = loop {
        let r = http
            .get(format!("{url}/scan/progress"))
            .send()
            .await
            .unwrap();
        let seen = events(r, |s| s["bytesDone"].as_u64().unwrap() >= 1_200_000).await;
        if seen.last().is_some_and(|s| s["itemsTotal"] == 4) {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let now = figures.last().unwrap();
    assert_eq!((&now["itemsDone"], &now["failed"]), (&json!(0), &json!(0)));
    let (status, stopping) = call(http.post(format!("{url}/scan/stop"))).await;
    assert_eq!((status, stopping), (202, json!({"stopping": true})));

    let (status, stopped) = scan.await.unwrap();
    assert_eq!(status, 200, "{stopped}");
    assert_eq!(
        (
            &stopped["interrupted"],
            &stopped["notStarted"],
            &stopped["fetched"]
        ),
        (&json!(true), &json!(4), &json!(0))
    );
    assert_eq!(
        (&stopped["changed"], &stopped["failures"], &stopped["fatal"]),
        (&json!([]), &json!([]), &Value::Null)
    );
    // Its last figures: four documents stopped, none failed.
    let r = http
        .get(format!("{url}/scan/progress"))
        .send()
        .await
        .unwrap();
    let last = events(r, |_| false).await;
    assert_eq!(last.len(), 1);
    let moved = last[0]["bytesDone"].as_u64().unwrap();
    assert!((1_200_000..4 * SIZE as u64).contains(&moved), "{moved}");
    assert_eq!(
        last[0],
        json!({"itemsTotal": 4, "bytesTotal": 4 * SIZE, "itemsDone": 0, "bytesDone": moved,
               "failed": 0, "stopped": 4, "waiting": false})
    );
    let (status, again) = call(http.post(format!("{url}/scan/stop"))).await;
    assert_eq!(
        (status, again),
        (409, json!({"error": "no scan is under way"}))
    );

    // The next scan goes on from what arrived, and completes.
    let (status, resumed) = call(http.post(format!("{url}/scan"))).await;
    assert_eq!(status, 200, "{resumed}");
    let mut want = Vec::new();
    for i in 0..4 {
        want.push(entry(&service, i, SIZE as u64, "fetched").await);
    }
    assert_eq!(resumed["changed"], json!(want));
    assert_eq!(
        (
            &resumed["interrupted"],
            &resumed["failures"],
            &resumed["resumed"]
        ),
        (&json!(false), &json!([]), &json!(4))
    );
    // What the stopped scan kept was not fetched again.
    let kept = resumed["bytesResumed"].as_u64().unwrap();
    assert!(kept > 0, "{resumed}");
    assert_eq!(
        resumed["bytesFetched"].as_u64().unwrap() + kept,
        4 * SIZE as u64
    );
    assert_eq!(archived(&config.archive), generated(4, SIZE));
    let last = service.progress().borrow().clone();
    assert_eq!(
        (last.items_total, last.items_done, last.failed, last.stopped),
        (4, 4, 0, 0)
    );
    assert_eq!(last.bytes_done, 4 * SIZE as u64);
    server.abort();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn scans_run_on_their_own_every_interval() {
    let sim = Simulator::start(SimConfig {
        generated: Some(Generated::new(2, 1)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        every: Some(Duration::from_millis(200)),
        ..config(&sim, dir.path(), WS)
    };
    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;
    let mut waited = 0;
    let last = loop {
        let (status, last) = call(reqwest::Client::new().get(format!("{url}/scan"))).await;
        if status == 200 {
            break last;
        }
        assert!(waited < 200, "no scan ended in 10 s");
        waited += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (&last["documents"], &last["failures"]),
        (&json!(2), &json!([]))
    );
    assert_eq!(archived(&config.archive), generated(2, 200));
    server.abort();
    sim.shutdown().await;
}

const ROOM: &str = "\
workspace:
  name: Posting Watch Fund
groups:
  - name: ABP_C
folders:
  - path: ABP/Capital Calls
    permissions: {ABP_C: SEE_AND_DOWNLOAD}
";

#[tokio::test(flavor = "multi_thread")]
async fn a_room_file_is_applied_as_planned_and_a_stale_plan_is_refused_with_no_write() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sim, dir.path(), demo::MAIN_WORKSPACE);
    let http = reqwest::Client::new();
    let service = Service::start(&config).await.unwrap();
    let (url, server) = serve(&service).await;

    // Planned: nothing sent; the plan lists its changes, with their digest.
    let before = writes(&sim).await;
    let (status, plan) = call(http.post(format!("{url}/room/plan")).body(ROOM)).await;
    assert_eq!(status, 200, "{plan}");
    let create =
        |kind: &str, target: &str| json!({"action": "create", "kind": kind, "target": target});
    let mut permission = create("permission", "ABP_C on ABP/Capital Calls");
    permission["detail"] = json!("SEE_AND_DOWNLOAD");
    let changes = json!([
        create("workspace", "Posting Watch Fund"),
        create("folder", "ABP"),
        create("folder", "ABP/Capital Calls"),
        create("group", "ABP_C"),
        permission,
    ]);
    assert_eq!(
        (
            &plan["workspace"],
            &plan["workspace_id"],
            &plan["changes"],
            &plan["notes"]
        ),
        (
            &json!("Posting Watch Fund"),
            &Value::Null,
            &changes,
            &json!([])
        )
    );
    assert_eq!(writes(&sim).await, before);
    // Confirmed: applied as planned.
    let apply = |digest: &Value| {
        http.post(format!("{url}/room/apply"))
            .json(&json!({ "digest": digest }))
    };
    let (status, applied) = call(apply(&plan["digest"])).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(
        (&applied["done"], &applied["not_removable"]),
        (&changes, &json!([]))
    );
    let ws = applied["workspace_id"].as_i64().unwrap();
    // Nothing left to do.
    let (_, plan) = call(http.post(format!("{url}/room/plan")).body(ROOM)).await;
    assert_eq!(
        (&plan["workspace_id"], &plan["changes"]),
        (&json!(ws), &json!([]))
    );

    // A second group planned; behind the plan's back, the first is renamed.
    let more = ROOM.replace("  - name: ABP_C\n", "  - name: ABP_C\n  - name: ABP_S\n");
    let (status, plan) = call(http.post(format!("{url}/room/plan")).body(more.clone())).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["changes"], json!([create("group", "ABP_S")]));
    intralinks_room::rename_group(
        service.client(),
        ws,
        "ABP_C",
        "ABP_Z",
        false,
        &FixedAnswers::default(),
    )
    .await
    .unwrap();
    let before = writes(&sim).await;
    let (status, refused) = call(apply(&plan["digest"])).await;
    assert_eq!(
        (status, refused),
        (
            409,
            json!({"error": "workspace \"Posting Watch Fund\" changed since the plan was made (1 change(s) reviewed, 3 now); nothing was sent: plan again, review that plan, and apply it"})
        )
    );
    assert_eq!(writes(&sim).await, before, "no write");
    // That plan is gone; the one made now is applied as it reads.
    let (status, gone) = call(apply(&plan["digest"])).await;
    assert_eq!(
        (status, gone),
        (
            404,
            json!({"error": "no plan of that digest is waiting: plan the room file again"})
        )
    );
    let (_, plan) = call(http.post(format!("{url}/room/plan")).body(more)).await;
    let mut permission = create("permission", "ABP_C on ABP/Capital Calls");
    permission["detail"] = json!("SEE_AND_DOWNLOAD");
    let changes = json!([
        create("group", "ABP_C"),
        create("group", "ABP_S"),
        permission
    ]);
    assert_eq!(plan["changes"], changes);
    let (status, applied) = call(apply(&plan["digest"])).await;
    assert_eq!((status, &applied["done"]), (200, &changes));
    server.abort();
    sim.shutdown().await;
}
