//! The architecture's invariants, checked (as rust-analyzer's `tidy`): the
//! edges between crates as their `Cargo.toml` files declare them, which
//! crate owns which outside dependency, where a source's name may appear,
//! that every file opens with a `//!` header, and the size bounds of
//! production files and functions. ARCHITECTURE.md ("Invariants") states
//! each rule beside the test here that holds it; a failure says what to
//! change and where.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every workspace crate (its folder under `crates/`) and the workspace
/// crates it may depend on. A new edge is a design decision: add it here
/// and to ARCHITECTURE.md's crate table together.
const EDGES: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("fetcher", &["core"]),
    ("normalizer", &["core"]),
    ("sources", &["core", "fetcher", "normalizer"]),
    ("store", &["core"]),
    ("report", &["core"]),
    ("mockapi", &["core", "sources"]),
    (
        "pipeline",
        &["core", "fetcher", "normalizer", "sources", "store"],
    ),
    (
        "cli",
        &[
            "core", "fetcher", "sources", "pipeline", "store", "report", "mockapi",
        ],
    ),
];

/// Outside crates only one workspace crate may depend on (in any section of
/// its `Cargo.toml`), and why. Dev-dependencies listed in `DEV_ONLY` are the
/// exceptions tests need.
const OWNED: &[(&str, &str, &str)] = &[
    ("duckdb", "store", "only the store knows DuckDB"),
    ("reqwest", "fetcher", "only the fetcher does network IO"),
    ("clap", "cli", "only the CLI parses arguments"),
    ("clap_complete", "cli", "only the CLI parses arguments"),
    (
        "tracing-subscriber",
        "cli",
        "only the CLI decides where logs go",
    ),
    ("indicatif", "cli", "only the CLI draws progress bars"),
];

/// (crate, dependency): a dev-dependency a test needs outside its owner.
const DEV_ONLY: &[(&str, &str)] = &[
    // The e2e tests read the database file as an analyst's client does.
    ("cli", "duckdb"),
    // The demo server's tests ask it as a client over HTTP.
    ("mockapi", "reqwest"),
];

struct Manifest {
    name: String,
    deps: BTreeSet<String>,
    dev_deps: BTreeSet<String>,
}

fn manifests() -> Vec<Manifest> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let dir = entry.expect("entry").path();
        let path = dir.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read Cargo.toml");
        let doc: toml::Table = text
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

fn internal(deps: &BTreeSet<String>) -> BTreeSet<String> {
    deps.iter()
        .filter_map(|d| d.strip_prefix("trends-").map(str::to_owned))
        .collect()
}

