//! The only crate that knows DuckDB. It applies the migrations in `sql/`,
//! archives raw responses, upserts observations by their natural key in the
//! same transaction, records runs, and reads the yearly roll-up back.
//!
//! It does no network IO and no parsing of response bodies.

pub mod file;
mod rankings;

pub use rankings::{RankingRow, RankingSettings};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use duckdb::arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use duckdb::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{Connection, OptionalExt, params};
use sha2::{Digest, Sha256};
use trends_core::{Catalog, Metric, Observation, Outcome, RequestSpec, TechId, YearlySignal};

/// The migrations, in order. Append only: a released migration never changes.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "0001_init",
        include_str!("../../../sql/migrations/0001_init.sql"),
    ),
    (
        2,
        "0002_rankings",
        include_str!("../../../sql/migrations/0002_rankings.sql"),
    ),
    (
        3,
        "0003_stock_delta",
        include_str!("../../../sql/migrations/0003_stock_delta.sql"),
    ),
    (
        4,
        "0004_rankings_gain",
        include_str!("../../../sql/migrations/0004_rankings_gain.sql"),
    ),
    (
        5,
        "0005_run_interrupted",
        include_str!("../../../sql/migrations/0005_run_interrupted.sql"),
    ),
    (
        6,
        "0006_rankings_table",
        include_str!("../../../sql/migrations/0006_rankings_table.sql"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}")]
    Open {
        path: String,
        #[source]
        source: duckdb::Error,
    },
    #[error("cannot apply migration {name}")]
    Migrate {
        name: &'static str,
        #[source]
        source: duckdb::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this trends knows ({known}); upgrade trends"
    )]
    TooNew {
        path: String,
        found: i32,
        known: i32,
    },
    #[error(
        "database {path} has schema version {found}, this trends reads version {known}; run `trends collect` once with this version (or upgrade trends)"
    )]
    Version {
        path: String,
        found: i32,
        known: i32,
    },
    #[error("database error while {doing}")]
    Query {
        doing: &'static str,
        #[source]
        source: duckdb::Error,
    },
    #[error("database holds a value this trends does not know: {0}")]
    Corrupt(String),
    #[error(
        "cannot convert {path} to DuckDB storage {}, which DuckDB 1.4, 1.5 and 2.0 read; \
         the file is unchanged (close any program that has it open read-write, then run again)",
        file::STORAGE_VERSION
    )]
    Convert {
        path: String,
        #[source]
        source: duckdb::Error,
    },
    #[error("cannot {doing} {path}")]
    File {
        doing: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} was opened without an analysts' file to publish to (use Store::open_working)")]
    NothingToPublish(String),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn q(doing: &'static str) -> impl FnOnce(duckdb::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
}

/// What [`Store::upsert_ceiling`] measured: the time to move the rows by
/// the load path's upsert into a table with the primary key, and by a plain
/// INSERT into one without.
#[derive(Debug, Clone, Copy)]
pub struct Ceiling {
    pub upsert: std::time::Duration,
    pub unkeyed: std::time::Duration,
}

/// What [`Store::renormalize`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renormalized {
    /// Archived responses read and judged again.
    pub responses: u64,
    /// Observations written.
    pub observations: u64,
    /// Responses whose outcome changed (a parser fix, or a new failure).
    pub verdicts_changed: u64,
}

/// Rows written by [`Store::export_parquet`], per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCounts {
    pub observations: u64,
    pub yearly_signals: u64,
    pub technologies: u64,
    pub metrics: u64,
}

/// The id of a row in `runs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub i64);

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Every request succeeded.
    Ok,
    /// Some failed, others landed.
    Partial,
    /// Nothing landed.
    Failed,
    /// Stopped by SIGTERM or Ctrl-C: what had arrived is stored.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// The counts a run ends with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub requests: u64,
    pub responses_ok: u64,
    pub responses_failed: u64,
    pub observations: u64,
}

/// One response (or failed attempt) to archive.
#[derive(Debug, Clone)]
pub struct RawResponse<'a> {
    pub spec: &'a RequestSpec,
    /// The URL without secrets.
    pub url: &'a str,
    pub status: Option<u16>,
    pub fetched_at: DateTime<Utc>,
    pub body: Option<&'a [u8]>,
    pub outcome: Outcome,
    pub error: Option<&'a str>,
}

/// Row counts of the main tables (tests and `trends status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCounts {
    pub technologies: i64,
    pub runs: i64,
    pub raw_responses: i64,
    pub observations: i64,
}

/// An archived response, as `trends renormalize` reads it back.
#[derive(Debug, Clone)]
pub struct Archived {
    pub id: i64,
    pub run_id: RunId,
    pub spec: RequestSpec,
    pub status: Option<u16>,
    pub fetched_at: DateTime<Utc>,
    pub body: Option<Vec<u8>>,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// The new verdict on an archived response.
#[derive(Debug, Clone)]
pub struct Reparsed {
    pub outcome: Outcome,
    pub error: Option<String>,
    pub observations: Vec<Observation>,
}

/// One line of `trends status`: a recent run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub requests: i64,
    pub responses_failed: i64,
    pub observations: i64,
    pub error: Option<String>,
}

/// Per source and year: how many technologies have data.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub source: String,
    pub year: i32,
    pub technologies: i64,
    pub mean_coverage: f64,
}

/// An open trends database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: String,
    /// The analysts' file that [`Store::publish`] replaces (set by
    /// [`Store::open_working`]).
    publish_to: Option<PathBuf>,
}

/// Opens `path` read-write; a file DuckDB creates is written in
/// [`file::STORAGE_VERSION`].
fn connect(path: &Path) -> Result<Connection> {
    let open = |source| StoreError::Open {
        path: path.display().to_string(),
        source,
    };
    let config = duckdb::Config::default()
        .with("storage_compatibility_version", file::STORAGE_VERSION)
        .map_err(open)?;
    Connection::open_with_flags(path, config).map_err(open)
}

/// Writes a copy of the database `from` (tables, views, sequences with
/// their next values) to `to` in [`file::STORAGE_VERSION`], through a
/// temporary file renamed into place, so `to` is never half written. `from`
/// is opened read-only: its write-ahead log, if any, is read, not changed.
fn convert(from: &Path, to: &Path) -> Result<()> {
    let convert_err = |source| StoreError::Convert {
        path: from.display().to_string(),
        source,
    };
    let tmp = PathBuf::from(format!(
        "{}.converting-{}",
        to.display(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let conn = Connection::open_in_memory().map_err(convert_err)?;
        conn.execute_batch(&format!(
            "ATTACH {} AS convert_from (READ_ONLY);
             ATTACH {} AS convert_to (STORAGE_VERSION '{}');
             COPY FROM DATABASE convert_from TO convert_to;
             DETACH convert_to;
             DETACH convert_from;",
            sql_string(&from.to_string_lossy()),
            sql_string(&tmp.to_string_lossy()),
            file::STORAGE_VERSION
        ))
        .map_err(convert_err)?;
        drop(conn);
        let io = |doing| {
            let path = tmp.display().to_string();
            move |source| StoreError::File {
                doing,
                path,
                source,
            }
        };
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io("sync"))?;
        // The log belonged to the old file; it is in the copy now.
        if from == to {
            match std::fs::remove_file(file::wal_path(to)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io("remove the old write-ahead log of")(e));
                }
                _ => {}
            }
        }
        std::fs::rename(&tmp, to).map_err(io("rename"))?;
        file::sync_folder(to).map_err(io("sync the folder of"))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(file::wal_path(&tmp));
    }
    result
}

