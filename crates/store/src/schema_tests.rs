//! Tests of the schema: migrations applied once and in order, views
//! recreated on every writable open (a new database, one whose views older
//! migrations made, a read-only open of a file with older views).

use std::path::Path;

use duckdb::Connection;
use trends_core::Outcome;

use super::*;
use crate::testing::{at, catalog, database_at, metrics, obs, raw, spec};
use crate::{RunCounts, RunId, RunStatus, Store};

/// A `yearly_signals` as an older trends may have defined it: no `delta`,
/// and values doubled so that a read through it shows.
const OLD_YEARLY_SIGNALS: &str = "CREATE OR REPLACE VIEW yearly_signals AS
    SELECT o.tech_id, t.name AS technology, t.category, year(o.period_start) AS year,
           o.source, o.metric, 'flow' AS kind, 2 * sum(o.value) AS value, 1.0 AS coverage,
           false AS partial, count(*) AS observations
    FROM observations o JOIN technologies t ON t.id = o.tech_id
    GROUP BY ALL";

/// The `rankings` view as migration 0002 of trends 0.2 created it (taken
/// out of that migration since; 0006 drops it).
const OLD_RANKINGS: &str = "CREATE VIEW rankings AS
    SELECT year, category, tech_id, 100 * avg(value) AS score
    FROM yearly_signals GROUP BY ALL";

/// Whether `conn`'s `yearly_signals` has a `delta` column.
fn has_delta(conn: &Connection) -> bool {
    conn.prepare("SELECT delta FROM yearly_signals").is_ok()
}

/// A file at the current version whose `yearly_signals` is the old one,
/// holding go's 2023 questions (7).
fn file_with_old_views(path: &Path) {
    let mut s = Store::open(path).expect("create");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    s.record(
        run,
        &raw(&spec("go", 2023), b"{}", Outcome::Ok),
        &[obs("go", 2023, 7.0)],
    )
    .expect("record");
    s.conn.execute_batch(OLD_YEARLY_SIGNALS).expect("old view");
    assert!(!has_delta(&s.conn));
}

#[test]
fn migrations_hold_tables_and_every_view_file_one_query() {
    for m in MIGRATIONS {
        let sql = m.sql.to_lowercase();
        assert!(
            !sql.contains("create view") && !sql.contains("create or replace view"),
            "{}: views live in sql/views/",
            m.name
        );
    }
    for view in VIEWS {
        let code: String = view
            .query
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let code = code.trim();
        assert!(
            code.starts_with("WITH ") || code.starts_with("SELECT "),
            "{}: a query, not a statement: {}",
            view.name,
            &code[..40.min(code.len())]
        );
        assert!(!code.to_lowercase().contains("create "), "{}", view.name);
        assert_eq!(code.matches(';').count(), 1, "{}: one query", view.name);
        assert!(code.ends_with(';'), "{}", view.name);
    }
    // 0002, 0003 and 0004 created views only: nothing of them is left.
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(has_statement(m.sql), ![1, 2, 3].contains(&i), "{}", m.name);
    }
}

#[test]
fn a_new_database_gets_every_view_in_order() {
    let s = Store::open_in_memory().expect("open");
    let views: Vec<String> = s
        .conn
        .prepare("SELECT view_name FROM duckdb_views() WHERE NOT internal")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("views");
    for view in VIEWS {
        assert!(
            views.iter().any(|v| v == view.name),
            "{} in {views:?}",
            view.name
        );
    }
    assert!(has_delta(&s.conn));
}

#[test]
fn a_version_2_database_with_the_old_view_is_upgraded_and_gets_the_new_one() {
    // As trends 0.2 left it: the tables of 0001, its `yearly_signals`
    // (without delta) and the `rankings` view of 0002 over it.
    let conn = Connection::open_in_memory().expect("open");
    let conn = database_at(conn, 1);
    conn.execute_batch(OLD_YEARLY_SIGNALS).expect("old view");
    conn.execute_batch(OLD_RANKINGS)
        .expect("0002's view over the old view");
    conn.execute(
        "INSERT INTO schema_migrations VALUES (2, '0002_rankings', TIMESTAMP '2024-01-01')",
        [],
    )
    .expect("version 2");
    assert!(!has_delta(&conn));
    let mut s = Store::init(conn, ":memory:".into()).expect("upgrade");
    assert!(has_delta(&s.conn));
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    s.record(
        run,
        &raw(&spec("go", 2023), b"{}", Outcome::Ok),
        &[obs("go", 2023, 7.0), obs("python", 2023, 3.0)],
    )
    .expect("record");
    assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 7.0);
    // Migration 6 replaced the old `rankings` view by the table the
    // writing commands fill with the report's ranking before they publish.
    let kind: String = s
        .conn
        .query_row(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'rankings'",
            [],
            |r| r.get(0),
        )
        .expect("rankings exists");
    assert_eq!(kind, "BASE TABLE");
}

