//! What the end-to-end tests share: the simulator's demo account.

#![allow(dead_code)]

use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
use intralinks_sim::{SimConfig, Simulator, demo};

/// The demo app's keys.
pub fn keys() -> AppKeys {
    AppKeys {
        client_id: demo::CLIENT_ID.into(),
        client_secret: Secret::new(demo::CLIENT_SECRET),
    }
}

/// The demo user's password grant.
pub fn password() -> Grant {
    Grant::Password {
        email: demo::EMAIL.into(),
        password: Secret::new(demo::PASSWORD),
        end_other_sessions: false,
    }
}

/// A client logged in to `sim` as the demo user.
pub async fn login(sim: &Simulator) -> Intralinks {
    Intralinks::builder(sim.url())
        .login(keys(), password())
        .await
        .unwrap()
}

/// A simulator with the default configuration, and a client logged in to it.
pub async fn start() -> (Simulator, Intralinks) {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = login(&sim).await;
    (sim, il)
}

/// Where a mirror keeps the partial file `name` under its
/// `.intralinks-sync/parts`: in one of 64 subdirectories, `{FNV-1a of the
/// name mod 64:02x}/{name}`. Written out here, not borrowed from the
/// library, because a resumed part must be found where an earlier release
/// left it: the layout may not change by accident.
pub fn part_path(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:02x}/{name}", hash % 64)
}

/// The partial files under a mirror's `parts` directory (in its
/// subdirectories), with their lengths, sorted.
pub fn part_files(parts: &std::path::Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut found = Vec::new();
    for shard in std::fs::read_dir(parts).into_iter().flatten().flatten() {
        for e in std::fs::read_dir(shard.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(m) = e.metadata() {
                found.push((e.path(), m.len()));
            }
        }
    }
    found.sort();
    found
}