/// Converts `path` in place when its storage format is newer than DuckDB 1.4
/// reads. A write-ahead log is first folded into the file by a checkpoint
/// (at the file's own format), so the conversion has one file to copy.
fn convert_if_newer(path: &Path) -> Result<()> {
    let number = match file::storage_number(path) {
        Ok(Some(n)) => n,
        // Missing (DuckDB creates it), or not DuckDB's (DuckDB says so).
        Ok(None) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::File {
                doing: "read the header of",
                path: path.display().to_string(),
                source,
            });
        }
    };
    if number <= file::MAX_READABLE {
        return Ok(());
    }
    tracing::warn!(
        path = %path.display(),
        storage = number,
        "converting the database to DuckDB storage {} so that DuckDB 1.4 and 1.5 clients can open it",
        file::STORAGE_VERSION
    );
    if file::wal_path(path).exists() {
        let checkpoint = |source| StoreError::Convert {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(checkpoint)?;
        conn.execute_batch("CHECKPOINT").map_err(checkpoint)?;
        drop(conn);
    }
    convert(path, path)
}

impl Store {
    /// Opens (creating if needed) the database file at `path` itself and
    /// migrates it. A new file is written in DuckDB storage
    /// [`file::STORAGE_VERSION`]; a file at a newer storage format is
    /// converted to it first. Writing commands use [`Store::open_working`].
    pub fn open(path: &Path) -> Result<Store> {
        convert_if_newer(path)?;
        let conn = connect(path)?;
        Store::init(conn, path.display().to_string())
    }

    /// Opens the working copy of the analysts' file `db`
    /// ([`file::working_path`]) for a writing command, and remembers `db` for
    /// [`Store::publish`]. When there is no working copy yet (a first run,
    /// a database from before working copies, or a removed working copy) it
    /// starts as a copy of `db`, converted to [`file::STORAGE_VERSION`].
    /// Readers of `db` are never blocked or disturbed by it.
    pub fn open_working(db: &Path) -> Result<Store> {
        let work = file::working_path(db);
        if !work.exists() && db.exists() {
            tracing::info!(from = %db.display(), to = %work.display(), "starting the working copy");
            convert(db, &work)?;
        }
        let mut store = Store::open(&work)?;
        store.publish_to = Some(db.to_path_buf());
        Ok(store)
    }

