//! The architecture's invariants, checked as rust-analyzer's `tidy` checks
//! its own: this crate's one job is its tests (`rules.rs`), which read the
//! repository's `Cargo.toml` files and Rust sources as text and fail, saying
//! what to change and where, when an invariant of ARCHITECTURE.md is broken.
//! It depends on no crate of the workspace, so `cargo test -p trends-tidy`
//! builds and runs in seconds without DuckDB.
//!
//! Here is the reading kit the rules share: the repository's files, which
//! of them hold only tests, a file's production part, and the manifests;
//! `scan.rs` finds functions and blanks comments and literals.

pub mod scan;

#[cfg(test)]
mod rules;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository's root (this crate is `crates/tidy`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under a folder, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
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

/// A file's text; a missing or unreadable file is the repository's fault.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A path relative to the root, with `/`.
pub fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A file that holds only tests (by its name).
pub fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "tests.rs" | "testing.rs" | "fuzz.rs" | "snapshots.rs" | "plans.rs"
    ) || path.contains("/tests/")
}

/// A file's production part, its lines numbered from 1: all but the
/// top-level items under `#[cfg(test)]` (a `mod tests { .. }`, a `mod
/// x_tests;` declaration, a `use` for tests), found in code (one in a
/// string or a comment is none).
pub fn production(text: &str) -> Vec<(usize, &str)> {
    let code = scan::code(text);
    let code: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    for (n, line) in text.lines().enumerate() {
        if n < i {
            continue;
        }
        if code[n].starts_with("#[cfg(test)]") {
            i = scan::item_end(&code[n..]).map_or(code.len(), |(end, _)| n + end + 1);
            continue;
        }
        out.push((n + 1, line));
    }
    out
}

/// The production lines of a file without comment lines.
pub fn production_lines(text: &str) -> Vec<(usize, &str)> {
    production(text)
        .into_iter()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .collect()
}

/// A workspace crate's manifest: its folder under `crates/` and the keys of
/// its dependency tables.
#[derive(Debug)]
pub struct Manifest {
    pub name: String,
    /// `[dependencies]` and `[build-dependencies]`.
    pub deps: BTreeSet<String>,
    pub dev_deps: BTreeSet<String>,
}

/// Every `crates/*/Cargo.toml`, sorted by folder.
pub fn manifests() -> Vec<Manifest> {
    let mut out = Vec::new();
    let crates = root().join("crates");
    let entries = std::fs::read_dir(&crates).unwrap_or_else(|e| panic!("crates/: {e}"));
    for entry in entries {
        let dir = entry.expect("entry").path();
        let path = dir.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        let doc: toml::Table = read(&path)
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let keys = |section: &str| -> BTreeSet<String> {
            doc.get(section)
                .and_then(|v| v.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default()
        };
        out.push(Manifest {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            deps: keys("dependencies")
                .union(&keys("build-dependencies"))
                .cloned()
                .collect(),
            dev_deps: keys("dev-dependencies"),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The workspace crates among dependencies (`trends-x` gives `x`).
pub fn internal(deps: &BTreeSet<String>) -> BTreeSet<String> {
    deps.iter()
        .filter_map(|d| d.strip_prefix("trends-").map(str::to_owned))
        .collect()
}

/// Every source's id, as code names it: the modules `registry.rs` lists in
/// `SOURCES`, each read from its `pub const ID: SourceId =
/// SourceId::new("<id>")` in `crates/sources/src/<module>/mod.rs`.
pub fn source_ids() -> Vec<String> {
    let src = root().join("crates/sources/src");
    let registry = read(&src.join("registry.rs"));
    let list = registry
        .split_once("pub static SOURCES")
        .and_then(|(_, rest)| rest.split_once("];"))
        .map(|(list, _)| list)
        .expect("registry.rs holds `pub static SOURCES: .. = &[ .. ];`");
    list.lines()
        .filter_map(|l| l.trim().strip_prefix('&')?.split_once("::"))
        .map(|(module, _)| {
            let path = src.join(module).join("mod.rs");
            let text = read(&path);
            text.split_once("SourceId::new(\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id.to_owned())
                .unwrap_or_else(|| {
                    panic!("{}: no `SourceId::new(\"..\")`", rel(&path));
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_leaves_out_every_test_item_in_code() {
        let text = "\
//! A module.
#[cfg(test)]
#[path = \"x_tests.rs\"]
mod tests;
const T: &str = \"
#[cfg(test)]
\";
fn f() {}
#[cfg(test)]
mod more {
    fn t() {}
}
fn g() {}
";
        let numbers: Vec<usize> = production(text).iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 5, 6, 7, 8, 13]);
        let code: Vec<usize> = production_lines(text).iter().map(|(n, _)| *n).collect();
        assert_eq!(code, [5, 6, 7, 8, 13]);
    }
}
