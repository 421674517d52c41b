//! The `cratesio` source, crates.io API v1 (crates.io/api/v1/crates): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("cratesio");

/// Crates.io downloads of the crate (all versions), all time.
pub const TOTAL_DOWNLOADS: Metric = Metric::stock(ID, "total_downloads");
/// Crates.io downloads of the crate in the period.
pub const DOWNLOADS: Metric = Metric::flow(ID, "downloads");

crate::endpoints! {
    Crate => "crate",
    Downloads => "downloads",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct CratesIo;

impl Source for CratesIo {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::Crate]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "crates.io API v1 (crates.io/api/v1/crates)",
            history: "all-time downloads: snapshots from the first run; daily downloads: the last 90 days only (stored per month)",
            limits: "1 request/second and a User-Agent with contact (crawler policy)",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: TOTAL_DOWNLOADS,
                description: "crates.io downloads of the crate (all versions), all time",
            },
            MetricDef {
                metric: DOWNLOADS,
                description: "crates.io downloads of the crate in the period",
            },
        ]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for CratesIo {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
