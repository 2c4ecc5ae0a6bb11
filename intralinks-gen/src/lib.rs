//! The Intralinks client generator.
//!
//! One entry point, [`generate`], turns the published spec and the overlay
//! into the effective spec and the generated client source. `intralinks-api`'s
//! build script, the snapshot tests and `cargo xtask regen` all call it, so the
//! three can never disagree.
//!
//! The pipeline: parse YAML → apply the OpenAPI Overlay ([`overlay`]) → lint
//! ([`lint`]) → leave out what progenitor cannot generate (multipart) →
//! progenitor → prettyplease. The same inputs always give the same bytes.

#![deny(missing_docs)]

mod answers;
pub mod lint;
pub mod overlay;
pub mod surface;
pub mod survival;

use std::path::{Path, PathBuf};

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

pub use lint::{ExcludedOperation, LintProblem};
pub use overlay::Overlay;
pub use survival::{Element, Removed};

/// File name of the published spec inside `openapi/`.
pub const PUBLISHED: &str = "published.yaml";
/// File name of the overlay inside `openapi/`.
pub const OVERLAY: &str = "overlay.yaml";
/// File name of the effective spec inside `openapi/`.
pub const EFFECTIVE: &str = "effective.yaml";
/// The files under `openapi/` that generation reads.
pub const INPUTS: [&str; 2] = [PUBLISHED, OVERLAY];

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// An input file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An input is not valid YAML.
    #[error("{file} is not valid YAML: {message}")]
    Yaml {
        /// Which input.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// An overlay action could not be applied.
    #[error("overlay action #{index} ({description}): {message}")]
    Overlay {
        /// Position of the action in `actions`, from 0.
        index: usize,
        /// The action's description.
        description: String,
        /// What went wrong.
        message: String,
    },
    /// The overlay lost something the published spec declares without a
    /// `remove` action that takes it out.
    #[error("the overlay drops what the published spec declares, and no `remove: true` action takes it out:\n{}\nan `update` adds to arrays and merges objects, it never takes anything away: fix the action that changed these, or remove them explicitly with an action naming the evidence", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Dropped(Vec<Element>),
    /// The effective spec holds what progenitor would panic on or lose data with.
    #[error("the effective spec cannot be generated; fix these in openapi/overlay.yaml:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Lint(Vec<LintProblem>),
    /// The effective spec is not an OpenAPI 3.0 document.
    #[error("the effective spec is not a valid OpenAPI 3.0 document: {0}")]
    Spec(String),
    /// progenitor refused the document.
    #[error("progenitor failed: {0}")]
    Progenitor(String),
    /// The generated tokens are not valid Rust.
    #[error("the generated code does not parse: {0}")]
    Syntax(String),
}

/// The result of one generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The effective spec (published + overlay) as YAML.
    pub effective_yaml: String,
    /// The effective spec as JSON.
    pub effective: Value,
    /// The whole generated client, formatted.
    pub code: String,
    /// Section of `code`: the `types` module.
    pub types: String,
    /// Section of `code`: the client, its impls and operation methods.
    pub client: String,
    /// Section of `code`: the `builder` module.
    pub builders: String,
    /// Operations left out of generation, for `intralinks-ext` to cover.
    pub excluded: Vec<ExcludedOperation>,
    /// What the overlay's `remove` actions took out of the published spec.
    pub removed: Vec<Removed>,
}

/// How the client is generated. [`generate`] and [`generate_from_dir`] use
/// the default, as the build script, the snapshot tests and `cargo xtask
/// regen` do; [`generate_with`] takes other options.
///
/// ```
/// let options = intralinks_gen::Options::default().with_non_exhaustive_answers(false);
/// assert!(!options.non_exhaustive_answers);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Mark `#[non_exhaustive]` the generated structs and enums that only
    /// answers carry — those no operation's request reaches — so that a
    /// field or a value the service adds is not a breaking change; request
    /// types (their enums included) keep their struct literals, builders
    /// and exhaustive matches. Default: on.
    pub non_exhaustive_answers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            non_exhaustive_answers: true,
        }
    }
}

impl Options {
    /// The same, with [`Options::non_exhaustive_answers`] set to `on`.
    pub fn with_non_exhaustive_answers(mut self, on: bool) -> Self {
        self.non_exhaustive_answers = on;
        self
    }
}

/// Reads `published.yaml` and `overlay.yaml` from `dir` and generates.
pub fn generate_from_dir(dir: &Path) -> Result<Generated, GenError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| GenError::Io { path, source })
    };
    generate(&read(PUBLISHED)?, &read(OVERLAY)?)
}

/// Applies the overlay to the published spec; returns the effective spec as JSON.
///
/// Fails with [`GenError::Dropped`] when a published operation, parameter,
/// request body or response is missing and no `remove` action took it out.
pub fn effective_spec(published_yaml: &str, overlay_yaml: &str) -> Result<Value, GenError> {
    Ok(apply_overlay(published_yaml, overlay_yaml)?.0)
}

