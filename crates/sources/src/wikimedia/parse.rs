//! Wikimedia REST pageviews.
//!
//! `pageviews`: `{"items": [{"project", "article", "granularity",
//! "timestamp": "YYYYMMDDHH", "access", "agent", "views"}, ...]}`, one item
//! per month; months without views are left out by the API (absent, not 0).
//!
//! Errors are `application/problem+json`. Two generations are in the wild:
//! AQS 2.0 (`{"type": "about:blank", "title": "Not Found", "detail": "...",
//! "method", "status", "uri"}`) and the older RESTBase one (`{"type":
//! "https://mediawiki.org/wiki/HyperSwitch/errors/not_found", "title": "Not
//! found.", ...}`, where `detail` may be a list). A 404 saying the API has no
//! data for the dates means the article has no views in the range: no data,
//! not a failure. A 404 `invalid route` is our bug (e.g. a `/` left
//! unescaped in a title) and stays an HTTP error.

use super::Endpoint;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use trends_core::{Grain, Observation, Period, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, kind, object, required, shape, subject, unknown_endpoint,
};

/// A problem+json error body; every field optional because the two API
/// generations differ.
#[derive(Deserialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: Option<String>,
    title: Option<String>,
    detail: Option<Value>,
}

/// What both generations put in `detail` when the range has no data.
const NO_DATA_DETAIL: &str = "do not have data for";

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Pageviews) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let answer = object(spec, body)?;
    let items = match answer.get("items") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(shape(
                spec,
                format!("`items` is {}, not a list", kind(other)),
            ));
        }
        None => return Err(shape(spec, "missing field `items`")),
    };
    if items.is_empty() {
        return Ok(Parsed::NoData("no pageviews in the range".into()));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let day = match item.get("timestamp") {
            Some(Value::String(ts)) => ts
                .get(..8)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
                .ok_or_else(|| {
                    shape(
                        spec,
                        format!("`items[{i}].timestamp` `{ts}` is not YYYYMMDDHH"),
                    )
                })?,
            Some(other) => {
                return Err(shape(
                    spec,
                    format!("`items[{i}].timestamp` is {}, not a string", kind(other)),
                ));
            }
            None => {
                return Err(shape(spec, format!("missing field `items[{i}].timestamp`")));
            }
        };
        let value = required(spec, &format!("items[{i}].views"), item.get("views"))?;
        let month = Period::month_of(day);
        // A month cut by the asked range would be a partial sum.
        if month.start < spec.period.start || month.end > spec.period.end {
            continue;
        }
        out.push(Observation {
            tech: subject.tech.clone(),
            metric: crate::wikimedia::PAGEVIEWS,
            grain: Grain::Month,
            period: month,
            value,
            exactness: trends_core::Exactness::Exact,
        });
    }
    Ok(Parsed::Observations(out))
}

/// A 404 problem+json answer saying there is no data for the dates (the
/// article has no views in the range, or does not exist): nothing recorded,
/// not a failure. Any other 404 (`invalid route`, a proxy page) is an error.
pub(crate) fn no_data(status: u16, body: &[u8]) -> Option<String> {
    if status != 404 {
        return None;
    }
    let p: Problem = serde_json::from_slice(body).ok()?;
    let not_found_type = p
        .kind
        .as_deref()
        .is_some_and(|t| t.ends_with("/errors/not_found"));
    let no_data_detail = detail_text(&p).contains(NO_DATA_DETAIL);
    (not_found_type || no_data_detail).then(|| problem_text(&p))
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let p: Problem = serde_json::from_slice(body).ok()?;
    (p.title.is_some() || p.detail.is_some()).then(|| problem_text(&p))
}

