//! GitHub search with a token: repositories created per year by topic and
//! by language, as aliased GraphQL `search` fields, every year of one
//! topic or language in one `POST /graphql` (about 396 REST searches become
//! about 33 queries for the default catalog).
//!
//! Each alias `yYYYY` asks
//! `search(type: REPOSITORY, query: "topic:T created:A..B is:public", first: 1) { repositoryCount }`
//! with the same `created:` range REST asks for that year, so both paths
//! store the same numbers. `is:public` keeps a token's own private
//! repositories out (REST search without a token sees public ones only).
//! `first: 1` because GitHub's GraphQL resource limits require `first`
//! between 1 and 100 on a connection; no node is asked for, only the count.
//!
//! The request's period runs from the first year's start to the end of the
//! last (partial) year, and the answer is split back into the same year
//! periods the REST planner uses ([`year_periods`]). The query also asks
//! `rateLimit { cost remaining resetAt }`, which the source paces on.
//!
//! The answer: `{"data": {"y2015": {"repositoryCount": N}, ..., "rateLimit":
//! {...}}}` (GraphQL answers an alias under its name; the shape of a
//! `search { repositoryCount }` answer is GitHub's recorded one, see
//! tests/fixtures/github/SOURCES.md). Errors come as `{"errors": [...]}`,
//! often with status 200.

use chrono::{DateTime, Datelike, Utc};
use serde_json::Value;
use trends_contract::planning::{last_day, subject, year_periods};
use trends_contract::{Answer, PlanWindow, Planned};
use trends_core::{Catalog, Exactness, Grain, Observation, Period, RequestSpec, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, kind, object, required, shape};
use url::Url;

use super::Endpoint;
use super::plan::{graphql_query, graphql_string, quote};

/// One query per topic and per language of the catalog, each with an alias
/// per year since `first_year`.
pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let periods = year_periods(window);
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Vec::new();
    };
    let span = Period {
        start: first.1.start,
        end: last.1.end,
    };
    let searches = [
        (
            SourceKey::GitHubTopic,
            Endpoint::GraphqlSearchTopic,
            "topic",
        ),
        (
            SourceKey::GitHubLanguage,
            Endpoint::GraphqlSearchLanguage,
            "language",
        ),
    ];
    let mut out = Vec::new();
    for (key, endpoint, qualifier) in searches {
        for (tech, value) in catalog.with_key(key) {
            let fields: Vec<String> = periods
                .iter()
                .map(|&(year, period)| {
                    let q = format!(
                        "{qualifier}:{} created:{}..{} is:public",
                        quote(value),
                        period.start,
                        last_day(period)
                    );
                    format!(
                        "y{year}: search(type: REPOSITORY, query: {}, first: 1) {{ repositoryCount }}",
                        graphql_string(&q)
                    )
                })
                .collect();
            out.push(graphql_query(
                base,
                RequestSpec {
                    source: super::ID,
                    endpoint: endpoint.as_str().into(),
                    subjects: vec![subject(tech, value)],
                    period: span,
                },
                &fields,
            ));
        }
    }
    out
}

/// The year periods a request's span holds: whole years, the last one
/// possibly cut at the span's end (as [`year_periods`] cuts the current
/// year at the day of the plan).
fn years_of(span: Period) -> Vec<(i32, Period)> {
    (span.start.year()..=span.end.pred_opt().unwrap_or(span.end).year())
        .filter_map(|y| {
            let full = Period::year(y);
            let period = Period {
                start: full.start.max(span.start),
                end: full.end.min(span.end),
            };
            (period.start < period.end).then_some((y, period))
        })
        .collect()
}

