//! The DuckDB clients analysts have: Python `duckdb` 1.4 LTS, 1.5 and 2.0, and
//! the DuckDB CLI from PyPI (`duckdb-cli`) 1.4 and 1.5, each installed once
//! with pip into its own virtualenv under the build folder
//! (`$CARGO_TARGET_DIR/clients/<name>`), then reused; and Prometheus's
//! Python client, whose parser reads `--metrics-file`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Python `duckdb` versions a test opens our file with.
pub const PYTHON: [&str; 3] = ["1.4.5", "1.5.6", "2.0.0"];
/// DuckDB CLI versions (PyPI's `duckdb-cli`) a test opens our file with.
pub const CLI: [&str; 2] = ["1.4.4.post2", "1.5.6"];

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn clients_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("clients")
}

/// Tests run in parallel threads: one installs at a time.
static INSTALL: Mutex<()> = Mutex::new(());

/// The virtualenv holding `package==version`, made on first use.
fn venv(package: &str, version: &str) -> PathBuf {
    let dir = clients_dir().join(format!("{package}-{version}"));
    let done = dir.join(".installed");
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot start it: {e}"));
        assert!(
            out.status.success(),
            "{what} failed (the analyst-client tests need python3 with venv, and PyPI):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&dir),
        &format!("python3 -m venv {}", dir.display()),
    );
    run(
        Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("{package}=={version}")),
        &format!("pip install {package}=={version}"),
    );
    std::fs::write(&done, "").expect("mark the virtualenv installed");
    dir
}

/// The Prometheus Python client whose text parser reads the metrics file.
pub const PROMETHEUS_CLIENT: &str = "0.26.0";

/// The `python` of a virtualenv with `prometheus-client`
/// [`PROMETHEUS_CLIENT`] (`prometheus_client.parser`).
pub fn prometheus_python() -> PathBuf {
    venv("prometheus-client", PROMETHEUS_CLIENT).join("bin/python")
}

/// The `python` of a virtualenv with Python `duckdb` `version`.
pub fn python(version: &str) -> PathBuf {
    venv("duckdb", version).join("bin/python")
}

/// The `duckdb` CLI binary of `duckdb-cli` `version`.
pub fn cli(version: &str) -> PathBuf {
    venv("duckdb-cli", version).join("bin/duckdb")
}

/// Runs tests/python/clients.py (every example and the views) with Python
/// duckdb `version` on `db`, read-only; returns what it printed.
pub fn python_examples(version: &str, db: &Path) -> String {
    let out = Command::new(python(version))
        .arg(root().join("tests/python/clients.py"))
        .arg(db)
        .arg(root().join("sql/examples"))
        .output()
        .expect("run clients.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "Python duckdb {version} on {}:\n{text}",
        db.display()
    );
    text
}

/// Runs `sql` in the DuckDB CLI `version` on `db` opened read-only and
/// returns its CSV output (header first); panics with DuckDB's message when
/// the query fails.
pub fn cli_query(version: &str, db: &Path, sql: &str) -> Vec<String> {
    use std::io::Write;
    let mut child = Command::new(cli(version))
        .args(["-readonly", "-bail", "-csv"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the DuckDB CLI");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("send the query");
    let out = child.wait_with_output().expect("DuckDB CLI");
    assert!(
        out.status.success(),
        "DuckDB CLI {version} on {}:\n{sql}\n{}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The analyst examples of sql/examples, by file name, plus the views.
pub fn examples() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("sql/examples"))
        .expect("sql/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read_to_string(p).expect("read example"),
            )
        })
        .collect();
    all.push((
        "rankings table".into(),
        "SELECT * FROM rankings ORDER BY category, year, rank;".into(),
    ));
    all.push((
        "yearly_signals view".into(),
        "SELECT * FROM yearly_signals;".into(),
    ));
    all
}
