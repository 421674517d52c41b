//! Reads for the report and `trends status`: the `yearly_signals` roll-up
//! and its years, row counts, coverage, a run's failures, and the request
//! keys that already have an answer, each source's newest observation. They work on a read-only opening.

use std::collections::HashSet;

use duckdb::params;
use trends_core::{Metric, TechId, YearlySignal};

use crate::{Result, Store, StoreError, parse_known, q};

/// Row counts of the main tables (tests and `trends status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCounts {
    pub technologies: i64,
    pub runs: i64,
    pub raw_responses: i64,
    pub observations: i64,
}

/// Per source and year: how many technologies have data.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub source: String,
    pub year: i32,
    pub technologies: i64,
    pub mean_coverage: f64,
}

/// A failed response of a run, for `trends status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub source: String,
    pub url: String,
    /// `http_error`, `transport_error` or `parse_error`.
    pub outcome: String,
    /// What went wrong; empty when the archive holds no reason.
    pub error: String,
}

/// A `yearly_signals` row as DuckDB gives it, before its names are parsed.
struct Row {
    tech: String,
    name: String,
    category: String,
    year: i64,
    source: String,
    metric: String,
    kind: String,
    value: f64,
    coverage: f64,
    partial: bool,
    delta: Option<f64>,
    exactness: String,
}

