//! The load path: a batch of answers is archived (`archive`) and its
//! observations upserted in one transaction. Observations go to DuckDB as
//! one Arrow record batch through the Appender into a per-connection
//! staging table, then one `INSERT .. ON CONFLICT` moves them.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use duckdb::Connection;
use duckdb::arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use duckdb::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use duckdb::arrow::record_batch::RecordBatch;
use trends_core::{Grain, Metric, Observation, Outcome, RequestSpec, SourceId};

use crate::{Result, RunId, Store, StoreError, archive, q};

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

/// One answer of a batch for [`Store::record_batch`]: the response to
/// archive and the observations parsed from it (none unless its outcome is
/// `ok`).
#[derive(Debug, Clone)]
pub struct AnswerRecord<'a> {
    pub raw: RawResponse<'a>,
    pub observations: &'a [Observation],
}

impl Store {
    /// Archives one response and upserts its observations, in one
    /// transaction: either both are stored or neither is. Returns the id of
    /// the archived row.
    pub fn record(
        &mut self,
        run: RunId,
        raw: &RawResponse<'_>,
        observations: &[Observation],
    ) -> Result<i64> {
        let answer = AnswerRecord {
            raw: raw.clone(),
            observations,
        };
        let ids = self.record_batch(run, &[answer])?;
        Ok(ids[0])
    }

    /// Archives several responses and upserts their observations in one
    /// transaction: all of them are stored or none is, so an interrupted
    /// run still leaves every archived answer with its observations. A key
    /// given by several answers keeps the value of the last one, as if they
    /// had been recorded one by one. One commit and one upsert statement for
    /// the whole batch is what makes this fast: per answer, the commit
    /// dominates. Returns the archived rows' ids, in order.
    pub fn record_batch(&mut self, run: RunId, answers: &[AnswerRecord<'_>]) -> Result<Vec<i64>> {
        let tx = self.conn.transaction().map_err(q("archiving responses"))?;
        let ids = archive::append(&tx, run, answers)?;
        let staged: Vec<Staged<'_>> = answers
            .iter()
            .zip(&ids)
            .map(|(answer, &raw_id)| Staged {
                run,
                raw_id,
                fetched_at: answer.raw.fetched_at,
                observations: answer.observations,
            })
            .collect();
        upsert_observations(&tx, &staged)?;
        tx.commit().map_err(q("committing responses"))?;
        Ok(ids)
    }
}

/// An answer's observations to upsert, with what each row records of the
/// answer: its run, its archive row, when it was fetched.
pub(crate) struct Staged<'a> {
    pub(crate) run: RunId,
    pub(crate) raw_id: i64,
    pub(crate) fetched_at: DateTime<Utc>,
    pub(crate) observations: &'a [Observation],
}

/// An observation's natural key, the primary key of `observations`.
#[derive(PartialEq, Eq, Hash)]
struct Key<'a> {
    tech: &'a str,
    source: SourceId,
    metric: Metric,
    grain: Grain,
    start: i32,
}

/// One row to stage: an observation and the answer it came from.
struct Row<'s, 'a> {
    answer: &'s Staged<'a>,
    observation: &'s Observation,
}

/// The per-connection staging table observations are appended to.
const STAGE: &str = "observation_stage";

/// The columns of `observations`, in order, each with its DuckDB and its
/// Arrow type: the one definition the staging table, its Arrow schema and
/// every column list are made from (a test holds it to the table the
/// migrations made).
const COLUMNS: [(&str, &str, DataType); 11] = [
    ("tech_id", "VARCHAR", DataType::Utf8),
    ("source", "VARCHAR", DataType::Utf8),
    ("metric", "VARCHAR", DataType::Utf8),
    ("grain", "VARCHAR", DataType::Utf8),
    ("period_start", "DATE", DataType::Date32),
    ("period_end", "DATE", DataType::Date32),
    ("value", "DOUBLE", DataType::Float64),
    (
        "observed_at",
        "TIMESTAMP",
        DataType::Timestamp(TimeUnit::Microsecond, None),
    ),
    ("run_id", "BIGINT", DataType::Int64),
    ("raw_id", "BIGINT", DataType::Int64),
    ("exactness", "VARCHAR", DataType::Utf8),
];

/// The columns of `observations` (and of its staging table), in order, as
/// an SQL column list.
pub(crate) fn observation_columns() -> String {
    COLUMNS.map(|(name, _, _)| name).join(", ")
}

