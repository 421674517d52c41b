//! Pure parsers: one raw response (the request it answered, its status and
//! body bytes) in, observations or a named failure out, one module per
//! source.
//!
//! No IO, no clock, no network. A parser never guesses: a missing or
//! malformed number is a [`NormalizeError`], never a 0, and a failure carries
//! no observations. The same function serves `trends collect` and `trends
//! renormalize`, so the archive can be parsed again after a fix.

mod cratesio;
mod dockerhub;
#[cfg(test)]
mod fuzz;
mod github;
mod githubtopics;
mod gopkg;
mod hackernews;
mod html;
mod npm;
mod packagist;
mod pypi;
mod rubygems;
mod stackexchange;
mod tiobe;
mod wikimedia;

use trends_core::{Observation, Outcome, RequestSpec, SourceId};

/// The verdict on one raw response: what the store archives beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// `Ok`, `NoData`, `HttpError` or `ParseError` (never `TransportError`:
    /// that is decided before there is a body).
    pub outcome: Outcome,
    /// Non-empty only when `outcome` is `Ok`.
    pub observations: Vec<Observation>,
    /// One line: the reason for `NoData`, `HttpError` and `ParseError`.
    pub error: Option<String>,
}

/// Why a body could not be turned into observations.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("{key}: body is not the JSON the API sends: {source}")]
    Json {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{key}: {what}")]
    Shape { key: String, what: String },
    #[error("{key}: unknown endpoint `{endpoint}` for {source_id}")]
    Endpoint {
        key: String,
        endpoint: String,
        source_id: SourceId,
    },
}

/// What a source's parser found in a 2xx body.
pub(crate) enum Parsed {
    Observations(Vec<Observation>),
    NoData(String),
}