/// One observation per year alias: the repositories created that year.
pub fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let metric = match Endpoint::of(spec) {
        Some(Endpoint::GraphqlSearchTopic) => super::TOPIC_REPOS_CREATED,
        Some(Endpoint::GraphqlSearchLanguage) => super::LANGUAGE_REPOS_CREATED,
        _ => return Err(trends_normalizer::unknown_endpoint(spec)),
    };
    let subject = trends_normalizer::subject(spec)?;
    let answer = object(spec, body)?;
    let data = match answer.get("data") {
        Some(Value::Object(data)) => data,
        _ => {
            let errors = graphql_errors(&answer);
            return Err(shape(
                spec,
                if errors.is_empty() {
                    "missing object `data`".to_owned()
                } else {
                    format!("GraphQL answered errors only: {}", errors.join("; "))
                },
            ));
        }
    };
    let mut out = Vec::new();
    for (year, period) in years_of(spec.period) {
        let alias = format!("y{year}");
        let search = match data.get(&alias) {
            Some(Value::Object(search)) => search,
            Some(other) => {
                return Err(shape(spec, format!("`data.{alias}` is {}", kind(other))));
            }
            // A year GraphQL did not answer has no number: the whole
            // answer is refused rather than stored with a hole.
            None => {
                let errors = graphql_errors(&answer);
                return Err(shape(
                    spec,
                    format!("missing `data.{alias}` {}", errors.join("; "))
                        .trim_end()
                        .to_owned(),
                ));
            }
        };
        let value = required(
            spec,
            &format!("data.{alias}.repositoryCount"),
            search.get("repositoryCount"),
        )?;
        out.push(Observation {
            tech: subject.tech.clone(),
            metric,
            grain: Grain::Year,
            period,
            value,
            exactness: Exactness::Exact,
        });
    }
    Ok(Parsed::Observations(out))
}

