//! The rules, one test each: the edges between crates as their `Cargo.toml`
//! files declare them, which crate owns which outside dependency, where a
//! source's name may appear, that no source reads the clock, that every
//! file opens with a `//!` header, and the size bounds of production files
//! and functions. ARCHITECTURE.md ("Invariants") states each rule beside
//! the test here that holds it; a failure says what to change and where.

use std::collections::{BTreeMap, BTreeSet};

use crate::scan::{code, functions};
use crate::{
    internal, is_test_file, manifests, production, production_lines, read, rel, root, rust_files,
    source_ids,
};

/// Every workspace crate (its folder under `crates/`) and the workspace
/// crates it may depend on. A new edge is a design decision: add it here
/// and to ARCHITECTURE.md's crate table together.
const EDGES: &[(&str, &[&str])] = &[
    ("core", &[]),
    // What a source is held to: no HTTP client, no runtime.
    ("contract", &["core"]),
    ("fetcher", &["core", "contract"]),
    ("normalizer", &["core", "contract"]),
    ("sources", &["core", "contract", "normalizer"]),
    ("store", &["core"]),
    ("report", &["core"]),
    ("mockapi", &["core", "sources"]),
    (
        "pipeline",
        &[
            "core",
            "fetcher",
            "normalizer",
            "sources",
            "store",
            "report",
        ],
    ),
    (
        "cli",
        &[
            "core", "fetcher", "sources", "pipeline", "store", "report", "mockapi",
        ],
    ),
    // Reads the others' files as text; linking them would build DuckDB.
    ("tidy", &[]),
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
                "crates/{} is not in crates/tidy/src/rules.rs's EDGES: add it with the crates it may use",
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

/// What a pure crate links neither directly nor through a workspace crate:
/// an HTTP client, an async runtime, a server, the database.
const IMPURE: &[&str] = &["reqwest", "hyper", "tokio", "wiremock", "duckdb"];

#[test]
fn the_source_contract_and_the_sources_link_no_http_client_or_runtime() {
    let manifests = manifests();
    let by_name = |name: &str| {
        manifests
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no crates/{name}"))
    };
    let mut problems = Vec::new();
    for pure in ["contract", "sources", "normalizer", "core"] {
        // The crate and every workspace crate it reaches.
        let mut reach = vec![pure.to_owned()];
        let mut i = 0;
        while i < reach.len() {
            for dep in internal(&by_name(&reach[i]).deps) {
                if !reach.contains(&dep) {
                    reach.push(dep);
                }
            }
            i += 1;
        }
        for name in &reach {
            for dep in IMPURE {
                if by_name(name).deps.contains(*dep) {
                    problems.push(format!(
                        "crates/{pure} reaches `{dep}` through crates/{name}"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the contract a source implements knows no HTTP client, runtime or database:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_rust_file_opens_with_a_module_header() {
    let mut missing = Vec::new();
    for dir in ["crates", "tests"] {
        for f in rust_files(&root().join(dir)) {
            if !read(&f).starts_with("//!") {
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

/// Where a source's name may appear in production code, and why.
fn may_name(path: &str, source: &str) -> bool {
    path.starts_with(&format!("crates/sources/src/{source}/"))
        // The one list of sources, and the module's `pub mod` line.
        || path == "crates/sources/src/registry.rs"
        || path == "crates/sources/src/lib.rs"
}

#[test]
fn source_names_stay_in_their_modules() {
    let names = source_ids();
    assert!(names.len() >= 13, "{names:?}");
    let mut problems = Vec::new();
    for f in rust_files(&root().join("crates")) {
        let path = rel(&f);
        if is_test_file(&path) {
            continue;
        }
        let text = read(&f);
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

/// What reads the clock: `now` and `today` of std, tokio, chrono, time and
/// jiff, and `elapsed`, which is a reading of the clock too.
const CLOCK: &[&str] = &[
    "SystemTime::now",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "Utc::today",
    "Local::today",
    "OffsetDateTime::now",
    "Timestamp::now",
    "Zoned::now",
    ".elapsed(",
];

/// The clock reads in a file's production code (comments and literals do
/// not count), as `path:line` and the line.
fn clock_reads(path: &str, text: &str) -> Vec<String> {
    let code = code(text);
    let code: Vec<&str> = code.lines().collect();
    production(text)
        .into_iter()
        .filter(|(n, _)| CLOCK.iter().any(|c| code[n - 1].contains(c)))
        .map(|(n, line)| format!("{path}:{n} reads the clock: {}", line.trim()))
        .collect()
}

#[test]
fn sources_do_not_read_the_clock() {
    let mut problems = Vec::new();
    for f in rust_files(&root().join("crates/sources/src")) {
        let path = rel(&f);
        if is_test_file(&path) || path.ends_with("_tests.rs") {
            continue;
        }
        problems.extend(clock_reads(&path, &read(&f)));
    }
    assert!(
        problems.is_empty(),
        "a source is pure: the day of the run comes in its `Ask` (`PlanWindow::today`), \
         the instant an answer arrived in its `Answer` (`Answer::received_at`), both read by \
         the caller:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_clock_read_is_found_in_code_only() {
    let text = "\
//! A module.
// Utc::now() in a comment is no read.
const DOC: &str = \"Instant::now()\";
fn wait(reset: u64) -> u64 {
    let now = chrono::Utc::now().timestamp();
    reset - now
}
#[cfg(test)]
mod tests {
    fn t() { let _ = std::time::SystemTime::now(); }
}
";
    assert_eq!(
        clock_reads("x.rs", text),
        ["x.rs:5 reads the clock: let now = chrono::Utc::now().timestamp();"]
    );
    for call in ["SystemTime::now()", "Instant::now()", "Local::now()"] {
        assert_eq!(clock_reads("y.rs", call).len(), 1, "{call}");
    }
    assert_eq!(clock_reads("z.rs", "let t = at.timestamp();").len(), 0);
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
        let text = read(&f);
        let lines = production(&text);
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "{path} has {} production lines (at most {MAX_FILE_LINES}): split it along a seam",
                lines.len()
            ));
        }
        let production: BTreeSet<usize> = lines.iter().map(|(n, _)| *n).collect();
        for f in functions(&text) {
            if f.lines > MAX_FN_LINES && production.contains(&f.line) {
                problems.push(format!(
                    "{path}:{} `fn {}` is {} lines (at most {MAX_FN_LINES}): split it",
                    f.line, f.name, f.lines
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
