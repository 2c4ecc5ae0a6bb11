//! No two modules of a crate may refer to each other, directly or through
//! others: an import circle means neither can be understood, tested or moved
//! without the other, so the shared item belongs lower down.
//!
//! The scan reads the hand-written sources as text (no parser): comments,
//! strings and `#[cfg(test)]` items are blanked, then every path that starts
//! with `crate::`, `super::` or `self::` (or names a sibling module after a
//! `use super::*`) is resolved against the crate's module tree. An edge "A
//! refers to B" is recorded between the two siblings under the deepest module
//! that holds both, so `sync/mirror.rs` naming `crate::local` is an edge
//! `sync → local`, and `sync/mirror.rs` naming `super::plan` is an edge
//! `sync::mirror → sync::plan`. A path to a module's own ancestor or
//! descendant is not an edge, nor is a path to an item of the crate root
//! (`crate::Error`, re-exported there): only module names count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use intralinks_tests::root;

/// The hand-written library and command crates. `intralinks-api` generates
/// its client into `OUT_DIR`, so its `src/` is all hand-written.
const CRATES: &[&str] = &[
    "intralinks-api",
    "intralinks-ext",
    "intralinks-sync",
    "intralinks-report",
    "intralinks-room",
    "intralinks-sim",
    "intralinks-cli",
    "intralinks-gen",
];

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let mut report = Vec::new();
    for krate in CRATES {
        let files = read_sources(krate);
        assert!(!files.is_empty(), "{krate}/src has no .rs file");
        let edges = edges(&files);
        for circle in circles(&edges) {
            report.push(describe(krate, &circle));
        }
    }
    assert!(
        report.is_empty(),
        "{} import circle(s) between modules; move the shared items into the module \
         lower in the stack (or a small module both use) and re-export them where they \
         are public today:\n\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The scan must see real edges, or the test above passes for nothing.
#[test]
fn the_scan_finds_known_edges_in_the_real_sources() {
    // (crate, common parent, from, to)
    let known = [
        ("intralinks-cli", "", "commands", "context"),
        ("intralinks-gen", "", "survival", "overlay"),
        ("intralinks-sim", "", "state", "content"),
        ("intralinks-ext", "", "transfer", "pipe"),
        (
            "intralinks-ext",
            "transfer",
            "transfer::download",
            "transfer::part",
        ),
    ];
    for (krate, level, from, to) in known {
        let edges = edges(&read_sources(krate));
        assert!(
            edges
                .iter()
                .any(|e| e.level == level && e.from == from && e.to == to),
            "expected an edge {from} → {to} in {krate}; found: {:#?}",
            edges
                .iter()
                .map(|e| format!("{} → {}", e.from, e.to))
                .collect::<BTreeSet<_>>()
        );
    }
}

/// Every `.rs` file under `<krate>/src`, as (path relative to `src`, text),
/// sorted by path. `src/bin` holds separate crates and is left out.
fn read_sources(krate: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.expect("a directory entry");
            let name = entry.file_name().into_string().expect("a UTF-8 file name");
            let rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                if rel != "bin" {
                    walk(&path, &rel, out);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                out.push((rel, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(krate).join("src"), "", &mut out);
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// The scanner.

/// A module path from the crate root: `[]` is the root, `["sync", "plan"]`
/// is `crate::sync::plan`.
type ModPath = Vec<String>;

/// One reference from a module to a sibling (after lifting both ends to the
/// children of their deepest common ancestor).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    /// The common parent, joined with `::` (`""` for the crate root).
    level: String,
    /// The referring sibling, as a full module path joined with `::`.
    from: String,
    /// The referred-to sibling, likewise.
    to: String,
    /// The file that holds the reference, relative to `src/`.
    file: String,
    /// Its line, from 1.
    line: usize,
    /// The path as written, e.g. `crate::transfer::Progress`.
    path: String,
}

/// One strongly connected set of sibling modules: each reaches every other.
#[derive(Debug)]
struct Circle {
    /// The common parent, joined with `::` (`""` for the crate root).
    level: String,
    /// The modules of the set, sorted.
    modules: Vec<String>,
    /// Every elementary circle in the set, each from its smallest module
    /// back to it (`[a, b, a]`), shortest first.
    cycles: Vec<Vec<String>>,
    /// Every edge between modules of the set: each lies on some circle.
    edges: Vec<Edge>,
}

/// At most this many circles of one set are spelled out.
const CIRCLES_SHOWN: usize = 50;

fn describe(krate: &str, circle: &Circle) -> String {
    let level = if circle.level.is_empty() {
        "the crate root".to_string()
    } else {
        format!("`{}`", circle.level)
    };
    let mut text = format!(
        "{krate}: modules under {level} that reach each other: {}\n",
        circle.modules.join(", ")
    );
    for cycle in circle.cycles.iter().take(CIRCLES_SHOWN) {
        text.push_str(&format!("  circle: {}\n", cycle.join(" → ")));
    }
    if circle.cycles.len() > CIRCLES_SHOWN {
        text.push_str(&format!(
            "  … and {} more circles\n",
            circle.cycles.len() - CIRCLES_SHOWN
        ));
    }
    // The edges, one line per referring place: `file:line path, path`.
    type Places<'a> = BTreeMap<(&'a str, usize), Vec<&'a str>>;
    let mut by_pair: BTreeMap<(&str, &str), Places> = BTreeMap::new();
    for e in &circle.edges {
        by_pair
            .entry((&e.from, &e.to))
            .or_default()
            .entry((&e.file, e.line))
            .or_default()
            .push(&e.path);
    }
    for ((from, to), places) in by_pair {
        text.push_str(&format!("  {from} → {to}:\n"));
        for ((file, line), paths) in places {
            text.push_str(&format!(
                "      {krate}/src/{file}:{line} {}\n",
                paths.join(", ")
            ));
        }
    }
    text
}

/// The module a file is, from its path relative to `src/`. `lib.rs` and
/// `main.rs` are the root (where a crate has both, its `main.rs` declares no
/// module and uses the library by name).
fn module_of(file: &str) -> ModPath {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut parts: ModPath = stem.split('/').map(str::to_string).collect();
    if matches!(parts.as_slice(), [only] if only == "lib" || only == "main") {
        return Vec::new();
    }
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// Every edge between sibling modules that the files' code makes, sorted.
/// `files` are (path relative to `src/`, text).
fn edges(files: &[(String, String)]) -> Vec<Edge> {
    let scans: Vec<(String, ModPath, Scan)> = files
        .iter()
        .map(|(file, text)| (file.clone(), module_of(file), scan(text)))
        .collect();
    // Files under a `#[cfg(test)] mod name;` are tests, like inline ones.
    let test_only: Vec<ModPath> = scans
        .iter()
        .flat_map(|(_, module, s)| {
            s.test_children.iter().map(move |child| {
                let mut path = module.clone();
                path.push(child.clone());
                path
            })
        })
        .collect();
    let scans: Vec<_> = scans
        .into_iter()
        .filter(|(_, module, _)| !test_only.iter().any(|t| module.starts_with(t)))
        .collect();

    let mut modules: BTreeSet<ModPath> = BTreeSet::new();
    for (_, module, s) in &scans {
        for depth in 0..=module.len() {
            modules.insert(module[..depth].to_vec());
        }
        for inline in &s.inline_modules {
            let mut path = module.clone();
            path.extend(inline.iter().cloned());
            modules.insert(path);
        }
    }

    let mut found = BTreeSet::new();
    for (file, module, s) in &scans {
        let context = |leaf: &Leaf| {
            let mut path = module.clone();
            path.extend(leaf.inline.iter().cloned());
            path
        };
        // Modules (file or inline) that glob-import their parent, and so
        // see its child modules by their bare names.
        let globbing: BTreeSet<ModPath> = s
            .leaves
            .iter()
            .filter(|leaf| leaf.glob)
            .filter_map(|leaf| {
                let ctx = context(leaf);
                let parent = ctx.split_last()?.1.to_vec();
                let (target, whole) = resolve(&ctx, &leaf.segments, &modules, false)?;
                (whole && target == parent).then_some(ctx)
            })
            .collect();
        for leaf in &s.leaves {
            let ctx = context(leaf);
            let sees_siblings = globbing.contains(&ctx);
            let Some((target, _)) = resolve(&ctx, &leaf.segments, &modules, sees_siblings) else {
                continue;
            };
            let common = ctx.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == ctx.len() || common == target.len() {
                continue; // to itself, an ancestor (the root too) or a descendant
            }
            found.insert(Edge {
                level: target[..common].join("::"),
                from: ctx[..=common].join("::"),
                to: target[..=common].join("::"),
                file: file.clone(),
                line: leaf.line,
                path: leaf.segments.join("::") + if leaf.glob { "::*" } else { "" },
            });
        }
    }
    found.into_iter().collect()
}

/// The module a path names, from a module `ctx`: the longest prefix of the
/// path that is a module (the root when none is), and whether the whole path
/// is one. `None` when the path does not start in the crate (an external
/// crate, a local type), or climbs above the root. A bare first segment is
/// a child of `ctx`, or, when `sees_siblings`, a sibling.
fn resolve(
    ctx: &[String],
    segments: &[String],
    modules: &BTreeSet<ModPath>,
    sees_siblings: bool,
) -> Option<(ModPath, bool)> {
    let (first, rest) = segments.split_first()?;
    let mut base: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => ctx.to_vec(),
        "super" => ctx.split_last()?.1.to_vec(),
        bare => {
            let child = [ctx, &[bare.to_string()]].concat();
            let parent = ctx.split_last().map(|(_, p)| p);
            if modules.contains(&child) {
                child
            } else if let (true, Some(parent)) = (sees_siblings, parent) {
                let sibling = [parent, &[bare.to_string()]].concat();
                if !modules.contains(&sibling) {
                    return None;
                }
                sibling
            } else {
                return None;
            }
        }
    };
    for segment in rest {
        match segment.as_str() {
            "self" => {}
            "super" => {
                base.pop()?;
            }
            name => {
                base.push(name.to_string());
                if !modules.contains(&base) {
                    base.pop();
                    return Some((base, false));
                }
            }
        }
    }
    Some((base, true))
}

/// Every circle among siblings, as strongly connected sets of two or more
/// modules (Tarjan), ordered by level and first module.
fn circles(edges: &[Edge]) -> Vec<Circle> {
    let mut by_level: BTreeMap<&str, Vec<&Edge>> = BTreeMap::new();
    for e in edges {
        by_level.entry(&e.level).or_default().push(e);
    }
    let mut out = Vec::new();
    for (level, edges) in by_level {
        let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for e in &edges {
            graph.entry(&e.from).or_default().insert(&e.to);
            graph.entry(&e.to).or_default();
        }
        for set in strongly_connected(&graph) {
            if set.len() < 2 {
                continue;
            }
            out.push(Circle {
                level: level.to_string(),
                modules: set.iter().map(|m| m.to_string()).collect(),
                cycles: elementary_cycles(&graph, &set),
                edges: edges
                    .iter()
                    .filter(|e| set.contains(e.from.as_str()) && set.contains(e.to.as_str()))
                    .map(|e| (*e).clone())
                    .collect(),
            });
        }
    }
    out
}

/// Tarjan's strongly connected components, each sorted, in order of their
/// smallest member.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<BTreeSet<&'a str>> {
    struct State<'a, 'g> {
        graph: &'g BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        sets: Vec<BTreeSet<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a, '_>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in &s.graph[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.insert(w);
                if w == v {
                    break;
                }
            }
            s.sets.push(set);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        sets: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.sets.sort();
    s.sets
}

/// Every elementary circle inside `set` (no module twice), each listed from
/// its smallest module, ordered by length then by name. A circle is found
/// once: from its smallest module, through larger ones only.
fn elementary_cycles(
    graph: &BTreeMap<&str, BTreeSet<&str>>,
    set: &BTreeSet<&str>,
) -> Vec<Vec<String>> {
    fn walk<'a>(
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        set: &BTreeSet<&'a str>,
        path: &mut Vec<&'a str>,
        out: &mut Vec<Vec<String>>,
    ) {
        let (start, at) = (path[0], path[path.len() - 1]);
        for &next in &graph[at] {
            if next == start {
                let mut cycle: Vec<String> = path.iter().map(|m| m.to_string()).collect();
                cycle.push(start.to_string());
                out.push(cycle);
            } else if next > start && set.contains(next) && !path.contains(&next) {
                path.push(next);
                walk(graph, set, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for &start in set {
        walk(graph, set, &mut vec![start], &mut out);
    }
    out.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    out
}

// ---------------------------------------------------------------------------
// Reading one file.

/// What one file says about modules.
#[derive(Debug, Default)]
struct Scan {
    /// Every path that starts in the crate, or may (a bare first segment).
    leaves: Vec<Leaf>,
    /// Inline `mod name { … }` modules, as paths from the file's module.
    inline_modules: Vec<Vec<String>>,
    /// `#[cfg(test)] mod name;`: children whose files are tests.
    test_children: Vec<String>,
}

/// One path, with `use` groups expanded: `use crate::{a, b::C}` is two.
#[derive(Debug, Clone, PartialEq)]
struct Leaf {
    /// The inline modules around it, from the file's module.
    inline: Vec<String>,
    /// `["crate", "b", "C"]`.
    segments: Vec<String>,
    /// Ends in `::*`.
    glob: bool,
    line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

impl Token {
    fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
    fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
}

fn scan(text: &str) -> Scan {
    let (tokens, test_children) = without_test_items(tokenize(&blank_comments_and_literals(text)));
    let mut out = Scan {
        test_children,
        ..Scan::default()
    };
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        if t.is('{') {
            depth += 1;
        } else if t.is('}') {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
        } else if let Some(name) = t.ident() {
            let next = tokens.get(k + 1).map(|t| &t.tok);
            if name == "mod"
                && let Some(Tok::Ident(child)) = next
                && tokens.get(k + 2).is_some_and(|t| t.is('{'))
            {
                inline.push((child.clone(), depth));
                let path: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                out.inline_modules.push(path);
                k += 2;
                continue;
            }
            let prev = k.checked_sub(1).map(|p| &tokens[p]);
            let starts_path = next == Some(&Tok::PathSep)
                && !prev
                    .is_some_and(|p| p.tok == Tok::PathSep || p.is('.') || p.ident() == Some("in"));
            if starts_path {
                let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                let mut leaves = Vec::new();
                k = path_tree(&tokens, k, Vec::new(), &mut leaves);
                out.leaves
                    .extend(leaves.into_iter().map(|(segments, glob, line)| Leaf {
                        inline: names.clone(),
                        segments,
                        glob,
                        line,
                    }));
                continue;
            }
        }
        k += 1;
    }
    out
}

/// Reads the path (or `use` tree) at `k`, whose segments so far are
/// `prefix`, into `leaves` as (segments, glob, line of the last segment).
/// Returns the index just past it.
fn path_tree(
    tokens: &[Token],
    mut k: usize,
    mut segments: Vec<String>,
    leaves: &mut Vec<(Vec<String>, bool, usize)>,
) -> usize {
    let mut line = tokens.get(k).map_or(0, |t| t.line);
    loop {
        let Some(t) = tokens.get(k) else {
            leaves.push((segments, false, line));
            return k;
        };
        if let Some(name) = t.ident() {
            segments.push(name.to_string());
            line = t.line;
            k += 1;
        } else if t.is('*') {
            leaves.push((segments, true, t.line));
            return k + 1;
        } else if t.is('{') {
            k += 1;
            loop {
                match tokens.get(k) {
                    None => return k,
                    Some(t) if t.is('}') => return k + 1,
                    Some(t) if t.is(',') => k += 1,
                    Some(_) => {
                        let before = k;
                        k = path_tree(tokens, k, segments.clone(), leaves);
                        if tokens.get(k).and_then(Token::ident) == Some("as") {
                            k += 2;
                        }
                        if k == before {
                            k += 1; // not a use tree after all
                        }
                    }
                }
            }
        } else {
            leaves.push((segments, false, line));
            return k;
        }
        if tokens.get(k).is_some_and(|t| t.tok == Tok::PathSep) {
            k += 1;
        } else {
            leaves.push((segments, false, line));
            return k;
        }
    }
}

/// The tokens without `#[cfg(test)]` items (a test module may import its
/// parent, and test helpers are not the library's structure), and the names
/// of `#[cfg(test)] mod name;` children.
fn without_test_items(tokens: Vec<Token>) -> (Vec<Token>, Vec<String>) {
    let is_cfg_test = |k: usize| {
        let want = [
            Tok::Punct('#'),
            Tok::Punct('['),
            Tok::Ident("cfg".into()),
            Tok::Punct('('),
            Tok::Ident("test".into()),
            Tok::Punct(')'),
            Tok::Punct(']'),
        ];
        tokens.len() >= k + want.len()
            && tokens[k..k + want.len()]
                .iter()
                .zip(&want)
                .all(|(t, w)| &t.tok == w)
    };
    let mut kept = Vec::new();
    let mut test_children = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        if !is_cfg_test(k) {
            kept.push(tokens[k].clone());
            k += 1;
            continue;
        }
        k += 7;
        // Further attributes of the same item.
        while tokens.get(k).is_some_and(|t| t.is('#'))
            && tokens.get(k + 1).is_some_and(|t| t.is('['))
        {
            k = past_group(&tokens, k + 1);
        }
        let item: Vec<&str> = tokens[k..]
            .iter()
            .take(3)
            .filter_map(Token::ident)
            .collect();
        let mod_at = match item.as_slice() {
            ["mod", ..] => Some(k),
            ["pub", "mod", ..] => Some(k + 1),
            _ => None,
        };
        if let Some(m) = mod_at
            && let Some(name) = tokens.get(m + 1).and_then(Token::ident)
            && tokens.get(m + 2).is_some_and(|t| t.is(';'))
        {
            test_children.push(name.to_string());
        }
        // The item: up to a `;` outside brackets, or the end of its body.
        let mut depth = 0usize;
        while let Some(t) = tokens.get(k) {
            k += 1;
            if t.is('(') || t.is('[') || t.is('{') {
                depth += 1;
            } else if t.is(')') || t.is(']') || t.is('}') {
                depth = depth.saturating_sub(1);
                if depth == 0 && t.is('}') {
                    break;
                }
            } else if t.is(';') && depth == 0 {
                break;
            }
        }
    }
    (kept, test_children)
}

/// The index just past the bracket group that opens at `k`.
fn past_group(tokens: &[Token], mut k: usize) -> usize {
    let mut depth = 0usize;
    while let Some(t) = tokens.get(k) {
        k += 1;
        if t.is('(') || t.is('[') || t.is('{') {
            depth += 1;
        } else if t.is(')') || t.is(']') || t.is('}') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                break;
            }
        }
    }
    k
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident_char(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let tok = Tok::Ident(chars[start..i].iter().collect());
            tokens.push(Token { tok, line });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else {
            tokens.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    tokens
}

/// The text with every comment (doc comments too), string and character
/// literal replaced by spaces, newlines kept so that lines stay right.
fn blank_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, s: &[char]| {
        out.extend(s.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < c.len() {
        let after_ident = i > 0 && is_ident_char(c[i - 1]);
        let end = if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            Some(
                c[i..]
                    .iter()
                    .position(|&ch| ch == '\n')
                    .map_or(c.len(), |p| i + p),
            )
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            Some(block_comment_end(&c, i))
        } else if let Some(end) = raw_string_end(&c, i).filter(|_| !after_ident) {
            Some(end)
        } else if c[i] == '"' {
            Some(string_end(&c, i))
        } else if c[i] == '\'' {
            char_literal_end(&c, i)
        } else {
            None
        };
        match end {
            Some(end) => {
                blank(&mut out, &c[i..end]);
                i = end;
            }
            None => {
                out.push(c[i]);
                i += 1;
            }
        }
    }
    out
}

/// Past the (nested) block comment that opens at `i`.
fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// Past the string whose quote is at `i`.
fn string_end(c: &[char], mut i: usize) -> usize {
    i += 1;
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// Past a raw string (`r"…"`, `r#"…"#`, `br"…"`, `cr"…"`) at `i`, if one
/// starts there.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(c.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&ch| ch == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&ch| ch == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// Past the character literal at `i` (`'a'`, `'\n'`, `'\u{1F600}'`), or
/// `None` for a lifetime or label (`'a`).
fn char_literal_end(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&'\\') {
        let close = c[i + 3..].iter().position(|&ch| ch == '\'')?;
        Some(i + 3 + close + 1)
    } else if c.get(i + 2) == Some(&'\'') && c.get(i + 1) != Some(&'\'') {
        Some(i + 3)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Tests of the scanner itself.

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// The edges as `"from → to @ file:line path"`.
fn edge_lines(list: &[(&str, &str)]) -> Vec<String> {
    edges(&files(list))
        .iter()
        .map(|e| format!("{} → {} @ {}:{} {}", e.from, e.to, e.file, e.line, e.path))
        .collect()
}

/// Each set as (level, its circles).
fn cycles_of(list: &[(&str, &str)]) -> Vec<(String, Vec<Vec<String>>)> {
    circles(&edges(&files(list)))
        .into_iter()
        .map(|c| (c.level, c.cycles))
        .collect()
}

fn strs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn scanner_finds_a_two_module_circle_with_its_edges() {
    let list = [
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::B;\n\npub fn g() {}\n"),
        ("b.rs", "pub struct B;\n\nfn f() {\n    crate::a::g();\n}\n"),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&["a → b @ a.rs:1 crate::b::B", "b → a @ b.rs:4 crate::a::g"])
    );
    assert_eq!(
        cycles_of(&list),
        vec![(String::new(), vec![strs(&["a", "b", "a"])])]
    );
    let circle = &circles(&edges(&files(&list)))[0];
    assert_eq!(
        describe("demo", circle),
        "demo: modules under the crate root that reach each other: a, b\n  \
         circle: a → b → a\n  \
         a → b:\n      demo/src/a.rs:1 crate::b::B\n  \
         b → a:\n      demo/src/b.rs:4 crate::a::g\n"
    );
}

#[test]
fn scanner_lists_every_circle_of_a_set_and_only_its_edges() {
    let list = [
        ("a.rs", "use crate::b::X;"),
        ("b.rs", "use crate::c::Y;\nuse crate::a::W;"),
        ("c.rs", "use crate::a::Z;"),
        ("d.rs", "use crate::a::Z;"),
    ];
    let found = circles(&edges(&files(&list)));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].modules, strs(&["a", "b", "c"]));
    assert_eq!(
        found[0].cycles,
        vec![strs(&["a", "b", "a"]), strs(&["a", "b", "c", "a"])]
    );
    let pairs: Vec<(&str, &str)> = found[0]
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(pairs, [("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")]);
}

#[test]
fn scanner_ignores_comments_doc_comments_and_strings() {
    let list = [
        ("a.rs", "use crate::b::B;\n"),
        (
            "b.rs",
            "// crate::a::g\n/// See [`crate::a::g`].\n//! crate::a\n/* crate::a::g /* nested */ crate::a */\n\
             fn f() -> &'static str { let _c = '\"'; let _ = r#\"crate::a::g\"#; \"crate::a::g\" }\n",
        ),
    ];
    assert_eq!(edge_lines(&list), strs(&["a → b @ a.rs:1 crate::b::B"]));
    assert!(cycles_of(&list).is_empty());
}

#[test]
fn scanner_follows_super_to_a_sibling_submodule() {
    let list = [
        ("lib.rs", "mod sync;"),
        ("sync/mod.rs", "mod mirror;\nmod plan;\n"),
        ("sync/mirror.rs", "use super::plan::Plan;\n"),
        (
            "sync/plan.rs",
            "pub struct Plan;\nfn f() { super::mirror::run() }\n",
        ),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&[
            "sync::mirror → sync::plan @ sync/mirror.rs:1 super::plan::Plan",
            "sync::plan → sync::mirror @ sync/plan.rs:2 super::mirror::run",
        ])
    );
    assert_eq!(
        cycles_of(&list),
        vec![(
            "sync".to_string(),
            vec![strs(&["sync::mirror", "sync::plan", "sync::mirror"])]
        )]
    );
}

#[test]
fn scanner_lifts_edges_of_submodules_to_the_siblings_that_hold_them() {
    let list = [
        ("sync/mirror.rs", "use crate::local::Tree;"),
        ("local.rs", "use crate::sync::plan::Plan;"),
        ("sync/plan.rs", "pub struct Plan;"),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&[
            "local → sync @ local.rs:1 crate::sync::plan::Plan",
            "sync → local @ sync/mirror.rs:1 crate::local::Tree",
        ])
    );
    assert_eq!(
        cycles_of(&list),
        vec![(String::new(), vec![strs(&["local", "sync", "local"])])]
    );
}

#[test]
fn scanner_expands_use_groups_and_skips_the_crate_root_and_relatives() {
    let list = [
        (
            "lib.rs",
            "mod a; mod b; mod c; pub use a::Thing;\nfn f() { crate::b::g() }",
        ),
        (
            "a.rs",
            "use crate::{Error, Intralinks};\n\
             use crate::{\n    b::{self, G as H},\n    c::*,\n};\n\
             use self::inner::X;\npub(in crate::a) fn g() {}\n",
        ),
        ("a/inner.rs", "use super::super::b;\nuse super::g;\n"),
        ("b.rs", "pub fn g() {}"),
        ("c.rs", "pub fn h() {}"),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&[
            "a → b @ a.rs:3 crate::b::G",
            "a → b @ a.rs:3 crate::b::self",
            "a → b @ a/inner.rs:1 super::super::b",
            "a → c @ a.rs:4 crate::c::*",
        ])
    );
}

