//! The `tiobe` source, TIOBE index page (www.tiobe.com/tiobe-index, HTML, read with CSS selectors): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{Format, NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("tiobe");

/// TIOBE index rating in percent (listed in the top 50 only).
pub const RATING: Metric = Metric::stock(ID, "rating");

crate::endpoints! {
    Index => "index",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Tiobe;

impl Source for Tiobe {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::TiobeLanguage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "TIOBE index page (www.tiobe.com/tiobe-index, HTML, read with CSS selectors)",
            history: "snapshots from the first run (the index of the current month, top 50)",
            limits: "one page for every language; once a run is plenty",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: RATING,
            description: "TIOBE index rating in percent (listed in the top 50 only)",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for Tiobe {
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
