//! Docker Hub `repository`: `{"user", "name", "namespace",
//! "repository_type", "status", "status_description", "description",
//! "is_private", "is_automated", "star_count", "pull_count", ...}`;
//! `pull_count` becomes a snapshot on the day of the request. Errors carry
//! a `message` (e.g. `object not found`).

use super::Endpoint;
use serde::Deserialize;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::{NormalizeError, Parsed, count, json, subject, unknown_endpoint};

#[derive(Deserialize)]
struct Repository {
    namespace: String,
    name: String,
    pull_count: Option<i64>,
}

/// Errors carry `message`; older answers used `detail`.
#[derive(Deserialize)]
struct ApiError {
    message: Option<String>,
    detail: Option<String>,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Repository) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let r: Repository = json(spec, body)?;
    let asked = subject.key.to_lowercase();
    if format!("{}/{}", r.namespace, r.name).to_lowercase() != asked {
        return Err(NormalizeError::Shape {
            key: spec.request_key(),
            what: format!(
                "the answer is about `{}/{}`, not `{asked}`",
                r.namespace, r.name
            ),
        });
    }
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::dockerhub::PULLS,
        grain: Grain::Snapshot,
        period: spec.period,
        value: count(spec, "pull_count", r.pull_count)?,
        exactness: trends_core::Exactness::Exact,
    }]))
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    e.message.or(e.detail)
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn repository(key: &str) -> trends_core::RequestSpec {
        spec(
            crate::dockerhub::ID,
            "repository",
            "x",
            key,
            Period::snapshot(day(2024, 7, 1)),
        )
    }

    #[test]
    fn pull_count_becomes_a_snapshot() {
        let body = fixture("dockerhub/repository.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let n = normalize(&repository("ebusinessdocker/disney"), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations()[0].metric, crate::dockerhub::PULLS);
        assert_eq!(
            n.observations()[0].value,
            v["pull_count"].as_f64().expect("pull_count")
        );
        assert_eq!(
            n.observations()[0].period,
            Period::snapshot(day(2024, 7, 1))
        );
    }

    #[test]
    fn another_repository_or_a_bad_body_is_refused() {
        let body = fixture("dockerhub/repository.json");
        assert_eq!(
            normalize(&repository("library/python"), 200, &body).outcome(),
            Outcome::ParseError
        );
        for bad in [
            &b"{\"namespace\":\"a\",\"name\":\"b\"}"[..],
            b"{\"namespace\":\"a\",\"name\":\"b\",\"pull_count\":\"9\"}",
            b"[",
            b"{}",
        ] {
            assert_eq!(
                normalize(&repository("a/b"), 200, bad).outcome(),
                Outcome::ParseError
            );
        }
        let n = normalize(
            &repository("a/b"),
            404,
            &fixture("dockerhub/error_not_found.json"),
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("dockerhub 404: object not found"));
        let n = normalize(&repository("a/b"), 404, br#"{"detail":"Object not found"}"#);
        assert_eq!(n.error(), Some("dockerhub 404: Object not found"));
    }
}
