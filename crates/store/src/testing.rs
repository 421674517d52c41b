//! Shared fixtures of the store's tests: a two-entry catalog, a Stack
//! Exchange request and its yearly observation, a fixed fetch time.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use trends_core::{
    Catalog, Grain, Metric, MetricDef, Observation, Outcome, Period, RequestSpec, SourceId,
    Subject, TechId,
};

use duckdb::Connection;

use crate::RawResponse;
use crate::schema::{MIGRATIONS, apply};

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

/// The metrics the store's tests observe, as the sources declare theirs.
pub(crate) fn metrics() -> Vec<MetricDef> {
    [
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        Metric::stock(SourceId::new("github"), "stars"),
        Metric::flow(SourceId::new("wikimedia"), "pageviews"),
    ]
    .into_iter()
    .map(|metric| MetricDef {
        metric,
        description: "a metric of the tests",
    })
    .collect()
}

pub(crate) fn spec(tech: &str, year: i32) -> RequestSpec {
    RequestSpec {
        source: SourceId::new("stackexchange"),
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
        metric: Metric::flow(SourceId::new("stackexchange"), "questions"),
        grain: Grain::Year,
        period: Period::year(year),
        value,
        exactness: trends_core::Exactness::Exact,
    }
}

pub(crate) fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0)
        .single()
        .expect("valid time")
}

pub(crate) fn raw<'a>(spec: &'a RequestSpec, body: &'a [u8], outcome: Outcome) -> RawResponse<'a> {
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

/// `conn` as the migration runner leaves it at `version`, without the
/// view recreation that follows.
pub(crate) fn database_at(mut conn: Connection, version: i32) -> Connection {
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
    )
    .expect("schema_migrations");
    for m in MIGRATIONS.iter().filter(|m| m.version <= version) {
        apply(&mut conn, m).expect(m.name);
    }
    conn
}
