//! The files under stress: a working copy or an analysts' file that is
//! garbage or cut short, a working copy an older trends left (its schema
//! behind this one's), and a disk that fills during a run and during the
//! publish (a small tmpfs in a mount namespace of the test's own, so
//! nothing outside the test sees it). Each time: nothing of the analysts'
//! file is lost, and the message names the file and the fix.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{self, Output};

/// A bound on each case's wall time, to catch a hang (not to time speed).
const HANG: Duration = Duration::from_secs(180);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `trends --config config/trends.toml ARGS --db DB`.
fn trends(db: &Path, args: &[&str]) -> Output {
    support::run(
        support::trends_bin()
            .arg("--config")
            .arg(root().join("config/trends.toml"))
            .args(args)
            .arg("--db")
            .arg(db),
    )
}

/// The file's SHA-256, as `sha256sum` prints it.
fn sha(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().next().expect("a digest").to_owned()
}

fn work(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.work", db.display()))
}

/// A published demo database in `dir`, and its working copy beside it.
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("d.duckdb");
    let out = trends(&db, &["demo", "--synthetic"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(work(&db).exists());
    db
}

#[test]
fn a_garbage_or_cut_working_copy_is_refused_naming_the_fix_and_the_analysts_file_stays() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    for damage in ["garbage", "cut"] {
        let published = sha(&db);
        let w = work(&db);
        if damage == "garbage" {
            std::fs::write(&w, b"not a database at all, overwritten by a stray cp").expect("write");
        } else {
            let len = std::fs::metadata(&w).expect("meta").len();
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&w)
                .expect("open");
            f.set_len(len.min(5000)).expect("truncate");
        }
        let out = trends(&db, &["demo", "--synthetic"]);
        assert_eq!(out.code, Some(1), "{damage}: {}", out.all());
        let shown = w.display().to_string();
        assert!(
            out.stderr
                .contains(&format!("{shown} is not a whole DuckDB file"))
                && out.stderr.contains("it is the working copy")
                && out.stderr.contains(&format!("move {shown} aside")),
            "{damage}: {}",
            out.stderr
        );
        assert_eq!(
            sha(&db),
            published,
            "{damage}: the analysts' file is untouched"
        );
        // Readers go on reading the analysts' file meanwhile.
        let report = trends(&db, &["report"]);
        assert_eq!(report.code, Some(0), "{damage}: {}", report.all());
        // The fix the message names works: without it, the next run starts
        // a working copy from the analysts' file.
        std::fs::remove_file(&w).expect("remove");
        let again = trends(&db, &["demo", "--synthetic"]);
        assert_eq!(again.code, Some(0), "{damage}: {}", again.all());
    }
    assert!(started.elapsed() < HANG, "{:?}", started.elapsed());
}

#[test]
fn a_cut_analysts_file_is_named_and_the_next_run_publishes_the_working_copy_over_it() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .expect("open");
    f.set_len(5000).expect("truncate");
    drop(f);
    let report = trends(&db, &["report"]);
    assert_eq!(report.code, Some(1), "{}", report.all());
    let shown = db.display().to_string();
    assert!(
        report
            .stderr
            .contains(&format!("{shown} is not a whole DuckDB file"))
            && report.stderr.contains(&format!(
                "the working copy {} holds the last run",
                work(&db).display()
            )),
        "{}",
        report.stderr
    );
    // As the message says: the next writing run publishes the working copy.
    let out = trends(&db, &["demo", "--synthetic"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let report = trends(&db, &["report"]);
    assert_eq!(report.code, Some(0), "{}", report.all());
    assert!(report.stdout.contains("django") || report.stdout.contains("Django"));
    assert!(started.elapsed() < HANG, "{:?}", started.elapsed());
}

/// `db` as trends 0.10 (schema version 10) left it: migrations 0001-0010
/// applied, one archived answer with its body as text.
fn version_10_database(db: &Path) {
    let conn = duckdb::Connection::open(db).expect("create");
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
    )
    .expect("schema_migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("sql/migrations"))
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for (i, file) in files.iter().take(10).enumerate() {
        let sql = std::fs::read_to_string(file).expect("read");
        // 0002-0004 hold comments only now (their views are gone).
        if sql
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim().starts_with("--"))
        {
            conn.execute_batch(&sql).expect("migration");
        }
        let name = file.file_stem().and_then(|s| s.to_str()).expect("name");
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, TIMESTAMP '2026-11-01')",
            duckdb::params![i as i32 + 1, name],
        )
        .expect("version");
    }
    conn.execute_batch(
        "INSERT INTO raw_responses (run_id, source, request_key, request, url, status, fetched_at, body, sha256, outcome)
         VALUES (1, 'tiobe', 'tiobe/index/x/2026-11-01..2026-11-01', '{}', 'https://www.tiobe.com/tiobe-index/', 200,
                 TIMESTAMP '2026-11-01', 'caf\u{fffd}', sha256('caf\\xE9'::BLOB), 'parse_error')",
    )
    .expect("an old answer");
}

