//! The `demo_provenance` table (migration 0010): where the real figures of a
//! `trends demo` database come from, one row per signal, replaced whole by
//! each demo run in one transaction.

use duckdb::params;
use trends_core::DemoProvenance;

use crate::{Result, Store, q};

impl Store {
    /// Replaces the whole `demo_provenance` table with `rows` (none: a demo
    /// whose every number is synthetic).
    pub fn replace_demo_provenance(&mut self, rows: &[DemoProvenance]) -> Result<()> {
        let doing = "replacing the demo provenance";
        let tx = self.conn.transaction().map_err(q(doing))?;
        tx.execute("DELETE FROM demo_provenance", [])
            .map_err(q(doing))?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO demo_provenance (source, metric, dataset, repository, \"commit\",
                        licence, file, first_year, last_year)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .map_err(q(doing))?;
            for r in rows {
                insert
                    .execute(params![
                        r.source,
                        r.metric,
                        r.dataset,
                        r.repository,
                        r.commit,
                        r.licence,
                        r.file,
                        r.first_year,
                        r.last_year,
                    ])
                    .map_err(q(doing))?;
            }
        }
        tx.commit().map_err(q(doing))
    }

    /// The `demo_provenance` rows, by source and metric (none in a file
    /// older than schema version 10, which has no such table).
    pub fn demo_provenance(&self) -> Result<Vec<DemoProvenance>> {
        let doing = "reading the demo provenance";
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'demo_provenance'",
                [],
                |r| r.get(0),
            )
            .map_err(q(doing))?;
        if tables == 0 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, metric, dataset, repository, \"commit\", licence, file,
                    first_year, last_year
                 FROM demo_provenance ORDER BY source, metric",
            )
            .map_err(q(doing))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DemoProvenance {
                    source: r.get(0)?,
                    metric: r.get(1)?,
                    dataset: r.get(2)?,
                    repository: r.get(3)?,
                    commit: r.get(4)?,
                    licence: r.get(5)?,
                    file: r.get(6)?,
                    first_year: r.get(7)?,
                    last_year: r.get(8)?,
                })
            })
            .map_err(q(doing))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(q(doing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: &str) -> DemoProvenance {
        DemoProvenance {
            source: "innovationgraph".into(),
            metric: metric.into(),
            dataset: "GitHub Innovation Graph".into(),
            repository: "https://github.com/github/innovationgraph".into(),
            commit: "8f7b24a39d386e63bbeae067ac5185158c19996c".into(),
            licence: "CC0-1.0".into(),
            file: "data/topics.csv".into(),
            first_year: 2020,
            last_year: 2023,
        }
    }

    #[test]
    fn each_demo_replaces_the_provenance_whole() {
        let mut store = Store::open_in_memory().expect("store");
        assert_eq!(store.demo_provenance().expect("read"), []);
        let rows = [row("topic_pushers"), row("language_pushers")];
        store.replace_demo_provenance(&rows).expect("write");
        let read = store.demo_provenance().expect("read");
        assert_eq!(read, [rows[1].clone(), rows[0].clone()]);
        // A synthetic demo after it leaves no row behind.
        store.replace_demo_provenance(&[]).expect("write");
        assert_eq!(store.demo_provenance().expect("read"), []);
        // A file from before the table: no row, no error.
        store
            .conn
            .execute_batch("DROP TABLE demo_provenance")
            .expect("drop");
        assert_eq!(store.demo_provenance().expect("read"), []);
    }
}