#[test]
fn scanner_ignores_test_items_but_not_other_inline_modules() {
    let list = [
        ("a.rs", "use crate::b::B;\n"),
        (
            "b.rs",
            "pub struct B;\n#[cfg(test)]\n#[allow(unused)]\nmod tests {\n    use super::*;\n    use crate::a::g;\n}\n\
             #[cfg(test)]\nfn helper(x: [u8; 2]) { crate::a::g() }\n#[cfg(test)]\nmod more;\n\
             mod inner {\n    use super::B;\n    pub fn f() { crate::c::h() }\n}\n",
        ),
        ("b/more.rs", "use crate::a::g;"),
        ("c.rs", "pub fn h() {}"),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&["a → b @ a.rs:1 crate::b::B", "b → c @ b.rs:14 crate::c::h"])
    );
}

#[test]
fn scanner_sees_siblings_through_a_glob_import_of_the_parent() {
    let list = [
        ("state/mod.rs", "mod people;\nmod room;\n"),
        (
            "state/people.rs",
            "use super::*;\nfn f() { room::Room::new(); }\n",
        ),
        (
            "state/room.rs",
            "use super::people::Person;\nfn g(x: Vec<u8>) { x.len(); }\n",
        ),
    ];
    assert_eq!(
        edge_lines(&list),
        strs(&[
            "state::people → state::room @ state/people.rs:2 room::Room::new",
            "state::room → state::people @ state/room.rs:1 super::people::Person",
        ])
    );
    assert_eq!(cycles_of(&list).len(), 1);
}
