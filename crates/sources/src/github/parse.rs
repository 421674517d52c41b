//! GitHub REST.
//!
//! - `repo`: the repository object; `stargazers_count`, `forks_count`,
//!   `open_issues_count` and `subscribers_count` become snapshots on the day
//!   of the request.
//! - `search_topic` / `search_language`: `{"total_count": N,
//!   "incomplete_results": false, "items": [...]}`; an incomplete result
//!   (the search timed out) would undercount and is refused.
//! - `graphql_repos` (GraphQL, with a token): `{"data": {"r0": {"nameWithOwner",
//!   "stargazerCount", "forkCount", "watchers": {"totalCount"}, "issues":
//!   {"totalCount"}, "pullRequests": {"totalCount"}}, ..., "rateLimit": {...}}}`,
//!   aliases `rN` in the order of the request's subjects. A repository that
//!   does not resolve is `null` with an `errors` item of `"type": "NOT_FOUND"`
//!   (no observations for it; the others land). Open issues are issues plus
//!   pull requests, as REST counts them.
//! - Errors: `{"message": "...", "documentation_url": "..."}` (422 adds
//!   `errors`, recent answers add `"status": "404"` as a string); GraphQL
//!   errors come as `{"errors": [{"type", "message", ...}]}`, often with 200.

use super::Endpoint;
use serde::Deserialize;
use serde_json::Value;
use trends_core::{Grain, Metric, Observation, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, kind, object, required, shape, subject, unknown_endpoint, whole,
};

fn graphql_repos(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let answer = object(spec, body)?;
    let errors = super::search::graphql_errors(&answer);
    let data = match answer.get("data") {
        Some(Value::Object(data)) => data,
        _ if !errors.is_empty() => {
            return Err(shape(
                spec,
                format!("GraphQL answered errors only: {}", errors.join("; ")),
            ));
        }
        _ => return Err(shape(spec, "missing object `data`")),
    };
    let mut out = Vec::new();
    for (i, subject) in spec.subjects.iter().enumerate() {
        let alias = format!("r{i}");
        let repo = match data.get(&alias) {
            Some(Value::Object(repo)) => repo,
            // NOT_FOUND: this repository has no numbers; the others do.
            Some(Value::Null) => continue,
            Some(other) => return Err(shape(spec, format!("`data.{alias}` is {}", kind(other)))),
            None => {
                return Err(shape(
                    spec,
                    format!("missing `data.{alias}` for `{}`", subject.key),
                ));
            }
        };
        match repo.get("nameWithOwner").and_then(Value::as_str) {
            Some(name) if name.eq_ignore_ascii_case(&subject.key) => {}
            // A renamed repository answers under its new name: still it.
            Some(_) => {}
            None => return Err(shape(spec, format!("missing `data.{alias}.nameWithOwner`"))),
        }
        let total = |field: &str| {
            let path = format!("data.{alias}.{field}.totalCount");
            match repo.get(field) {
                Some(Value::Object(c)) => required(spec, &path, c.get("totalCount")),
                _ => Err(shape(spec, format!("missing `{path}`"))),
            }
        };
        let stars = required(
            spec,
            &format!("data.{alias}.stargazerCount"),
            repo.get("stargazerCount"),
        )?;
        let forks = required(
            spec,
            &format!("data.{alias}.forkCount"),
            repo.get("forkCount"),
        )?;
        let open = total("issues")? + total("pullRequests")?;
        let watchers = total("watchers")?;
        for (metric, value) in [
            (crate::github::STARS, stars),
            (crate::github::FORKS, forks),
            (crate::github::OPEN_ISSUES, open),
            (crate::github::SUBSCRIBERS, watchers),
        ] {
            out.push(Observation {
                tech: subject.tech.clone(),
                metric,
                grain: Grain::Snapshot,
                period: spec.period,
                value,
                exactness: trends_core::Exactness::Exact,
            });
        }
    }
    if out.is_empty() {
        return Ok(Parsed::NoData(if errors.is_empty() {
            "no repository in the answer".into()
        } else {
            errors.join("; ")
        }));
    }
    Ok(Parsed::Observations(out))
}

