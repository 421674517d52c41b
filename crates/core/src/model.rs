//! Plain data types shared by every crate.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    /// What kind of technology an entry of the catalog is. Rankings are computed
    /// within one category, never across.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Category("category") {
        Language => "language",
        Framework => "framework",
        Practice => "practice",
    }
}

/// A public API that `trends` collects from, by the name it has in the
/// config (`[sources.npm]`), on the command line, in the database and in
/// signal names (`npm_downloads`).
///
/// The names a build knows are those of `trends_sources::registry()`; this
/// type only carries one. A name read back from a file is interned once
/// ([`SourceId::intern`]), so the type stays `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(&'static str);

impl SourceId {
    /// The source called `name` (lowercase letters, as in the config).
    pub const fn new(name: &'static str) -> SourceId {
        SourceId(name)
    }

    /// The source called `name`, for a name read at run time (a config key,
    /// an archived request). Each distinct name is stored once for the life
    /// of the process.
    pub fn intern(name: &str) -> SourceId {
        SourceId(intern(name))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// `name` as a `&'static str`, leaked once per distinct name (a handful of
/// source and metric names per process).
fn intern(name: &str) -> &'static str {
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<Vec<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.push(leaked);
    leaked
}

impl fmt::Debug for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for SourceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(SourceId::intern(&name))
    }
}

/// What `trends sources` says of a source beyond its config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceInfo {
    /// The real API.
    pub api: &'static str,
    /// How far back its data goes.
    pub history: &'static str,
    /// The API's own limits.
    pub limits: &'static str,
}

/// What running a source without its key or token costs
/// (`trends config check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithoutToken {
    /// What the API allows then, in words.
    pub effect: &'static str,
    /// Requests a day the API allows then, when it counts per day.
    pub per_day: Option<u32>,
}

crate::string_enum! {
    /// Whether a metric counts events in a period (flow: summed over a year) or
    /// is a level read at one instant (stock: its year-end value is used).
    /// Its name is the one in the `metrics` table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum MetricKind("metric kind") {
        Flow => "flow",
        Stock => "stock",
    }
}

/// One measured quantity of one source: a signal. Its name is unique within
/// the source only (several registries have `downloads`); the report names
/// it `{source}_{name}`. The sources declare theirs (`Source::metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Metric {
    source: SourceId,
    name: &'static str,
    kind: MetricKind,
}

impl Metric {
    /// A count of events in a period, summed over a year.
    pub const fn flow(source: SourceId, name: &'static str) -> Metric {
        Metric {
            source,
            name,
            kind: MetricKind::Flow,
        }
    }

    /// A level read on a day; its year-end value is used.
    pub const fn stock(source: SourceId, name: &'static str) -> Metric {
        Metric {
            source,
            name,
            kind: MetricKind::Stock,
        }
    }

    /// A metric read back from the database (source, name and kind as
    /// stored).
    pub fn intern(source: SourceId, name: &str, kind: MetricKind) -> Metric {
        Metric {
            source,
            name: intern(name),
            kind,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.name
    }

    /// The source that measures it.
    pub fn source(self) -> SourceId {
        self.source
    }

    pub fn kind(self) -> MetricKind {
        self.kind
    }

    /// The column name of the signal in reports: `{source}_{metric}`.
    pub fn signal_name(self) -> String {
        format!("{}_{}", self.source, self.name)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A metric with the line that explains it (`trends sources`, the
/// `metrics` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    pub metric: Metric,
    pub description: &'static str,
}
crate::string_enum! {
    /// The time resolution of an observation. A snapshot is a stock read on one
    /// day; day, month and year are flows summed over the period; a quarter is a
    /// count over the quarter that does not add up across quarters (distinct
    /// developers), so the yearly roll-up takes the mean of a year's quarters.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Grain("grain") {
        Day => "day",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
        Snapshot => "snapshot",
    }
}

/// A half-open range of days `[start, end)`. A snapshot has `start == end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The calendar year `year`, `[Jan 1, Jan 1 of the next year)`.
    pub fn year(year: i32) -> Period {
        Period {
            start: ymd(year, 1, 1),
            end: ymd(year + 1, 1, 1),
        }
    }

    /// The calendar month containing `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        let start = ymd(day.year(), day.month(), 1);
        let end = if day.month() == 12 {
            ymd(day.year() + 1, 1, 1)
        } else {
            ymd(day.year(), day.month() + 1, 1)
        };
        Period { start, end }
    }

    /// Quarter `quarter` (1..=4) of `year`, `[its first day, the next
    /// quarter's first day)`; `None` for a quarter outside 1..=4.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(year, 3 * quarter - 2, 1)?;
        let end = start.checked_add_months(chrono::Months::new(3))?;
        Some(Period { start, end })
    }

    /// A stock read on `day`.
    pub fn snapshot(day: NaiveDate) -> Period {
        Period {
            start: day,
            end: day,
        }
    }

    /// Whether the period has ended before `today` (a closed period's flow
    /// will not change any more).
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        self.end <= today
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with a valid month and day 1, which always exist.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The catalog id of a technology, e.g. `python` or `spring-boot`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TechId(pub String);

impl TechId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TechId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One technology a request is about, with the identifier the source knows
/// it by (a tag, a repository, an article title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub tech: TechId,
    pub key: String,
}

/// What one request asks for. It is archived with the raw response (as JSON)
/// so that the normalizer can turn the body into observations again later
/// without the network: `trends renormalize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSpec {
    pub source: SourceId,
    /// The source's name for the endpoint, e.g. `questions` or `repo`.
    pub endpoint: String,
    /// The technologies the response speaks of (one, or several for a batch).
    pub subjects: Vec<Subject>,
    /// The span the request asks about; for a snapshot, the day it was read.
    pub period: Period,
}