#[test]
fn a_working_copy_an_older_trends_left_is_migrated_and_published_with_its_archive() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.duckdb");
    version_10_database(&work(&db));
    let out = trends(&db, &["demo", "--synthetic"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let read = support::Db::read_only(&db);
    assert_eq!(read.int("SELECT max(version) FROM schema_migrations"), 11);
    // The answer the older trends archived is kept, marked as lossy text.
    assert_eq!(
        read.strings(
            "SELECT outcome || ' ' || body_exact::VARCHAR || ' ' || endpoint FROM raw_responses WHERE request_key LIKE 'tiobe/index/x/%'"
        ),
        ["parse_error false index"]
    );
    assert!(read.int("SELECT count(*) FROM observations") > 0);
    assert!(started.elapsed() < HANG, "{:?}", started.elapsed());
}

/// Runs `script` in a mount namespace of its own (so the tmpfs it mounts
/// is gone when it ends): as root `unshare -m`, else `unshare -rm` (a user
/// namespace maps this user to root inside it).
fn in_own_mounts(script: &str) -> std::process::Output {
    let root = Command::new("id").arg("-u").output().expect("id");
    let mut cmd = Command::new("unshare");
    if String::from_utf8_lossy(&root.stdout).trim() == "0" {
        cmd.arg("-m");
    } else {
        cmd.arg("-rm");
    }
    cmd.args(["sh", "-ec", script]).output().expect("unshare")
}

#[test]
fn a_disk_that_fills_during_the_run_or_the_publish_leaves_the_analysts_file_whole() {
    let started = Instant::now();
    let big = tempfile::tempdir().expect("tempdir");
    let db = demo_db(big.path());
    let published = sha(&db);
    let size = std::fs::metadata(&db).expect("meta").len();
    let mib = |bytes: u64| bytes.div_ceil(1 << 20);
    let small = tempfile::tempdir().expect("tempdir");
    let bin = support::trends_binary();
    let config = root().join("config/trends.toml");
    let mnt = small.path().display().to_string();
    let run = |tmpfs_mib: u64, fill: bool| -> String {
        // The analysts' file and its working copy on a small disk; `fill`
        // leaves that disk no byte free before the run.
        let filler = if fill {
            format!("dd if=/dev/zero of={mnt}/filler bs=65536 2>/dev/null || true; ")
        } else {
            String::new()
        };
        // What the runs print goes to the big disk: on the full one the
        // shell could not even open its log.
        let log = big.path().join(format!("out-{tmpfs_mib}"));
        let script = format!(
            "mount -t tmpfs -o size={tmpfs_mib}m tmpfs {mnt}
             cp {db} {mnt}/d.duckdb
             cp {work} {mnt}/d.duckdb.work
             {filler}
             set +e
             {bin} --config {config} demo --synthetic --db {mnt}/d.duckdb > {log} 2>&1
             echo \"exit $?\" >> {log}
             rm -f {mnt}/filler
             sha256sum {mnt}/d.duckdb >> {log}
             {bin} --config {config} demo --synthetic --db {mnt}/d.duckdb >> {log} 2>&1
             echo \"then $?\" >> {log}
             cat {log}",
            db = db.display(),
            work = work(&db).display(),
            bin = bin.display(),
            config = config.display(),
            log = log.display(),
        );
        let out = in_own_mounts(&script);
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // During the run: the disk is full before the first write.
    let during = run(mib(size) * 3, true);
    // During the publish: room for the working copy to grow, not for the
    // copy the publish makes beside the analysts' file.
    let publish = run(mib(size) * 2 + 2, false);
    for (case, out) in [
        ("during the run", &during),
        ("during the publish", &publish),
    ] {
        assert!(out.contains("exit 1"), "{case}: {out}");
        assert!(
            out.contains("No space left on device") && out.contains("hint: the disk is full"),
            "{case}: {out}"
        );
        assert!(
            out.contains(&format!("{published}  {mnt}/d.duckdb")),
            "{case}: the analysts' file is the last published run, whole: {out}"
        );
        // Once there is room (the filler removed), the next run goes on
        // from the working copy and publishes.
        if case == "during the run" {
            assert!(out.contains("then 0"), "{case}: {out}");
        }
    }
    assert!(started.elapsed() < HANG, "{:?}", started.elapsed());
}
