//! For `trends bench` only: a synthetic fill of the database and a
//! measure of the engine's own upsert pace. Not part of the analysts' or
//! the pipeline's API (hidden from the docs); `Store`'s methods are.

use std::time::{Duration, Instant};

use duckdb::params;
use trends_core::Metric;

use crate::load::{ON_KEY_UPDATE, observation_columns};
use crate::{Result, Store, q};

/// What [`upsert_ceiling`] measured: the time to move the rows by
/// the load path's upsert into a table with the primary key, and by a plain
/// INSERT into one without.
#[derive(Debug, Clone, Copy)]
pub struct Ceiling {
    pub upsert: Duration,
    pub unkeyed: Duration,
}

/// For benchmarks only: the engine's own pace for the statements the
/// load path ends in, with no Rust in the loop. `rows` monthly
/// observations are generated set-based into a temporary table, then
/// moved `batch` rows per transaction (a) into an empty copy of
/// `observations` with its primary key, by the same INSERT .. ON
/// CONFLICT the load path runs, and (b) into a copy without a key, by a
/// plain INSERT. Returns the time of each; the copies are dropped.
pub fn upsert_ceiling(store: &mut Store, rows: u64, batch: u64) -> Result<Ceiling> {
    let doing = "measuring the engine's upsert pace";
    let ddl: String = store
        .conn
        .query_row(
            "SELECT sql FROM duckdb_tables()
             WHERE table_name = 'observations' AND schema_name = 'main'
               AND database_name = current_database()",
            [],
            |r| r.get(0),
        )
        .map_err(q(doing))?;
    store.conn
        .execute_batch(&format!(
            "DROP TABLE IF EXISTS bench_keyed; DROP TABLE IF EXISTS bench_unkeyed;
             {};
             CREATE TABLE bench_unkeyed AS SELECT * FROM observations LIMIT 0;
             CREATE OR REPLACE TEMP TABLE bench_rows AS
             SELECT i, 'c' || (i // 120) AS tech_id, 'benchrows' AS source, 'benchrows' AS metric,
                    'month' AS grain, DATE '2015-07-01' + to_months(CAST(i % 120 AS INTEGER)) AS period_start,
                    DATE '2015-08-01' + to_months(CAST(i % 120 AS INTEGER)) AS period_end,
                    (1 + i * 13 % 100000)::DOUBLE AS value, TIMESTAMP '2024-01-01' AS observed_at,
                    0::BIGINT AS run_id, (i // 120)::BIGINT AS raw_id, 'exact' AS exactness
             FROM range({rows}) t(i);",
            ddl.replacen("observations", "bench_keyed", 1)
        ))
        .map_err(q(doing))?;
    let mut time = |sql: &str| -> Result<Duration> {
        let t0 = Instant::now();
        let mut lo = 0u64;
        while lo < rows {
            let tx = store.conn.transaction().map_err(q(doing))?;
            tx.execute(sql, params![lo, lo + batch]).map_err(q(doing))?;
            tx.commit().map_err(q(doing))?;
            lo += batch;
        }
        Ok(t0.elapsed())
    };
    let cols = observation_columns();
    let upsert = time(&format!(
        "INSERT INTO bench_keyed ({cols}) SELECT {cols} FROM bench_rows
         WHERE i >= ? AND i < ? {ON_KEY_UPDATE}"
    ))?;
    let unkeyed = time(&format!(
        "INSERT INTO bench_unkeyed ({cols}) SELECT {cols} FROM bench_rows
         WHERE i >= ? AND i < ?"
    ))?;
    store
        .conn
        .execute_batch("DROP TABLE bench_keyed; DROP TABLE bench_unkeyed; DROP TABLE bench_rows;")
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
pub fn fill_synthetic(store: &mut Store, techs: u32, metrics: &[Metric], days: u32) -> Result<u64> {
    let tx = store.conn.transaction().map_err(q("starting the fill"))?;
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
        "INSERT INTO raw_responses (run_id, source, endpoint, request_key, request, url, fetched_at, outcome)
         VALUES (0, 'bench', 'bench', 'bench', '{}', 'http://bench.invalid/', TIMESTAMP '2024-01-01', 'ok')",
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
                        TIMESTAMP '2024-01-01', 0, ?, 'exact'
                 FROM range(?) t(i), range(?) d(j)",
                params![metric.source().as_str(), metric.as_str(), raw, techs, days],
            )
            .map_err(q("filling observations"))? as u64;
    }
    tx.commit().map_err(q("committing the fill"))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trends_core::SourceId;

    #[test]
    fn the_benchmark_fill_is_consistent_and_rolls_up() {
        let mut s = Store::open_in_memory().expect("open");
        let n = fill_synthetic(
            &mut s,
            10,
            &[
                Metric::flow(SourceId::new("stackexchange"), "questions"),
                Metric::flow(SourceId::new("wikimedia"), "pageviews"),
            ],
            3,
        )
        .expect("fill");
        assert_eq!(n, 60);
        let ys = s.yearly_signals(2015, 2015).expect("yearly");
        assert_eq!(ys.len(), 20);
        assert!(ys.iter().all(|y| y.value >= 3.0 && y.coverage > 0.0));
        assert_eq!(s.counts().expect("counts").observations, 60);
    }

    #[test]
    fn the_upsert_ceiling_times_both_paths_and_leaves_no_table_behind() {
        let mut s = Store::open_in_memory().expect("open");
        let before = s.counts().expect("counts");
        let ceiling = upsert_ceiling(&mut s, 250, 100).expect("ceiling");
        assert!(ceiling.upsert > Duration::ZERO && ceiling.unkeyed > Duration::ZERO);
        let left: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'bench_%'",
                [],
                |r| r.get(0),
            )
            .expect("tables");
        assert_eq!(left, 0);
        assert_eq!(s.counts().expect("counts"), before);
    }
}