#[derive(Deserialize)]
struct ApiError {
    message: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    match Endpoint::of(spec) {
        Some(Endpoint::GraphqlRepos) => return graphql_repos(spec, body),
        Some(Endpoint::GraphqlSearchTopic | Endpoint::GraphqlSearchLanguage) => {
            return super::search::parse(spec, body);
        }
        _ => {}
    }
    let metric_of_search = match Endpoint::of(spec) {
        Some(Endpoint::Repo) => None,
        Some(Endpoint::SearchTopic) => Some(crate::github::TOPIC_REPOS_CREATED),
        Some(Endpoint::SearchLanguage) => Some(crate::github::LANGUAGE_REPOS_CREATED),
        _ => return Err(unknown_endpoint(spec)),
    };
    let subject = subject(spec)?;
    let obs = |metric: Metric, grain: Grain, value: f64| Observation {
        tech: subject.tech.clone(),
        metric,
        grain,
        period: spec.period,
        value,
        exactness: trends_core::Exactness::Exact,
    };
    let answer = object(spec, body)?;
    let count = |field: &str| required(spec, field, answer.get(field));
    match metric_of_search {
        None => {
            let mut out = vec![
                obs(
                    crate::github::STARS,
                    Grain::Snapshot,
                    count("stargazers_count")?,
                ),
                obs(crate::github::FORKS, Grain::Snapshot, count("forks_count")?),
                obs(
                    crate::github::OPEN_ISSUES,
                    Grain::Snapshot,
                    count("open_issues_count")?,
                ),
            ];
            // Absent in some answers: then it is unknown, not 0.
            let field = "subscribers_count";
            if let Some(n) = whole(spec, field, answer.get(field))? {
                out.push(obs(crate::github::SUBSCRIBERS, Grain::Snapshot, n));
            }
            Ok(Parsed::Observations(out))
        }
        Some(metric) => {
            match answer.get("incomplete_results") {
                None | Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => {
                    return Err(shape(
                        spec,
                        "github search timed out (incomplete_results is true); \
                         total_count would undercount",
                    ));
                }
                Some(other) => {
                    return Err(shape(
                        spec,
                        format!("`incomplete_results` is {}, not a boolean", kind(other)),
                    ));
                }
            }
            Ok(Parsed::Observations(vec![obs(
                metric,
                Grain::Year,
                count("total_count")?,
            )]))
        }
    }
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(e.message)
}

#[cfg(test)]
mod tests {
    use trends_core::{Grain, Metric, Outcome, Period, RequestSpec};

    use crate::normalize;
    use crate::testing::{day, spec};

    const REPO: &str = include_str!("../../../../tests/fixtures/github/repo.json");
    const SEARCH: &str = include_str!("../../../../tests/fixtures/github/search_repositories.json");
    const NOT_FOUND: &str = include_str!("../../../../tests/fixtures/github/error_not_found.json");
    const RATE_LIMIT: &str =
        include_str!("../../../../tests/fixtures/github/error_rate_limit.json");
    const VALIDATION: &str =
        include_str!("../../../../tests/fixtures/github/error_validation.json");

    fn graphql(repos: &[&str]) -> RequestSpec {
        RequestSpec {
            source: crate::github::ID,
            endpoint: "graphql_repos".into(),
            subjects: repos
                .iter()
                .map(|r| trends_core::Subject {
                    tech: trends_core::TechId(r.split('/').nth(1).unwrap_or(r).into()),
                    key: (*r).into(),
                })
                .collect(),
            period: Period::snapshot(day(2024, 1, 2)),
        }
    }

    /// The answer to the query `trends` sends, for django/django and a
    /// repository that does not exist (its error as GitHub words it).
    const GRAPHQL: &str = r#"{"data":{"r0":{"nameWithOwner":"django/django","stargazerCount":80000,"forkCount":31000,"watchers":{"totalCount":2200},"issues":{"totalCount":0},"pullRequests":{"totalCount":310}},"r1":null,"rateLimit":{"cost":1,"remaining":4999,"resetAt":"2024-01-02T13:00:00Z"}},"errors":[{"type":"NOT_FOUND","path":["r1"],"locations":[{"line":1,"column":250}],"message":"Could not resolve to a Repository with the name 'acme/gone'."}]}"#;

