//! The file on disk: the storage format every supported DuckDB reads, the
//! conversion of newer files, and publishing the working copy.

use std::path::Path;

use duckdb::Connection;
use trends_core::Outcome;

use crate::testing::{at, catalog, database_at, metrics, obs, raw, spec};
use crate::{Store, StoreError, file};

fn fill(store: &mut Store, years: std::ops::Range<i32>) {
    store.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = store.begin_run("collect", at()).expect("run");
    for year in years {
        let sp = spec("go", year);
        store
            .record(
                run,
                &raw(&sp, b"{}", Outcome::Ok),
                &[obs("go", year, f64::from(year))],
            )
            .expect("record");
    }
}

fn observations(path: &Path) -> i64 {
    Store::open_read_only(path)
        .expect("read-only")
        .counts()
        .expect("counts")
        .observations
}

#[test]
fn a_new_database_is_written_in_the_storage_duckdb_1_4_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.duckdb");
    let mut store = Store::open(&path).expect("open");
    fill(&mut store, 2020..2023);
    drop(store);
    assert_eq!(
        file::storage_number(&path).expect("header"),
        Some(file::MAX_READABLE)
    );
}

#[test]
fn a_database_in_duckdb_2_storage_is_converted_with_its_log_and_sequences() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.duckdb");
    {
        // What an earlier trends wrote: the bundled engine's own default.
        let conn = database_at(Connection::open(&path).expect("open"), i32::MAX);
        conn.execute_batch(
            "CHECKPOINT;
             PRAGMA disable_checkpoint_on_shutdown;
             INSERT INTO runs (command, started_at, status) VALUES ('collect', TIMESTAMP '2024-01-01', 'ok');",
        )
        .expect("schema");
    }
    assert!(file::wal_path(&path).exists(), "the last row is in the log");
    let found = file::storage_number(&path)
        .expect("header")
        .expect("duckdb");
    assert!(found > file::MAX_READABLE, "the engine writes {found}");

    let mut store = Store::open(&path).expect("converted");
    let run = store.begin_run("collect", at()).expect("run");
    assert_eq!(run.0, 2, "the sequence went on from the converted file");
    drop(store);
    assert_eq!(
        file::storage_number(&path).expect("header"),
        Some(file::MAX_READABLE)
    );
    let runs = Store::open_read_only(&path)
        .expect("read-only")
        .counts()
        .expect("counts")
        .runs;
    assert_eq!(runs, 2);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "new.duckdb" && n != "new.duckdb.wal")
        .collect();
    assert!(left.is_empty(), "no temporary files: {left:?}");
}

#[test]
fn a_writing_command_publishes_its_run_whole_and_readers_keep_what_they_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("trends.duckdb");

    let mut first = Store::open_working(&db).expect("working");
    fill(&mut first, 2020..2022);
    assert!(!db.exists(), "nothing is published before the run ends");
    assert_eq!(first.publish().expect("publish"), db);
    assert_eq!(observations(&db), 2);
    assert_eq!(
        file::storage_number(&db).expect("header"),
        Some(file::MAX_READABLE)
    );

    // An analyst holds the published file open while the next run writes.
    let reader = Store::open_read_only(&db).expect("reader");
    let mut second = Store::open_working(&db).expect("working again");
    fill(&mut second, 2022..2025);
    assert_eq!(reader.counts().expect("counts").observations, 2);
    second.publish().expect("publish beside a reader");
    assert_eq!(reader.counts().expect("counts").observations, 2);
    assert_eq!(observations(&db), 5, "a new connection sees the new run");
}

#[test]
fn a_database_from_before_working_copies_becomes_the_working_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("trends.duckdb");
    let mut old = Store::open(&db).expect("open");
    fill(&mut old, 2020..2023);
    drop(old);

    let mut store = Store::open_working(&db).expect("working");
    assert!(file::working_path(&db).exists());
    fill(&mut store, 2023..2024);
    store.publish().expect("publish");
    assert_eq!(observations(&db), 4, "nothing stored before is lost");
}

#[test]
fn only_a_working_copy_can_be_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("t.duckdb")).expect("open");
    assert!(matches!(
        store.publish(),
        Err(StoreError::NothingToPublish(_))
    ));
}
