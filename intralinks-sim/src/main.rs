//! `intralinks-sim`: run the Intralinks simulator from the command line.
//!
//! Prints the base URL as the first line of stdout, then the demo login,
//! and serves until Ctrl-C.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use intralinks_sim::{Faults, SimConfig, Simulator, demo};

/// A stateful simulator of the Intralinks virtual-data-room API (V2 JSON
/// under /v2, V1 XML under /services, test controls under /_sim).
///
/// The first line of stdout is the base URL (e.g. http://127.0.0.1:41234);
/// the demo login follows. Logs go to stderr (RUST_LOG=debug for more).
#[derive(Debug, Parser)]
#[command(
    name = "intralinks-sim",
    version,
    after_long_help = "Control surface (no authentication, never faulty):\n  \
        POST /_sim/reset                  back to the seeded data room (sessions, lockouts, mailbox cleared)\n  \
        GET  /_sim/mailbox                one-time passwords and welcome alerts mailed: [{email, workspaceId, oneTimePassword | alert, subject, note, sentOn}]\n  \
        POST /_sim/token                  {email} -> that person's access_token and refresh_token\n  \
        GET  /_sim/access-report, PUT /_sim/access-report  {notReadyFirst}: the first accessReport per document answers 9-9-9-1 (default true)\n  \
        GET  /_sim/faults, PUT /_sim/faults  {latencyMs, errorRate, retryAfterSecs, dropMidBodyRate, truncateRate, ignoreRange, failUploads}\n  \
        POST /_sim/expire-tokens          every access token expires now (refresh tokens still work)\n  \
        POST /_sim/corrupt/{documentId}   fileHashDownload stops matching the bytes\n  \
        GET  /_sim/stats                  {downloads, uploads, downloadBytes, bytesRead, bytesWritten, rateLimit} since start\n  \
        GET  /_sim/bandwidth, PUT /_sim/bandwidth  {upBytesPerSec, downBytesPerSec} per connection (0: unlimited)\n  \
        GET  /_sim/rate-limit, PUT /_sim/rate-limit  {perSecond, burst, maxConcurrent} per client (0: no limit)\n  \
        GET  /_sim/health                 \"ok\"\n  \
        GET  /_sim/requests               requests answered so far, by \"METHOD /path\""
)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "INTRALINKS_SIM_ADDR", default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// Lifetime of access tokens in seconds (the `expires_in` answered).
    #[arg(long, value_name = "SECS", default_value_t = 3599)]
    token_lifetime: u64,

    /// Lifetime of refresh tokens in seconds (default 30 days).
    #[arg(long, value_name = "SECS", default_value_t = 30 * 24 * 3600)]
    refresh_token_lifetime: u64,

    /// Delay added before every /v2 and /services answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,

    /// Share of /v2 and /services calls (0.0 to 1.0) answered 503 with a
    /// Retry-After header instead of being performed.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    error_rate: f64,

    /// Retry-After of those 503 answers, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    retry_after_secs: u64,

    /// Share of answers (0.0 to 1.0) whose connection is dropped half-way
    /// through the body, after announcing the full Content-Length.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    drop_mid_body_rate: f64,

    /// Share of answers (0.0 to 1.0) whose body ends cleanly after half of
    /// its bytes, without a Content-Length.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    truncate_rate: f64,

    /// A slow link: each connection's reads and writes held to this many
    /// bytes per second (k, M and G suffixes: 2M is 2,000,000); 0 is unlimited.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = parse_rate, default_value = "0")]
    bandwidth: u64,

    /// Like --bandwidth, for what the simulator reads (uploads) only.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = parse_rate)]
    bandwidth_up: Option<u64>,

    /// Like --bandwidth, for what the simulator writes (downloads) only.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = parse_rate)]
    bandwidth_down: Option<u64>,

    /// The service's throttling: each client (an access token, or an address
    /// when it sends none) may send this many /v2 and /services requests per
    /// second, written 50/s or 50; more are answered 429 with Retry-After.
    #[arg(long, value_name = "N/s", value_parser = parse_per_second)]
    rate_limit: Option<f64>,

    /// With --rate-limit: requests a client may send at once above the rate
    /// (default: one second's worth).
    #[arg(long, value_name = "N", requires = "rate_limit")]
    burst: Option<u32>,

    /// Requests of one client in flight at once; more are answered 429.
    #[arg(long, value_name = "N")]
    max_concurrent: Option<u32>,

    /// Answer downloads in full, ignoring Range requests.
    #[arg(long)]
    ignore_range: bool,

    /// Add the generated workspace 701430: DOCS small documents spread over
    /// FOLDERS root folders, written DOCS or DOCS:FOLDERS (default 10 folders).
    #[arg(long, value_name = "DOCS[:FOLDERS]", value_parser = parse_generated)]
    generate: Option<intralinks_sim::Generated>,

    /// Add workspace 6115625 "API Unit Test", the room the Intralinks Python
    /// SDK's own test suite expects: the demo user its only member, empty.
    #[arg(long)]
    sdk_test_room: bool,
}