#[test]
fn a_writable_open_replaces_older_views_of_a_current_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.duckdb");
    file_with_old_views(&path);
    let s = Store::open(&path).expect("reopen");
    assert!(has_delta(&s.conn));
    assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 7.0);
    drop(s);
    // Written to the file, for the analysts' DuckDB.
    let conn = Connection::open(&path).expect("plain open");
    assert!(has_delta(&conn));
}

#[test]
fn a_read_only_open_reads_through_this_trends_views_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.duckdb");
    file_with_old_views(&path);
    let ro = Store::open_read_only(&path).expect("read-only");
    let ys = ro.yearly_signals(2023, 2023).expect("yearly");
    assert_eq!((ys.len(), ys[0].value, ys[0].delta), (1, 7.0, None));
    assert_eq!(ro.years().expect("years"), [2023]);
    // Two readers at once, each with its own temporary views.
    let other = Store::open_read_only(&path).expect("second reader");
    assert_eq!(other.coverage().expect("coverage").len(), 1);
    drop((ro, other));
    let config = duckdb::Config::default()
        .access_mode(duckdb::AccessMode::ReadOnly)
        .expect("config");
    let conn = Connection::open_with_flags(&path, config).expect("plain read-only");
    assert!(!has_delta(&conn), "the file keeps its own views");
    let doubled: f64 = conn
        .query_row("SELECT value FROM yearly_signals", [], |r| r.get(0))
        .expect("old view");
    assert_eq!(doubled, 14.0);
}

#[test]
fn migrations_apply_once_and_reopen_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.duckdb");
    let mut s = Store::open(&path).expect("open new");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    drop(s);
    let s = Store::open(&path).expect("reopen");
    assert_eq!(s.counts().expect("counts").technologies, 2);
}

#[test]
fn migration_5_keeps_the_runs_of_a_version_4_database() {
    let conn = database_at(Connection::open_in_memory().expect("open"), 4);
    conn.execute_batch(
        "INSERT INTO runs (command, started_at, status, requests, error) VALUES
            ('collect', TIMESTAMP '2024-01-01', 'partial', 7, 'github: 1 failed'),
            ('collect', TIMESTAMP '2024-01-02', 'running', 0, NULL)",
    )
    .expect("old runs");
    assert!(
        conn.execute_batch(
            "INSERT INTO runs (command, started_at, status) VALUES ('collect', TIMESTAMP '2024-01-03', 'interrupted')"
        )
        .is_err(),
        "version 4 refuses the new status"
    );
    let mut s = Store::init(conn, ":memory:".into()).expect("migrate to 5");
    let kept: (i64, i64, String, Option<String>) = s
        .conn
        .query_row(
            "SELECT count(*), sum(requests), string_agg(status, ',' ORDER BY id), max(error) FROM runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("runs");
    assert_eq!(
        kept,
        (
            2,
            7,
            "partial,running".into(),
            Some("github: 1 failed".into())
        )
    );
    let run = s.begin_run("collect", at()).expect("a new run");
    // The refused insert above drew 3 from the sequence: ids go on from it.
    assert_eq!(run, RunId(4), "ids go on from the same sequence");
    s.finish_run(
        run,
        RunStatus::Interrupted,
        &RunCounts::default(),
        None,
        at(),
    )
    .expect("interrupted is a status now");
    assert!(
        s.conn
            .execute_batch(
                "INSERT INTO runs (command, started_at, status) VALUES ('collect', TIMESTAMP '2024-01-03', 'bogus')"
            )
            .is_err(),
        "the CHECK is still there"
    );
}

#[test]
fn a_read_only_open_refuses_a_file_that_still_needs_a_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.duckdb");
    drop(database_at(Connection::open(&path).expect("open"), 4));
    let refused = Store::open_read_only(&path).expect_err("version 4");
    assert!(
        matches!(refused, StoreError::Version { found: 4, known, .. } if known == known_version()),
        "{refused:?}"
    );
    // A writable open migrates it and recreates its views; then it reads.
    drop(Store::open(&path).expect("migrate"));
    let ro = Store::open_read_only(&path).expect("read-only after the migration");
    assert!(ro.yearly_signals(2000, 2100).expect("yearly").is_empty());
}

