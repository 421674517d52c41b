//! The crate's modules depend one way: `model` at the bottom importing
//! nothing of the crate, then `rank`, then the writers, the page, the
//! charts and the forecast. Read from the sources, as the workspace's tidy
//! checks read theirs: every `crate::` path of a file's production part
//! (before its tests) is an edge from its top-level module to the module
//! the path names (a name the crate root re-exports counts as the module
//! it comes from), and a cycle between top-level modules fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to: `rank` for `rank.rs` and
/// `rank/trend.rs`, `lib` for the crate root.
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_owned()
}

/// A file's code before its tests, without comment lines.
fn production(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path after `prefix` (`crate::`): `rank` of
/// `crate::rank::Entry`, `a` and `b` of `crate::{a::X, b}`.
fn first_segments<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let rest = &code[at + prefix.len()..];
        let Some(group) = rest.strip_prefix('{') else {
            out.push(ident(rest));
            continue;
        };
        // The group up to its closing brace; its items at depth 0.
        let (mut depth, mut start) = (0usize, 0usize);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    out.push(ident(group[start..i].trim_start()));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(ident(group[start..i].trim_start()));
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The names the crate root re-exports (`pub use rank::{rank, rank_with}`)
/// with the module each comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in lib.split(';') {
        let s = statement.trim();
        let Some(rest) = s
            .strip_prefix("pub use ")
            .or_else(|| s.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let module = ident(rest).to_owned();
        let names = rest.split_once('{').map_or_else(
            || rest.rsplit("::").next().unwrap_or(rest).to_owned(),
            |(_, names)| names.trim_end_matches('}').to_owned(),
        );
        for name in names.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), module.clone());
            }
        }
    }
    out
}

/// The items the crate root defines itself (a root that only re-exports
/// has none).
fn root_items(lib: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lib.lines() {
        let l = line.trim_start();
        let l = l.strip_prefix("pub ").unwrap_or(l);
        for kw in ["struct ", "enum ", "fn ", "const ", "trait ", "type "] {
            if let Some(rest) = l.strip_prefix(kw) {
                out.insert(ident(rest).to_owned());
            }
        }
    }
    out
}

/// `code` without its `use` statements (which may span lines) and `mod`
/// lines: the root's own items.
fn without_uses(code: &str) -> String {
    let mut out = Vec::new();
    let mut in_use = false;
    for line in code.lines() {
        let l = line.trim_start();
        in_use = in_use
            || ["use ", "pub use ", "pub(crate) use "]
                .iter()
                .any(|p| l.starts_with(p));
        if in_use {
            in_use = !l.contains(';');
        } else if !(l.starts_with("mod ") || l.starts_with("pub mod ")) {
            out.push(line);
        }
    }
    out.join("\n")
}

/// Edges between top-level modules, each with a file that makes it.
fn edges() -> BTreeMap<String, BTreeMap<String, String>> {
    let files = rust_files(&src());
    let lib = production(&std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs"));
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let reexported = reexports(&lib);
    let defined = root_items(&lib);
    let resolve = |name: &str| -> Option<String> {
        if modules.contains(name) {
            Some(name.to_owned())
        } else if let Some(m) = reexported.get(name) {
            Some(m.clone())
        } else {
            defined.contains(name).then(|| "lib".to_owned())
        }
    };
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(f);
        if from == "tests" {
            continue;
        }
        let code = production(&std::fs::read_to_string(f).expect("read"));
        let file = f
            .strip_prefix(src())
            .expect("under src")
            .display()
            .to_string();
        let mut targets: Vec<String> = first_segments(&code, "crate::")
            .into_iter()
            .filter_map(resolve)
            .collect();
        if from == "lib" {
            // The root's own items use the types it re-exports (a
            // lowercase word there is as likely a field as a function).
            let items = without_uses(&code);
            targets.extend(
                items
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                    .filter_map(|w| reexported.get(w).cloned()),
            );
        } else if f.parent() == Some(src().as_path()) {
            // In a file of the root, `super::` is the root.
            targets.extend(
                first_segments(&code, "super::")
                    .into_iter()
                    .filter_map(resolve),
            );
        }
        for to in targets {
            if to != from {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| file.clone());
            }
        }
    }
    edges
}

/// A cycle of `edges`, as the modules along it (the first repeated at the
/// end), or `None`.
fn cycle(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(found) = visit(next, edges, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut done, &mut Vec::new()))
}

fn describe(edges: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    edges
        .iter()
        .flat_map(|(from, to)| {
            to.iter()
                .map(move |(to, file)| format!("{from} -> {to} ({file})"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_modules_depend_one_way_with_the_model_at_the_bottom() {
    let edges = edges();
    if let Some(found) = cycle(&edges) {
        panic!(
            "the modules import each other in a cycle: {}\nevery edge:\n{}",
            found.join(" -> "),
            describe(&edges)
        );
    }
    assert!(
        !edges.contains_key("model"),
        "the model imports another module of the crate:\n{}",
        describe(&edges)
    );
}

#[test]
fn the_check_reads_paths_groups_and_finds_a_cycle() {
    let code = "use crate::{a::X, b, c::{D, E}};\nlet x = crate::d::f();";
    assert_eq!(first_segments(code, "crate::"), ["a", "b", "c", "d"]);
    let lib = "pub use rank::{rank, rank_with};\npub(crate) use write::plural;";
    let names = reexports(lib);
    assert_eq!(names["rank_with"], "rank");
    assert_eq!(names["plural"], "write");
    let root = "mod a;\npub use a::{\n    X,\n};\npub struct R {\n    x: Y,\n}";
    assert_eq!(without_uses(root), "pub struct R {\n    x: Y,\n}");
    let graph = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned(), String::new());
        }
        g
    };
    assert_eq!(cycle(&graph(&[("page", "rank"), ("rank", "model")])), None);
    assert_eq!(
        cycle(&graph(&[
            ("page", "rank"),
            ("rank", "trend"),
            ("trend", "rank")
        ])),
        Some(vec!["rank".into(), "trend".into(), "rank".into()])
    );
}
