//! A token store shared by several clients, as by several processes: a due
//! token costs one refresh, and every client goes on.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use intralinks_ext::store::{FileStore, TokenStore};
use intralinks_ext::{Checked, Intralinks};
use intralinks_sim::{SimConfig, Simulator};

use crate::common;

async fn token_requests(sim: &Simulator) -> u64 {
    let requests: BTreeMap<String, u64> = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    requests
        .get("POST /v2/oauth/token")
        .copied()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_clients_with_a_due_token_cost_one_refresh_and_all_succeed() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(dir.path().join("session.json")));

    // The login stores its pair.
    let first = Intralinks::builder(sim.url())
        .token_store(Arc::clone(&store))
        .login(common::keys(), common::password())
        .await
        .unwrap();
    assert_eq!(token_requests(&sim).await, 1);
    let stored = store.lock().unwrap().load().unwrap().unwrap();
    assert_eq!(
        stored.access_token,
        first.session().unwrap().tokens().await.access_token
    );
    // Due now: every client that resumes from it must refresh first.
    let mut due = stored;
    due.expires_at = SystemTime::now();
    store.lock().unwrap().save(&due).unwrap();

    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(
            Intralinks::builder(sim.url())
                .token_store(Arc::clone(&store))
                .resume(common::keys(), None)
                .await
                .unwrap(),
        );
    }
    let calls = clients.iter().map(|il| async move {
        il.api()
            .list_workspaces()
            .send()
            .checked()
            .await
            .map(|w| w.workspace.len())
    });
    let answers = futures_util::future::join_all(calls).await;
    for a in &answers {
        assert!(a.as_ref().is_ok_and(|n| *n > 0), "{a:?}");
    }
    // One refresh for four clients; the pair they share is the stored one.
    assert_eq!(token_requests(&sim).await, 2);
    let now = store.lock().unwrap().load().unwrap().unwrap();
    for il in &clients {
        assert_eq!(
            il.session().unwrap().tokens().await.access_token,
            now.access_token
        );
    }
    assert_ne!(now.access_token, due.access_token);
    sim.shutdown().await;
}

#[tokio::test]
async fn resume_without_a_stored_pair_says_to_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let e = Intralinks::builder("http://127.0.0.1:9")
        .token_store(Arc::new(FileStore::new(dir.path().join("none.json"))))
        .resume(common::keys(), None)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("log in first"), "{e}");
}