    /// Ends a writing command: checkpoints and closes the working copy, then
    /// replaces the analysts' file with a copy of it (temporary file, sync,
    /// rename). Readers holding the old file keep it; new connections see
    /// this run whole. Returns the analysts' file.
    pub fn publish(self) -> Result<PathBuf> {
        let Some(to) = self.publish_to else {
            return Err(StoreError::NothingToPublish(self.path));
        };
        let started = std::time::Instant::now();
        self.conn
            .execute_batch("CHECKPOINT")
            .map_err(q("checkpointing before publishing"))?;
        let work = PathBuf::from(&self.path);
        self.conn.close().map_err(|(_, source)| StoreError::Query {
            doing: "closing the working copy before publishing",
            source,
        })?;
        if file::wal_path(&to).exists() {
            tracing::warn!(
                path = %to.display(),
                "a program holds the analysts' file open read-write; what it writes stays in the file it opened, not in the published one"
            );
        }
        file::replace_with_copy(&work, &to).map_err(|source| StoreError::File {
            doing: "publish to",
            path: to.display().to_string(),
            source,
        })?;
        tracing::info!(
            path = %to.display(),
            bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0),
            ms = started.elapsed().as_millis() as u64,
            "published the run for readers"
        );
        Ok(to)
    }

    /// Opens an existing database for reading only (report, status,
    /// `--dry-run`): nothing is written, and it works beside a reader such as
    /// the DuckDB CLI. A database that still needs a migration is refused.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let open = |source| StoreError::Open {
            path: shown.clone(),
            source,
        };
        let config = duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .map_err(open)?;
        let conn = Connection::open_with_flags(path, config).map_err(open)?;
        let store = Store {
            conn,
            path: shown,
            publish_to: None,
        };
        let current: i32 = store
            .conn
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(q("reading the schema version"))?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if current != known {
            return Err(StoreError::Version {
                path: store.path.clone(),
                found: current,
                known,
            });
        }
        Ok(store)
    }

    /// A fresh in-memory database with the full schema (tests).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<Store> {
        let mut store = Store {
            conn,
            path,
            publish_to: None,
        };
        store.migrate()?;
        store.sync_metrics()?;
        store
            .conn
            .execute_batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {STAGE} (
                    tech_id VARCHAR, source VARCHAR, metric VARCHAR, grain VARCHAR,
                    period_start DATE, period_end DATE, value DOUBLE,
                    observed_at TIMESTAMP, run_id BIGINT, raw_id BIGINT)"
            ))
            .map_err(q("creating the staging table"))?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name VARCHAR NOT NULL,
                    applied_at TIMESTAMP NOT NULL)",
            )
            .map_err(q("creating schema_migrations"))?;
        let current: i32 = self
            .conn
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(q("reading the schema version"))?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            let tx = self
                .conn
                .transaction()
                .map_err(|source| StoreError::Migrate { name, source })?;
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migrate { name, source })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, CAST(? AS TIMESTAMP))",
                params![version, name, ts(Utc::now())],
            )
            .map_err(|source| StoreError::Migrate { name, source })?;
            tx.commit()
                .map_err(|source| StoreError::Migrate { name, source })?;
            tracing::info!(version, name, "applied migration");
        }
        Ok(())
    }

    fn sync_metrics(&mut self) -> Result<()> {
        let tx = self.conn.transaction().map_err(q("syncing metrics"))?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO metrics (source, metric, kind, description) VALUES (?, ?, ?, ?)
                     ON CONFLICT (source, metric) DO UPDATE SET kind = excluded.kind, description = excluded.description",
                )
                .map_err(q("syncing metrics"))?;
            for m in Metric::ALL {
                let kind = match m.kind() {
                    trends_core::MetricKind::Flow => "flow",
                    trends_core::MetricKind::Stock => "stock",
                };
                stmt.execute(params![
                    m.source().as_str(),
                    m.as_str(),
                    kind,
                    m.description()
                ])
                .map_err(q("syncing metrics"))?;
            }
        }
        tx.commit().map_err(q("syncing metrics"))
    }

    /// Writes the catalog into `technologies` (insert or update by id). Rows of
    /// technologies no longer in the catalog stay, so old observations keep
    /// their names.
    pub fn sync_catalog(&mut self, catalog: &Catalog) -> Result<()> {
        let doing = "syncing the catalog";
        let tx = self.conn.transaction().map_err(q(doing))?;
        // Set-based: the entries go through the Appender into a scratch
        // table, then one upsert; one statement per entry made a catalog of
        // thousands slow.
        tx.execute_batch(
            "CREATE OR REPLACE TEMP TABLE catalog_stage (id VARCHAR, name VARCHAR, category VARCHAR, keys VARCHAR)",
        )
        .map_err(q(doing))?;
        {
            let mut app = tx
                .appender_to_catalog_and_db("catalog_stage", "temp", "main")
                .map_err(q(doing))?;
            for t in &catalog.technologies {
                let keys: serde_json::Map<String, serde_json::Value> = t
                    .keys
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), serde_json::Value::from(v.as_str())))
                    .collect();
                app.append_row(params![
                    t.id.as_str(),
                    t.name,
                    t.category.as_str(),
                    serde_json::Value::Object(keys).to_string()
                ])
                .map_err(q(doing))?;
            }
            app.flush().map_err(q(doing))?;
        }
        tx.execute_batch(
            "INSERT INTO technologies (id, name, category, keys) SELECT id, name, category, keys FROM temp.main.catalog_stage
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category, keys = excluded.keys;
             DROP TABLE temp.main.catalog_stage;",
        )
        .map_err(q(doing))?;
        tx.commit().map_err(q(doing))
    }

    /// Starts a run and returns its id.
    pub fn begin_run(&mut self, command: &str, started_at: DateTime<Utc>) -> Result<RunId> {
        let id: i64 = self
            .conn
            .query_row(
                "INSERT INTO runs (command, started_at, status) VALUES (?, CAST(? AS TIMESTAMP), 'running') RETURNING id",
                params![command, ts(started_at)],
                |r| r.get(0),
            )
            .map_err(q("starting a run"))?;
        Ok(RunId(id))
    }

    /// Ends a run with its status, counts and (when it failed) the reason.
    pub fn finish_run(
        &mut self,
        run: RunId,
        status: RunStatus,
        counts: &RunCounts,
        error: Option<&str>,
        finished_at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = CAST(? AS TIMESTAMP), status = ?, requests = ?, responses_ok = ?,
                 responses_failed = ?, observations = ?, error = ? WHERE id = ?",
                params![
                    ts(finished_at),
                    status.as_str(),
                    counts.requests as i64,
                    counts.responses_ok as i64,
                    counts.responses_failed as i64,
                    counts.observations as i64,
                    error,
                    run.0
                ],
            )
            .map_err(q("finishing a run"))?;
        Ok(())
    }

    /// Archives one response and upserts its observations, in one
    /// transaction: either both are stored or neither is. Returns the id of
    /// the archived row.
    pub fn record(
        &mut self,
        run: RunId,
        raw: &RawResponse<'_>,
        observations: &[Observation],
    ) -> Result<i64> {
        let ids = self.record_batch(run, &[(raw.clone(), observations)])?;
        Ok(ids[0])
    }

    /// Archives several responses and upserts their observations in one
    /// transaction: all of them are stored or none is, so an interrupted
    /// run still leaves every archived answer with its observations. A key
    /// given by several answers keeps the value of the last one, as if they
    /// had been recorded one by one. One commit and one upsert statement for
    /// the whole batch is what makes this fast: per answer, the commit
    /// dominates. Returns the archived rows' ids, in order.
    pub fn record_batch(
        &mut self,
        run: RunId,
        answers: &[(RawResponse<'_>, &[Observation])],
    ) -> Result<Vec<i64>> {
        let tx = self.conn.transaction().map_err(q("archiving responses"))?;
        // Ids from the table's sequence, reserved in one statement; the rows
        // then go in through the Appender rather than one INSERT each.
        let ids: Vec<i64> = {
            let mut stmt = tx
                .prepare("SELECT nextval('raw_responses_id_seq') FROM range(?)")
                .map_err(q("archiving responses"))?;
            stmt.query_map(params![answers.len() as i64], |r| r.get(0))
                .map_err(q("archiving responses"))?
                .collect::<std::result::Result<_, _>>()
                .map_err(q("archiving responses"))?
        };
        let mut staged: Vec<Staged<'_>> = Vec::new();
        {
            let mut app = tx
                .appender("raw_responses")
                .map_err(q("archiving responses"))?;
            for ((raw, observations), raw_id) in answers.iter().zip(&ids) {
                debug_assert!(
                    raw.outcome == Outcome::Ok || observations.is_empty(),
                    "only a parsed response carries observations"
                );
                let request = serde_json::to_string(raw.spec)
                    .map_err(|e| StoreError::Corrupt(format!("request spec: {e}")))?;
                let body = raw.body.map(String::from_utf8_lossy);
                let sha = raw.body.map(|b| hex(&Sha256::digest(b)));
                app.append_row(params![
                    raw_id,
                    run.0,
                    raw.spec.source.as_str(),
                    raw.spec.request_key(),
                    request,
                    raw.url,
                    raw.status.map(i32::from),
                    ts(raw.fetched_at),
                    body.as_deref(),
                    sha,
                    raw.outcome.as_str(),
                    raw.error,
                    observations.len() as i64,
                ])
                .map_err(q("archiving a response"))?;
                staged.push((run, *raw_id, raw.fetched_at, observations));
            }
            app.flush().map_err(q("archiving responses"))?;
        }
        upsert_observations(&tx, &staged)?;
        tx.commit().map_err(q("committing responses"))?;
        Ok(ids)
    }

    /// For benchmarks only: the engine's own pace for the statements the
    /// load path ends in, with no Rust in the loop. `rows` monthly
    /// observations are generated set-based into a temporary table, then
    /// moved `batch` rows per transaction (a) into an empty copy of
    /// `observations` with its primary key, by the same INSERT .. ON
    /// CONFLICT the load path runs, and (b) into a copy without a key, by a
    /// plain INSERT. Returns the time of each; the copies are dropped.
    pub fn upsert_ceiling(&mut self, rows: u64, batch: u64) -> Result<Ceiling> {
        let doing = "measuring the engine's upsert pace";
        let ddl: String = self
            .conn
            .query_row(
                "SELECT sql FROM duckdb_tables()
                 WHERE table_name = 'observations' AND schema_name = 'main'
                   AND database_name = current_database()",
                [],
                |r| r.get(0),
            )
            .map_err(q(doing))?;
        self.conn
            .execute_batch(&format!(
                "DROP TABLE IF EXISTS bench_keyed; DROP TABLE IF EXISTS bench_unkeyed;
                 {};
                 CREATE TABLE bench_unkeyed AS SELECT * FROM observations LIMIT 0;
                 CREATE OR REPLACE TEMP TABLE bench_rows AS
                 SELECT i, 'c' || (i // 120) AS tech_id, 'wikimedia' AS source, 'pageviews' AS metric,
                        'month' AS grain, DATE '2015-07-01' + to_months(CAST(i % 120 AS INTEGER)) AS period_start,
                        DATE '2015-08-01' + to_months(CAST(i % 120 AS INTEGER)) AS period_end,
                        (1 + i * 13 % 100000)::DOUBLE AS value, TIMESTAMP '2024-01-01' AS observed_at,
                        0::BIGINT AS run_id, (i // 120)::BIGINT AS raw_id
                 FROM range({rows}) t(i);",
                ddl.replacen("observations", "bench_keyed", 1)
            ))
            .map_err(q(doing))?;
        let mut time = |sql: &str| -> Result<std::time::Duration> {
            let t0 = std::time::Instant::now();
            let mut lo = 0u64;
            while lo < rows {
                let tx = self.conn.transaction().map_err(q(doing))?;
                tx.execute(sql, params![lo, lo + batch]).map_err(q(doing))?;
                tx.commit().map_err(q(doing))?;
                lo += batch;
            }
            Ok(t0.elapsed())
        };
        let upsert = time(&format!(
            "INSERT INTO bench_keyed ({OBSERVATION_COLUMNS}) SELECT {OBSERVATION_COLUMNS} FROM bench_rows
             WHERE i >= ? AND i < ? {ON_KEY_UPDATE}"
        ))?;
        let unkeyed = time(&format!(
            "INSERT INTO bench_unkeyed ({OBSERVATION_COLUMNS}) SELECT {OBSERVATION_COLUMNS} FROM bench_rows
             WHERE i >= ? AND i < ?"
        ))?;
        self.conn
            .execute_batch(
                "DROP TABLE bench_keyed; DROP TABLE bench_unkeyed; DROP TABLE bench_rows;",
            )
            .map_err(q(doing))?;
        Ok(Ceiling { upsert, unkeyed })
    }

    /// For benchmarks only: fills the database with `techs` synthetic
    /// technologies (spread over the three categories) and `days` daily
    /// observations of each of `metrics` flow metrics per technology, from
    /// 2015-01-01, in one set-based `INSERT .. SELECT` (not the collect
    /// path: that is what `trends bench` without `--report` measures). Every
    /// row points at one archived stand-in answer, so the tables stay
    /// consistent. Returns the observations written.
    pub fn fill_synthetic(&mut self, techs: u32, metrics: &[Metric], days: u32) -> Result<u64> {
        let tx = self.conn.transaction().map_err(q("starting the fill"))?;
        tx.execute(
            "INSERT INTO technologies
             SELECT 'b' || i, 'Bench ' || i,
                    CASE i % 3 WHEN 0 THEN 'language' WHEN 1 THEN 'framework' ELSE 'practice' END,
                    '{}'
             FROM range(?) t(i)",
            params![techs],
        )
        .map_err(q("filling technologies"))?;
        tx.execute(
            "INSERT INTO raw_responses (run_id, source, request_key, request, url, fetched_at, outcome)
             VALUES (0, 'bench', 'bench', '{}', 'http://bench.invalid/', TIMESTAMP '2024-01-01', 'ok')",
            [],
        )
        .map_err(q("filling the archive"))?;
        let raw: i64 = tx
            .query_row("SELECT max(id) FROM raw_responses", [], |r| r.get(0))
            .map_err(q("filling the archive"))?;
        let mut written = 0u64;
        for metric in metrics {
            written += tx
                .execute(
                    "INSERT INTO observations
                     SELECT 'b' || t.i, ?, ?, 'day',
                            DATE '2015-01-01' + d.j::INTEGER, DATE '2015-01-02' + d.j::INTEGER,
                            (1 + (t.i * 7919 + d.j * 104729) % 100000)::DOUBLE,
                            TIMESTAMP '2024-01-01', 0, ?
                     FROM range(?) t(i), range(?) d(j)",
                    params![metric.source().as_str(), metric.as_str(), raw, techs, days],
                )
                .map_err(q("filling observations"))? as u64;
        }
        tx.commit().map_err(q("committing the fill"))?;
        Ok(written)
    }

    /// Every signal per technology and year in `[from, to]`, from the
    /// `yearly_signals` view.
    pub fn yearly_signals(&self, from: i32, to: i32) -> Result<Vec<YearlySignal>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT tech_id, technology, category, year, source, metric, value, coverage, partial, delta
                 FROM yearly_signals WHERE year BETWEEN ? AND ?
                 ORDER BY year, category, tech_id, source, metric",
            )
            .map_err(q("reading yearly signals"))?;
        let rows = stmt
            .query_map(params![from, to], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, f64>(7)?,
                    r.get::<_, bool>(8)?,
                    r.get::<_, Option<f64>>(9)?,
                ))
            })
            .map_err(q("reading yearly signals"))?;
        let mut out = Vec::new();
        for row in rows {
            let (tech, name, category, year, source, metric, value, coverage, partial, delta) =
                row.map_err(q("reading yearly signals"))?;
            let source = parse_known(&source)?;
            out.push(YearlySignal {
                tech: TechId(tech),
                name,
                category: parse_known(&category)?,
                year: i32::try_from(year)
                    .map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
                source,
                metric: Metric::parse(source, &metric).map_err(StoreError::Corrupt)?,
                value,
                coverage,
                partial,
                delta,
            });
        }
        Ok(out)
    }

    /// Writes the observations and the `yearly_signals` roll-up as Parquet
    /// under `dir`, hive-partitioned by source and year
    /// (`observations/source=npm/year=2023/data_0.parquet`), plus the small
    /// `technologies` and `metrics` tables as one file each, so that Spark,
    /// Trino or DuckDB (`read_parquet('dir/observations/**/*.parquet',
    /// hive_partitioning = true)`) read them without this database. `dir`
    /// must exist and be empty: the caller decides what replacing an older
    /// export means. Works on a read-only opening.
    pub fn export_parquet(&self, dir: &Path) -> Result<ExportCounts> {
        // Partition columns live in the folder names, not in the files.
        let partitioned = "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (source, year)";
        // DuckDB buffers each open partition up to this many rows before
        // writing it out; its default (524,288) held 1.5 GiB at once for
        // 10M observations, this holds ~330 MiB and is no slower.
        self.conn
            .execute_batch("SET partitioned_write_flush_threshold = 32768")
            .map_err(q("setting up the Parquet export"))?;
        let counts = self.copy_out(dir, partitioned);
        self.conn
            .execute_batch("RESET partitioned_write_flush_threshold")
            .map_err(q("setting up the Parquet export"))?;
        counts
    }

    fn copy_out(&self, dir: &Path, partitioned: &str) -> Result<ExportCounts> {
        let quoted = |name: &str| sql_string(&dir.join(name).to_string_lossy());
        let copy = |doing: &'static str, sql: String| -> Result<u64> {
            self.conn
                .execute(&sql, [])
                .map(|n| n as u64)
                .map_err(q(doing))
        };
        Ok(ExportCounts {
            observations: copy(
                "exporting observations to Parquet",
                format!(
                    "COPY (SELECT *, year(period_start) AS year FROM observations)
                     TO {} ({partitioned})",
                    quoted("observations")
                ),
            )?,
            yearly_signals: copy(
                "exporting yearly_signals to Parquet",
                format!(
                    "COPY (SELECT * FROM yearly_signals) TO {} ({partitioned})",
                    quoted("yearly_signals")
                ),
            )?,
            technologies: copy(
                "exporting technologies to Parquet",
                format!(
                    "COPY (SELECT * FROM technologies ORDER BY id) TO {} (FORMAT parquet)",
                    quoted("technologies.parquet")
                ),
            )?,
            metrics: copy(
                "exporting metrics to Parquet",
                format!(
                    "COPY (SELECT * FROM metrics ORDER BY source, metric) TO {} (FORMAT parquet)",
                    quoted("metrics.parquet")
                ),
            )?,
        })
    }

    /// The years that have at least one observation, oldest first.
    pub fn years(&self) -> Result<Vec<i32>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT year FROM yearly_signals ORDER BY year")
            .map_err(q("listing years"))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i32>(0))
            .map_err(q("listing years"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(q("listing years"))
    }

    /// Row counts of the main tables.
    pub fn counts(&self) -> Result<TableCounts> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM technologies), (SELECT count(*) FROM runs),
                        (SELECT count(*) FROM raw_responses), (SELECT count(*) FROM observations)",
                [],
                |r| {
                    Ok(TableCounts {
                        technologies: r.get(0)?,
                        runs: r.get(1)?,
                        raw_responses: r.get(2)?,
                        observations: r.get(3)?,
                    })
                },
            )
            .map_err(q("counting rows"))
    }

    /// The request keys that already have a successful answer (`ok` or
    /// `no_data`) in the archive: a closed period among them need not be
    /// fetched again.
    pub fn succeeded_keys(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT request_key FROM raw_responses WHERE outcome IN ('ok', 'no_data')",
            )
            .map_err(q("listing fetched requests"))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(q("listing fetched requests"))?;
        rows.collect::<Result<_, _>>()
            .map_err(q("listing fetched requests"))
    }

    /// Every archived response, oldest first (tests; `renormalize` reads
    /// the archive a page at a time).
    #[cfg(test)]
    fn archived(&self) -> Result<Vec<Archived>> {
        read_archive(&self.conn, 0, i64::MAX)
    }

    /// Rebuilds every observation from the archive, in one transaction:
    /// all observations are replaced and every response's verdict (outcome,
    /// error, observation count) is set from `reparse`, or nothing changes.
    /// The archive is read a page at a time in id order (the order collect
    /// wrote it, so later answers win again), so memory holds one page of
    /// bodies, not the archive; observations are upserted and verdicts
    /// staged a page per statement.
    pub fn renormalize(
        &mut self,
        mut reparse: impl FnMut(&Archived) -> Reparsed,
    ) -> Result<Renormalized> {
        const PAGE: i64 = 256;
        let doing = "renormalizing";
        let tx = self.conn.transaction().map_err(q(doing))?;
        tx.execute_batch(
            "DELETE FROM observations;
             CREATE OR REPLACE TEMP TABLE verdict_stage (id BIGINT, outcome VARCHAR, error VARCHAR, observations INTEGER);",
        )
        .map_err(q(doing))?;
        let mut done = Renormalized::default();
        let mut after = 0;
        loop {
            let page = read_archive(&tx, after, PAGE)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let reparsed: Vec<Reparsed> = page.iter().map(&mut reparse).collect();
            {
                let mut app = tx
                    .appender_to_catalog_and_db("verdict_stage", "temp", "main")
                    .map_err(q(doing))?;
                for (archived, r) in page.iter().zip(&reparsed) {
                    app.append_row(params![
                        archived.id,
                        r.outcome.as_str(),
                        r.error,
                        r.observations.len() as i64
                    ])
                    .map_err(q(doing))?;
                    done.responses += 1;
                    done.observations += r.observations.len() as u64;
                    done.verdicts_changed += u64::from(archived.outcome != r.outcome);
                }
                app.flush().map_err(q(doing))?;
            }
            let staged: Vec<Staged<'_>> = page
                .iter()
                .zip(&reparsed)
                .map(|(a, r)| (a.run_id, a.id, a.fetched_at, r.observations.as_slice()))
                .collect();
            upsert_observations(&tx, &staged)?;
        }
        tx.execute_batch(
            "UPDATE raw_responses SET outcome = v.outcome, error = v.error, observations = v.observations
             FROM temp.main.verdict_stage v WHERE raw_responses.id = v.id;
             DROP TABLE temp.main.verdict_stage;",
        )
        .map_err(q(doing))?;
        tx.commit().map_err(q(doing))?;
        Ok(done)
    }

    /// The latest runs, newest first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, command, CAST(started_at AS VARCHAR), CAST(finished_at AS VARCHAR), status,
                        requests, responses_failed, observations, error
                 FROM runs ORDER BY id DESC LIMIT ?",
            )
            .map_err(q("reading runs"))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    command: r.get(1)?,
                    started_at: r.get(2)?,
                    finished_at: r.get(3)?,
                    status: r.get(4)?,
                    requests: r.get(5)?,
                    responses_failed: r.get(6)?,
                    observations: r.get(7)?,
                    error: r.get(8)?,
                })
            })
            .map_err(q("reading runs"))?;
        rows.collect::<Result<_, _>>().map_err(q("reading runs"))
    }

    /// Failed responses of a run: (source, url, outcome, error).
    pub fn failures(
        &self,
        run: i64,
        limit: usize,
    ) -> Result<Vec<(String, String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, url, outcome, coalesce(error, '') FROM raw_responses
                 WHERE run_id = ? AND outcome NOT IN ('ok', 'no_data') ORDER BY id LIMIT ?",
            )
            .map_err(q("reading failures"))?;
        let rows = stmt
            .query_map(params![run, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(q("reading failures"))?;
        rows.collect::<Result<_, _>>()
            .map_err(q("reading failures"))
    }

    /// Per source and year, how many technologies have a value and their
    /// mean coverage of the year.
    pub fn coverage(&self) -> Result<Vec<CoverageRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, year::INTEGER, count(DISTINCT tech_id), avg(coverage)
                 FROM yearly_signals GROUP BY source, year ORDER BY source, year",
            )
            .map_err(q("reading coverage"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(CoverageRow {
                    source: r.get(0)?,
                    year: r.get(1)?,
                    technologies: r.get(2)?,
                    mean_coverage: r.get(3)?,
                })
            })
            .map_err(q("reading coverage"))?;
        rows.collect::<Result<_, _>>()
            .map_err(q("reading coverage"))
    }

    /// The status of the most recent run, if any (tests and `trends status`).
    pub fn last_run_status(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(q("reading the last run"))
    }
}

