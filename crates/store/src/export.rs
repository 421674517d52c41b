//! The Parquet export (`trends export`): observations and the
//! `yearly_signals` roll-up hive-partitioned by source and year, and the
//! small tables as one file each, for readers without this database.

use std::path::Path;

use crate::{Result, Store, q, sql_string};

/// Rows written by [`Store::export_parquet`], per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCounts {
    pub observations: u64,
    pub yearly_signals: u64,
    pub technologies: u64,
    pub metrics: u64,
}

impl Store {
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
}

#[cfg(test)]
mod tests {
    use duckdb::Connection;
    use trends_core::Outcome;

    use super::*;
    use crate::testing::{at, catalog, metrics, obs, raw, spec};

    #[test]
    fn the_parquet_export_is_partitioned_by_source_and_year_and_reads_back() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
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
                metrics: metrics().len() as u64
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
}
