//! The only crate that knows DuckDB. It applies the migrations in `sql/`,
//! archives raw responses, upserts observations by their natural key in the
//! same transaction, records runs, and reads the yearly roll-up back.
//!
//! It does no network IO and no parsing of response bodies.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use duckdb::{Connection, OptionalExt, params};
use sha2::{Digest, Sha256};
use trends_core::{
    Catalog, Metric, Observation, Outcome, RequestSpec, TechId, YearlySignal,
};

/// The migrations, in order. Append only: a released migration never changes.
const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "0001_init",
    include_str!("../../../sql/migrations/0001_init.sql"),
)];

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
    #[error("database error while {doing}")]
    Query {
        doing: &'static str,
        #[source]
        source: duckdb::Error,
    },
    #[error("database holds a value this trends does not know: {0}")]
    Corrupt(String),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn q(doing: &'static str) -> impl FnOnce(duckdb::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
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
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
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

/// An open trends database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: String,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?;
        Store::init(conn, shown)
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
        let mut store = Store { conn, path };
        store.migrate()?;
        store.sync_metrics()?;
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
                stmt.execute(params![m.source().as_str(), m.as_str(), kind, m.description()])
                    .map_err(q("syncing metrics"))?;
            }
        }
        tx.commit().map_err(q("syncing metrics"))
    }

    /// Writes the catalog into `technologies` (insert or update by id). Rows of
    /// technologies no longer in the catalog stay, so old observations keep
    /// their names.
    pub fn sync_catalog(&mut self, catalog: &Catalog) -> Result<()> {
        let tx = self.conn.transaction().map_err(q("syncing the catalog"))?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO technologies (id, name, category, keys) VALUES (?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category, keys = excluded.keys",
                )
                .map_err(q("syncing the catalog"))?;
            for t in &catalog.technologies {
                let keys: serde_json::Map<String, serde_json::Value> = t
                    .keys
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), serde_json::Value::from(v.as_str())))
                    .collect();
                stmt.execute(params![
                    t.id.as_str(),
                    t.name,
                    t.category.as_str(),
                    serde_json::Value::Object(keys).to_string()
                ])
                .map_err(q("syncing the catalog"))?;
            }
        }
        tx.commit().map_err(q("syncing the catalog"))
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
        debug_assert!(
            raw.outcome == Outcome::Ok || observations.is_empty(),
            "only a parsed response carries observations"
        );
        let tx = self.conn.transaction().map_err(q("archiving a response"))?;
        let request = serde_json::to_string(raw.spec)
            .map_err(|e| StoreError::Corrupt(format!("request spec: {e}")))?;
        let body = raw.body.map(|b| String::from_utf8_lossy(b).into_owned());
        let sha = raw.body.map(|b| hex(&Sha256::digest(b)));
        let raw_id: i64 = tx
            .query_row(
                "INSERT INTO raw_responses (run_id, source, request_key, request, url, status, fetched_at, body, sha256, outcome, error, observations)
                 VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?) RETURNING id",
                params![
                    run.0,
                    raw.spec.source.as_str(),
                    raw.spec.request_key(),
                    request,
                    raw.url,
                    raw.status.map(i32::from),
                    ts(raw.fetched_at),
                    body,
                    sha,
                    raw.outcome.as_str(),
                    raw.error,
                    observations.len() as i64,
                ],
                |r| r.get(0),
            )
            .map_err(q("archiving a response"))?;
        upsert_observations(&tx, run, raw_id, raw.fetched_at, observations)?;
        tx.commit().map_err(q("committing a response"))?;
        Ok(raw_id)
    }

    /// Every signal per technology and year in `[from, to]`, from the
    /// `yearly_signals` view.
    pub fn yearly_signals(&self, from: i32, to: i32) -> Result<Vec<YearlySignal>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT tech_id, technology, category, year, source, metric, value, coverage, partial
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
                ))
            })
            .map_err(q("reading yearly signals"))?;
        let mut out = Vec::new();
        for row in rows {
            let (tech, name, category, year, source, metric, value, coverage, partial) =
                row.map_err(q("reading yearly signals"))?;
            out.push(YearlySignal {
                tech: TechId(tech),
                name,
                category: parse_known(&category)?,
                year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
                source: parse_known(&source)?,
                metric: parse_known(&metric)?,
                value,
                coverage,
                partial,
            });
        }
        Ok(out)
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

fn upsert_observations(
    tx: &duckdb::Transaction<'_>,
    run: RunId,
    raw_id: i64,
    observed_at: DateTime<Utc>,
    observations: &[Observation],
) -> Result<()> {
    if observations.is_empty() {
        return Ok(());
    }
    let mut stmt = tx
        .prepare(
            "INSERT INTO observations (tech_id, source, metric, grain, period_start, period_end, value, observed_at, run_id, raw_id)
             VALUES (?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), ?, CAST(? AS TIMESTAMP), ?, ?)
             ON CONFLICT (tech_id, source, metric, grain, period_start) DO UPDATE SET
                period_end = excluded.period_end, value = excluded.value, observed_at = excluded.observed_at,
                run_id = excluded.run_id, raw_id = excluded.raw_id",
        )
        .map_err(q("upserting observations"))?;
    let observed = ts(observed_at);
    for o in observations {
        stmt.execute(params![
            o.tech.as_str(),
            o.source.as_str(),
            o.metric.as_str(),
            o.grain.as_str(),
            o.period.start.to_string(),
            o.period.end.to_string(),
            o.value,
            observed,
            run.0,
            raw_id,
        ])
        .map_err(q("upserting observations"))?;
    }
    Ok(())
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
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use trends_core::{Grain, Period, SourceId, Subject};

    fn catalog() -> Catalog {
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

    fn spec(tech: &str, year: i32) -> RequestSpec {
        RequestSpec {
            source: SourceId::StackExchange,
            endpoint: "questions".into(),
            subjects: vec![Subject { tech: TechId(tech.into()), key: tech.into() }],
            period: Period::year(year),
        }
    }

    fn obs(tech: &str, year: i32, value: f64) -> Observation {
        Observation {
            tech: TechId(tech.into()),
            source: SourceId::StackExchange,
            metric: Metric::Questions,
            grain: Grain::Year,
            period: Period::year(year),
            value,
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).single().expect("valid time")
    }

    fn raw<'a>(spec: &'a RequestSpec, body: &'a [u8], outcome: Outcome) -> RawResponse<'a> {
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
        s.record(run, &raw(&sp, br#"{"total": 10}"#, Outcome::Ok), &[obs("python", 2023, 10.0)])
            .expect("first");
        s.record(run, &raw(&sp, br#"{"total": 12}"#, Outcome::Ok), &[obs("python", 2023, 12.0)])
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
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &months).expect("record");
        let ys = s.yearly_signals(2015, 2015).expect("yearly");
        assert_eq!(ys.len(), 1);
        assert_eq!(ys[0].value, 600.0);
        assert!((ys[0].coverage - 184.0 / 365.0).abs() < 1e-9, "{}", ys[0].coverage);
        assert!(!ys[0].partial);
    }

    #[test]
    fn runs_record_their_end() {
        let mut s = Store::open_in_memory().expect("open");
        let run = s.begin_run("collect", at()).expect("run");
        assert_eq!(s.last_run_status().expect("status").as_deref(), Some("running"));
        let counts = RunCounts { requests: 3, responses_ok: 2, responses_failed: 1, observations: 5 };
        s.finish_run(run, RunStatus::Partial, &counts, None, at()).expect("finish");
        assert_eq!(s.last_run_status().expect("status").as_deref(), Some("partial"));
    }
}
