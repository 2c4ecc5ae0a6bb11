//! Each library package builds and tests from its own files only, so a few
//! files exist twice: the package copy must stay byte-identical to the
//! workspace original.

use intralinks_tests::root;

fn assert_same(original: &str, copy: &str, fix: &str) {
    let read = |rel: &str| {
        std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    };
    assert!(
        read(original) == read(copy),
        "{copy} differs from {original}: {fix}"
    );
}

#[test]
fn intralinks_api_generates_from_a_copy_of_openapi() {
    for name in intralinks_gen::INPUTS {
        assert_same(
            &format!("openapi/{name}"),
            &format!("intralinks-api/openapi/{name}"),
            "run `cargo xtask regen` and commit the result",
        );
    }
}

#[test]
fn intralinks_ext_fixtures_are_copies_of_the_seeds() {
    let dir = root().join("intralinks-ext/tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("intralinks-ext/tests/fixtures exists")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in &names {
        assert!(
            root().join("tests/fixtures").join(name).exists(),
            "intralinks-ext/tests/fixtures/{name} has no original in tests/fixtures/"
        );
        assert_same(
            &format!("tests/fixtures/{name}"),
            &format!("intralinks-ext/tests/fixtures/{name}"),
            "copy the file from tests/fixtures/ again (the seeds are the originals)",
        );
    }
}
