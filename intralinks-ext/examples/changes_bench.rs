//! Benchmark: the change feed's cost on a large room, without the network.
//!
//! `cargo run --release -p intralinks-ext --example changes_bench [DOCUMENTS]`
//!
//! Builds a listing of DOCUMENTS (default 200,000) documents in 1,000
//! folders, takes its point, changes 1 % of the documents (a new version, a
//! rename, a removal, a new one in turn), and prints the time to take a
//! point, to compare two, to write and read the cursor, and the cursor's
//! size — what a service that watches such a room pays per check beyond the
//! two listings.

use std::time::Instant;

use intralinks_ext::changes::{ChangeCursor, ChangeKind, compare, point};
use intralinks_ext::types::{Document, Folder};

fn folder(id: i64, parent: Option<i64>) -> Folder {
    serde_json::from_value(serde_json::json!({
        "id": id, "parentId": parent, "name": format!("Folder {id}"),
    }))
    .expect("a folder")
}

fn doc(id: i64, folder: i64, name: &str, version: i64) -> Document {
    serde_json::from_value(serde_json::json!({
        "id": id, "parentId": folder, "name": name, "versionNumber": version,
        "lastModifiedOn": {"milliseconds": 1_700_000_000_000i64 + version},
    }))
    .expect("a document")
}

fn main() {
    let n: i64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("DOCUMENTS is a number"))
        .unwrap_or(200_000);
    let folders: Vec<Folder> = (0..1_000)
        .map(|i| folder(i, (i >= 10).then_some(i % 10)))
        .collect();
    let before: Vec<Document> = (0..n)
        .map(|i| doc(1_000_000 + i, i % 1_000, &format!("Document {i}.pdf"), 1))
        .collect();
    let mut after = before.clone();
    let mut expected = [0usize; 3];
    for (k, i) in (0..n).step_by(100).enumerate() {
        let d = &mut after[i as usize];
        match k % 4 {
            0 => {
                d.version_number = Some(2);
                expected[1] += 1;
            }
            1 => {
                d.name = Some(format!("Renamed {i}.pdf"));
                expected[1] += 1;
            }
            2 => {
                d.id = -d.id; // removed, and another one new
                expected[0] += 1;
                expected[2] += 1;
            }
            _ => {}
        }
    }

    let t = Instant::now();
    let since = point(1, &folders, &before, None);
    let point_ms = t.elapsed().as_secs_f64() * 1e3;
    let now = point(1, &folders, &after, None);

    let t = Instant::now();
    let changes = compare(&since, &now);
    let compare_ms = t.elapsed().as_secs_f64() * 1e3;
    let count = |k: ChangeKind| changes.iter().filter(|c| c.kind == k).count();
    assert_eq!(
        [
            count(ChangeKind::New),
            count(ChangeKind::Changed),
            count(ChangeKind::Removed)
        ],
        expected
    );

    let t = Instant::now();
    let json = since.to_json().expect("written");
    let write_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let back = ChangeCursor::from_json(&json).expect("read back");
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(back, since);

    println!("documents            {n}");
    println!(
        "changes              {} ({} new, {} changed, {} removed)",
        changes.len(),
        expected[0],
        expected[1],
        expected[2]
    );
    println!("take a point         {point_ms:.1} ms");
    println!("compare two points   {compare_ms:.1} ms");
    println!("cursor to JSON       {write_ms:.1} ms");
    println!("cursor from JSON     {read_ms:.1} ms");
    println!(
        "cursor size          {:.1} MiB ({:.0} bytes a document)",
        json.len() as f64 / (1024.0 * 1024.0),
        json.len() as f64 / n as f64
    );
}
