//! What the benchmarks share: the simulator's demo app and user, and a
//! simulator in a child process.

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

/// Starts this program again as `PROGRAM --serve ARGS…` (which serves a
/// simulator and prints its URL), so that the client's peak RSS is its
/// own; answers the child (its stdin open: closing it ends the simulator)
/// and the URL.
#[allow(dead_code)] // Not every benchmark runs its simulator apart.
pub fn spawn_simulator(
    args: &[String],
) -> Result<(std::process::Child, String), Box<dyn std::error::Error>> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .arg("--serve")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut url = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().ok_or("no simulator output")?),
        &mut url,
    )?;
    Ok((child, url.trim().to_string()))
}

/// The child's side of [`spawn_simulator`]: serves a simulator of `config`,
/// prints its URL, and stops when stdin closes.
#[allow(dead_code)] // Not every benchmark runs its simulator apart.
pub async fn serve_until_stdin_closes(
    config: intralinks_sim::SimConfig,
) -> Result<(), Box<dyn std::error::Error>> {
    let sim = intralinks_sim::Simulator::start(config).await?;
    println!("{}", sim.url());
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
    })
    .await?;
    sim.shutdown().await;
    Ok(())
}