#[test]
fn migration_8_keeps_the_observations_of_a_version_7_database_and_takes_quarters() {
    let mut conn = database_at(Connection::open_in_memory().expect("open"), 7);
    // A version-7 file has its views, which read `observations`.
    recreate_views(&mut conn).expect("views of version 7");
    conn.execute_batch(
        "INSERT INTO observations VALUES
            ('go', 'github', 'stars', 'snapshot', DATE '2023-12-31', DATE '2023-12-31', 70, TIMESTAMP '2024-01-01', 1, 1, 'estimated'),
            ('go', 'stackexchange', 'questions', 'year', DATE '2023-01-01', DATE '2024-01-01', 7, TIMESTAMP '2024-01-01', 1, 2, 'exact')",
    )
    .expect("old observations");
    let quarter = "INSERT INTO observations VALUES ('go', 'x', 'y', 'quarter', DATE '2023-01-01', DATE '2023-04-01', 1, TIMESTAMP '2024-01-01', 1, 3, 'exact')";
    assert!(
        conn.execute_batch(quarter).is_err(),
        "version 7 refuses a quarter"
    );
    let s = Store::init(conn, ":memory:".into()).expect("migrate to 8");
    let kept: (i64, String, f64) = s
        .conn
        .query_row(
            "SELECT count(*), string_agg(exactness, ',' ORDER BY source), sum(value) FROM observations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("observations");
    assert_eq!(kept, (2, "estimated,exact".into(), 77.0));
    s.conn.execute_batch(quarter).expect("a quarter now");
    assert!(
        s.conn
            .execute_batch(
                "INSERT INTO observations VALUES ('go', 'x', 'y', 'week', DATE '2023-01-01', DATE '2023-01-08', 1, TIMESTAMP '2024-01-01', 1, 4, 'exact')"
            )
            .is_err(),
        "the CHECK is still there"
    );
    assert!(
        s.conn
            .execute_batch(
                "INSERT INTO observations VALUES ('go', 'github', 'stars', 'snapshot', DATE '2023-12-31', DATE '2023-12-31', 71, TIMESTAMP '2024-01-01', 1, 5, 'exact')"
            )
            .is_err(),
        "the primary key is still there"
    );
}

#[test]
fn migration_11_keeps_text_bodies_as_bytes_and_marks_the_lossy_ones() {
    let mut conn = database_at(Connection::open_in_memory().expect("open"), 10);
    recreate_views(&mut conn).expect("views of version 10");
    // As trends 0.10 archived them: a UTF-8 body (its text hashes to its
    // sha256), a body that was not UTF-8 (its text has U+FFFD where the
    // byte was; the sha256 is of the original bytes), and no body.
    let request = serde_json::to_string(&spec("go", 2023)).expect("spec");
    conn.execute_batch(&format!(
        "INSERT INTO raw_responses (run_id, source, request_key, request, url, status, fetched_at, body, sha256, outcome, observations) VALUES
            (1, 'x', 'x/a/k/2023', '{request}', 'http://x/a', 200, TIMESTAMP '2024-01-01', '{{\"n\": \"é\"}}', sha256('{{\"n\": \"é\"}}'), 'ok', 1),
            (1, 'x', 'x/b/k/2023', '{request}', 'http://x/b', 200, TIMESTAMP '2024-01-01', 'caf\u{fffd}', sha256('caf\\xE9'::BLOB), 'parse_error', 0),
            (1, 'x', 'x/c/k/2023', '{request}', 'http://x/c', NULL, TIMESTAMP '2024-01-01', NULL, NULL, 'transport_error', 0)",
    ))
    .expect("old archive");
    let mut s = Store::init(conn, ":memory:".into()).expect("migrate to 11");
    let archived = s.archived().expect("archive");
    let kept: Vec<(i64, Option<Vec<u8>>, Option<bool>)> = archived
        .iter()
        .map(|a| (a.id, a.body.clone(), a.body_exact))
        .collect();
    assert_eq!(
        kept,
        [
            (1, Some("{\"n\": \"é\"}".as_bytes().to_vec()), Some(true)),
            (2, Some("caf\u{fffd}".as_bytes().to_vec()), Some(false)),
            (3, None, None),
        ]
    );
    assert_eq!(archived[0].outcome, Outcome::Ok);
    let endpoints: Vec<String> = s
        .conn
        .prepare("SELECT endpoint FROM raw_responses ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("endpoints");
    assert_eq!(endpoints, ["a", "b", "c"], "from the request keys");
    // New rows go on from the same sequence, as bytes.
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let id = s
        .record(
            run,
            &raw(&spec("go", 2023), b"\xe9", Outcome::ParseError),
            &[],
        )
        .expect("record");
    assert_eq!(id, 4);
    assert!(
        s.conn
            .execute_batch(
                "INSERT INTO raw_responses (id, run_id, source, endpoint, request_key, request, url, fetched_at, outcome) VALUES (4, 1, 'x', 'a', 'x', '{}', 'u', TIMESTAMP '2024-01-01', 'ok')"
            )
            .is_err(),
        "the primary key is still there"
    );
}
