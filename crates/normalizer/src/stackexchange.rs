//! Stack Exchange API 2.3.
//!
//! - `questions` with `filter=total`: `{"total": N}`, questions asked with
//!   the tag in the request's period.
//! - Errors: `{"error_id": 502, "error_name": "throttle_violation",
//!   "error_message": "..."}` with a 4xx/5xx status.

use serde::Deserialize;
use trends_core::{Grain, Metric, Observation, RequestSpec};

use crate::{NormalizeError, Parsed, count, json, subject, unknown_endpoint};

#[derive(Deserialize)]
struct Total {
    total: Option<i64>,
}

#[derive(Deserialize)]
struct ApiError {
    error_id: i64,
    error_name: String,
    error_message: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError> {
    match spec.endpoint.as_str() {
        "questions" => {
            let subject = subject(spec)?;
            let t: Total = json(spec, body)?;
            Ok(Parsed::Observations(vec![Observation {
                tech: subject.tech.clone(),
                source: spec.source,
                metric: Metric::Questions,
                grain: Grain::Year,
                period: spec.period,
                value: count(spec, "total", t.total)?,
            }]))
        }
        _ => Err(unknown_endpoint(spec)),
    }
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
    use trends_core::{Outcome, Period, SourceId};

    use crate::normalize;
    use crate::testing::{fixture, spec};

    fn questions() -> trends_core::RequestSpec {
        spec(
            SourceId::StackExchange,
            "questions",
            "python",
            "python",
            Period::year(2023),
        )
    }

    #[test]
    fn total_becomes_the_years_questions() {
        let body = fixture("stackexchange/questions_total.json");
        let expected: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let n = normalize(&questions(), 200, &body);
        assert_eq!(n.outcome, Outcome::Ok, "{:?}", n.error);
        assert_eq!(n.observations.len(), 1);
        let o = &n.observations[0];
        assert_eq!(o.value, expected["total"].as_f64().expect("total"));
        assert_eq!(o.period, Period::year(2023));
        assert_eq!(o.tech.as_str(), "python");
        assert_eq!(o.grain, trends_core::Grain::Year);
    }

    #[test]
    fn api_errors_quote_the_apis_own_fields() {
        let n = normalize(
            &questions(),
            400,
            &fixture("stackexchange/error_throttle.json"),
        );
        assert_eq!(n.outcome, Outcome::HttpError);
        let msg = n.error.expect("message");
        assert!(
            msg.starts_with("stackexchange 400: error 502 throttle_violation: "),
            "{msg}"
        );
        assert!(n.observations.is_empty());
        let n = normalize(
            &questions(),
            400,
            &fixture("stackexchange/error_bad_parameter.json"),
        );
        assert!(n.error.expect("message").contains("bad_parameter"));
    }

    #[test]
    fn malformed_and_wrong_shapes_are_parse_errors_not_zeros() {
        for body in [
            &b"{\"total\": 12"[..],
            b"{\"total\": \"many\"}",
            b"{\"items\": []}",
            b"{\"total\": -3}",
            b"<html>",
        ] {
            let n = normalize(&questions(), 200, body);
            assert_eq!(
                n.outcome,
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations.is_empty());
            let msg = n.error.expect("message");
            assert!(
                msg.contains("stackexchange/questions/python/2023-01-01..2024-01-01"),
                "{msg}"
            );
        }
    }

    #[test]
    fn a_gateway_page_is_described_by_its_start() {
        let n = normalize(
            &questions(),
            503,
            b"<html><body>Service Unavailable</body></html>",
        );
        assert_eq!(n.outcome, Outcome::HttpError);
        assert_eq!(
            n.error.as_deref(),
            Some("stackexchange 503: <html><body>Service Unavailable</body></html>")
        );
    }
}