impl Store {
    /// Every signal per technology and year in `[from, to]`, from the
    /// `yearly_signals` view.
    pub fn yearly_signals(&self, from: i32, to: i32) -> Result<Vec<YearlySignal>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT tech_id, technology, category, year, source, metric, kind, value, coverage, partial, delta, exactness
                 FROM yearly_signals WHERE year BETWEEN ? AND ?
                 ORDER BY year, category, tech_id, source, metric",
            )
            .map_err(q("reading yearly signals"))?;
        let rows = stmt
            .query_map(params![from, to], |r| {
                Ok(Row {
                    tech: r.get(0)?,
                    name: r.get(1)?,
                    category: r.get(2)?,
                    year: r.get(3)?,
                    source: r.get(4)?,
                    metric: r.get(5)?,
                    kind: r.get(6)?,
                    value: r.get(7)?,
                    coverage: r.get(8)?,
                    partial: r.get(9)?,
                    delta: r.get(10)?,
                    exactness: r.get(11)?,
                })
            })
            .map_err(q("reading yearly signals"))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(signal(row.map_err(q("reading yearly signals"))?)?);
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

    /// The request keys that already have a successful answer (`ok` or
    /// `no_data`) in the archive: a closed period among them need not be
    /// fetched again.
    pub fn succeeded_keys(&self) -> Result<HashSet<String>> {
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

    /// Failed responses of a run, oldest first, at most `limit`.
    pub fn failures(&self, run: i64, limit: usize) -> Result<Vec<Failure>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, url, outcome, coalesce(error, '') FROM raw_responses
                 WHERE run_id = ? AND outcome NOT IN ('ok', 'no_data') ORDER BY id LIMIT ?",
            )
            .map_err(q("reading failures"))?;
        let rows = stmt
            .query_map(params![run, limit as i64], |r| {
                Ok(Failure {
                    source: r.get(0)?,
                    url: r.get(1)?,
                    outcome: r.get(2)?,
                    error: r.get(3)?,
                })
            })
            .map_err(q("reading failures"))?;
        rows.collect::<Result<_, _>>()
            .map_err(q("reading failures"))
    }

    /// Per source, when an answer last wrote one of its observations (the
    /// newest `observations.observed_at`: an answer's fetch time, renewed
    /// each time an answer writes the row again); sources without any
    /// observation are absent.
    pub fn newest_observations(&self) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, max(observed_at) FROM observations GROUP BY source ORDER BY source",
            )
            .map_err(q("reading the newest observations"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(q("reading the newest observations"))?;
        rows.collect::<Result<_, _>>()
            .map_err(q("reading the newest observations"))
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
}

/// A row of `yearly_signals` with its names parsed.
fn signal(row: Row) -> Result<YearlySignal> {
    let source = trends_core::SourceId::intern(&row.source);
    let kind = parse_known(&row.kind)?;
    Ok(YearlySignal {
        tech: TechId(row.tech),
        name: row.name,
        category: parse_known(&row.category)?,
        year: i32::try_from(row.year)
            .map_err(|_| StoreError::Corrupt(format!("year {}", row.year)))?,
        source,
        metric: Metric::intern(source, &row.metric, kind),
        value: row.value,
        coverage: row.coverage,
        partial: row.partial,
        delta: row.delta,
        exactness: parse_known(&row.exactness)?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use trends_core::{Grain, Metric, Observation, Outcome, Period, SourceId, TechId};

    use super::*;
    use crate::testing::{at, catalog, metrics, obs, raw, spec};

    #[test]
    fn stocks_get_their_yearly_delta_flows_none() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let stars = |year: i32, day: u32, value: f64| Observation {
            tech: TechId("go".into()),
            metric: Metric::stock(SourceId::new("github"), "stars"),
            grain: Grain::Snapshot,
            period: Period::snapshot(chrono::NaiveDate::from_ymd_opt(year, 6, day).expect("date")),
            value,
            exactness: trends_core::Exactness::Exact,
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
    fn monthly_flows_sum_to_the_year_with_coverage() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2015);
        let months: Vec<Observation> = (7..=12)
            .map(|m| {
                let day = NaiveDate::from_ymd_opt(2015, m, 1).expect("date");
                Observation {
                    tech: TechId("python".into()),
                    metric: Metric::flow(SourceId::new("wikimedia"), "pageviews"),
                    grain: Grain::Month,
                    period: Period::month_of(day),
                    value: 100.0,
                    exactness: trends_core::Exactness::Exact,
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
    fn a_yearly_value_is_as_exact_as_the_least_exact_observation_in_it() {
        use trends_core::Exactness;
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2015);
        let month = |year: i32, m: u32, exactness: Exactness| Observation {
            tech: TechId("python".into()),
            metric: Metric::flow(SourceId::new("wikimedia"), "pageviews"),
            grain: Grain::Month,
            period: Period::month_of(NaiveDate::from_ymd_opt(year, m, 1).expect("date")),
            value: 100.0,
            exactness,
        };
        let star = |m: u32, exactness: Exactness| Observation {
            tech: TechId("python".into()),
            metric: Metric::stock(SourceId::new("github"), "stars"),
            grain: Grain::Snapshot,
            period: Period::snapshot(NaiveDate::from_ymd_opt(2016, m, 1).expect("date")),
            value: f64::from(m),
            exactness,
        };
        let all = [
            month(2015, 7, Exactness::Exact),
            month(2015, 8, Exactness::Approximate),
            month(2016, 1, Exactness::Exact),
            // A stock is as exact as its year-end snapshot.
            star(3, Exactness::Approximate),
            star(6, Exactness::Estimated),
            star(9, Exactness::Exact),
        ];
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &all)
            .expect("record");
        let ys = s.yearly_signals(2015, 2016).expect("yearly");
        let got: Vec<(i32, &str, Exactness)> = ys
            .iter()
            .map(|y| (y.year, y.metric.as_str(), y.exactness))
            .collect();
        assert_eq!(
            got,
            [
                (2015, "pageviews", Exactness::Approximate),
                (2016, "stars", Exactness::Exact),
                (2016, "pageviews", Exactness::Exact),
            ]
        );
    }

    #[test]
    fn a_failed_response_is_archived_without_observations() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
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
    fn a_runs_failures_name_source_url_outcome_and_reason_in_order() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("go", 2023);
        s.record(run, &raw(&sp, b"{}", Outcome::Ok), &[obs("go", 2023, 1.0)])
            .expect("ok");
        let mut failed = raw(&sp, b"{\"tot", Outcome::ParseError);
        failed.error = Some("malformed JSON");
        s.record(run, &failed, &[]).expect("parse error");
        let mut lost = raw(&sp, b"", Outcome::TransportError);
        (lost.body, lost.status) = (None, None);
        s.record(run, &lost, &[]).expect("transport error");
        let failure = |outcome: &str, error: &str| Failure {
            source: "stackexchange".into(),
            url: "https://api.stackexchange.com/2.3/questions?tagged=python".into(),
            outcome: outcome.into(),
            error: error.into(),
        };
        assert_eq!(
            s.failures(run.0, 10).expect("failures"),
            [
                failure("parse_error", "malformed JSON"),
                failure("transport_error", "")
            ]
        );
        assert_eq!(s.failures(run.0, 1).expect("failures").len(), 1);
        assert!(s.failures(run.0 + 1, 10).expect("failures").is_empty());
    }
}
