//! From one raw response (the request it answered, its status and body
//! bytes) to its verdict: observations or a named failure ([`normalize`]),
//! with the source's own [`Parser`] (each source's lives with it, in
//! `trends-sources`), and the reading kit those parsers share: JSON read by
//! field name ([`object`], [`required`], [`whole`]), HTML read with CSS
//! selectors ([`html`]), daily counts summed into whole months
//! ([`whole_months`]). It names no source.
//!
//! A 2xx body is checked whole before a parser reads a field, here and
//! nowhere else ([`body`]): JSON and CSV must be UTF-8 throughout, an HTML
//! page decodes by the charset it declares; the parser gets the text.
//!
//! No IO, no clock, no network. A parser never guesses: a missing or
//! malformed number is a [`NormalizeError`], never a 0, and a failure carries
//! no observations. The same function serves `trends collect` and `trends
//! renormalize`, so the archive can be parsed again after a fix.

pub mod body;
pub mod html;
mod prescan;

use trends_core::{Observation, RequestSpec, SourceId};

pub use trends_contract::{Declared, Format, NormalizeError, Normalized, Parsed, Parser};

/// Turns one answer into its verdict with its source's `parser`. `status` is
/// the HTTP status, `body` the (decompressed) bytes: a 2xx body is checked
/// whole for the parser's [`Format`] first, so a byte that is not text fails
/// the answer even in a field the parser would skip.
pub fn normalize(parser: &dyn Parser, spec: &RequestSpec, status: u16, body: &[u8]) -> Normalized {
    if !(200..300).contains(&status) {
        if let Some(reason) = parser.no_data(status, body) {
            return Normalized::NoData(one_line(&reason));
        }
        return Normalized::HttpError(describe_error(parser, spec.source, status, body));
    }
    let parsed =
        body::text(spec, parser.format(spec), body).and_then(|text| parser.parse(spec, &text));
    match parsed {
        Ok(Parsed::Observations(observations)) if !observations.is_empty() => {
            Normalized::Ok(observations)
        }
        Ok(Parsed::Observations(_)) => Normalized::NoData("the answer holds no values".into()),
        Ok(Parsed::NoData(reason)) => Normalized::NoData(reason),
        Err(e) => Normalized::ParseError(e.to_string()),
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

/// Parses JSON into `T`, naming the request on failure. `body` is the text
/// a parser was given, or an archived body already checked.
pub fn json<T: serde::de::DeserializeOwned>(
    spec: &RequestSpec,
    body: &(impl AsRef<[u8]> + ?Sized),
) -> Result<T, NormalizeError> {
    serde_json::from_slice(body.as_ref()).map_err(|source| NormalizeError::Json {
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
    body: &(impl AsRef<[u8]> + ?Sized),
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
    use trends_core::{Grain, Metric, Outcome, Period, Subject, TechId};

    use super::*;

    const SOURCE: SourceId = SourceId::new("test");

    /// Answers `{"n": N}` with one observation; `{"none": "why"}` with no
    /// data; 404 is "no data"; an error body is `{"message": ...}`.
    struct TestParser;

    impl Parser for TestParser {
        fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
            let o = object(spec, body)?;
            if let Some(why) = o.get("none").and_then(|v| v.as_str()) {
                return Ok(Parsed::NoData(why.to_owned()));
            }
            let value = whole(spec, "n", o.get("n"))?;
            Ok(Parsed::Observations(
                value
                    .map(|value| Observation {
                        tech: TechId("t".into()),
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
        assert_eq!((ok.outcome(), ok.observations().len()), (Outcome::Ok, 1));
        assert_eq!(ok.observations()[0].value, 7.0);

        let missing = verdict(200, r#"{"n": null}"#);
        assert_eq!(missing.outcome(), Outcome::NoData);
        assert_eq!(missing.error(), Some("the answer holds no values"));

        let none = verdict(200, r#"{"none": "no such tag"}"#);
        assert_eq!(none.outcome(), Outcome::NoData);
        assert_eq!(none.error(), Some("no such tag"));

        let bad = verdict(200, r#"{"n": -1}"#);
        assert_eq!(bad.outcome(), Outcome::ParseError);
        assert!(bad.observations().is_empty());
        assert_eq!(
            bad.error(),
            Some("test/count/k/2024-01-01..2025-01-01: `n` is negative (-1)")
        );

        let gone = verdict(404, "");
        assert_eq!(gone.outcome(), Outcome::NoData);
        assert_eq!(gone.error(), Some("not there"));

        let own = verdict(503, r#"{"message": "down\nfor maintenance"}"#);
        assert_eq!(own.outcome(), Outcome::HttpError);
        assert_eq!(own.error(), Some("test 503: down for maintenance"));

        let other = verdict(500, "<html>\n oops </html>");
        assert_eq!(other.error(), Some("test 500: <html> oops </html>"));
        let empty = verdict(502, "");
        assert_eq!(empty.error(), Some("test 502: (empty body)"));
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

    /// Reads one count the way the sources do: a typed JSON struct that
    /// skips what it does not name (`json`), the first column of a CSV's
    /// second line, or a page's `p.n` under an `h1` that must name the
    /// subject; the endpoint says which, and its format.
    struct Formats;

    #[derive(serde::Deserialize)]
    struct OnlyN {
        n: i64,
    }

    impl Parser for Formats {
        fn format(&self, spec: &RequestSpec) -> Format {
            match spec.endpoint.as_str() {
                "csv" => Format::Csv,
                "page" => Format::Html,
                _ => Format::Json,
            }
        }

        fn parse(&self, spec: &RequestSpec, text: &str) -> Result<Parsed, NormalizeError> {
            let n = match self.format(spec) {
                Format::Json => json::<OnlyN>(spec, text)?.n,
                Format::Csv => {
                    let row = text.lines().nth(1).unwrap_or("");
                    let first = row.split(',').next().unwrap_or("");
                    first.parse().map_err(|_| shape(spec, "not a count"))?
                }
                Format::Html => {
                    let doc = html::document(spec, text)?;
                    let name = html::text(html::first(spec, &doc, "h1")?);
                    if name != spec.subjects[0].key {
                        return Err(shape(spec, format!("the page is about {name}")));
                    }
                    html::count(spec, "n", &html::text(html::first(spec, &doc, "p.n")?))? as i64
                }
            };
            Ok(Parsed::Observations(vec![Observation {
                tech: TechId("t".into()),
                metric: Metric::flow(SOURCE, "n"),
                grain: Grain::Year,
                period: spec.period,
                value: count(spec, "n", Some(n))?,
                exactness: trends_core::Exactness::Exact,
            }]))
        }
    }

    fn formatted(endpoint: &str, key: &str, body: &[u8]) -> Normalized {
        let mut s = spec();
        s.endpoint = endpoint.into();
        s.subjects[0].key = key.into();
        normalize(&Formats, &s, 200, body)
    }

    fn failed_at(n: &Normalized) -> String {
        assert_eq!(n.outcome(), Outcome::ParseError, "{n:?}");
        assert!(n.observations().is_empty());
        n.error().unwrap_or_default().to_owned()
    }

    #[test]
    fn a_body_that_is_not_utf8_fails_even_where_the_parser_does_not_read() {
        let good = formatted("json", "k", br#"{"n": 5, "note": "caf\u00e9 ok"}"#);
        assert_eq!(
            (good.outcome(), good.observations()[0].value),
            (Outcome::Ok, 5.0)
        );
        // serde skips `note` unread: without the check, 5 would be stored.
        let bad = formatted("json", "k", b"{\"n\": 5, \"note\": \"\xff\xfe\"}");
        assert_eq!(
            failed_at(&bad),
            "test/json/k/2024-01-01..2025-01-01: the body is not UTF-8 at byte 18 (JSON must be UTF-8, RFC 8259 §8.1)"
        );
        let bom = formatted("json", "k", "\u{feff}{\"n\": 6}".as_bytes());
        assert_eq!(
            (bom.outcome(), bom.observations()[0].value),
            (Outcome::Ok, 6.0)
        );

        let csv = formatted("csv", "k", b"n,note\r\n7,caf\xc3\xa9\r\n");
        assert_eq!(
            (csv.outcome(), csv.observations()[0].value),
            (Outcome::Ok, 7.0)
        );
        let csv = formatted("csv", "k", b"n,note\r\n7,caf\xe9\r\n");
        assert!(
            failed_at(&csv)
                .ends_with("the body is not UTF-8 at byte 13 (CSV is read as UTF-8 text)"),
            "{csv:?}"
        );
    }

    #[test]
    fn a_page_is_read_in_the_charset_it_declares() {
        let latin1 = b"<!DOCTYPE html><html><head>\n<meta charset=\"iso-8859-1\">\n\
            <title>Caf\xe9</title></head><body><h1>Caf\xe9</h1><p class=n>1,234</p></body></html>";
        let n = formatted("page", "Café", latin1);
        assert_eq!(
            (n.outcome(), n.observations()[0].value),
            (Outcome::Ok, 1234.0),
            "{n:?}"
        );
        let declared = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\
            </head><body><h1>Caf\xe9</h1><p class=n>3</p></body></html>";
        assert_eq!(formatted("page", "Café", declared).outcome(), Outcome::Ok);
        let utf8 = "<html><head><meta charset=utf-8></head><body><h1>Café</h1><p class=n>3</p></body></html>";
        assert_eq!(
            formatted("page", "Café", utf8.as_bytes()).outcome(),
            Outcome::Ok
        );
        // Declared UTF-8, with a Latin-1 byte in text no selector reads.
        let bad = b"<html><head><meta charset=\"utf-8\"></head><body><h1>Caf\xc3\xa9</h1>\
            <p class=n>3</p><footer>\xa9 2025</footer></body></html>";
        assert_eq!(
            failed_at(&formatted("page", "Café", bad)),
            "test/page/Café/2024-01-01..2025-01-01: the page is not valid UTF-8 at byte 85 (the charset its <meta> declares)"
        );
    }
}