/// Turns one answer into its verdict. `status` is the HTTP status, `body`
/// the (decompressed) bytes.
pub fn normalize(spec: &RequestSpec, status: u16, body: &[u8]) -> Normalized {
    if !(200..300).contains(&status) {
        if let Some(reason) = no_data(spec, status, body) {
            return Normalized {
                outcome: Outcome::NoData,
                observations: Vec::new(),
                error: Some(one_line(&reason)),
            };
        }
        return Normalized {
            outcome: Outcome::HttpError,
            observations: Vec::new(),
            error: Some(describe_error(spec.source, status, body)),
        };
    }
    let parsed = match spec.source {
        SourceId::StackExchange => stackexchange::parse(spec, body),
        SourceId::GitHub => github::parse(spec, body),
        SourceId::Wikimedia => wikimedia::parse(spec, body),
        SourceId::HackerNews => hackernews::parse(spec, body),
        SourceId::Npm => npm::parse(spec, body),
        SourceId::PyPI => pypi::parse(spec, body),
        SourceId::DockerHub => dockerhub::parse(spec, body),
        SourceId::Packagist => packagist::parse(spec, body),
        SourceId::RubyGems => rubygems::parse(spec, body),
        SourceId::CratesIo => cratesio::parse(spec, body),
        SourceId::GoPkg => gopkg::parse(spec, body),
        SourceId::GitHubTopics => githubtopics::parse(spec, body),
        SourceId::Tiobe => tiobe::parse(spec, body),
    };
    match parsed {
        Ok(Parsed::Observations(observations)) if !observations.is_empty() => Normalized {
            outcome: Outcome::Ok,
            observations,
            error: None,
        },
        Ok(Parsed::Observations(_)) => Normalized {
            outcome: Outcome::NoData,
            observations: Vec::new(),
            error: Some("the answer holds no values".into()),
        },
        Ok(Parsed::NoData(reason)) => Normalized {
            outcome: Outcome::NoData,
            observations: Vec::new(),
            error: Some(reason),
        },
        Err(e) => Normalized {
            outcome: Outcome::ParseError,
            observations: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

/// Error statuses that mean "nothing recorded" rather than a failure.
fn no_data(spec: &RequestSpec, status: u16, body: &[u8]) -> Option<String> {
    match spec.source {
        SourceId::Wikimedia => wikimedia::no_data(status, body),
        SourceId::StackExchange
        | SourceId::GitHub
        | SourceId::HackerNews
        | SourceId::Npm
        | SourceId::PyPI
        | SourceId::DockerHub
        | SourceId::Packagist
        | SourceId::RubyGems
        | SourceId::CratesIo
        | SourceId::GoPkg
        | SourceId::GitHubTopics
        | SourceId::Tiobe => None,
    }
}

/// A one-line description of an error answer, quoting the API's own error
/// fields when the body is in its error format.
pub fn describe_error(source: SourceId, status: u16, body: &[u8]) -> String {
    let own = match source {
        SourceId::StackExchange => stackexchange::describe_error(body),
        SourceId::GitHub => github::describe_error(body),
        SourceId::Wikimedia => wikimedia::describe_error(body),
        SourceId::HackerNews => hackernews::describe_error(body),
        SourceId::Npm => npm::describe_error(body),
        SourceId::PyPI => None,
        SourceId::DockerHub => dockerhub::describe_error(body),
        SourceId::Packagist => packagist::describe_error(body),
        SourceId::RubyGems => None,
        SourceId::CratesIo => cratesio::describe_error(body),
        SourceId::GoPkg | SourceId::GitHubTopics | SourceId::Tiobe => html::describe_error(body),
    };
    match own {
        Some(msg) => format!("{source} {status}: {}", one_line(&msg)),
        None => format!("{source} {status}: {}", snippet(body)),
    }
}

/// `text` with every run of whitespace (newlines too) made one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 200 characters of a body, on one line.
pub(crate) fn snippet(body: &[u8]) -> String {
    let line = one_line(&String::from_utf8_lossy(body));
    if line.is_empty() {
        "(empty body)".to_owned()
    } else if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line
    }
}

/// Parses JSON into `T`, naming the request on failure.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    spec: &RequestSpec,
    body: &[u8],
) -> Result<T, NormalizeError> {
    serde_json::from_slice(body).map_err(|source| NormalizeError::Json {
        key: spec.request_key(),
        source,
    })
}

/// A count that must be a non-negative whole number.
pub(crate) fn count(
    spec: &RequestSpec,
    field: &str,
    v: Option<i64>,
) -> Result<f64, NormalizeError> {
    match v {
        Some(n) if n >= 0 => Ok(n as f64),
        Some(n) => Err(NormalizeError::Shape {
            key: spec.request_key(),
            what: format!("`{field}` is negative ({n})"),
        }),
        None => Err(NormalizeError::Shape {
            key: spec.request_key(),
            what: format!("missing field `{field}`"),
        }),
    }
}

/// A failure of the answer's shape, about the request `spec`.
pub(crate) fn shape(spec: &RequestSpec, what: impl Into<String>) -> NormalizeError {
    NormalizeError::Shape {
        key: spec.request_key(),
        what: what.into(),
    }
}

/// The body as a JSON object (the fields of which the caller reads by name,
/// so that a wrong one is named in the error).
pub(crate) fn object(
    spec: &RequestSpec,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, NormalizeError> {
    match json::<serde_json::Value>(spec, body)? {
        serde_json::Value::Object(map) => Ok(map),
        other => Err(shape(
            spec,
            format!("expected a JSON object, got {}", kind(&other)),
        )),
    }
}

/// A count that may be absent (`None` or `null`); present, it must be a
/// non-negative whole number.
pub(crate) fn whole(
    spec: &RequestSpec,
    field: &str,
    v: Option<&serde_json::Value>,
) -> Result<Option<f64>, NormalizeError> {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Ok(Some(u as f64)),
            (None, Some(i)) => Err(shape(spec, format!("`{field}` is negative ({i})"))),
            (None, None) => Err(shape(
                spec,
                format!("`{field}` is not a whole number ({n})"),
            )),
        },
        Some(other) => Err(shape(
            spec,
            format!("`{field}` is {}, not a count", kind(other)),
        )),
    }
}

/// A count that must be there: see [`whole`].
pub(crate) fn required(
    spec: &RequestSpec,
    field: &str,
    v: Option<&serde_json::Value>,
) -> Result<f64, NormalizeError> {
    whole(spec, field, v)?.ok_or_else(|| shape(spec, format!("missing field `{field}`")))
}

