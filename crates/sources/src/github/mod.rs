//! The `github` source, GitHub REST (api.github.com): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.
//! Past year-end stars come from the star history (`history.rs` asks and
//! reads it, `yearend.rs` combines a repository's pages into levels).

pub mod demo;
pub mod history;
mod parse;
mod plan;
mod search;
pub mod yearend;
#[cfg(test)]
mod yearend_tests;

use trends_contract::{Answer, Auth, Pace, Pacer, Planned};
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey, WithoutToken};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Combined, Kept, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("github");

/// Stargazers of the main GitHub repository.
pub const STARS: Metric = Metric::stock(ID, "stars");
/// Forks of the main GitHub repository.
pub const FORKS: Metric = Metric::stock(ID, "forks");
/// Open issues plus open pull requests of the main repository.
pub const OPEN_ISSUES: Metric = Metric::stock(ID, "open_issues");
/// Watchers (subscribers) of the main repository.
pub const SUBSCRIBERS: Metric = Metric::stock(ID, "subscribers");
/// GitHub repositories created in the period with the topic.
pub const TOPIC_REPOS_CREATED: Metric = Metric::flow(ID, "topic_repos_created");
/// GitHub repositories created in the period in the language.
pub const LANGUAGE_REPOS_CREATED: Metric = Metric::flow(ID, "language_repos_created");

crate::endpoints! {
    Repo => "repo",
    SearchTopic => "search_topic",
    SearchLanguage => "search_language",
    GraphqlRepos => "graphql_repos",
    GraphqlSearchTopic => "graphql_search_topic",
    GraphqlSearchLanguage => "graphql_search_language",
    StarHistory => "star_history",
    StarCount => "star_count",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct GitHub;

impl Source for GitHub {
    fn id(&self) -> SourceId {
        ID
    }

    fn pacer(&self) -> &'static dyn Pacer {
        &GitHub
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[
            SourceKey::GitHubRepo,
            SourceKey::GitHubTopic,
            SourceKey::GitHubLanguage,
        ]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "GitHub REST (api.github.com)",
            history: "search counts: 2008 on, per year; repository counts: snapshots from the first run; stars also at each year-end before it, back to the year before the first year, from the star history (estimated where pages were skipped)",
            limits: "core 60/hour without a token, 5,000 with; search 10/minute without, 30 with",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: STARS,
                description: "stargazers of the main GitHub repository (past year-ends from its star history)",
            },
            MetricDef {
                metric: FORKS,
                description: "forks of the main GitHub repository",
            },
            MetricDef {
                metric: OPEN_ISSUES,
                description: "open issues plus open pull requests of the main repository",
            },
            MetricDef {
                metric: SUBSCRIBERS,
                description: "watchers (subscribers) of the main repository",
            },
            MetricDef {
                metric: TOPIC_REPOS_CREATED,
                description: "GitHub repositories created in the period with the topic",
            },
            MetricDef {
                metric: LANGUAGE_REPOS_CREATED,
                description: "GitHub repositories created in the period in the language",
            },
        ]
    }

    fn search_lane(&self) -> bool {
        true
    }

    /// REST search allows 30 requests a minute with a token, 10 without.
    fn search_limit_with_token(&self) -> Option<u32> {
        Some(30)
    }

    fn without_token(&self) -> Option<WithoutToken> {
        Some(WithoutToken {
            effect: "search is 10 a minute instead of 30 and the core API 60 an hour instead of 5,000; repositories are read by REST one at a time instead of 50 to a GraphQL query, and each year of a topic or language is its own REST search instead of all years in one GraphQL query",
            per_day: None,
        })
    }

    fn auth(&self, token: Option<String>) -> Auth {
        token.map_or(Auth::None, Auth::Bearer)
    }

    /// GraphQL needs a token; without one, REST.
    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        let mut out = plan::plan(ask.base, ask.catalog, ask.window, ask.has_token);
        out.extend(history::plan(ask.base, ask.catalog, ask.window));
        out
    }

    fn combined_endpoints(&self) -> &'static [&'static str] {
        &["star_history", "star_count"]
    }

    fn combine(&self, answers: &[Kept<'_>]) -> Vec<Combined> {
        yearend::combine(answers)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::Api)
    }
}

impl Parser for GitHub {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        match Endpoint::of(spec) {
            Some(Endpoint::StarHistory | Endpoint::StarCount) => history::parse(spec, body),
            _ => parse::parse(spec, body),
        }
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}

/// `x-ratelimit-remaining: 0` means the request's limit (core or search)
/// is spent until `x-ratelimit-reset`; a 403 or 429 with it is retried then.
/// A GraphQL answer's own `rateLimit { cost remaining resetAt }` says the
/// same of the GraphQL points. Both are waits from when the answer arrived
/// (`Answer::received_at`, the fetch loop's clock).
impl Pacer for GitHub {
    fn pace(&self, answer: &Answer<'_>) -> Pace {
        Pace {
            spent_for: plan::rate_limit_wait(answer).or_else(|| search::graphql_wait(answer)),
            ..Pace::default()
        }
    }
}
