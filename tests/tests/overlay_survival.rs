//! The overlay corrects the published spec; it never silently loses what the
//! published spec declares.

use intralinks_gen::{Element, GenError, survival};
use intralinks_tests::root;
use serde_json::Value;

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join("openapi").join(name)).expect("openapi/ inputs exist")
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("valid YAML")
}

/// Every published parameter of an operation that survives the overlay is
/// still there — checked directly, not through the removal bookkeeping.
#[test]
fn no_published_parameter_is_missing_from_a_surviving_operation() {
    let published = yaml(&read("published.yaml"));
    let effective = intralinks_gen::effective_spec(&read("published.yaml"), &read("overlay.yaml"))
        .expect("the overlay applies");
    let published_elements = survival::elements(&published);
    let effective_elements = survival::elements(&effective);
    let surviving_ops: Vec<&Element> = effective_elements
        .iter()
        .filter(|e| matches!(e, Element::Operation { .. }))
        .collect();
    let mut missing = Vec::new();
    let mut checked = Vec::new();
    for e in &published_elements {
        if let Element::Parameter { method, path, .. } = e {
            let op = Element::Operation {
                method: method.clone(),
                path: path.clone(),
            };
            if surviving_ops.contains(&&op) {
                checked.push(e.to_string());
                if !effective_elements.contains(e) {
                    missing.push(e.to_string());
                }
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new());
    // The published parameters of surviving operations, listed in a reviewed
    // snapshot so that a test over nothing cannot pass: a new published.yaml
    // changes the list, and `cargo xtask regen` plus `cargo insta review`
    // takes the change in — no number to edit by hand.
    assert!(!checked.is_empty(), "no published parameter was checked");
    insta::assert_snapshot!("surviving_published_parameters", checked.join("\n"));
    for limit in ["type", "offset", "limit"] {
        assert!(
            effective_elements.contains(&Element::Parameter {
                method: "get".into(),
                path: "/workspaces".into(),
                location: "query".into(),
                name: limit.into(),
            }),
            "listWorkspaces lost `{limit}`"
        );
    }
}

/// An action that would drop a published parameter stops generation, naming it.
#[test]
fn an_action_that_drops_a_parameter_fails_naming_it() {
    let overlay = r#"overlay: 1.0.0
info: {title: a careless overlay, version: '1'}
actions:
  - target: $.paths['/workspaces'].get.parameters[?@.name == 'offset']
    description: renames the offset parameter, losing it
    update:
      name: start
"#;
    let err = intralinks_gen::generate(&read("published.yaml"), overlay).unwrap_err();
    assert!(
        matches!(&err, GenError::Dropped(lost) if lost.len() == 1),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the overlay drops what the published spec declares, and no `remove: true` action takes it out:\n  - GET /workspaces: query parameter `offset`\nan `update` adds to arrays and merges objects, it never takes anything away: fix the action that changed these, or remove them explicitly with an action naming the evidence"
    );
}

/// A parameter declared again by an `update` is a lint error, not a second builder method.
#[test]
fn a_parameter_added_twice_is_refused_by_the_lint() {
    let overlay = format!(
        "{}\n  - target: $.paths['/workspaces'].get\n    description: limit again\n    update:\n      parameters:\n        - {{name: limit, in: query, schema: {{type: integer}}}}\n",
        read("overlay.yaml").trim_end()
    );
    let err = intralinks_gen::generate(&read("published.yaml"), &overlay).unwrap_err();
    let GenError::Lint(problems) = &err else {
        panic!("expected a lint error, got {err}");
    };
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "GET /workspaces (listWorkspaces): query parameter `limit` is declared twice; an overlay `update` appends to `parameters`, so add only new ones and change an existing one through a target that selects it"
        ]
    );
}

/// What the real overlay removes is attributed to actions, and listed.
#[test]
fn every_removal_of_the_real_overlay_names_its_action() {
    let generated = intralinks_gen::generate_from_dir(&root().join("openapi")).expect("generates");
    assert!(!generated.removed.is_empty());
    let download = generated
        .removed
        .iter()
        .find(|r| {
            r.element.to_string() == "GET /workspaces/{workspaceId}/documents/{documentId}/download"
        })
        .expect("the published download path is removed");
    assert!(
        download.description.contains("download is /file"),
        "{}",
        download.description
    );
}