/// The upsert of an observation by its natural key: a later answer for the
/// same key replaces everything but the key. Shared by the load path and
/// the benchmark of the engine alone, so they measure the same statement.
pub(crate) const ON_KEY_UPDATE: &str =
    "ON CONFLICT (tech_id, source, metric, grain, period_start) DO UPDATE SET
    period_end = excluded.period_end, value = excluded.value, observed_at = excluded.observed_at,
    run_id = excluded.run_id, raw_id = excluded.raw_id, exactness = excluded.exactness";

/// Creates the connection's staging table (a writable open does this once).
pub(crate) fn create_stage(conn: &Connection) -> Result<()> {
    let columns = COLUMNS
        .map(|(name, ty, _)| format!("{name} {ty}"))
        .join(", ");
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})"
    ))
    .map_err(q("creating the staging table"))
}

/// Upserts the answers' observations in one statement (not one per row):
/// they are appended to the staging table, then moved by one
/// `INSERT .. ON CONFLICT`.
pub(crate) fn upsert_observations(
    tx: &duckdb::Transaction<'_>,
    answers: &[Staged<'_>],
) -> Result<()> {
    let rows = last_of_each_key(answers);
    if rows.is_empty() {
        return Ok(());
    }
    let staged = RecordBatch::try_new(stage_schema(), columns(&rows))
        .map_err(|e| StoreError::Corrupt(format!("staging observations: {e}")))?;
    {
        let mut app = tx
            .appender_to_catalog_and_db(STAGE, "temp", "main")
            .map_err(q("staging observations"))?;
        app.append_record_batch(staged)
            .map_err(q("staging observations"))?;
        app.flush().map_err(q("staging observations"))?;
    }
    let cols = observation_columns();
    tx.execute_batch(&format!(
        "INSERT INTO observations ({cols}) SELECT {cols} FROM temp.main.{STAGE}
         {ON_KEY_UPDATE};
         DELETE FROM temp.main.{STAGE};"
    ))
    .map_err(q("upserting observations"))?;
    Ok(())
}

/// The rows to stage, in order, without the earlier rows of a key given
/// more than once: one statement cannot update a row twice, and the last
/// answer wins, as if the answers had been recorded one by one.
fn last_of_each_key<'s, 'a>(answers: &'s [Staged<'a>]) -> Vec<Row<'s, 'a>> {
    let total: usize = answers.iter().map(|a| a.observations.len()).sum();
    let mut rows: Vec<Option<Row<'s, 'a>>> = Vec::with_capacity(total);
    let mut last: rustc_hash::FxHashMap<Key<'_>, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(total, Default::default());
    for answer in answers {
        for o in answer.observations {
            let key = Key {
                tech: o.tech.as_str(),
                source: o.source(),
                metric: o.metric,
                grain: o.grain,
                start: day(o.period.start),
            };
            if let Some(earlier) = last.insert(key, rows.len()) {
                rows[earlier] = None;
            }
            rows.push(Some(Row {
                answer,
                observation: o,
            }));
        }
    }
    rows.into_iter().flatten().collect()
}

/// The staging table's columns, as Arrow arrays: DuckDB copies a record
/// batch a vector at a time (appending row by row cost ~6,000 instructions
/// a row, more than the upsert's index insert).
fn columns(rows: &[Row<'_, '_>]) -> Vec<ArrayRef> {
    let strings = |f: &dyn Fn(&Observation) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| f(r.observation)),
        ))
    };
    let days = |f: &dyn Fn(&Observation) -> chrono::NaiveDate| -> ArrayRef {
        Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|r| day(f(r.observation))),
        ))
    };
    vec![
        strings(&|o| o.tech.as_str()),
        strings(&|o| o.source().as_str()),
        strings(&|o| o.metric.as_str()),
        strings(&|o| o.grain.as_str()),
        days(&|o| o.period.start),
        days(&|o| o.period.end),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.observation.value),
        )),
        Arc::new(TimestampMicrosecondArray::from_iter_values(
            rows.iter().map(|r| r.answer.fetched_at.timestamp_micros()),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.answer.run.0),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.answer.raw_id),
        )),
        strings(&|o| o.exactness.as_str()),
    ]
}

/// The Arrow schema of the staging table's columns, in its order.
fn stage_schema() -> Arc<Schema> {
    Arc::new(Schema::new(
        COLUMNS
            .map(|(name, _, ty)| Field::new(name, ty, false))
            .to_vec(),
    ))
}

/// Days since 1970-01-01, DuckDB's DATE.
fn day(d: chrono::NaiveDate) -> i32 {
    const UNIX_EPOCH_FROM_CE: i32 = 719_163;
    d.num_days_from_ce() - UNIX_EPOCH_FROM_CE
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