    #[test]
    fn graphql_counts_become_the_rest_snapshots() {
        let n = normalize(
            &graphql(&["django/django", "acme/gone"]),
            200,
            GRAPHQL.as_bytes(),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let got: Vec<(String, Metric, f64)> = n
            .observations()
            .iter()
            .map(|o| (o.tech.to_string(), o.metric, o.value))
            .collect();
        assert_eq!(
            got,
            [
                ("django".to_owned(), crate::github::STARS, 80_000.0),
                ("django".to_owned(), crate::github::FORKS, 31_000.0),
                // issues + pull requests, as REST's open_issues_count
                ("django".to_owned(), crate::github::OPEN_ISSUES, 310.0),
                ("django".to_owned(), crate::github::SUBSCRIBERS, 2_200.0),
            ]
        );
        // Only missing repositories: no data, with GitHub's reason. (The
        // recorded answer named its field `repository`; ours are aliased.)
        let recorded = include_str!("../../../../tests/fixtures/github/graphql_not_found.json");
        let spec = graphql(&["github/non-existing-repository"]);
        let n = normalize(
            &spec,
            200,
            recorded.replace("\"repository\"", "\"r0\"").as_bytes(),
        );
        assert_eq!(n.outcome(), Outcome::NoData, "{:?}", n.error());
        assert!(
            n.error()
                .unwrap_or_default()
                .contains("NOT_FOUND: Could not resolve")
        );
        // Unaliased, the answer does not say what became of `r0`.
        assert_eq!(
            normalize(&spec, 200, recorded.as_bytes()).outcome(),
            Outcome::ParseError
        );
    }

    #[test]
    fn graphql_errors_and_bad_shapes_are_refused() {
        let spec = graphql(&["django/django"]);
        for body in [
            r#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#,
            r#"{"data":{"r0":{"nameWithOwner":"django/django","stargazerCount":"80000","forkCount":1,"watchers":{"totalCount":1},"issues":{"totalCount":1},"pullRequests":{"totalCount":1}}}}"#,
            r#"{"data":{"r0":{"nameWithOwner":"django/django","stargazerCount":1,"forkCount":1,"issues":{"totalCount":1},"pullRequests":{"totalCount":1}}}}"#,
            r#"{"data":{}}"#,
            r#"{"data":{"r0":[]}}"#,
        ] {
            let n = normalize(&spec, 200, body.as_bytes());
            assert_eq!(n.outcome(), Outcome::ParseError, "{body}");
        }
        let n = normalize(&spec, 200, br#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#);
        assert!(
            n.error()
                .unwrap_or_default()
                .contains("RATE_LIMITED: API rate limit exceeded")
        );
    }

    fn repo() -> RequestSpec {
        spec(
            crate::github::ID,
            "repo",
            "django",
            "django/django",
            Period::snapshot(day(2024, 5, 1)),
        )
    }

    fn search(endpoint: &str) -> RequestSpec {
        spec(
            crate::github::ID,
            endpoint,
            "django",
            "django",
            Period::year(2023),
        )
    }

    /// The fixture with `edit` applied to its JSON.
    fn edited(body: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_str(body).expect("fixture is JSON");
        edit(&mut v);
        v.to_string().into_bytes()
    }

    #[test]
    fn repository_counts_become_snapshots() {
        let n = normalize(&repo(), 200, REPO.as_bytes());
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.error(), None);
        let got: Vec<(Metric, f64)> = n
            .observations()
            .iter()
            .map(|o| (o.metric, o.value))
            .collect();
        assert_eq!(
            got,
            [
                (crate::github::STARS, 81_234.0),
                (crate::github::FORKS, 33_012.0),
                (crate::github::OPEN_ISSUES, 187.0),
                (crate::github::SUBSCRIBERS, 2_271.0),
            ]
        );
        for o in n.observations() {
            assert_eq!(o.tech.as_str(), "django");
            assert_eq!(o.source(), crate::github::ID);
            assert_eq!(o.grain, Grain::Snapshot);
            assert_eq!(o.period, Period::snapshot(day(2024, 5, 1)));
        }
    }

    #[test]
    fn a_missing_subscribers_count_is_unknown_not_zero() {
        let body = edited(REPO, |v| {
            v.as_object_mut()
                .expect("object")
                .remove("subscribers_count");
        });
        let n = normalize(&repo(), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok);
        let got: Vec<Metric> = n.observations().iter().map(|o| o.metric).collect();
        assert_eq!(
            got,
            [
                crate::github::STARS,
                crate::github::FORKS,
                crate::github::OPEN_ISSUES
            ]
        );
    }

    #[test]
    fn a_missing_or_bad_required_count_fails_the_whole_answer() {
        for (field, value) in [
            ("stargazers_count", None),
            ("forks_count", None),
            ("open_issues_count", None),
            ("stargazers_count", Some(serde_json::json!(-1))),
            ("stargazers_count", Some(serde_json::json!("lots"))),
            ("subscribers_count", Some(serde_json::json!(-2))),
        ] {
            let body = edited(REPO, |v| {
                let o = v.as_object_mut().expect("object");
                match &value {
                    Some(x) => o.insert(field.into(), x.clone()),
                    None => o.remove(field),
                };
            });
            let n = normalize(&repo(), 200, &body);
            assert_eq!(n.outcome(), Outcome::ParseError, "{field} {value:?}");
            assert!(n.observations().is_empty());
            let msg = n.error().expect("message");
            assert!(
                msg.starts_with("github/repo/django/django/2024-05-01..2024-05-01: "),
                "{msg}"
            );
            assert!(msg.contains(field), "{msg}");
        }
        let body = edited(REPO, |v| {
            v.as_object_mut()
                .expect("object")
                .remove("stargazers_count");
        });
        assert_eq!(
            normalize(&repo(), 200, &body).error(),
            Some(
                "github/repo/django/django/2024-05-01..2024-05-01: missing field `stargazers_count`"
            )
        );
        let body = edited(REPO, |v| v["forks_count"] = serde_json::json!("lots"));
        assert_eq!(
            normalize(&repo(), 200, &body).error(),
            Some(
                "github/repo/django/django/2024-05-01..2024-05-01: `forks_count` is a string \
                 (\"lots\"), not a count"
            )
        );
    }

    #[test]
    fn search_total_count_is_the_years_new_repositories() {
        for (endpoint, metric) in [
            ("search_topic", crate::github::TOPIC_REPOS_CREATED),
            ("search_language", crate::github::LANGUAGE_REPOS_CREATED),
        ] {
            let n = normalize(&search(endpoint), 200, SEARCH.as_bytes());
            assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
            assert_eq!(n.observations().len(), 1);
            let o = &n.observations()[0];
            assert_eq!(o.metric, metric);
            assert_eq!(o.value, 775_871.0);
            assert_eq!(o.grain, Grain::Year);
            assert_eq!(o.period, Period::year(2023));
            assert_eq!(o.tech.as_str(), "django");
        }
        // No repository matched: a real 0, said by the API.
        let body = edited(SEARCH, |v| {
            v["total_count"] = serde_json::json!(0);
            v["items"] = serde_json::json!([]);
        });
        let n = normalize(&search("search_topic"), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok);
        assert_eq!(n.observations()[0].value, 0.0);
    }

    #[test]
    fn incomplete_search_results_are_refused() {
        let body = edited(SEARCH, |v| {
            v["incomplete_results"] = serde_json::json!(true)
        });
        let n = normalize(&search("search_topic"), 200, &body);
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert!(n.observations().is_empty());
        assert_eq!(
            n.error(),
            Some(
                "github/search_topic/django/2023-01-01..2024-01-01: github search timed out \
                 (incomplete_results is true); total_count would undercount"
            )
        );
    }

    #[test]
    fn api_errors_quote_the_message() {
        for (status, body, text) in [
            (404, NOT_FOUND, "github 404: Not Found"),
            (
                403,
                RATE_LIMIT,
                "github 403: API rate limit exceeded for 98.38.149.214. (But here's the good news: \
                 Authenticated requests get a higher rate limit. Check out the documentation for \
                 more details.)",
            ),
            (422, VALIDATION, "github 422: Validation Failed"),
        ] {
            let n = normalize(&repo(), status, body.as_bytes());
            assert_eq!(n.outcome(), Outcome::HttpError);
            assert!(n.observations().is_empty());
            assert_eq!(n.error(), Some(text));
        }
        // GitHub's HTML pages (abuse detection, unicorn) are quoted by their start.
        let n = normalize(
            &repo(),
            403,
            b"<html><title>Rate limit &middot; GitHub</title></html>",
        );
        assert_eq!(
            n.error(),
            Some("github 403: <html><title>Rate limit &middot; GitHub</title></html>")
        );
    }

    #[test]
    fn malformed_bodies_are_parse_errors() {
        let truncated = &REPO.as_bytes()[..REPO.len() / 2];
        for body in [truncated, b"[]", b"", b"{\"stargazers_count\": \"lots\"}"] {
            let n = normalize(&repo(), 200, body);
            assert_eq!(n.outcome(), Outcome::ParseError);
            assert!(n.observations().is_empty());
        }
        for body in [
            &b"{\"total_count\": null, \"items\": []}"[..],
            b"{\"items\": \"x\"}",
            b"{\"total_count\": \"many\"}",
            b"{\"total_count\": 3, \"incomplete_results\": \"no\"}",
            &SEARCH.as_bytes()[..40],
        ] {
            let n = normalize(&search("search_language"), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations().is_empty());
        }
    }

    #[test]
    fn an_unknown_endpoint_is_named() {
        let n = normalize(&search("search_code"), 200, SEARCH.as_bytes());
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert!(
            n.error()
                .expect("message")
                .contains("unknown endpoint `search_code` for github")
        );
    }
}