/// What kind of JSON value `v` is, for messages.
pub(crate) fn kind(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => {
            let s: String = s.chars().take(40).collect();
            format!("a string ({s:?})")
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Days of slack between the period a request asks for and the window the
/// API really answers: crates.io answers the days *after* today − 90,
/// pypistats is a day or two behind, and their "today" is UTC like ours
/// but not computed at the same instant.
const WINDOW_SLACK_DAYS: u64 = 2;

/// Sums daily counts per calendar month, for the days inside the asked
/// period, for APIs that leave out the days without downloads (crates.io
/// does; pypistats answers only the days it has rows for).
///
/// A month is kept only when the answer covers its first day: that day is
/// in the data, or an earlier day is (the window reached back before it),
/// or it lies at least [`WINDOW_SLACK_DAYS`] inside the asked period (so
/// the API's window surely covers it, and a day left out is a day without
/// downloads). A window that slides by a day each day (the last 90 or 180
/// days) thus cuts its oldest month, whose key would otherwise change
/// daily, but a small package whose 1st had no downloads keeps its month.
/// A month runs to the next month's 1st once it is over (a later day is
/// in the data, or it ended [`WINDOW_SLACK_DAYS`] before the asked end);
/// the current month runs to the day after its last day present, and grows
/// run by run under the same key (its 1st). A month with no day in the
/// data at all has no row: nothing says it was counted.
pub(crate) fn whole_months(
    spec: &RequestSpec,
    subject: &trends_core::Subject,
    metric: trends_core::Metric,
    days: &[(chrono::NaiveDate, f64)],
) -> Vec<Observation> {
    use std::collections::BTreeMap;
    use trends_core::{Grain, Period};
    let slack = chrono::Days::new(WINDOW_SLACK_DAYS);
    let inside: Vec<_> = days
        .iter()
        .filter(|(day, _)| *day >= spec.period.start && *day < spec.period.end)
        .collect();
    let (Some(earliest), Some(latest)) = (
        inside.iter().map(|(day, _)| *day).min(),
        inside.iter().map(|(day, _)| *day).max(),
    ) else {
        return Vec::new();
    };
    let covered_from = earliest.min(
        spec.period
            .start
            .checked_add_days(slack)
            .unwrap_or(spec.period.start),
    );
    let surely_over_by = spec
        .period
        .end
        .checked_sub_days(slack)
        .unwrap_or(spec.period.end);
    // month start -> (last day, sum)
    let mut months: BTreeMap<chrono::NaiveDate, (chrono::NaiveDate, f64)> = BTreeMap::new();
    for (day, n) in inside {
        let e = months
            .entry(Period::month_of(*day).start)
            .or_insert((*day, 0.0));
        e.0 = e.0.max(*day);
        e.1 += n;
    }
    months
        .into_iter()
        .filter(|(start, _)| *start >= covered_from)
        .map(|(start, (last, sum))| {
            let next_month = Period::month_of(start).end;
            let end = if latest >= next_month || next_month <= surely_over_by {
                next_month
            } else {
                last.succ_opt().unwrap_or(last)
            };
            Observation {
                tech: subject.tech.clone(),
                source: spec.source,
                metric,
                grain: Grain::Month,
                period: Period { start, end },
                value: sum,
            }
        })
        .collect()
}

/// The one technology a single-subject request is about.
pub(crate) fn subject(spec: &RequestSpec) -> Result<&trends_core::Subject, NormalizeError> {
    match spec.subjects.as_slice() {
        [one] => Ok(one),
        _ => Err(NormalizeError::Shape {
            key: spec.request_key(),
            what: format!(
                "expected one subject, the request has {}",
                spec.subjects.len()
            ),
        }),
    }
}

pub(crate) fn unknown_endpoint(spec: &RequestSpec) -> NormalizeError {
    NormalizeError::Endpoint {
        key: spec.request_key(),
        endpoint: spec.endpoint.clone(),
        source_id: spec.source,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use chrono::NaiveDate;
    use trends_core::{Period, RequestSpec, SourceId, Subject, TechId};

    pub fn fixture(rel: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    pub fn spec(
        source: SourceId,
        endpoint: &str,
        tech: &str,
        key: &str,
        period: Period,
    ) -> RequestSpec {
        RequestSpec {
            source,
            endpoint: endpoint.into(),
            subjects: vec![Subject {
                tech: TechId(tech.into()),
                key: key.into(),
            }],
            period,
        }
    }

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// The periods and values a parse gave: (start, end, value) each.
    pub fn periods(n: &crate::Normalized) -> Vec<(NaiveDate, NaiveDate, f64)> {
        n.observations
            .iter()
            .map(|o| (o.period.start, o.period.end, o.value))
            .collect()
    }
}
