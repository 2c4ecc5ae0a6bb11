//! Guards the generated client: snapshots by section, determinism, and the
//! freshness of the committed effective spec.

use intralinks_tests::root;

fn generated() -> intralinks_gen::Generated {
    intralinks_gen::generate_from_dir(&root().join("openapi")).expect("the spec generates")
}

#[test]
fn snapshot_types() {
    insta::assert_snapshot!("types", generated().types);
}

#[test]
fn snapshot_client() {
    insta::assert_snapshot!("client", generated().client);
}

#[test]
fn snapshot_builders() {
    insta::assert_snapshot!("builders", generated().builders);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = generated();
    let b = generated();
    assert_eq!(a.code, b.code);
    assert_eq!(a.effective_yaml, b.effective_yaml);
}

#[test]
fn committed_effective_spec_is_fresh() {
    let committed =
        std::fs::read_to_string(root().join("openapi/effective.yaml")).unwrap_or_default();
    assert!(
        committed == generated().effective_yaml,
        "openapi/effective.yaml is stale: run `cargo xtask regen` and commit it"
    );
}

#[test]
fn multipart_upload_is_left_out_with_its_reason() {
    let ops: Vec<(String, String, String)> = generated()
        .excluded
        .into_iter()
        .map(|e| (e.operation_id, e.method, e.path))
        .collect();
    assert_eq!(
        ops,
        vec![(
            "uploadDocumentFile".to_string(),
            "PUT".to_string(),
            "/workspaces/{workspaceId}/documents/{documentId}/file".to_string()
        )]
    );
    assert_eq!(intralinks_api::excluded::OPERATIONS.len(), 1);
    assert_eq!(
        intralinks_api::excluded::OPERATIONS[0].operation_id,
        "uploadDocumentFile"
    );
}

#[test]
fn published_spec_is_kept_verbatim() {
    let published = std::fs::read_to_string(root().join("openapi/published.yaml")).unwrap();
    assert!(published.starts_with("openapi: 3.0.3\ninfo:\n  title: Intralinks API\n"));
    // The published spec's errors stay in it; the overlay corrects them.
    assert!(published.contains("/workspaces/{workspaceId}/documents/{documentId}/download:"));
}

#[test]
fn a_broken_overlay_names_the_action() {
    let published = std::fs::read_to_string(root().join("openapi/published.yaml")).unwrap();
    let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/nope'].get\n    description: seed 999\n    remove: true\n";
    let err = intralinks_gen::generate(&published, overlay).unwrap_err();
    assert_eq!(
        err.to_string(),
        "overlay action #0 (seed 999): target `$.paths['/nope'].get` selects nothing in the document; fix the path or drop the action"
    );
}

#[test]
fn the_published_spec_alone_generates_with_string_ids() {
    let published = std::fs::read_to_string(root().join("openapi/published.yaml")).unwrap();
    let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: []\n";
    // Unchanged, progenitor could generate it but with string ids; the
    // multipart upload is left out rather than failing the build.
    let g = intralinks_gen::generate(&published, overlay).expect("generates");
    assert_eq!(g.excluded.len(), 1);
    assert_eq!(g.excluded[0].operation_id, "uploadDocument");
    assert!(
        g.types
            .contains("pub id: ::std::option::Option<::std::string::String>")
    );
}
