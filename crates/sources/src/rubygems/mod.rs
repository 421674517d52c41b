//! The `rubygems` source, RubyGems.org API v1 (rubygems.org/api/v1/gems): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("rubygems");

/// RubyGems downloads of the gem (all versions), all time.
pub const TOTAL_DOWNLOADS: Metric = Metric::stock(ID, "total_downloads");

crate::endpoints! {
    Gem => "gem",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct RubyGems;

impl Source for RubyGems {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::RubyGem]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "RubyGems.org API v1 (rubygems.org/api/v1/gems)",
            history: "snapshots from the first run (all-time downloads)",
            limits: "10 requests/second per IP; 429 with Retry-After beyond",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: TOTAL_DOWNLOADS,
            description: "RubyGems downloads of the gem (all versions), all time",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for RubyGems {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }
}
