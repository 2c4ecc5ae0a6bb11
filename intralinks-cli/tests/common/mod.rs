//! What the binary's end-to-end tests share: running `intralinks` against a
//! simulator, reading what it printed, and a library client for setting up.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
use intralinks_sim::{Simulator, demo};

/// The binary, with the demo account's credentials and a session file in `cwd`.
pub fn command(url: &str, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_CLIENT_ID", demo::CLIENT_ID)
        .env("INTRALINKS_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("INTRALINKS_EMAIL", demo::EMAIL)
        .env("INTRALINKS_PASSWORD", demo::PASSWORD)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    c
}

/// Runs `command` to the end.
pub async fn run(url: &str, args: &[&str], cwd: &Path) -> Output {
    output(command(url, args, cwd)).await
}

/// Runs the binary with only the base URL and the session file: no credentials.
pub async fn run_saved(url: &str, args: &[&str], cwd: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    output(c).await
}

/// Runs the binary against a stand-in server with a fixed bearer token: no
/// login, only the base URL, the token and a session file in `cwd`.
pub async fn run_with_token(url: &str, token: &str, args: &[&str], cwd: &Path) -> Output {
    output(with_token(url, token, args, cwd)).await
}

/// The command `run_with_token` runs, not yet started.
pub fn with_token(url: &str, token: &str, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_TOKEN", token)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    c
}

/// A stand-in server on 127.0.0.1 (a free port) for `app`; its base URL.
pub async fn serve_on_loopback(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

/// What it printed on stdout.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What it printed on stderr.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout as JSON, or a panic that shows both streams.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {} / {}", out(o), err(o)))
}

/// A library client logged in to `sim` as the demo user.
pub async fn library(sim: &Simulator) -> Intralinks {
    Intralinks::builder(sim.url())
        .login(
            AppKeys {
                client_id: demo::CLIENT_ID.into(),
                client_secret: Secret::new(demo::CLIENT_SECRET),
            },
            Grant::Password {
                email: demo::EMAIL.into(),
                password: Secret::new(demo::PASSWORD),
                end_other_sessions: false,
            },
        )
        .await
        .unwrap()
}

/// Sends SIGINT (Ctrl-C) to `child`.
#[cfg(unix)]
pub fn interrupt(child: &std::process::Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

/// The binary on a pseudo-terminal of its own (its controlling terminal, so
/// that hidden prompts read from `/dev/tty` work), for prompts and
/// confirmations as a person sees them.
#[cfg(unix)]
pub struct Pty {
    master: std::fs::File,
    child: std::process::Child,
    seen: std::sync::mpsc::Receiver<Vec<u8>>,
    /// Everything the terminal showed so far.
    pub shown: String,
}

#[cfg(unix)]
impl Pty {
    /// Starts `command` with stdin, stdout and stderr on a new terminal.
    pub fn spawn(mut command: Command) -> Pty {
        use std::os::fd::{FromRawFd, OwnedFd};
        use std::os::unix::process::CommandExt;
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty fills two descriptors this function then owns.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        command
            .stdin(std::process::Stdio::from(slave.try_clone().unwrap()))
            .stdout(std::process::Stdio::from(slave.try_clone().unwrap()))
            .stderr(std::process::Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        drop(command);
        let master = std::fs::File::from(master);
        let mut reader = master.try_clone().unwrap();
        let (tx, seen) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 4096];
            // EIO once the child has gone: the end.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty {
            master,
            child,
            seen,
            shown: String::new(),
        }
    }

    /// Waits (up to 20 s) until the terminal has shown `text`; returns all shown.
    pub fn expect(&mut self, text: &str) -> &str {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !self.shown.contains(text) {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match self.seen.recv_timeout(left) {
                Ok(bytes) => self.shown.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!(
                    "never shown: {text:?}; the terminal showed {:?}",
                    self.shown
                ),
            }
        }
        &self.shown
    }

    /// What the terminal showed since the last look, without waiting.
    pub fn take_shown(&mut self) -> Option<Vec<u8>> {
        let bytes = self.seen.try_recv().ok()?;
        self.shown.push_str(&String::from_utf8_lossy(&bytes));
        Some(bytes)
    }

    /// Whether the command has ended.
    pub fn ended(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_some()
    }

    /// Waits (up to 10 s) until the program has turned the terminal's echo
    /// off, as it does before reading a secret: typing sooner would echo it.
    pub fn wait_for_no_echo(&self) {
        use std::os::fd::AsRawFd;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let mut t = std::mem::MaybeUninit::<libc::termios>::zeroed();
            // SAFETY: tcgetattr fills the struct for the terminal's descriptor.
            let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), t.as_mut_ptr()) };
            assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
            // SAFETY: filled above.
            if unsafe { t.assume_init() }.c_lflag & libc::ECHO == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < until,
                "echo was never turned off"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Types `line` and Enter.
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        self.master
            .write_all(format!("{line}\r").as_bytes())
            .unwrap();
    }

    /// Waits for the command to end; its exit code, and all it showed.
    pub fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        while let Ok(bytes) = self
            .seen
            .recv_timeout(std::time::Duration::from_millis(500))
        {
            self.shown.push_str(&String::from_utf8_lossy(&bytes));
        }
        (status.code(), self.shown)
    }
}

/// The partial files under a mirror's `.intralinks-sync/parts` (spread
/// over its subdirectories), with their lengths, sorted.
pub fn part_files(parts: &Path) -> Vec<(std::path::PathBuf, u64)> {
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
