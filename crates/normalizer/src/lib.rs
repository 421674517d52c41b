//! From one raw response (the request it answered, its status and body
//! bytes) to its verdict: observations or a named failure ([`normalize`]),
//! with the source's own [`Parser`] (each source's lives with it, in
//! `trends-sources`), and the reading kit those parsers share: JSON read by
//! field name ([`object`], [`required`], [`whole`]), HTML read with CSS
//! selectors ([`html`]), daily counts summed into whole months
//! ([`whole_months`]). It names no source.
//!
//! No IO, no clock, no network. A parser never guesses: a missing or
//! malformed number is a [`NormalizeError`], never a 0, and a failure carries
//! no observations. The same function serves `trends collect` and `trends
//! renormalize`, so the archive can be parsed again after a fix.

pub mod html;

use trends_core::{Observation, Outcome, RequestSpec, SourceId};

/// What a source's answers mean: its parser, its "no data" answers and its
/// error format.
pub trait Parser {
    /// The observations in a 2xx body, or why there are none.
    fn parse(&self, spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError>;

    /// An error status that means "nothing recorded" rather than a failure
    /// (Wikimedia's 404 for an article without views), with its reason.
    fn no_data(&self, _status: u16, _body: &[u8]) -> Option<String> {
        None
    }

    /// The API's own message in an error body, when the body is in its
    /// error format.
    fn describe_error(&self, _body: &[u8]) -> Option<String> {
        None
    }
}

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
#[derive(Debug)]
pub enum Parsed {
    Observations(Vec<Observation>),
    NoData(String),
}

/// Turns one answer into its verdict with its source's `parser`. `status` is
/// the HTTP status, `body` the (decompressed) bytes.
pub fn normalize(parser: &dyn Parser, spec: &RequestSpec, status: u16, body: &[u8]) -> Normalized {
    if !(200..300).contains(&status) {
        if let Some(reason) = parser.no_data(status, body) {
            return Normalized {
                outcome: Outcome::NoData,
                observations: Vec::new(),
                error: Some(one_line(&reason)),
            };
        }
        return Normalized {
            outcome: Outcome::HttpError,
            observations: Vec::new(),
            error: Some(describe_error(parser, spec.source, status, body)),
        };
    }
    let parsed = parser.parse(spec, body);
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

/// A one-line description of an error answer of `source`, quoting the API's
/// own error fields when the body is in its error format.
pub fn describe_error(parser: &dyn Parser, source: SourceId, status: u16, body: &[u8]) -> String {
    match parser.describe_error(body) {
        Some(msg) => format!("{source} {status}: {}", one_line(&msg)),
        None => format!("{source} {status}: {}", snippet(body)),
    }
}

/// `text` with every run of whitespace (newlines too) made one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 200 characters of a body, on one line.
pub fn snippet(body: &[u8]) -> String {
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
pub fn json<T: serde::de::DeserializeOwned>(
    spec: &RequestSpec,
    body: &[u8],
) -> Result<T, NormalizeError> {
    serde_json::from_slice(body).map_err(|source| NormalizeError::Json {
        key: spec.request_key(),
        source,
    })
}

/// A count that must be a non-negative whole number.
pub fn count(spec: &RequestSpec, field: &str, v: Option<i64>) -> Result<f64, NormalizeError> {
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
pub fn shape(spec: &RequestSpec, what: impl Into<String>) -> NormalizeError {
    NormalizeError::Shape {
        key: spec.request_key(),
        what: what.into(),
    }
}

/// The body as a JSON object (the fields of which the caller reads by name,
/// so that a wrong one is named in the error).
pub fn object(
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
pub fn whole(
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
pub fn required(
    spec: &RequestSpec,
    field: &str,
    v: Option<&serde_json::Value>,
) -> Result<f64, NormalizeError> {
    whole(spec, field, v)?.ok_or_else(|| shape(spec, format!("missing field `{field}`")))
}

/// What kind of JSON value `v` is, for messages.
pub fn kind(v: &serde_json::Value) -> String {
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
pub fn whole_months(
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
                exactness: trends_core::Exactness::Exact,
            }
        })
        .collect()
}

/// The one technology a single-subject request is about.
pub fn subject(spec: &RequestSpec) -> Result<&trends_core::Subject, NormalizeError> {
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

pub fn unknown_endpoint(spec: &RequestSpec) -> NormalizeError {
    NormalizeError::Endpoint {
        key: spec.request_key(),
        endpoint: spec.endpoint.clone(),
        source_id: spec.source,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use trends_core::{Grain, Metric, Period, Subject, TechId};

    use super::*;

    const SOURCE: SourceId = SourceId::new("test");

    /// Answers `{"n": N}` with one observation; `{"none": "why"}` with no
    /// data; 404 is "no data"; an error body is `{"message": ...}`.
    struct TestParser;

    impl Parser for TestParser {
        fn parse(&self, spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError> {
            let o = object(spec, body)?;
            if let Some(why) = o.get("none").and_then(|v| v.as_str()) {
                return Ok(Parsed::NoData(why.to_owned()));
            }
            let value = whole(spec, "n", o.get("n"))?;
            Ok(Parsed::Observations(
                value
                    .map(|value| Observation {
                        tech: TechId("t".into()),
                        source: spec.source,
                        metric: Metric::flow(SOURCE, "n"),
                        grain: Grain::Year,
                        period: spec.period,
                        value,
                        exactness: trends_core::Exactness::Exact,
                    })
                    .into_iter()
                    .collect(),
            ))
        }

        fn no_data(&self, status: u16, _: &[u8]) -> Option<String> {
            (status == 404).then(|| "not\nthere".to_owned())
        }

        fn describe_error(&self, body: &[u8]) -> Option<String> {
            let v: serde_json::Value = serde_json::from_slice(body).ok()?;
            v.get("message")?.as_str().map(str::to_owned)
        }
    }

    fn spec() -> RequestSpec {
        RequestSpec {
            source: SOURCE,
            endpoint: "count".into(),
            subjects: vec![Subject {
                tech: TechId("t".into()),
                key: "k".into(),
            }],
            period: Period::year(2024),
        }
    }

    fn verdict(status: u16, body: &str) -> Normalized {
        normalize(&TestParser, &spec(), status, body.as_bytes())
    }

    #[test]
    fn a_verdict_follows_the_status_then_the_parser() {
        let ok = verdict(200, r#"{"n": 7}"#);
        assert_eq!((ok.outcome, ok.observations.len()), (Outcome::Ok, 1));
        assert_eq!(ok.observations[0].value, 7.0);

        let missing = verdict(200, r#"{"n": null}"#);
        assert_eq!(missing.outcome, Outcome::NoData);
        assert_eq!(missing.error.as_deref(), Some("the answer holds no values"));

        let none = verdict(200, r#"{"none": "no such tag"}"#);
        assert_eq!(none.outcome, Outcome::NoData);
        assert_eq!(none.error.as_deref(), Some("no such tag"));

        let bad = verdict(200, r#"{"n": -1}"#);
        assert_eq!(bad.outcome, Outcome::ParseError);
        assert!(bad.observations.is_empty());
        assert_eq!(
            bad.error.as_deref(),
            Some("test/count/k/2024-01-01..2025-01-01: `n` is negative (-1)")
        );

        let gone = verdict(404, "");
        assert_eq!(gone.outcome, Outcome::NoData);
        assert_eq!(gone.error.as_deref(), Some("not there"));

        let own = verdict(503, r#"{"message": "down\nfor maintenance"}"#);
        assert_eq!(own.outcome, Outcome::HttpError);
        assert_eq!(own.error.as_deref(), Some("test 503: down for maintenance"));

        let other = verdict(500, "<html>\n oops </html>");
        assert_eq!(
            other.error.as_deref(),
            Some("test 500: <html> oops </html>")
        );
        let empty = verdict(502, "");
        assert_eq!(empty.error.as_deref(), Some("test 502: (empty body)"));
    }

    #[test]
    fn daily_counts_become_whole_months_inside_the_asked_period() {
        let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).expect("date");
        let mut s = spec();
        s.period = Period {
            start: day(1, 1),
            end: day(3, 10),
        };
        let subject = s.subjects[0].clone();
        let days = [
            (day(1, 1), 1.0),
            (day(1, 31), 2.0),
            (day(2, 15), 4.0),
            (day(3, 5), 8.0),
        ];
        let months = whole_months(&s, &subject, Metric::flow(SOURCE, "n"), &days);
        let got: Vec<_> = months
            .iter()
            .map(|o| (o.period.start, o.period.end, o.value))
            .collect();
        assert_eq!(
            got,
            [
                (day(1, 1), day(2, 1), 3.0),
                (day(2, 1), day(3, 1), 4.0),
                (day(3, 1), day(3, 6), 8.0)
            ]
        );
    }
}
