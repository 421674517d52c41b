//! The `innovationgraph` source, the GitHub Innovation Graph (GitHub's own
//! open data, CC0-1.0, the CSV files of the `github/innovationgraph`
//! repository): what to ask (`plan.rs`), what the answer means
//! (`parse.rs`), its metrics, endpoints, limits and pacing.
//!
//! `data/languages.csv` and `data/topics.csv` hold, per economy and
//! quarter, the developers who pushed at least once to a repository in a
//! language or with a topic (`num_pushers`). A developer is placed in one
//! economy a quarter, so the economies add up; the `EU` row is the sum of
//! its members and is left out. Only economies with 100 such developers or
//! more are published, so the sum is a lower bound of the world's count.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{Format, NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("innovationgraph");

/// Developers who pushed to a repository in the language in the quarter
/// (summed over the economies).
pub const LANGUAGE_PUSHERS: Metric = Metric::flow(ID, "language_pushers");
/// Developers who pushed to a repository with the topic in the quarter
/// (summed over the economies).
pub const TOPIC_PUSHERS: Metric = Metric::flow(ID, "topic_pushers");

crate::endpoints! {
    Languages => "languages",
    Topics => "topics",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct InnovationGraph;

impl Source for InnovationGraph {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::GitHubTopic, SourceKey::GitHubLanguage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "GitHub Innovation Graph (github/innovationgraph data/languages.csv, data/topics.csv, CC0-1.0)",
            history: "2020 Q1 on, per quarter (stored grain `quarter`; a year is the mean of its quarters); \
                      released quarterly, a quarter or more after it ends",
            limits: "two static files (a few MB) on raw.githubusercontent.com, no published limit; \
                     asked once a month (the first run of a month), re-read whole each time",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: LANGUAGE_PUSHERS,
                description: "developers who pushed to a repository in the language in the quarter, \
                              economies summed (EU left out)",
            },
            MetricDef {
                metric: TOPIC_PUSHERS,
                description: "developers who pushed to a repository with the topic in the quarter, \
                              economies summed (EU left out)",
            },
        ]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::Api)
    }

    /// GitHub publishes a quarter's files some months after it ends.
    fn stale_after_days(&self) -> u32 {
        120
    }
}

impl Parser for InnovationGraph {
    fn format(&self, _spec: &RequestSpec) -> Format {
        Format::Csv
    }

    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