/// An answer's observations to upsert: its run, its archive row, when it
/// was fetched.
type Staged<'a> = (RunId, i64, DateTime<Utc>, &'a [Observation]);

fn upsert_observations(tx: &duckdb::Transaction<'_>, answers: &[Staged<'_>]) -> Result<()> {
    if answers.iter().all(|a| a.3.is_empty()) {
        return Ok(());
    }
    // One statement per batch, not per row: the rows go through the
    // Appender into a per-connection staging table, then one
    // INSERT .. ON CONFLICT moves them. A key repeated within the batch
    // keeps its last value (one statement cannot update a row twice), so
    // an earlier row of a key is dropped here.
    type Key<'a> = (
        &'a str,
        trends_core::SourceId,
        Metric,
        trends_core::Grain,
        i32,
    );
    let total: usize = answers.iter().map(|a| a.3.len()).sum();
    let mut rows: Vec<Option<(&Staged<'_>, &Observation)>> = Vec::with_capacity(total);
    let mut last: rustc_hash::FxHashMap<Key<'_>, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(total, Default::default());
    for answer in answers {
        for o in answer.3 {
            let key = (
                o.tech.as_str(),
                o.source,
                o.metric,
                o.grain,
                day(o.period.start),
            );
            if let Some(earlier) = last.insert(key, rows.len()) {
                rows[earlier] = None;
            }
            rows.push(Some((answer, o)));
        }
    }
    // Columns, not rows: the staged rows go to the Appender as one Arrow
    // record batch, which DuckDB copies a vector at a time (appending row
    // by row cost ~6,000 instructions a row, more than the upsert's index
    // insert).
    let rows: Vec<(&Staged<'_>, &Observation)> = rows.into_iter().flatten().collect();
    let strings = |f: &dyn Fn(&Observation) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|(_, o)| f(o)),
        ))
    };
    let days = |f: &dyn Fn(&Observation) -> chrono::NaiveDate| -> ArrayRef {
        Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|(_, o)| day(f(o))),
        ))
    };
    let columns: Vec<ArrayRef> = vec![
        strings(&|o| o.tech.as_str()),
        strings(&|o| o.source.as_str()),
        strings(&|o| o.metric.as_str()),
        strings(&|o| o.grain.as_str()),
        days(&|o| o.period.start),
        days(&|o| o.period.end),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|(_, o)| o.value),
        )),
        Arc::new(TimestampMicrosecondArray::from_iter_values(
            rows.iter().map(|((_, _, at, _), _)| at.timestamp_micros()),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|((run, _, _, _), _)| run.0),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|((_, raw, _, _), _)| *raw),
        )),
    ];
    let staged = RecordBatch::try_new(stage_schema(), columns)
        .map_err(|e| StoreError::Corrupt(format!("staging observations: {e}")))?;
    {
        let mut app = tx
            .appender_to_catalog_and_db(STAGE, "temp", "main")
            .map_err(q("staging observations"))?;
        app.append_record_batch(staged)
            .map_err(q("staging observations"))?;
        app.flush().map_err(q("staging observations"))?;
    }
    tx.execute_batch(&format!(
        "INSERT INTO observations ({OBSERVATION_COLUMNS}) SELECT {OBSERVATION_COLUMNS} FROM temp.main.{STAGE}
         {ON_KEY_UPDATE};
         DELETE FROM temp.main.{STAGE};"
    ))
    .map_err(q("upserting observations"))?;
    Ok(())
}

