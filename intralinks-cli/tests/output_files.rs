//! `download -o` and `upload` as people use them: `-` is standard output or
//! input; a symbolic link is refused and left alone; a pipe is written
//! through and stays a pipe; a missing directory is an error and is not made.

use std::io::Write;
use std::process::Stdio;

use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::{command, err, run};

#[tokio::test(flavor = "multi_thread")]
async fn dash_links_pipes_and_missing_directories() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let readme = demo::DOC_README.to_string();

    // The reference copy, through a plain file.
    let o = run(
        &url,
        &["download", "701421", &readme, "-o", "readme.txt"],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let want = std::fs::read(cwd.join("readme.txt")).unwrap();
    assert!(!want.is_empty());

    // -o - streams to standard output; no file named "-".
    let o = run(&url, &["download", "701421", &readme, "-o", "-"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(o.stdout, want);
    assert!(!cwd.join("-").exists());
    assert_eq!(
        err(&o),
        format!(
            "{} bytes of document {readme} written to standard output, SHA-1 verified\n",
            want.len()
        )
    );

    // A symbolic link is refused, and it and its target are left alone.
    std::fs::write(cwd.join("target.txt"), b"keep me").unwrap();
    std::os::unix::fs::symlink(cwd.join("target.txt"), cwd.join("link.txt")).unwrap();
    let o = run(
        &url,
        &["download", "701421", &readme, "-o", "link.txt"],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("link.txt is a symbolic link and was left alone"),
        "{}",
        err(&o)
    );
    assert!(
        std::fs::symlink_metadata(cwd.join("link.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(cwd.join("target.txt")).unwrap(), b"keep me");

    // A named pipe is written through: its reader gets the bytes, it stays a pipe.
    let fifo = cwd.join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a path string this test owns.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let o = run(&url, &["download", "701421", &readme, "-o", "pipe"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(reader.join().unwrap(), want);
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A missing directory is an error, and is not created.
    let o = run(
        &url,
        &["download", "701421", &readme, "-o", "no/such/dir/x.txt"],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("the directory no/such/dir does not exist: create it first"),
        "{}",
        err(&o)
    );
    assert!(!cwd.join("no").exists());

    // upload - reads standard input, named by --name.
    let folder = demo::FOLDER_FY2024.to_string();
    let mut c = command(
        &url,
        &[
            "--json",
            "upload",
            "701421",
            &folder,
            "-",
            "--name",
            "from-stdin.txt",
        ],
        cwd,
    );
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let o = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"piped into a data room\n")
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let up = common::json(&o);
    assert_eq!(up["bytes"], 23);
    let id = up["id"].as_i64().unwrap().to_string();
    let o = run(
        &url,
        &["--json", "documents", "701421", "--folder", &folder],
        cwd,
    )
    .await;
    let docs = common::json(&o);
    let doc = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"].as_i64() == id.parse().ok())
        .unwrap();
    assert_eq!(doc["name"], "from-stdin.txt");
    let o = run(&url, &["download", "701421", &id, "-o", "-"], cwd).await;
    assert_eq!(o.stdout, b"piped into a data room\n");

    // Without --name, standard input is refused before anything is sent.
    let o = run(&url, &["upload", "701421", &folder, "-"], cwd).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: uploading standard input needs --name NAME for the document\n"
    );
    sim.shutdown().await;
}
