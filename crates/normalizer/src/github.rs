//! GitHub REST.
//!
//! - `repo`: the repository object; `stargazers_count`, `forks_count`,
//!   `open_issues_count` and `subscribers_count` become snapshots on the day
//!   of the request.
//! - `search_topic` / `search_language`: `{"total_count": N,
//!   "incomplete_results": false, "items": [...]}`; an incomplete result
//!   (the search timed out) would undercount and is refused.
//! - Errors: `{"message": "...", "documentation_url": "..."}`.

use serde::Deserialize;
use trends_core::{Grain, Metric, Observation, RequestSpec};

use crate::{NormalizeError, Parsed, count, json, subject, unknown_endpoint};

#[derive(Deserialize)]
struct Repo {
    stargazers_count: Option<i64>,
    forks_count: Option<i64>,
    open_issues_count: Option<i64>,
    subscribers_count: Option<i64>,
}

#[derive(Deserialize)]
struct Search {
    total_count: Option<i64>,
    incomplete_results: Option<bool>,
}

#[derive(Deserialize)]
struct ApiError {
    message: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError> {
    let subject = subject(spec)?;
    let obs = |metric: Metric, grain: Grain, value: f64| Observation {
        tech: subject.tech.clone(),
        source: spec.source,
        metric,
        grain,
        period: spec.period,
        value,
    };
    match spec.endpoint.as_str() {
        "repo" => {
            let r: Repo = json(spec, body)?;
            let mut out = vec![
                obs(
                    Metric::Stars,
                    Grain::Snapshot,
                    count(spec, "stargazers_count", r.stargazers_count)?,
                ),
                obs(
                    Metric::Forks,
                    Grain::Snapshot,
                    count(spec, "forks_count", r.forks_count)?,
                ),
                obs(
                    Metric::OpenIssues,
                    Grain::Snapshot,
                    count(spec, "open_issues_count", r.open_issues_count)?,
                ),
            ];
            // Absent in some answers: then it is unknown, not 0.
            if r.subscribers_count.is_some() {
                out.push(obs(
                    Metric::Subscribers,
                    Grain::Snapshot,
                    count(spec, "subscribers_count", r.subscribers_count)?,
                ));
            }
            Ok(Parsed::Observations(out))
        }
        "search_topic" | "search_language" => {
            let s: Search = json(spec, body)?;
            if s.incomplete_results == Some(true) {
                return Err(NormalizeError::Shape {
                    key: spec.request_key(),
                    what: "github search timed out (incomplete_results is true); total_count would undercount"
                        .into(),
                });
            }
            let metric = if spec.endpoint == "search_topic" {
                Metric::TopicReposCreated
            } else {
                Metric::LanguageReposCreated
            };
            Ok(Parsed::Observations(vec![obs(
                metric,
                Grain::Year,
                count(spec, "total_count", s.total_count)?,
            )]))
        }
        _ => Err(unknown_endpoint(spec)),
    }
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(e.message)
}

#[cfg(test)]
mod tests {
    use trends_core::{Metric, Outcome, Period, SourceId};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn repo() -> trends_core::RequestSpec {
        spec(
            SourceId::GitHub,
            "repo",
            "django",
            "django/django",
            Period::snapshot(day(2024, 5, 1)),
        )
    }

    fn search(endpoint: &str) -> trends_core::RequestSpec {
        spec(
            SourceId::GitHub,
            endpoint,
            "django",
            "django",
            Period::year(2023),
        )
    }

    #[test]
    fn repository_counts_become_snapshots() {
        let body = fixture("github/repo.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let n = normalize(&repo(), 200, &body);
        assert_eq!(n.outcome, Outcome::Ok, "{:?}", n.error);
        let got: Vec<(Metric, f64)> = n.observations.iter().map(|o| (o.metric, o.value)).collect();
        let f = |k: &str| v[k].as_f64().expect("count in fixture");
        assert_eq!(
            got,
            [
                (Metric::Stars, f("stargazers_count")),
                (Metric::Forks, f("forks_count")),
                (Metric::OpenIssues, f("open_issues_count")),
                (Metric::Subscribers, f("subscribers_count")),
            ]
        );
        assert!(
            n.observations
                .iter()
                .all(|o| o.period == Period::snapshot(day(2024, 5, 1)))
        );
    }

    #[test]
    fn a_missing_subscribers_count_is_unknown_not_zero() {
        let mut v: serde_json::Value =
            serde_json::from_slice(&fixture("github/repo.json")).expect("fixture is JSON");
        v.as_object_mut()
            .expect("object")
            .remove("subscribers_count");
        let n = normalize(&repo(), 200, v.to_string().as_bytes());
        assert_eq!(n.observations.len(), 3);
        assert!(
            n.observations
                .iter()
                .all(|o| o.metric != Metric::Subscribers)
        );
        v.as_object_mut()
            .expect("object")
            .remove("stargazers_count");
        let n = normalize(&repo(), 200, v.to_string().as_bytes());
        assert_eq!(n.outcome, Outcome::ParseError);
        assert!(
            n.error
                .expect("message")
                .contains("missing field `stargazers_count`")
        );
    }

    #[test]
    fn search_total_count_is_the_years_new_repositories() {
        let body = fixture("github/search_repositories.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        for (endpoint, metric) in [
            ("search_topic", Metric::TopicReposCreated),
            ("search_language", Metric::LanguageReposCreated),
        ] {
            let n = normalize(&search(endpoint), 200, &body);
            assert_eq!(n.outcome, Outcome::Ok, "{:?}", n.error);
            assert_eq!(n.observations[0].metric, metric);
            assert_eq!(
                n.observations[0].value,
                v["total_count"].as_f64().expect("total_count")
            );
            assert_eq!(n.observations[0].period, Period::year(2023));
        }
    }

    #[test]
    fn incomplete_search_results_are_refused() {
        let mut v: serde_json::Value =
            serde_json::from_slice(&fixture("github/search_repositories.json"))
                .expect("fixture is JSON");
        v["incomplete_results"] = serde_json::Value::Bool(true);
        let n = normalize(&search("search_topic"), 200, v.to_string().as_bytes());
        assert_eq!(n.outcome, Outcome::ParseError);
        assert!(n.error.expect("message").contains("incomplete_results"));
    }

    #[test]
    fn api_errors_quote_the_message() {
        for (status, file, text) in [
            (404, "github/error_not_found.json", "github 404: Not Found"),
            (
                403,
                "github/error_rate_limit.json",
                "github 403: API rate limit exceeded",
            ),
            (
                422,
                "github/error_validation.json",
                "github 422: Validation Failed",
            ),
        ] {
            let n = normalize(&repo(), status, &fixture(file));
            assert_eq!(n.outcome, Outcome::HttpError);
            let msg = n.error.expect("message");
            assert!(msg.starts_with(text), "{msg}");
        }
    }

    #[test]
    fn malformed_bodies_are_parse_errors() {
        for body in [
            &b"{\"stargazers_count\": 1"[..],
            b"[]",
            b"{\"stargazers_count\": \"lots\"}",
        ] {
            let n = normalize(&repo(), 200, body);
            assert_eq!(n.outcome, Outcome::ParseError);
            assert!(n.observations.is_empty());
        }
        let n = normalize(
            &search("search_topic"),
            200,
            b"{\"total_count\": null, \"items\": []}",
        );
        assert_eq!(n.outcome, Outcome::ParseError);
    }
}
