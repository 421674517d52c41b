//! GitHub REST: repository snapshots and repositories created per year.
//!
//! - `GET /repos/{owner}/{repo}`: stars, forks, open issues, watchers, read
//!   on the day of the run (a stock; history accumulates run by run).
//! - `GET /search/repositories?q=topic:T+created:Y-01-01..Y-12-31&per_page=1`
//!   and `q=language:L+created:..`: `total_count` of repositories created in
//!   the year. Search has its own limit (10/min without a token, 30 with),
//!   hence its own [`Lane`].
//!
//! - With a token, the repository snapshots go through GraphQL instead:
//!   `POST /graphql` with one aliased `repository(owner:, name:)` field per
//!   repository, [`REPOS_PER_QUERY`] a request, instead of one REST request
//!   each; and the searches too, every year of a topic or language in one
//!   query (`search.rs`). GraphQL needs a token, so without one REST stays
//!   the path.
//!
//! Every request sends `Accept: application/vnd.github+json` and
//! `X-GitHub-Api-Version: 2022-11-28`; the token (if any) goes in
//! `Authorization` at send time.

use std::time::Duration;

use super::Endpoint;
use trends_core::{Catalog, Period, RequestSpec, SourceKey, Subject};
use url::Url;

use trends_contract::planning::{last_day, subject, year_periods};
use trends_contract::{Answer, Lane, PlanWindow, Planned, join};

pub(super) const API_VERSION: &str = "2022-11-28";

/// Repositories asked in one GraphQL query. Each costs little (GitHub
/// charges a query by the connections it may return, and these ask only
/// counts), and one answer stays small.
pub const REPOS_PER_QUERY: usize = 50;

/// The fields asked of each repository: what REST's repository object gives
/// as `stargazers_count`, `forks_count`, `subscribers_count` and
/// `open_issues_count` (open issues plus open pull requests).
const REPO_FIELDS: &str = "nameWithOwner stargazerCount forkCount watchers { totalCount } \
issues(states: OPEN) { totalCount } pullRequests(states: OPEN) { totalCount }";

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow, graphql: bool) -> Vec<Planned> {
    let mut out = Vec::new();
    if graphql {
        let repos: Vec<Subject> = catalog
            .with_key(SourceKey::GitHubRepo)
            .map(|(tech, repo)| subject(tech, repo))
            .collect();
        for batch in repos.chunks(REPOS_PER_QUERY) {
            out.push(graphql_repos(base, batch, window));
        }
    }
    for (tech, repo) in catalog.with_key(SourceKey::GitHubRepo).filter(|_| !graphql) {
        let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
        out.push(planned(
            join(base, &["repos", owner, name]),
            Endpoint::Repo.as_str(),
            subject(tech, repo),
            Period::snapshot(window.today),
            Lane::Core,
        ));
    }
    if graphql {
        // With a token, every year of a topic or language in one query.
        out.extend(super::search::plan(base, catalog, window));
        return out;
    }
    let periods = year_periods(window);
    let searches = [
        (
            SourceKey::GitHubTopic,
            Endpoint::SearchTopic.as_str(),
            "topic",
        ),
        (
            SourceKey::GitHubLanguage,
            Endpoint::SearchLanguage.as_str(),
            "language",
        ),
    ];
    for (key, endpoint, qualifier) in searches {
        for (tech, value) in catalog.with_key(key) {
            for &(_, period) in &periods {
                let q = format!(
                    "{qualifier}:{} created:{}..{}",
                    quote(value),
                    period.start,
                    last_day(period)
                );
                let mut url = join(base, &["search", "repositories"]);
                url.query_pairs_mut()
                    .append_pair("q", &q)
                    .append_pair("per_page", "1");
                out.push(planned(
                    url,
                    endpoint,
                    subject(tech, value),
                    period,
                    Lane::Search,
                ));
            }
        }
    }
    out
}

/// One GraphQL query for a batch of repositories, aliased `r0`, `r1`, ...
/// in the order of the subjects, plus the query's `rateLimit`.
fn graphql_repos(base: &Url, repos: &[Subject], window: PlanWindow) -> Planned {
    let fields: Vec<String> = repos
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (owner, name) = s.key.split_once('/').unwrap_or((&s.key, ""));
            format!(
                "r{i}: repository(owner: {}, name: {}) {{ {REPO_FIELDS} }}",
                graphql_string(owner),
                graphql_string(name)
            )
        })
        .collect();
    graphql_query(
        base,
        RequestSpec {
            source: crate::github::ID,
            endpoint: Endpoint::GraphqlRepos.as_str().into(),
            subjects: repos.to_vec(),
            period: Period::snapshot(window.today),
        },
        &fields,
    )
}

/// A `POST /graphql` of the aliased `fields` plus the query's `rateLimit`
/// (what the repository and the search queries share).
pub(super) fn graphql_query(base: &Url, spec: RequestSpec, fields: &[String]) -> Planned {
    let query = format!(
        "query {{ {} rateLimit {{ cost remaining resetAt }} }}",
        fields.join(" ")
    );
    Planned {
        spec,
        url: join(base, &["graphql"]),
        headers: vec![
            ("accept", "application/vnd.github+json".to_owned()),
            ("x-github-api-version", API_VERSION.to_owned()),
        ],
        lane: Lane::Core,
        body: Some(serde_json::json!({ "query": query }).to_string()),
    }
}

