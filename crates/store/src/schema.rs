//! The schema: the numbered migrations of `sql/migrations/` (tables, their
//! sequences and indexes; applied once each, in order, recorded in
//! `schema_migrations`) and the views of `sql/views/` (no version: every
//! writable open recreates them all, dependencies first, after the
//! migrations, so a changed view reaches every database on its next run).
//!
//! `schema_migrations` records a migration's version, name and time, not a
//! checksum of its text: what a database has applied is its version number.
//! That is why the view statements could be taken out of released
//! migrations (0001 and 0003 created and replaced `yearly_signals`, 0002
//! and 0004 the old `rankings` view that 0006 drops): a database that ran
//! them has its views replaced on its next writable open, and a new one
//! gets the views from `sql/views/`. No migration reads a view, so each
//! runs as written, and a view file holds its query, never rewritten.

use chrono::Utc;
use duckdb::{Connection, params};

use crate::{Result, StoreError, q, ts};

/// One numbered migration.
pub(crate) struct Migration {
    pub(crate) version: i32,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// The migrations, in order. Append only: a released migration never
/// changes what it does to tables.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../../../sql/migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_rankings",
        sql: include_str!("../../../sql/migrations/0002_rankings.sql"),
    },
    Migration {
        version: 3,
        name: "0003_stock_delta",
        sql: include_str!("../../../sql/migrations/0003_stock_delta.sql"),
    },
    Migration {
        version: 4,
        name: "0004_rankings_gain",
        sql: include_str!("../../../sql/migrations/0004_rankings_gain.sql"),
    },
    Migration {
        version: 5,
        name: "0005_run_interrupted",
        sql: include_str!("../../../sql/migrations/0005_run_interrupted.sql"),
    },
    Migration {
        version: 6,
        name: "0006_rankings_table",
        sql: include_str!("../../../sql/migrations/0006_rankings_table.sql"),
    },
    Migration {
        version: 7,
        name: "0007_observation_exactness",
        sql: include_str!("../../../sql/migrations/0007_observation_exactness.sql"),
    },
    Migration {
        version: 8,
        name: "0008_quarter_grain",
        sql: include_str!("../../../sql/migrations/0008_quarter_grain.sql"),
    },
    Migration {
        version: 9,
        name: "0009_rankings_driver",
        sql: include_str!("../../../sql/migrations/0009_rankings_driver.sql"),
    },
    Migration {
        version: 10,
        name: "0010_demo_provenance",
        sql: include_str!("../../../sql/migrations/0010_demo_provenance.sql"),
    },
    Migration {
        version: 11,
        name: "0011_raw_bytes",
        sql: include_str!("../../../sql/migrations/0011_raw_bytes.sql"),
    },
];

/// One view: `sql/views/<name>.sql` holds its query (one `SELECT` or
/// `WITH .. SELECT`, comments above it), created under `name`.
pub(crate) struct View {
    pub(crate) name: &'static str,
    pub(crate) query: &'static str,
}

impl View {
    /// The statement that creates (or replaces) the view in the database.
    pub(crate) fn create(&self) -> String {
        format!("CREATE OR REPLACE VIEW {} AS\n{}", self.name, self.query)
    }

    /// The statement that creates it as a temporary view of one connection.
    pub(crate) fn create_temp(&self) -> String {
        format!(
            "CREATE OR REPLACE TEMP VIEW {} AS\n{}",
            self.name, self.query
        )
    }
}

/// Every view, a view after the views it reads (DuckDB binds a view when it
/// is created, so a view listed before one it reads fails to create).
pub(crate) const VIEWS: &[View] = &[View {
    name: "yearly_signals",
    query: include_str!("../../../sql/views/yearly_signals.sql"),
}];

/// The schema version this trends writes and reads.
pub(crate) fn known_version() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn version(conn: &Connection) -> Result<i32> {
    conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .map_err(q("reading the schema version"))
}

/// Applies the migrations `conn` lacks, each in its own transaction with
/// its row in `schema_migrations`. A database newer than this trends is
/// refused.
pub(crate) fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL)",
    )
    .map_err(q("creating schema_migrations"))?;
    let current = version(conn)?;
    let known = known_version();
    if current > known {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: current,
            known,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        apply(conn, migration)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(())
}

/// Applies one migration, with its row in `schema_migrations`, in one
/// transaction.
pub(crate) fn apply(conn: &mut Connection, m: &Migration) -> Result<()> {
    let name = m.name;
    let err = |source| StoreError::Migrate { name, source };
    let tx = conn.transaction().map_err(err)?;
    if has_statement(m.sql) {
        tx.execute_batch(m.sql).map_err(err)?;
    }
    tx.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        params![m.version, name, ts(Utc::now())],
    )
    .map_err(err)?;
    tx.commit().map_err(err)
}

/// Whether `sql` holds more than comments and blank lines (a migration
/// whose statements moved to `sql/views/` has none left).
fn has_statement(sql: &str) -> bool {
    sql.lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with("--"))
}

/// Recreates every view of [`VIEWS`], in order, in one transaction: a
/// database whose views an older trends (or an older migration) created
/// gets this trends's definitions.
pub(crate) fn recreate_views(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction().map_err(q("recreating the views"))?;
    for view in VIEWS {
        tx.execute_batch(&view.create())
            .map_err(|source| StoreError::View {
                name: view.name,
                source,
            })?;
    }
    tx.commit().map_err(q("recreating the views"))
}

/// Refuses a database whose schema version is not this trends's (a
/// read-only connection cannot migrate it).
pub(crate) fn check_current(conn: &Connection, path: &str) -> Result<()> {
    let found = version(conn)?;
    let known = known_version();
    if found != known {
        return Err(StoreError::Version {
            path: path.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

/// On a read-only connection: this trends's views as temporary views of
/// the connection, which DuckDB resolves before the file's own. The file is
/// not written; its views may be those of the trends that last wrote it.
pub(crate) fn create_temp_views(conn: &Connection) -> Result<()> {
    for view in VIEWS {
        conn.execute_batch(&view.create_temp())
            .map_err(|source| StoreError::View {
                name: view.name,
                source,
            })?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