/// The Arrow schema of the staging table's columns, in its order.
fn stage_schema() -> Arc<Schema> {
    let text = |name| Field::new(name, DataType::Utf8, false);
    let date = |name| Field::new(name, DataType::Date32, false);
    let int = |name| Field::new(name, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        text("tech_id"),
        text("source"),
        text("metric"),
        text("grain"),
        date("period_start"),
        date("period_end"),
        Field::new("value", DataType::Float64, false),
        Field::new(
            "observed_at",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        int("run_id"),
        int("raw_id"),
    ]))
}

/// Days since 1970-01-01, DuckDB's DATE.
fn day(d: chrono::NaiveDate) -> i32 {
    const UNIX_EPOCH_FROM_CE: i32 = 719_163;
    d.num_days_from_ce() - UNIX_EPOCH_FROM_CE
}

/// The columns of `observations` (and of its staging table), in order.
const OBSERVATION_COLUMNS: &str =
    "tech_id, source, metric, grain, period_start, period_end, value, observed_at, run_id, raw_id";

/// The upsert of an observation by its natural key: a later answer for the
/// same key replaces everything but the key. Shared by the load path and
/// the benchmark of the engine alone, so they measure the same statement.
const ON_KEY_UPDATE: &str =
    "ON CONFLICT (tech_id, source, metric, grain, period_start) DO UPDATE SET
    period_end = excluded.period_end, value = excluded.value, observed_at = excluded.observed_at,
    run_id = excluded.run_id, raw_id = excluded.raw_id";