impl RequestSpec {
    /// A stable key naming what was asked, independent of when: the same
    /// request made on two nights has the same key.
    pub fn request_key(&self) -> String {
        let keys: Vec<&str> = self.subjects.iter().map(|s| s.key.as_str()).collect();
        format!(
            "{}/{}/{}/{}",
            self.source,
            self.endpoint,
            keys.join(";"),
            self.period
        )
    }
}

crate::string_enum! {
    /// What became of one request. Only `Ok` and `NoData` are successes; the
    /// others are archived with their reason and never produce observations.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Outcome("outcome") {
        /// The body parsed into observations.
        Ok => "ok",
        /// The API answered that it has no data for this (e.g. Wikimedia's 404
        /// for an article without views): a success with no observations.
        NoData => "no_data",
        /// The API answered with an error status.
        HttpError => "http_error",
        /// No response: timeout, reset, refused connection, oversized body.
        TransportError => "transport_error",
        /// A response came but its body was not what the source sends.
        ParseError => "parse_error",
    }
}

impl Outcome {
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NoData)
    }
}

/// One signal of one technology in one calendar year, as the
/// `yearly_signals` view gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlySignal {
    pub tech: TechId,
    pub name: String,
    pub category: Category,
    pub year: i32,
    pub source: SourceId,
    pub metric: Metric,
    pub value: f64,
    /// Share of the year the stored periods cover, 0..1.
    pub coverage: f64,
    /// The year is not over yet.
    pub partial: bool,
    /// Stocks only: this year-end value minus last year's, when both are
    /// known (`yearly_signals.delta`).
    pub delta: Option<f64>,
    /// The least exact of the observations rolled into `value` (of the
    /// year-end snapshot, for a stock): `yearly_signals.exactness`.
    pub exactness: Exactness,
}

/// One number: a metric of a technology from a source over a period. The
/// source is the metric's own ([`Observation::source`]), so the two cannot
/// disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub tech: TechId,
    pub metric: Metric,
    pub grain: Grain,
    pub period: Period,
    pub value: f64,
    pub exactness: Exactness,
}

impl Observation {
    /// The source that measured it: its metric's.
    pub fn source(&self) -> SourceId {
        self.metric.source()
    }
}

crate::string_enum! {
    /// How exact an observation's value is (`observations.exactness`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
    pub enum Exactness("exactness") {
        /// The API's own count.
        #[default]
        Exact => "exact",
        /// The API said its count is approximate (Hacker News answers
        /// `exhaustive.nbHits: false`).
        Approximate => "approximate",
        /// trends estimated it between points the API gave (year-end stars
        /// interpolated between known points of a repository's star history).
        Estimated => "estimated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let read_back = SourceId::intern(&String::from("npm"));
        assert_eq!(read_back, SourceId::new("npm"));
        assert_eq!(read_back.as_str(), "npm");
        let m = Metric::intern(read_back, &String::from("downloads"), MetricKind::Flow);
        assert_eq!(m, Metric::flow(SourceId::new("npm"), "downloads"));
        assert_ne!(m, Metric::stock(SourceId::new("npm"), "downloads"));
        assert_eq!(m.signal_name(), "npm_downloads");
        for k in [MetricKind::Flow, MetricKind::Stock] {
            assert_eq!(k.as_str().parse::<MetricKind>(), Ok(k));
        }
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        let spec: RequestSpec = serde_json::from_str(
            r#"{"source":"npm","endpoint":"range","subjects":[],"period":{"start":"2024-01-01","end":"2025-01-01"}}"#,
        )
        .expect("an archived request reads back");
        assert_eq!(spec.source, SourceId::new("npm"));
        assert!(
            serde_json::to_string(&spec)
                .expect("json")
                .contains(r#""source":"npm""#)
        );
    }

    #[test]
    fn periods() {
        let y = Period::year(2023);
        assert_eq!(y.to_string(), "2023-01-01..2024-01-01");
        let d = NaiveDate::from_ymd_opt(2023, 12, 15).unwrap_or_default();
        assert_eq!(Period::month_of(d).to_string(), "2023-12-01..2024-01-01");
        assert!(y.is_closed(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()));
        assert!(!y.is_closed(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap_or_default()));
        let q4 = Period::quarter(2023, 4).expect("a quarter");
        assert_eq!(q4.to_string(), "2023-10-01..2024-01-01");
        assert_eq!(
            Period::quarter(2024, 1).map(|q| q.to_string()),
            Some("2024-01-01..2024-04-01".to_owned())
        );
        assert_eq!(Period::quarter(2024, 0), None);
        assert_eq!(Period::quarter(2024, 5), None);
        for g in [
            Grain::Day,
            Grain::Month,
            Grain::Quarter,
            Grain::Year,
            Grain::Snapshot,
        ] {
            assert_eq!(g.as_str().parse::<Grain>(), Ok(g));
        }
    }
}

/// Where the real figures of one signal of a `trends demo` database come
/// from: the open dataset (a row of a demo bundle's `provenance.csv`, and of
/// the `demo_provenance` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoProvenance {
    /// The source and metric, as `observations` names them.
    pub source: String,
    pub metric: String,
    pub dataset: String,
    pub repository: String,
    pub commit: String,
    pub licence: String,
    /// The file in that repository the figures were taken from.
    pub file: String,
    /// The calendar years the figures cover whole.
    pub first_year: i32,
    pub last_year: i32,
}
