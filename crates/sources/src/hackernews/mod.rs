//! The `hackernews` source, Hacker News Search by Algolia (hn.algolia.com/api/v1): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("hackernews");

/// Hacker News stories and comments matching the term in the period.
pub const MENTIONS: Metric = Metric::flow(ID, "mentions");

crate::endpoints! {
    Search => "search",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct HackerNews;

impl Source for HackerNews {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::HackerNewsQuery]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Hacker News Search by Algolia (hn.algolia.com/api/v1)",
            history: "2007 on, per calendar year",
            limits: "10,000 requests/hour per IP",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: MENTIONS,
            description: "Hacker News stories and comments matching the term in the period",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for HackerNews {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