/// The per-connection staging table observations are appended to.
const STAGE: &str = "observation_stage";

/// Archived responses with an id above `after`, in id order, at most
/// `limit` of them.
fn read_archive(conn: &Connection, after: i64, limit: i64) -> Result<Vec<Archived>> {
    let mut stmt = conn
        .prepare(
            "SELECT id, run_id, request, status, CAST(fetched_at AS VARCHAR), body, outcome, error
             FROM raw_responses WHERE id > ? ORDER BY id LIMIT ?",
        )
        .map_err(q("reading the archive"))?;
    let rows = stmt
        .query_map(params![after, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i32>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .map_err(q("reading the archive"))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, run_id, request, status, fetched_at, body, outcome, error) =
            row.map_err(q("reading the archive"))?;
        let spec: RequestSpec = serde_json::from_str(&request)
            .map_err(|e| StoreError::Corrupt(format!("raw_responses {id}: request: {e}")))?;
        let fetched_at = chrono::NaiveDateTime::parse_from_str(&fetched_at, "%Y-%m-%d %H:%M:%S%.f")
            .map_err(|e| {
                StoreError::Corrupt(format!("raw_responses {id}: fetched_at {fetched_at}: {e}"))
            })?
            .and_utc();
        out.push(Archived {
            id,
            run_id: RunId(run_id),
            spec,
            status: status.and_then(|s| u16::try_from(s).ok()),
            fetched_at,
            body: body.map(String::into_bytes),
            outcome: parse_outcome(&outcome)?,
            error,
        });
    }
    Ok(out)
}

/// `s` as an SQL string literal (COPY takes no bound parameter for its
/// file name).
fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn parse_outcome(s: &str) -> Result<Outcome> {
    [
        Outcome::Ok,
        Outcome::NoData,
        Outcome::HttpError,
        Outcome::TransportError,
        Outcome::ParseError,
    ]
    .into_iter()
    .find(|o| o.as_str() == s)
    .ok_or_else(|| StoreError::Corrupt(format!("outcome {s}")))
}

fn parse_known<T: FromStr<Err = String>>(s: &str) -> Result<T> {
    s.parse().map_err(StoreError::Corrupt)
}

