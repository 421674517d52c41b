//! Stack Exchange API 2.3.
//!
//! - `questions` with the filter `!.UE8F0bVg4M-_Ii4`: `{"quota_remaining":
//!   Q, "total": N}` (a `backoff` before them when the API asks for one,
//!   which the fetcher reads, as it reads the quota); `total` is the
//!   questions asked with the tag in the request's period.
//! - Errors: `{"error_id": 502, "error_name": "throttle_violation",
//!   "error_message": "..."}` with a 4xx/5xx status (the throttle comes
//!   with HTTP 400, its `error_id` is 502).
//! - `tags_info` (`/tags/{t1;t2;..}/info`): the common wrapper (`items`,
//!   `has_more`, `quota_max`, `quota_remaining`, sometimes `backoff`, which
//!   the fetcher reads) with one item per known tag, `{"has_synonyms",
//!   "is_moderator_only", "is_required", "count", "name"}`; each asked tag's
//!   `count` becomes a snapshot. A tag the site does not know is absent:
//!   no observation.

use super::Endpoint;
use serde::Deserialize;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, object, required, shape, subject, unknown_endpoint,
};

#[derive(Deserialize)]
struct ApiError {
    error_id: i64,
    error_name: String,
    error_message: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    match Endpoint::of(spec) {
        Some(Endpoint::Questions) => {
            let subject = subject(spec)?;
            let answer = object(spec, body)?;
            Ok(Parsed::Observations(vec![Observation {
                tech: subject.tech.clone(),
                metric: crate::stackexchange::QUESTIONS,
                grain: Grain::Year,
                period: spec.period,
                value: required(spec, "total", answer.get("total"))?,
                exactness: trends_core::Exactness::Exact,
            }]))
        }
        Some(Endpoint::TagsInfo) => tags_info(spec, body),
        _ => Err(unknown_endpoint(spec)),
    }
}

fn tags_info(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let answer = object(spec, body)?;
    let Some(serde_json::Value::Array(items)) = answer.get("items") else {
        return Err(shape(spec, "missing list `items`"));
    };
    let mut out = Vec::new();
    for item in items {
        let name = item
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or_else(|| shape(spec, "an item of `items` has no `name`"))?;
        let Some(subject) = spec.subjects.iter().find(|s| s.key == name) else {
            continue;
        };
        out.push(Observation {
            tech: subject.tech.clone(),
            metric: crate::stackexchange::TAG_TOTAL,
            grain: Grain::Snapshot,
            period: spec.period,
            value: required(spec, "count", item.get("count"))?,
            exactness: trends_core::Exactness::Exact,
        });
    }
    if out.is_empty() {
        return Ok(Parsed::NoData("none of the asked tags exists".into()));
    }
    Ok(Parsed::Observations(out))
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(format!(
        "error {} {}: {}",
        e.error_id, e.error_name, e.error_message
    ))
}

#[cfg(test)]
mod tests {
    use trends_core::{Grain, Outcome, Period, RequestSpec};

    use crate::normalize;
    use crate::testing::{day, spec};

    const TOTAL: &str =
        include_str!("../../../../tests/fixtures/stackexchange/questions_total.json");
    const THROTTLE: &str =
        include_str!("../../../../tests/fixtures/stackexchange/error_throttle.json");
    const BAD_PARAMETER: &str =
        include_str!("../../../../tests/fixtures/stackexchange/error_bad_parameter.json");
    const WRAPPER: &str =
        include_str!("../../../../tests/fixtures/stackexchange/answers_backoff.json");

    fn questions(period: Period) -> RequestSpec {
        spec(
            crate::stackexchange::ID,
            "questions",
            "python",
            "python",
            period,
        )
    }

    #[test]
    fn tag_counts_of_a_batch_become_snapshots() {
        let body = include_str!("../../../../tests/fixtures/stackexchange/tags_info.json");
        let mut s = spec(
            crate::stackexchange::ID,
            "tags_info",
            "containers",
            "docker",
            Period::snapshot(day(2024, 7, 1)),
        );
        s.subjects.push(trends_core::Subject {
            tech: trends_core::TechId("nope".into()),
            key: "no-such-tag".into(),
        });
        let n = normalize(&s, 200, body.as_bytes());
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        // Only the tag the site knows; the other has no row, not a 0.
        assert_eq!(n.observations().len(), 1);
        assert_eq!(n.observations()[0].metric, crate::stackexchange::TAG_TOTAL);
        assert_eq!(n.observations()[0].value, 13_158.0);
        for bad in [
            r#"{"items": {}}"#,
            r#"{"items": [{"name": "docker", "count": "13158"}]}"#,
            r#"{"items": [{"count": 1}]}"#,
            r#"{"total": 5}"#,
        ] {
            assert_eq!(
                normalize(&s, 200, bad.as_bytes()).outcome(),
                Outcome::ParseError,
                "{bad}"
            );
        }
    }

