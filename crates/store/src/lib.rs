//! The only crate that knows DuckDB. It applies the migrations in `sql/`,
//! archives raw responses, upserts observations by their natural key in the
//! same transaction, records runs, and reads the yearly roll-up back.
//!
//! It does no network IO and no parsing of response bodies.
//!
//! Map of the modules (each adds its methods to [`Store`]):
//!
//! - `schema`: the numbered migrations (`sql/migrations`, tables only) and
//!   the views (`sql/views`, recreated on every writable open);
//! - `catalog`: the catalog and the metric list written into
//!   `technologies` and `metrics`;
//! - `runs`: a run's row: begin, finish, status, the recent runs;
//! - `load`: [`Store::record`] / [`Store::record_batch`]: one transaction
//!   per batch, observations through the Appender and a staging table into
//!   one upsert;
//! - `archive`: `raw_responses`, written by the load path and read back a
//!   page at a time;
//! - `reads`: `yearly_signals`, years, counts, coverage, failures,
//!   succeeded request keys;
//! - `renormalize`: every observation rebuilt from the archive;
//! - `combined`: what several archived answers give together (a source's
//!   `combine`): their latest successes read back, the result upserted;
//! - `export`: the Parquet export;
//! - `rankings`: the report's ranking stored as the `rankings` table;
//! - `demo_provenance`: where a demo database's real figures come from;
//! - [`file`]: the file on disk: storage format, conversion, working copy,
//!   publishing;
//! - [`bench`]: for `trends bench` only, not part of the product's API.

#[doc(hidden)]
pub mod bench;
mod demo_provenance;
pub mod file;
mod rankings;

pub use rankings::{RankingRow, RankingSettings};

mod archive;
mod catalog;
mod combined;
mod export;
mod load;
mod reads;
mod renormalize;
mod runs;
mod schema;

#[cfg(test)]
mod storage_tests;
#[cfg(test)]
mod testing;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use duckdb::Connection;

pub use archive::Archived;
pub use combined::CombinedRow;
pub use export::ExportCounts;
pub use load::{AnswerRecord, RawResponse};
pub use reads::{CoverageRow, Failure, TableCounts};
pub use renormalize::{Renormalized, Reparsed};
pub use runs::{RunCounts, RunId, RunRow, RunStatus};

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
    #[error("cannot create the view {name}")]
    View {
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
    #[error("{path} is not a whole DuckDB file (truncated or overwritten?); {fix}")]
    Unreadable {
        path: String,
        /// What to do, for this file's role.
        fix: String,
        #[source]
        source: duckdb::Error,
    },
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn q(doing: &'static str) -> impl FnOnce(duckdb::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
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

impl Store {
    /// Opens (creating if needed) the database file at `path` itself,
    /// migrates it and recreates its views. A new file is written in DuckDB
    /// storage [`file::STORAGE_VERSION`]; a file at a newer storage format is
    /// converted to it first. Writing commands use [`Store::open_working`].
    pub fn open(path: &Path) -> Result<Store> {
        file::convert_if_newer(path)?;
        let conn = file::connect(path)?;
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
            file::convert(db, &work)?;
        }
        let mut store = Store::open(&work)?;
        store.publish_to = Some(db.to_path_buf());
        Ok(store)
    }

    /// Opens an existing database for reading only (report, status,
    /// `--dry-run`): nothing is written, and it works beside a reader such as
    /// the DuckDB CLI. A database that still needs a migration is refused.
    /// The file's views are whatever the trends that last wrote it created;
    /// this connection reads through its own definitions instead, created as
    /// temporary views that live only as long as the connection.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let open = |source| StoreError::Open {
            path: shown.clone(),
            source,
        };
        let config = duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .map_err(open)?;
        let conn = Connection::open_with_flags(path, config)
            .map_err(|source| file::open_error(path, source))?;
        schema::check_current(&conn, &shown)?;
        schema::create_temp_views(&conn)?;
        Ok(Store {
            conn,
            path: shown,
            publish_to: None,
        })
    }

    /// A fresh in-memory database with the full schema (tests).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:".into())
    }

    /// A writable connection made current: migrations, views, the load
    /// path's staging table.
    fn init(mut conn: Connection, path: String) -> Result<Store> {
        schema::migrate(&mut conn, &path)?;
        schema::recreate_views(&mut conn)?;
        let store = Store {
            conn,
            path,
            publish_to: None,
        };
        load::create_stage(&store.conn)?;
        Ok(store)
    }
}

/// `s` as an SQL string literal (COPY and ATTACH take no bound parameter
/// for a file name).
fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn parse_known<T: FromStr<Err = String>>(s: &str) -> Result<T> {
    s.parse().map_err(StoreError::Corrupt)
}

/// A time as DuckDB's `TIMESTAMP` value (UTC, microseconds): a typed
/// value, not a text to be cast (reads get `DateTime<Utc>` back through
/// duckdb's `chrono` feature).
fn ts(t: DateTime<Utc>) -> duckdb::types::Value {
    duckdb::types::Value::Timestamp(duckdb::types::TimeUnit::Microsecond, t.timestamp_micros())
}
