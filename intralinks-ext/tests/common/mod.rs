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
