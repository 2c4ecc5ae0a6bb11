//! What the benchmarks share: the simulator's demo app and user.

use intralinks_ext::{AppKeys, Grant, Secret};
use intralinks_sim::demo;

/// The simulator's demo app.
pub fn demo_app() -> AppKeys {
    AppKeys {
        client_id: demo::CLIENT_ID.into(),
        client_secret: Secret::new(demo::CLIENT_SECRET),
    }
}

/// The simulator's demo user, signing in with a password.
pub fn demo_user() -> Grant {
    Grant::Password {
        email: demo::EMAIL.into(),
        password: Secret::new(demo::PASSWORD),
        end_other_sessions: false,
    }
}