#[test]
fn crates_depend_only_along_the_allowed_edges() {
    let allowed: BTreeMap<&str, BTreeSet<String>> = EDGES
        .iter()
        .map(|(c, to)| (*c, to.iter().map(|s| s.to_string()).collect()))
        .collect();
    let mut problems = Vec::new();
    for m in manifests() {
        let Some(edges) = allowed.get(m.name.as_str()) else {
            problems.push(format!(
                "crates/{} is not in tidy.rs's EDGES: add it with the crates it may use",
                m.name
            ));
            continue;
        };
        let actual = internal(&m.deps);
        for extra in actual.difference(edges) {
            problems.push(format!(
                "crates/{0} depends on trends-{extra}, which EDGES does not allow: \
                 move the code, or add the edge to EDGES and ARCHITECTURE.md",
                m.name
            ));
        }
        for gone in edges.difference(&actual) {
            problems.push(format!(
                "EDGES lets crates/{} use trends-{gone}, but its Cargo.toml does not: \
                 drop the edge from EDGES and ARCHITECTURE.md",
                m.name
            ));
        }
        // Tests may use workspace crates below them, never a crate above.
        for dev in internal(&m.dev_deps) {
            if dev == m.name
                || allowed
                    .get(dev.as_str())
                    .is_some_and(|d| d.contains(&m.name))
            {
                problems.push(format!(
                    "crates/{} has a dev-dependency on trends-{dev}, which depends on it: a cycle",
                    m.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn outside_crates_are_owned_by_one_crate() {
    let mut problems = Vec::new();
    for m in manifests() {
        for (dep, owner, why) in OWNED {
            let in_deps = m.deps.contains(*dep);
            let in_dev = m.dev_deps.contains(*dep);
            let excused = in_dev && !in_deps && DEV_ONLY.contains(&(m.name.as_str(), *dep));
            if m.name != *owner && (in_deps || in_dev) && !excused {
                problems.push(format!(
                    "crates/{} depends on `{dep}`, but {why} (crates/{owner}): \
                     go through trends-{owner}",
                    m.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `.rs` file under a folder, sorted.
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

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn every_rust_file_opens_with_a_module_header() {
    let mut missing = Vec::new();
    for dir in ["crates", "tests"] {
        for f in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&f).expect("read");
            if !text.starts_with("//!") {
                missing.push(rel(&f));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these files do not open with a `//!` line saying what they are for:\n{}",
        missing.join("\n")
    );
}

/// A file that holds only tests (by its name), or `None`.
fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "tests.rs" | "testing.rs" | "fuzz.rs" | "snapshots.rs" | "plans.rs"
    ) || path.contains("/tests/")
}

/// The production lines of a file: everything before its first top-level
/// `#[cfg(test)]`, without comment lines.
fn production_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.starts_with("#[cfg(test)]"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// Where a source's name may appear in production code, and why.
fn may_name(path: &str, source: &str) -> bool {
    path.starts_with(&format!("crates/sources/src/{source}/"))
        // The one list of sources, and the module's `pub mod` line.
        || path == "crates/sources/src/registry.rs"
        || path == "crates/sources/src/lib.rs"
        // Its catalog keys (`stackoverflow_tag` belongs to stackexchange).
        || path == "crates/core/src/catalog.rs"
        // The benchmark's synthetic rows (doc-hidden, bench only).
        || path == "crates/store/src/bench.rs"
}

#[test]
fn source_names_stay_in_their_modules() {
    let names: Vec<String> = trends_sources::registry()
        .iter()
        .map(|s| s.id().as_str().to_owned())
        .collect();
    assert!(names.len() >= 13, "{names:?}");
    let mut problems = Vec::new();
    for f in rust_files(&root().join("crates")) {
        let path = rel(&f);
        if is_test_file(&path) {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read");
        for (n, line) in production_lines(&text) {
            for name in &names {
                // As code names a source: a string literal, a path, a module.
                let named = line.contains(&format!("\"{name}\""))
                    || line.contains(&format!("{name}::"))
                    || line.contains(&format!("mod {name};"));
                if named && !may_name(&path, name) {
                    problems.push(format!(
                        "{path}:{n} names the source `{name}`: {}",
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "source knowledge belongs in crates/sources/src/<source>/ (reach it through \
         the registry and the Source trait):\n{}",
        problems.join("\n")
    );
}

/// Production code stays small enough to read: a file's production part
/// (before its tests) and each function have a bound. Test-only files and
/// test modules are not bound.
const MAX_FILE_LINES: usize = 550;
const MAX_FN_LINES: usize = 100;

#[test]
fn production_files_and_functions_stay_small() {
    let mut problems = Vec::new();
    for f in rust_files(&root().join("crates")) {
        let path = rel(&f);
        if is_test_file(&path) {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read");
        let lines: Vec<&str> = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .collect();
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "{path} has {} production lines (at most {MAX_FILE_LINES}): split it along a seam",
                lines.len()
            ));
        }
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "async fn ",
                "pub async fn ",
            ]
            .iter()
            .any(|p| body.starts_with(p));
            if !is_fn || line.trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(len) = lines[i + 1..].iter().position(|l| *l == close)
                && len + 2 > MAX_FN_LINES
            {
                problems.push(format!(
                    "{path}:{} `{}` is {} lines (at most {MAX_FN_LINES}): split it",
                    i + 1,
                    body.split('(').next().unwrap_or(body),
                    len + 2
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
