//! The catalog and the metric list as tables: `technologies` is written
//! from `config/catalog.toml`, `metrics` from the sources' metrics, on
//! every run.

use duckdb::params;
use trends_core::{Catalog, MetricDef};

use crate::{Result, Store, q};

impl Store {
    /// Writes `metrics` (the sources' own list) into `metrics` (insert or
    /// update by source and metric).
    fn sync_metrics(&mut self, metrics: &[MetricDef]) -> Result<()> {
        let tx = self.conn.transaction().map_err(q("syncing metrics"))?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO metrics (source, metric, kind, description) VALUES (?, ?, ?, ?)
                     ON CONFLICT (source, metric) DO UPDATE SET kind = excluded.kind, description = excluded.description",
                )
                .map_err(q("syncing metrics"))?;
            for def in metrics {
                let m = def.metric;
                stmt.execute(params![
                    m.source().as_str(),
                    m.as_str(),
                    m.kind().as_str(),
                    def.description
                ])
                .map_err(q("syncing metrics"))?;
            }
        }
        tx.commit().map_err(q("syncing metrics"))
    }

    /// Writes the catalog into `technologies` (insert or update by id) and
    /// the sources' `metrics` into `metrics`. Rows of technologies no
    /// longer in the catalog stay, so old observations keep their names.
    pub fn sync_catalog(&mut self, catalog: &Catalog, metrics: &[MetricDef]) -> Result<()> {
        self.sync_metrics(metrics)?;
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
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use trends_core::Catalog;

    use crate::Store;
    use crate::testing::{catalog, metrics};

    #[test]
    fn syncing_the_catalog_again_updates_entries_in_place() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
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
        s.sync_catalog(&renamed, &metrics()).expect("sync again");
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
}