fn parse_rate(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, factor) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1_000),
        Some((i, 'm' | 'M')) => (&t[..i], 1_000_000),
        Some((i, 'g' | 'G')) => (&t[..i], 1_000_000_000),
        _ => (t, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{text:?} is not a rate in bytes per second, as in --bandwidth 2M"))
}

fn parse_per_second(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let digits = t.strip_suffix("/s").unwrap_or(t).trim();
    digits
        .parse::<f64>()
        .ok()
        .filter(|n| (0.001..=1_000_000.0).contains(n))
        .ok_or_else(|| {
            format!("{text:?} is not a rate from 0.001/s to 1000000/s, as in --rate-limit 50/s")
        })
}

fn parse_generated(text: &str) -> Result<intralinks_sim::Generated, String> {
    let (docs, folders) = text.split_once(':').unwrap_or((text, "10"));
    let number = |s: &str, what: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("{what} must be a whole number, as in --generate 2000:40"))
    };
    Ok(intralinks_sim::Generated::new(
        number(docs, "the number of documents")?,
        number(folders, "the number of folders")?,
    ))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let faults = Faults {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        retry_after_secs: args.retry_after_secs,
        drop_mid_body_rate: args.drop_mid_body_rate,
        truncate_rate: args.truncate_rate,
        ignore_range: args.ignore_range,
        ..Faults::default()
    };
    if let Err(e) = faults.validate() {
        eprintln!("intralinks-sim: {e}");
        return std::process::ExitCode::from(2);
    }
    let config = SimConfig {
        addr: args.addr,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        refresh_token_lifetime: Duration::from_secs(args.refresh_token_lifetime),
        faults,
        generated: args.generate,
        sdk_test_room: args.sdk_test_room,
        rate_limit: intralinks_sim::RateLimit {
            per_second: args.rate_limit.unwrap_or(0.0),
            burst: args
                .burst
                .unwrap_or_else(|| args.rate_limit.map_or(0, |r| r.ceil() as u32)),
            max_concurrent: args.max_concurrent.unwrap_or(0),
        },
        bandwidth: intralinks_sim::Bandwidth {
            up_bytes_per_sec: args.bandwidth_up.unwrap_or(args.bandwidth),
            down_bytes_per_sec: args.bandwidth_down.unwrap_or(args.bandwidth),
        },
        ..SimConfig::default()
    };
    if let Err(e) = config.rate_limit.validate() {
        eprintln!("intralinks-sim: {e} (--rate-limit, --burst)");
        return std::process::ExitCode::from(2);
    }
    let sim = match Simulator::start(config).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("intralinks-sim: cannot start on {}: {e}", args.addr);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", sim.url());
    println!(
        "demo login: client_id={} client_secret={} email={} password={} (security answer: {})",
        demo::CLIENT_ID,
        demo::CLIENT_SECRET,
        demo::EMAIL,
        demo::PASSWORD,
        demo::ANSWER
    );
    println!(
        "main workspace {} (no entry requirement); V2 at {}/v2, V1 at {}/services, controls at {}/_sim",
        demo::MAIN_WORKSPACE,
        sim.url(),
        sim.url(),
        sim.url()
    );
    wait_for_stop().await;
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => eprintln!("intralinks-sim: cannot listen for SIGTERM ({e}); Ctrl-C only"),
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("intralinks-sim: cannot listen for Ctrl-C; stopping");
    }
}
