//! The `githubtopics` source, github.com/topics pages (HTML, read with CSS selectors): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{Format, NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("githubtopics");

/// Public GitHub repositories with the topic (github.com/topics).
pub const REPOSITORIES: Metric = Metric::stock(ID, "repositories");

crate::endpoints! {
    Topic => "topic",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct GitHubTopics;

impl Source for GitHubTopics {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::GitHubTopic]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "github.com/topics pages (HTML, read with CSS selectors)",
            history: "snapshots from the first run",
            limits: "no published limit for pages; keep a modest rate",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: REPOSITORIES,
            description: "public GitHub repositories with the topic (github.com/topics)",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for GitHubTopics {
    fn format(&self, _spec: &RequestSpec) -> Format {
        Format::Html
    }

    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        trends_normalizer::html::describe_error(body)
    }
}