fn ts(t: DateTime<Utc>) -> String {
    t.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod storage_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use trends_core::{Grain, Period, SourceId, Subject};

    pub(crate) fn catalog() -> Catalog {
        Catalog::parse(
            r#"
            [[technology]]
            id = "python"
            name = "Python"
            category = "language"
            stackoverflow_tag = "python"
            [[technology]]
            id = "go"
            name = "Go"
            category = "language"
            stackoverflow_tag = "go"
            "#,
            Path::new("test.toml"),
        )
        .expect("valid catalog")
    }

    pub(crate) fn spec(tech: &str, year: i32) -> RequestSpec {
        RequestSpec {
            source: SourceId::StackExchange,
            endpoint: "questions".into(),
            subjects: vec![Subject {
                tech: TechId(tech.into()),
                key: tech.into(),
            }],
            period: Period::year(year),
        }
    }

    pub(crate) fn obs(tech: &str, year: i32, value: f64) -> Observation {
        Observation {
            tech: TechId(tech.into()),
            source: SourceId::StackExchange,
            metric: Metric::Questions,
            grain: Grain::Year,
            period: Period::year(year),
            value,
        }
    }

    pub(crate) fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    pub(crate) fn raw<'a>(
        spec: &'a RequestSpec,
        body: &'a [u8],
        outcome: Outcome,
    ) -> RawResponse<'a> {
        RawResponse {
            spec,
            url: "https://api.stackexchange.com/2.3/questions?tagged=python",
            status: Some(200),
            fetched_at: at(),
            body: Some(body),
            outcome,
            error: None,
        }
    }

    #[test]
    fn a_batch_is_archived_in_order_and_the_last_answer_of_a_key_wins() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let (a, b) = (spec("go", 2023), spec("python", 2023));
        let first = [obs("go", 2023, 1.0), obs("python", 2023, 7.0)];
        let second = [obs("go", 2023, 2.0)];
        let mut failed = raw(&b, b"{", Outcome::ParseError);
        failed.error = Some("cut");
        let ids = s
            .record_batch(
                run,
                &[
                    (raw(&a, b"{}", Outcome::Ok), &first[..]),
                    (failed, &[][..]),
                    (raw(&a, b"{}", Outcome::Ok), &second[..]),
                ],
            )
            .expect("batch");
        assert_eq!(ids.len(), 3);
        assert!(ids[0] < ids[1] && ids[1] < ids[2]);
        let c = s.counts().expect("counts");
        assert_eq!((c.raw_responses, c.observations), (3, 2));
        let go: f64 = s
            .conn
            .query_row(
                "SELECT value FROM observations WHERE tech_id = 'go'",
                [],
                |r| r.get(0),
            )
            .expect("go");
        assert_eq!(go, 2.0);
        let raw_of_go: i64 = s
            .conn
            .query_row(
                "SELECT raw_id FROM observations WHERE tech_id = 'go'",
                [],
                |r| r.get(0),
            )
            .expect("raw id");
        assert_eq!(raw_of_go, ids[2]);
    }

    #[test]
    fn the_benchmark_fill_is_consistent_and_rolls_up() {
        let mut s = Store::open_in_memory().expect("open");
        let n = s
            .fill_synthetic(10, &[Metric::Questions, Metric::Pageviews], 3)
            .expect("fill");
        assert_eq!(n, 60);
        let ys = s.yearly_signals(2015, 2015).expect("yearly");
        assert_eq!(ys.len(), 20);
        assert!(ys.iter().all(|y| y.value >= 3.0 && y.coverage > 0.0));
        assert_eq!(s.counts().expect("counts").observations, 60);
    }

    #[test]
    fn stocks_get_their_yearly_delta_flows_none() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let stars = |year: i32, day: u32, value: f64| Observation {
            tech: TechId("go".into()),
            source: SourceId::GitHub,
            metric: Metric::Stars,
            grain: Grain::Snapshot,
            period: Period::snapshot(chrono::NaiveDate::from_ymd_opt(year, 6, day).expect("date")),
            value,
        };
        let sp = spec("go", 2020);
        // 2021 has no snapshot: 2022's delta is unknown, not a two-year gain.
        let all = [
            stars(2020, 1, 100.0),
            stars(2020, 2, 110.0),
            stars(2022, 1, 150.0),
            stars(2023, 1, 180.0),
        ];
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &all)
            .expect("record");
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &[obs("go", 2023, 7.0)])
            .expect("record");
        let rows: Vec<(i64, String, Option<f64>)> = s
            .conn
            .prepare("SELECT year, metric, delta FROM yearly_signals ORDER BY metric, year")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            rows,
            [
                (2023, "questions".to_owned(), None),
                (2020, "stars".to_owned(), None),
                (2022, "stars".to_owned(), None),
                (2023, "stars".to_owned(), Some(30.0)),
            ]
        );
    }

    #[test]
    fn a_key_repeated_in_one_answer_keeps_its_last_value() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("go", 2023);
        let twice = [obs("go", 2023, 1.0), obs("go", 2023, 2.0)];
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &twice)
            .expect("record");
        let ys = s.yearly_signals(2023, 2023).expect("yearly");
        assert_eq!((ys.len(), ys[0].value), (1, 2.0));
        // The staging table is empty again after each answer.
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &[obs("go", 2023, 5.0)])
            .expect("record");
        assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 5.0);
    }

    #[test]
    fn read_only_opening_reads_and_refuses_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.duckdb");
        {
            let mut s = Store::open(&path).expect("create");
            s.sync_catalog(&catalog()).expect("sync");
        }
        let mut ro = Store::open_read_only(&path).expect("read-only");
        assert_eq!(ro.counts().expect("counts").technologies, 2);
        assert!(ro.begin_run("collect", at()).is_err(), "no writes");
        drop(ro);
        assert!(Store::open_read_only(&dir.path().join("missing.duckdb")).is_err());
    }

    #[test]
    fn migrations_apply_once_and_reopen_cleanly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.duckdb");
        let mut s = Store::open(&path).expect("open new");
        s.sync_catalog(&catalog()).expect("sync");
        drop(s);
        let s = Store::open(&path).expect("reopen");
        assert_eq!(s.counts().expect("counts").technologies, 2);
    }

    #[test]
    fn upsert_by_natural_key_keeps_one_row_with_the_latest_value() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2023);
        s.record(
            run,
            &raw(&sp, br#"{"total": 10}"#, Outcome::Ok),
            &[obs("python", 2023, 10.0)],
        )
        .expect("first");
        s.record(
            run,
            &raw(&sp, br#"{"total": 12}"#, Outcome::Ok),
            &[obs("python", 2023, 12.0)],
        )
        .expect("second");
        let c = s.counts().expect("counts");
        assert_eq!((c.raw_responses, c.observations), (2, 1));
        let ys = s.yearly_signals(2023, 2023).expect("yearly");
        assert_eq!(ys.len(), 1);
        assert_eq!(ys[0].value, 12.0);
        assert_eq!(ys[0].coverage, 1.0);
    }

    #[test]
    fn a_failed_response_is_archived_without_observations() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("go", 2023);
        let mut r = raw(&sp, b"{\"tot", Outcome::ParseError);
        r.error = Some("malformed JSON");
        s.record(run, &r, &[]).expect("archive failure");
        let c = s.counts().expect("counts");
        assert_eq!((c.raw_responses, c.observations), (1, 0));
        assert!(s.yearly_signals(2000, 2100).expect("yearly").is_empty());
        // A failure is not "fetched": the next run asks again.
        assert!(s.succeeded_keys().expect("keys").is_empty());
        s.record(run, &raw(&sp, b"{}", Outcome::NoData), &[])
            .expect("archive");
        let keys = s.succeeded_keys().expect("keys");
        assert_eq!(keys.into_iter().collect::<Vec<_>>(), [sp.request_key()]);
    }

    #[test]
    fn the_archive_reads_back_and_observations_can_be_rebuilt_from_it() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2023);
        s.record(
            run,
            &raw(&sp, b"{\"total\": 7}", Outcome::Ok),
            &[obs("python", 2023, 7.0)],
        )
        .expect("record");
        let archived = s.archived().expect("archive");
        assert_eq!(archived.len(), 1);
        assert_eq!(archived[0].spec, sp);
        assert_eq!(archived[0].body.as_deref(), Some(&b"{\"total\": 7}"[..]));
        assert_eq!(archived[0].fetched_at, at());
        // A parser that now rejects the body removes its observation.
        let done = s
            .renormalize(|_| Reparsed {
                outcome: Outcome::ParseError,
                error: Some("changed".into()),
                observations: vec![],
            })
            .expect("renormalize");
        assert_eq!(
            done,
            Renormalized {
                responses: 1,
                observations: 0,
                verdicts_changed: 1
            }
        );
        assert_eq!(s.counts().expect("counts").observations, 0);
        let again = s.archived().expect("archive");
        assert_eq!(again[0].outcome, Outcome::ParseError);
        assert_eq!(again[0].error.as_deref(), Some("changed"));
        let done = s
            .renormalize(|a| {
                assert_eq!(a.body.as_deref(), Some(&b"{\"total\": 7}"[..]));
                Reparsed {
                    outcome: Outcome::Ok,
                    error: None,
                    observations: vec![obs("python", 2023, 7.0)],
                }
            })
            .expect("renormalize");
        assert_eq!(done.observations, 1);
        assert_eq!(s.archived().expect("archive")[0].error, None);
        assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 7.0);
    }

    #[test]
    fn the_parquet_export_is_partitioned_by_source_and_year_and_reads_back() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        for (tech, year, value) in [
            ("python", 2022, 10.0),
            ("python", 2023, 12.5),
            ("go", 2023, 7.0),
        ] {
            let sp = spec(tech, year);
            s.record(
                run,
                &raw(&sp, b"{}", Outcome::Ok),
                &[obs(tech, year, value)],
            )
            .expect("record");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        // A quote in the folder's name must not break the statement.
        let out = dir.path().join("it's here");
        std::fs::create_dir(&out).expect("export folder");
        let counts = s.export_parquet(&out).expect("export");
        assert_eq!(
            counts,
            ExportCounts {
                observations: 3,
                yearly_signals: 3,
                technologies: 2,
                metrics: Metric::ALL.len() as u64
            }
        );
        for partition in [
            "source=stackexchange/year=2022",
            "source=stackexchange/year=2023",
        ] {
            let folder = out.join("observations").join(partition);
            assert!(folder.is_dir(), "{} is missing", folder.display());
        }
        // Read back by a fresh engine, as a reader without this database would.
        let reader = Connection::open_in_memory().expect("reader");
        let glob = sql_string(&out.join("observations/**/*.parquet").to_string_lossy());
        let mut stmt = reader
            .prepare(&format!(
                "SELECT source, year, tech_id, value, period_start::VARCHAR
                 FROM read_parquet({glob}, hive_partitioning = true) ORDER BY year, tech_id"
            ))
            .expect("prepare");
        let rows: Vec<(String, i64, String, f64, String)> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let row = |tech: &str, year: i64, value: f64| {
            (
                "stackexchange".to_owned(),
                year,
                tech.to_owned(),
                value,
                format!("{year}-01-01"),
            )
        };
        assert_eq!(
            rows,
            vec![
                row("python", 2022, 10.0),
                row("go", 2023, 7.0),
                row("python", 2023, 12.5)
            ]
        );
        let glob = sql_string(&out.join("yearly_signals/**/*.parquet").to_string_lossy());
        let total: f64 = reader
            .query_row(
                &format!("SELECT sum(value) FROM read_parquet({glob}, hive_partitioning = true) WHERE year = 2023"),
                [],
                |r| r.get(0),
            )
            .expect("sum");
        assert_eq!(total, 19.5);
        let names: i64 = reader
            .query_row(
                &format!(
                    "SELECT count(*) FROM read_parquet({})",
                    sql_string(&out.join("technologies.parquet").to_string_lossy())
                ),
                [],
                |r| r.get(0),
            )
            .expect("technologies");
        assert_eq!(names, 2);
    }

    #[test]
    fn syncing_the_catalog_again_updates_entries_in_place() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let renamed = Catalog::parse(
            r#"
            [[technology]]
            id = "go"
            name = "Golang"
            category = "language"
            stackoverflow_tag = "go"
            github_language = "Go"
            "#,
            Path::new("test.toml"),
        )
        .expect("valid catalog");
        s.sync_catalog(&renamed).expect("sync again");
        let mut stmt = s
            .conn
            .prepare("SELECT id, name, keys FROM technologies ORDER BY id")
            .expect("prepare");
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].0, "go");
        assert_eq!(rows[0].1, "Golang");
        assert!(
            rows[0].2.contains("\"github_language\":\"Go\""),
            "{}",
            rows[0].2
        );
        assert_eq!(
            (rows[1].0.as_str(), rows[1].1.as_str()),
            ("python", "Python")
        );
    }

    #[test]
    fn renormalizing_reads_the_archive_page_by_page_and_later_answers_win() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        // 600 answers (three pages), the same key over and over: the value
        // of the last one stays, as when they were collected.
        let sp = spec("python", 2023);
        for i in 0..600 {
            let body = format!("{{\"total\": {i}}}");
            s.record(
                run,
                &raw(&sp, body.as_bytes(), Outcome::Ok),
                &[obs("python", 2023, f64::from(i))],
            )
            .expect("record");
        }
        let mut seen = Vec::new();
        let done = s
            .renormalize(|a| {
                seen.push(a.id);
                let body = String::from_utf8(a.body.clone().expect("body")).expect("text");
                let total: f64 = body
                    .trim_start_matches("{\"total\": ")
                    .trim_end_matches('}')
                    .parse()
                    .expect("number");
                Reparsed {
                    outcome: Outcome::Ok,
                    error: None,
                    observations: vec![obs("python", 2023, total * 2.0)],
                }
            })
            .expect("renormalize");
        assert_eq!(
            done,
            Renormalized {
                responses: 600,
                observations: 600,
                verdicts_changed: 0
            }
        );
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "in id order, each once"
        );
        assert_eq!(seen.len(), 600);
        assert_eq!(s.counts().expect("counts").observations, 1);
        assert_eq!(
            s.yearly_signals(2023, 2023).expect("yearly")[0].value,
            1198.0
        );
    }

    #[test]
    fn monthly_flows_sum_to_the_year_with_coverage() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2015);
        let months: Vec<Observation> = (7..=12)
            .map(|m| {
                let day = NaiveDate::from_ymd_opt(2015, m, 1).expect("date");
                Observation {
                    tech: TechId("python".into()),
                    source: SourceId::Wikimedia,
                    metric: Metric::Pageviews,
                    grain: Grain::Month,
                    period: Period::month_of(day),
                    value: 100.0,
                }
            })
            .collect();
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &months)
            .expect("record");
        let ys = s.yearly_signals(2015, 2015).expect("yearly");
        assert_eq!(ys.len(), 1);
        assert_eq!(ys[0].value, 600.0);
        assert!(
            (ys[0].coverage - 184.0 / 365.0).abs() < 1e-9,
            "{}",
            ys[0].coverage
        );
        assert!(!ys[0].partial);
    }

    #[test]
    fn runs_record_their_end() {
        let mut s = Store::open_in_memory().expect("open");
        let run = s.begin_run("collect", at()).expect("run");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("running")
        );
        let counts = RunCounts {
            requests: 3,
            responses_ok: 2,
            responses_failed: 1,
            observations: 5,
        };
        s.finish_run(run, RunStatus::Partial, &counts, None, at())
            .expect("finish");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("partial")
        );
        let run = s.begin_run("collect", at()).expect("run");
        s.finish_run(
            run,
            RunStatus::Interrupted,
            &counts,
            Some("interrupted by SIGTERM"),
            at(),
        )
        .expect("finish interrupted");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("interrupted")
        );
    }

    #[test]
    fn migration_5_keeps_the_runs_of_a_version_4_database() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
        )
        .expect("schema_migrations");
        for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 <= 4) {
            conn.execute_batch(sql).expect(name);
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, TIMESTAMP '2024-01-01')",
                params![version, name],
            )
            .expect("version");
        }
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
}