/// `detail` as one line: a string, or the strings of a list joined.
fn detail_text(p: &Problem) -> String {
    match &p.detail {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// `title: detail`, or whichever of the two is there.
fn problem_text(p: &Problem) -> String {
    let detail = detail_text(p);
    // The older generation's title ends with a period ("Not found.").
    let title = p.title.as_deref().map(|t| t.trim_end_matches('.'));
    match (title, detail.is_empty()) {
        (Some(t), false) => format!("{t}: {detail}"),
        (Some(t), true) => t.to_owned(),
        (None, _) => detail,
    }
}

#[cfg(test)]
mod tests {
    use trends_core::{Grain, Outcome, Period, RequestSpec};

    use crate::normalize;
    use crate::testing::{day, spec};

    const MONTHLY: &str =
        include_str!("../../../../tests/fixtures/wikimedia/pageviews_monthly.json");
    const NOT_FOUND: &str =
        include_str!("../../../../tests/fixtures/wikimedia/error_not_found.json");
    const NOT_FOUND_HYPERSWITCH: &str =
        include_str!("../../../../tests/fixtures/wikimedia/error_not_found_hyperswitch.json");
    const INVALID_ROUTE: &str =
        include_str!("../../../../tests/fixtures/wikimedia/error_invalid_route.json");
    const BAD_REQUEST: &str =
        include_str!("../../../../tests/fixtures/wikimedia/error_bad_request.json");

    /// Pageviews of the months `[start, end)`.
    fn pageviews(start: (i32, u32), end: (i32, u32)) -> RequestSpec {
        spec(
            crate::wikimedia::ID,
            "pageviews",
            "django",
            "Django_(web_framework)",
            Period {
                start: day(start.0, start.1, 1),
                end: day(end.0, end.1, 1),
            },
        )
    }

    fn month(y: i32, m: u32) -> Period {
        Period::month_of(day(y, m, 1))
    }

    #[test]
    fn monthly_items_become_monthly_observations() {
        let n = normalize(&pageviews((2015, 7), (2026, 1)), 200, MONTHLY.as_bytes());
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.error(), None);
        let got: Vec<(Period, f64)> = n
            .observations()
            .iter()
            .map(|o| (o.period, o.value))
            .collect();
        assert_eq!(
            got,
            [
                (month(2024, 1), 223.0),
                (month(2024, 2), 285.0),
                (month(2024, 3), 313.0),
                (month(2024, 4), 767.0),
            ]
        );
        for o in n.observations() {
            assert_eq!(o.tech.as_str(), "django");
            assert_eq!(o.source(), crate::wikimedia::ID);
            assert_eq!(o.metric, crate::wikimedia::PAGEVIEWS);
            assert_eq!(o.grain, Grain::Month);
        }
    }

    #[test]
    fn months_outside_the_asked_period_are_skipped() {
        let n = normalize(&pageviews((2024, 2), (2024, 4)), 200, MONTHLY.as_bytes());
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let got: Vec<Period> = n.observations().iter().map(|o| o.period).collect();
        assert_eq!(got, [month(2024, 2), month(2024, 3)]);
        // None of the answer's months asked: nothing to keep, not a zero.
        let n = normalize(&pageviews((2023, 1), (2024, 1)), 200, MONTHLY.as_bytes());
        assert_eq!(n.outcome(), Outcome::NoData);
        assert!(n.observations().is_empty());
    }

    #[test]
    fn no_data_404s_of_both_generations_are_no_data() {
        for body in [NOT_FOUND, NOT_FOUND_HYPERSWITCH] {
            let n = normalize(&pageviews((2015, 7), (2024, 1)), 404, body.as_bytes());
            assert_eq!(n.outcome(), Outcome::NoData, "{body}");
            assert!(n.observations().is_empty());
            let reason = n.error().expect("reason");
            assert!(
                reason.contains("we either do not have data for those date(s)"),
                "{reason}"
            );
        }
        let n = normalize(&pageviews((2015, 7), (2024, 1)), 404, NOT_FOUND.as_bytes());
        assert_eq!(
            n.error(),
            Some(
                "Not Found: The date(s) you used are valid, but we either do not have data for \
                 those date(s), or the project you asked for is not loaded yet. Please check \
                 documentation for more information"
            )
        );
        let n = normalize(
            &pageviews((2015, 7), (2024, 1)),
            404,
            NOT_FOUND_HYPERSWITCH.as_bytes(),
        );
        assert_eq!(
            n.error(),
            Some(
                "Not found: The date(s) you used are valid, but we either do not have data for \
                 those date(s), or the project you asked for is not loaded yet. Please check \
                 https://wikimedia.org/api/rest_v1/?doc for more information."
            )
        );
    }

    #[test]
    fn other_errors_are_http_errors_quoting_title_and_detail() {
        // A 404 for a route the API does not know is our bug, not "no views".
        let n = normalize(
            &pageviews((2024, 1), (2024, 2)),
            404,
            INVALID_ROUTE.as_bytes(),
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("wikimedia 404: Not Found: invalid route"));
        let n = normalize(
            &pageviews((2024, 1), (2024, 2)),
            400,
            BAD_REQUEST.as_bytes(),
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(
            n.error(),
            Some(
                "wikimedia 400: end timestamp is invalid, must be a valid date in YYYYMMDD format"
            )
        );
        // A no-data body with another status is still that status's failure.
        let n = normalize(&pageviews((2024, 1), (2024, 2)), 500, NOT_FOUND.as_bytes());
        assert_eq!(n.outcome(), Outcome::HttpError);
        // Not the API's format: the start of the body.
        let n = normalize(
            &pageviews((2024, 1), (2024, 2)),
            503,
            b"upstream connect error",
        );
        assert_eq!(n.error(), Some("wikimedia 503: upstream connect error"));
        let n = normalize(&pageviews((2024, 1), (2024, 2)), 404, b"<html>404</html>");
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert!(n.observations().is_empty());
    }

    #[test]
    fn bad_items_fail_the_whole_response() {
        let bad_ts = br#"{"items":[{"timestamp":"2024010100","views":3},{"timestamp":"2024-02","views":3}]}"#;
        let no_views =
            br#"{"items":[{"timestamp":"2024010100","views":3},{"timestamp":"2024020100"}]}"#;
        let negative = br#"{"items":[{"timestamp":"2024010100","views":-3}]}"#;
        let truncated = &MONTHLY.as_bytes()[..MONTHLY.len() / 2];
        for body in [
            &bad_ts[..],
            no_views,
            negative,
            truncated,
            b"{\"items\": \"x\"}",
            b"{\"views\": 3}",
            b"[]",
        ] {
            let n = normalize(&pageviews((2015, 7), (2026, 1)), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations().is_empty());
            let msg = n.error().expect("message");
            assert!(
                msg.starts_with("wikimedia/pageviews/Django_(web_framework)/"),
                "{msg}"
            );
        }
        let key = "wikimedia/pageviews/Django_(web_framework)/2015-07-01..2026-01-01";
        for (body, what) in [
            (
                &bad_ts[..],
                "`items[1].timestamp` `2024-02` is not YYYYMMDDHH",
            ),
            (no_views, "missing field `items[1].views`"),
            (negative, "`items[0].views` is negative (-3)"),
            (
                b"{\"items\": \"x\"}",
                "`items` is a string (\"x\"), not a list",
            ),
            (b"{\"views\": 3}", "missing field `items`"),
        ] {
            let n = normalize(&pageviews((2015, 7), (2026, 1)), 200, body);
            assert_eq!(n.error(), Some(format!("{key}: {what}").as_str()));
        }
        let n = normalize(&pageviews((2015, 7), (2026, 1)), 200, br#"{"items":[]}"#);
        assert_eq!(n.outcome(), Outcome::NoData);
        assert_eq!(n.error(), Some("no pageviews in the range"));
    }

    #[test]
    fn an_unknown_endpoint_is_named() {
        let mut s = pageviews((2024, 1), (2024, 2));
        s.endpoint = "unique-devices".into();
        let n = normalize(&s, 200, MONTHLY.as_bytes());
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert!(
            n.error()
                .expect("message")
                .contains("unknown endpoint `unique-devices`")
        );
    }
}