/// [`effective_spec`], and what the overlay's `remove` actions took out.
pub fn apply_overlay(
    published_yaml: &str,
    overlay_yaml: &str,
) -> Result<(Value, Vec<Removed>), GenError> {
    let published: Value = serde_yaml_ng::from_str(published_yaml).map_err(|e| GenError::Yaml {
        file: PUBLISHED.into(),
        message: e.to_string(),
    })?;
    let mut doc = published.clone();
    let removals = Overlay::from_yaml(overlay_yaml)?.apply_recorded(&mut doc)?;
    let survival = survival::check(&published, &doc, &removals);
    if !survival.dropped.is_empty() {
        return Err(GenError::Dropped(survival.dropped));
    }
    Ok((doc, survival.removed))
}

/// Serializes a spec as YAML, the form committed under `openapi/`.
pub fn to_yaml(spec: &Value) -> String {
    let body = serde_yaml_ng::to_string(spec).expect("a JSON value always serializes as YAML");
    format!(
        "# GENERATED by `cargo xtask regen` from published.yaml + overlay.yaml. Do not edit.\n{body}"
    )
}

/// The whole pipeline: overlay, lint, progenitor, prettyplease, with the
/// default [`Options`].
pub fn generate(published_yaml: &str, overlay_yaml: &str) -> Result<Generated, GenError> {
    generate_with(published_yaml, overlay_yaml, &Options::default())
}

/// [`generate`] with `options`.
pub fn generate_with(
    published_yaml: &str,
    overlay_yaml: &str,
    options: &Options,
) -> Result<Generated, GenError> {
    let (effective, removed) = apply_overlay(published_yaml, overlay_yaml)?;
    let report = lint::lint(&effective);
    if !report.problems.is_empty() {
        return Err(GenError::Lint(report.problems));
    }

    // progenitor sees the effective spec without the excluded operations.
    let mut for_progenitor = effective.clone();
    for ex in &report.excluded {
        if let Some(item) = for_progenitor
            .get_mut("paths")
            .and_then(|p| p.get_mut(&ex.path))
            .and_then(Value::as_object_mut)
        {
            item.shift_remove(&ex.method.to_ascii_lowercase());
        }
    }
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(for_progenitor).map_err(|e| GenError::Spec(e.to_string()))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type("crate::Runtime".parse().expect("a valid path"))
        .with_derive("PartialEq")
        .with_replacement("Millis", "crate::Millis", [].into_iter())
        .with_replacement("TfBool", "crate::TfBool", [].into_iter())
        .with_replacement("Secret", "crate::Secret", [].into_iter());
    let mut generator = Generator::new(&settings);
    // progenitor 0.15 still asserts on a few inputs; the lint above should
    // catch them, and a panic that slips through becomes an error here.
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&spec)
    }))
    .map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into());
        GenError::Progenitor(format!("progenitor panicked: {msg}"))
    })?
    .map_err(|e| GenError::Progenitor(e.to_string()))?;

    let mut file: syn::File = syn::parse2(tokens).map_err(|e| GenError::Syntax(e.to_string()))?;
    file.items.push(
        syn::parse_str(&excluded_module(&report.excluded))
            .map_err(|e| GenError::Syntax(e.to_string()))?,
    );
    syn::visit_mut::VisitMut::visit_file_mut(&mut DocExamplesAsText, &mut file);
    if options.non_exhaustive_answers {
        answers::mark(&mut file);
    }

    let code = prettyplease::unparse(&file);
    let mut types = Vec::new();
    let mut builders = Vec::new();
    let mut client = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => types.push(item.clone()),
            syn::Item::Mod(m) if m.ident == "builder" => builders.push(item.clone()),
            _ => client.push(item.clone()),
        }
    }
    let section = |items: Vec<syn::Item>| {
        prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: Vec::new(),
            items,
        })
    };
    Ok(Generated {
        effective_yaml: to_yaml(&effective),
        effective,
        code,
        types: section(types),
        client: section(client),
        builders: section(builders),
        excluded: report.excluded,
        removed,
    })
}

/// progenitor writes each method's usage as an `ignore` doc test: sketches
/// that cannot compile on their own, which `cargo test` would list as ignored
/// tests. They stay in the docs, as `text` blocks.
struct DocExamplesAsText;

impl syn::visit_mut::VisitMut for DocExamplesAsText {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && nv.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &mut nv.value
            && text.value().contains("```ignore")
        {
            let fixed = text.value().replace("```ignore", "```text");
            *text = syn::LitStr::new(&fixed, text.span());
        }
    }
}

fn excluded_module(excluded: &[ExcludedOperation]) -> String {
    let mut entries = String::new();
    for ex in excluded {
        entries.push_str(&format!(
            "ExcludedOperation {{ operation_id: {:?}, method: {:?}, path: {:?}, reason: {:?} }},\n",
            ex.operation_id, ex.method, ex.path, ex.reason
        ));
    }
    format!(
        "/// Operations of the effective spec that progenitor cannot generate; \
         `intralinks-ext` implements each by hand.\n\
         pub mod excluded {{\n\
         /// One operation left out of generation.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
         pub struct ExcludedOperation {{\n\
         /// The operationId.\n pub operation_id: &'static str,\n\
         /// The HTTP method.\n pub method: &'static str,\n\
         /// The path template, relative to `/v2`.\n pub path: &'static str,\n\
         /// Why it is not generated.\n pub reason: &'static str,\n\
         }}\n\
         /// Every operation left out of generation.\n\
         pub const OPERATIONS: &[ExcludedOperation] = &[\n{entries}];\n\
         }}"
    )
}

/// The crate README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