/// A GraphQL string literal (JSON's escaping is GraphQL's).
pub(super) fn graphql_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn planned(url: Url, endpoint: &str, subject: Subject, period: Period, lane: Lane) -> Planned {
    Planned {
        spec: RequestSpec {
            source: crate::github::ID,
            endpoint: endpoint.into(),
            subjects: vec![subject],
            period,
        },
        url,
        headers: vec![
            ("accept", "application/vnd.github+json".into()),
            ("x-github-api-version", API_VERSION.into()),
        ],
        lane,
        body: None,
    }
}

/// Search qualifiers with a space or `#` (`C#`, `Visual Basic .NET`) must be
/// quoted.
pub(super) fn quote(value: &str) -> String {
    if value.contains([' ', '#', '+']) {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

/// How long GitHub asks us to wait, from an answer's headers: when
/// `x-ratelimit-remaining` is 0, until `x-ratelimit-reset` (Unix seconds),
/// counted from when the answer arrived.
pub fn rate_limit_wait(answer: &Answer<'_>) -> Option<Duration> {
    let remaining: u64 = header_num(answer, "x-ratelimit-remaining")?;
    if remaining > 0 {
        return None;
    }
    let reset = header_num(answer, "x-ratelimit-reset")?;
    let now = u64::try_from(answer.received_at.timestamp()).unwrap_or(0);
    // One second of margin: the reset instant is rounded down.
    Some(Duration::from_secs(reset.saturating_sub(now) + 1))
}

fn header_num(answer: &Answer<'_>, name: &str) -> Option<u64> {
    answer.header(name)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_catalog;
    use chrono::NaiveDate;

    fn catalog() -> Catalog {
        test_catalog(
            r#"
[[technology]]
id = "django"
name = "Django"
category = "framework"
github_repo = "django/django"
github_topic = "django"

[[technology]]
id = "csharp"
name = "C#"
category = "language"
github_language = "C#"
"#,
        )
    }

    #[test]
    fn plans_snapshot_and_searches_with_real_parameters() {
        let base = Url::parse("https://api.github.com").expect("url");
        let window = PlanWindow {
            first_year: 2023,
            today: NaiveDate::from_ymd_opt(2024, 2, 10).expect("date"),
        };
        let plan = plan(&base, &catalog(), window, false);
        let urls: Vec<&str> = plan.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.github.com/repos/django/django",
                "https://api.github.com/search/repositories?q=topic%3Adjango+created%3A2023-01-01..2023-12-31&per_page=1",
                "https://api.github.com/search/repositories?q=topic%3Adjango+created%3A2024-01-01..2024-02-09&per_page=1",
                "https://api.github.com/search/repositories?q=language%3A%22C%23%22+created%3A2023-01-01..2023-12-31&per_page=1",
                "https://api.github.com/search/repositories?q=language%3A%22C%23%22+created%3A2024-01-01..2024-02-09&per_page=1",
            ]
        );
        assert_eq!(plan[0].lane, Lane::Core);
        assert_eq!(plan[1].lane, Lane::Search);
        assert_eq!(plan[0].spec.period, Period::snapshot(window.today));
        assert!(
            plan[0]
                .headers
                .contains(&("x-github-api-version", "2022-11-28".into()))
        );
    }

    #[test]
    fn with_a_token_repositories_go_in_one_graphql_query() {
        let base = Url::parse("https://api.github.com").expect("url");
        let window = PlanWindow {
            first_year: 2024,
            today: NaiveDate::from_ymd_opt(2024, 2, 10).expect("date"),
        };
        let plan = plan(&base, &catalog(), window, true);
        assert_eq!(plan[0].url.as_str(), "https://api.github.com/graphql");
        assert_eq!(plan[0].spec.endpoint, "graphql_repos");
        let body: serde_json::Value =
            serde_json::from_str(plan[0].body.as_deref().expect("a POST body")).expect("JSON");
        let query = body["query"].as_str().expect("query");
        assert!(
            query.starts_with(
                "query { r0: repository(owner: \"django\", name: \"django\") { nameWithOwner stargazerCount"
            ),
            "{query}"
        );
        assert!(
            query.ends_with("rateLimit { cost remaining resetAt } }"),
            "{query}"
        );
        // No REST request beside it: the searches are GraphQL too, one
        // query per topic or language (`search.rs`).
        assert!(
            plan.iter()
                .all(|p| p.url.path() == "/graphql" && p.body.is_some())
        );
        let endpoints: Vec<&str> = plan[1..].iter().map(|p| p.spec.endpoint.as_str()).collect();
        assert_eq!(
            endpoints,
            ["graphql_search_topic", "graphql_search_language"]
        );
    }

    #[test]
    fn exhausted_limit_means_wait_until_reset() {
        let at = chrono::DateTime::from_timestamp(1_707_566_400, 0).expect("time");
        let left = [("x-ratelimit-remaining", "5"), ("x-ratelimit-reset", "0")];
        assert_eq!(
            rate_limit_wait(&Answer::with_headers(200, &left, b"", at)),
            None
        );
        // A reset already past: the one second of margin.
        let spent = [("X-RateLimit-Remaining", "0"), ("x-ratelimit-reset", "0")];
        assert_eq!(
            rate_limit_wait(&Answer::with_headers(403, &spent, b"", at)),
            Some(Duration::from_secs(1))
        );
        let later = [
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1707566460"),
        ];
        assert_eq!(
            rate_limit_wait(&Answer::with_headers(403, &later, b"", at)),
            Some(Duration::from_secs(61))
        );
    }
}
