//! Generates the client into OUT_DIR with intralinks-gen, from the published
//! spec and the overlay in this package's `openapi/`.

use std::path::{Path, PathBuf};

fn main() {
    // Read when the script runs, not baked in when it is compiled: Cargo
    // reuses a compiled build script for a checkout at another path (a
    // moved clone, a second worktree sharing the target directory).
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let openapi = Path::new(&manifest_dir).join("openapi");
    for input in intralinks_gen::INPUTS {
        println!("cargo:rerun-if-changed={}", openapi.join(input).display());
    }
    let generated = match intralinks_gen::generate_from_dir(&openapi) {
        Ok(generated) => generated,
        Err(e) => {
            // A build script's stderr is shown on failure; say what to do.
            eprintln!("intralinks-gen: {e}");
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("intralinks.rs"), generated.code).expect("OUT_DIR is writable");
}
