//! The `wikimedia` source, Wikimedia REST pageviews (wikimedia.org/api/rest_v1): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

mod parse;
mod plan;

use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo};
use trends_fetcher::{Answer, Pace, Pacer, Planned};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("wikimedia");

/// English Wikipedia article views by users in the period.
pub const PAGEVIEWS: Metric = Metric::flow(ID, "pageviews");

crate::endpoints! {
    Pageviews => "pageviews",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Wikimedia;

impl Source for Wikimedia {
    fn id(&self) -> SourceId {
        ID
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Wikimedia REST pageviews (wikimedia.org/api/rest_v1)",
            history: "2015-07 on, per month",
            limits: "a descriptive User-Agent is required; keep to a modest rate",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: PAGEVIEWS,
                description: "English Wikipedia article views by users in the period",
            },
        ]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }
}

impl Parser for Wikimedia {
    fn parse(&self, spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }

    fn no_data(&self, status: u16, body: &[u8]) -> Option<String> {
        parse::no_data(status, body)
    }
}

impl Pacer for Wikimedia {
    fn pace(&self, _answer: &Answer<'_>) -> Pace {
        Pace::default()
    }
}