    #[test]
    fn total_becomes_the_periods_questions() {
        let n = normalize(&questions(Period::year(2023)), 200, TOTAL.as_bytes());
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.error(), None);
        assert_eq!(n.observations().len(), 1);
        let o = &n.observations()[0];
        assert_eq!(o.tech.as_str(), "python");
        assert_eq!(o.source(), crate::stackexchange::ID);
        assert_eq!(o.metric, crate::stackexchange::QUESTIONS);
        assert_eq!(o.grain, Grain::Year);
        assert_eq!(o.period, Period::year(2023));
        assert_eq!(o.value, 2_205_917.0);
        // The current year is asked up to today: the period is kept as given.
        let so_far = Period {
            start: day(2024, 1, 1),
            end: day(2024, 5, 1),
        };
        let n = normalize(&questions(so_far), 200, TOTAL.as_bytes());
        assert_eq!(n.observations()[0].period, so_far);
    }

    #[test]
    fn the_answer_that_spends_the_quota_or_asks_for_a_backoff_still_counts() {
        for fixture in [
            include_str!("../../../../tests/fixtures/stackexchange/questions_backoff.json"),
            include_str!("../../../../tests/fixtures/stackexchange/questions_quota_spent.json"),
            // The built-in `total` filter's answer, as asked before.
            r#"{"total":2205917}"#,
        ] {
            let n = normalize(&questions(Period::year(2023)), 200, fixture.as_bytes());
            assert_eq!(n.outcome(), Outcome::Ok, "{fixture}: {:?}", n.error());
            assert_eq!(n.observations()[0].value, 2_205_917.0, "{fixture}");
        }
    }

    #[test]
    fn api_errors_quote_the_apis_own_fields() {
        let y = questions(Period::year(2023));
        let n = normalize(&y, 400, THROTTLE.as_bytes());
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert!(n.observations().is_empty());
        assert_eq!(
            n.error(),
            Some(
                "stackexchange 400: error 502 throttle_violation: too many requests from this IP, \
                 more requests available in 84268 seconds"
            )
        );
        let n = normalize(&y, 400, BAD_PARAMETER.as_bytes());
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(
            n.error(),
            Some("stackexchange 400: error 400 bad_parameter: site is required")
        );
    }

    #[test]
    fn a_page_that_is_not_the_api_error_format_is_quoted_by_its_start() {
        let y = questions(Period::year(2023));
        let n = normalize(&y, 503, b"<html><body>Service Unavailable</body></html>");
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(
            n.error(),
            Some("stackexchange 503: <html><body>Service Unavailable</body></html>")
        );
        let long = "x".repeat(500);
        let n = normalize(&y, 502, long.as_bytes());
        let msg = n.error().expect("message");
        assert_eq!(msg, format!("stackexchange 502: {}…", "x".repeat(200)));
        let n = normalize(&y, 500, b"");
        assert_eq!(n.error(), Some("stackexchange 500: (empty body)"));
    }

    #[test]
    fn malformed_and_wrong_shapes_are_parse_errors_not_zeros() {
        let truncated = &TOTAL.as_bytes()[..TOTAL.len() - 3];
        for body in [
            truncated,
            b"{\"total\": \"many\"}",
            b"{\"total\": -3}",
            b"{\"total\": null}",
            b"{\"total\": 1.5}",
            b"[]",
            b"<html>",
            b"",
            // A wrapper answer (the filter was not applied): no total in it.
            WRAPPER.as_bytes(),
        ] {
            let n = normalize(&questions(Period::year(2023)), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations().is_empty());
            let msg = n.error().expect("message");
            assert!(
                msg.starts_with("stackexchange/questions/python/2023-01-01..2024-01-01: "),
                "{msg}"
            );
        }
        // The message names the field and what was wrong with it.
        let key = "stackexchange/questions/python/2023-01-01..2024-01-01";
        for (body, what) in [
            (WRAPPER.as_bytes(), "missing field `total`"),
            (
                b"{\"total\": \"many\"}",
                "`total` is a string (\"many\"), not a count",
            ),
            (b"{\"total\": -3}", "`total` is negative (-3)"),
            (b"{\"total\": 1.5}", "`total` is not a whole number (1.5)"),
            (b"[]", "expected a JSON object, got a list"),
        ] {
            let n = normalize(&questions(Period::year(2023)), 200, body);
            assert_eq!(n.error(), Some(format!("{key}: {what}").as_str()));
        }
        let n = normalize(&questions(Period::year(2023)), 200, truncated);
        let msg = n.error().expect("message");
        assert!(
            msg.starts_with(&format!("{key}: body is not the JSON the API sends: EOF")),
            "{msg}"
        );
    }

    #[test]
    fn an_unknown_endpoint_is_named() {
        let mut s = questions(Period::year(2023));
        s.endpoint = "tags".into();
        let n = normalize(&s, 200, TOTAL.as_bytes());
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert_eq!(
            n.error(),
            Some(
                "stackexchange/tags/python/2023-01-01..2024-01-01: unknown endpoint `tags` for \
                 stackexchange"
            )
        );
    }
}