/// `TYPE: message` of each item of a GraphQL answer's `errors`.
pub fn graphql_errors(answer: &serde_json::Map<String, Value>) -> Vec<String> {
    match answer.get("errors") {
        Some(Value::Array(errors)) => errors
            .iter()
            .map(|e| {
                let kind = e.get("type").and_then(Value::as_str).unwrap_or("ERROR");
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                format!("{kind}: {message}")
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// How long a GraphQL answer's own `rateLimit` asks us to wait: when its
/// `remaining` points are spent, until `resetAt`, counted from when the
/// answer arrived. Only a body that carries `rateLimit` is read (REST
/// answers never do).
pub fn graphql_wait(answer: &Answer<'_>) -> Option<std::time::Duration> {
    const KEY: &[u8] = b"\"rateLimit\"";
    if !answer.body.windows(KEY.len()).any(|w| w == KEY) {
        return None;
    }
    let v: Value = serde_json::from_slice(answer.body).ok()?;
    let limit = v.get("data")?.get("rateLimit")?;
    let remaining = limit.get("remaining")?.as_i64()?;
    let cost = limit
        .get("cost")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1);
    if remaining >= cost {
        return None;
    }
    let reset: DateTime<Utc> = limit.get("resetAt")?.as_str()?.parse().ok()?;
    let secs = (reset - answer.received_at).num_seconds().max(0) as u64;
    // One second of margin, as for the REST reset header.
    Some(std::time::Duration::from_secs(secs + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{day, fixture, test_catalog};

    fn catalog() -> Catalog {
        test_catalog(
            r#"
[[technology]]
id = "django"
name = "Django"
category = "framework"
github_topic = "django"

[[technology]]
id = "csharp"
name = "C#"
category = "language"
github_language = "C#"
"#,
        )
    }

    fn window() -> PlanWindow {
        PlanWindow {
            first_year: 2023,
            today: day(2024, 2, 10),
        }
    }

    fn query(p: &Planned) -> String {
        let body: Value = serde_json::from_str(p.body.as_deref().expect("a body")).expect("JSON");
        body["query"].as_str().expect("query").to_owned()
    }

    /// The `query:` strings of a GraphQL query, unescaped.
    fn searches(query: &str) -> Vec<String> {
        query
            .split("query: ")
            .skip(1)
            .map(|rest| {
                let end = rest.find(", first: 1)").expect("end of the string");
                serde_json::from_str::<String>(&rest[..end]).expect("a string literal")
            })
            .collect()
    }

    #[test]
    fn one_query_per_topic_and_language_with_an_alias_per_year() {
        let base = Url::parse("https://api.github.com").expect("url");
        let plan = plan(&base, &catalog(), window());
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].url.as_str(), "https://api.github.com/graphql");
        assert_eq!(plan[0].spec.endpoint, "graphql_search_topic");
        assert_eq!(plan[1].spec.endpoint, "graphql_search_language");
        assert_eq!(
            plan[0].spec.period,
            Period {
                start: day(2023, 1, 1),
                end: day(2024, 2, 10)
            }
        );
        assert_eq!(
            query(&plan[1]),
            r#"query { y2023: search(type: REPOSITORY, query: "language:\"C#\" created:2023-01-01..2023-12-31 is:public", first: 1) { repositoryCount } y2024: search(type: REPOSITORY, query: "language:\"C#\" created:2024-01-01..2024-02-09 is:public", first: 1) { repositoryCount } rateLimit { cost remaining resetAt } }"#
        );
    }

    #[test]
    fn each_alias_asks_the_range_rest_asks() {
        let base = Url::parse("https://api.github.com").expect("url");
        let rest: Vec<String> = super::super::plan::plan(&base, &catalog(), window(), false)
            .iter()
            .filter_map(|p| {
                p.url
                    .query_pairs()
                    .find(|(k, _)| k == "q")
                    .map(|(_, v)| format!("{v} is:public"))
            })
            .collect();
        let graphql: Vec<String> = plan(&base, &catalog(), window())
            .iter()
            .flat_map(|p| searches(&query(p)))
            .collect();
        assert_eq!(rest.len(), 4);
        assert_eq!(graphql, rest);
    }

    #[test]
    fn a_span_splits_into_the_rest_planners_years() {
        for (first_year, today) in [
            (2015, day(2026, 12, 2)),
            (2023, day(2024, 1, 1)),
            (2023, day(2024, 1, 2)),
            (2020, day(2020, 12, 31)),
            (2024, day(2024, 6, 15)),
        ] {
            let window = PlanWindow { first_year, today };
            let periods = year_periods(window);
            let span = Period {
                start: periods[0].1.start,
                end: periods[periods.len() - 1].1.end,
            };
            assert_eq!(years_of(span), periods, "{first_year} {today}");
        }
    }

    fn spec() -> RequestSpec {
        let base = Url::parse("https://api.github.com").expect("url");
        plan(&base, &catalog(), window()).remove(0).spec
    }

    #[test]
    fn each_year_alias_becomes_that_years_count() {
        let body = fixture("github/graphql_search.json");
        let text = std::str::from_utf8(&body).expect("a UTF-8 fixture");
        let Parsed::Observations(obs) = parse(&spec(), text).expect("parses") else {
            panic!("observations expected");
        };
        let got: Vec<(Period, f64)> = obs.iter().map(|o| (o.period, o.value)).collect();
        assert_eq!(
            got,
            [
                (Period::year(2023), 31204.0),
                (
                    Period {
                        start: day(2024, 1, 1),
                        end: day(2024, 2, 10)
                    },
                    3977.0
                ),
            ]
        );
        assert!(
            obs.iter()
                .all(|o| o.metric == super::super::TOPIC_REPOS_CREATED
                    && o.grain == Grain::Year
                    && o.tech.0 == "django")
        );
    }

    #[test]
    fn a_missing_year_or_an_error_only_answer_is_refused() {
        let e = parse(
            &spec(),
            r#"{"data":{"y2023":{"repositoryCount":5},"rateLimit":{"cost":1,"remaining":4990,"resetAt":"2024-02-10T13:00:00Z"}}}"#,
        )
        .expect_err("a year is missing");
        assert!(e.to_string().contains("missing `data.y2024`"), "{e}");
        let e = parse(
            &spec(),
            r#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#,
        )
        .expect_err("errors only");
        assert!(
            e.to_string()
                .contains("RATE_LIMITED: API rate limit exceeded"),
            "{e}"
        );
        let e = parse(
            &spec(),
            r#"{"data":{"y2023":{"repositoryCount":"many"},"y2024":{"repositoryCount":1}}}"#,
        )
        .expect_err("not a count");
        assert!(e.to_string().contains("data.y2023.repositoryCount"), "{e}");
    }

    #[test]
    fn spent_graphql_points_mean_wait_until_reset_at() {
        let now: DateTime<Utc> = "2024-02-10T12:00:00Z".parse().expect("time");
        let left =
            br#"{"data":{"rateLimit":{"cost":1,"remaining":12,"resetAt":"2024-02-10T13:00:00Z"}}}"#;
        assert_eq!(
            graphql_wait(&Answer::with_headers(200, &[], left, now)),
            None
        );
        let spent =
            br#"{"data":{"rateLimit":{"cost":1,"remaining":0,"resetAt":"2024-02-10T12:10:00Z"}}}"#;
        assert_eq!(
            graphql_wait(&Answer::with_headers(200, &[], spent, now)),
            Some(std::time::Duration::from_secs(601))
        );
        let rest = br#"{"total_count": 1, "incomplete_results": false, "items": []}"#;
        assert_eq!(
            graphql_wait(&Answer::with_headers(200, &[], rest, now)),
            None
        );
    }
}
