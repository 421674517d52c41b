//! The `npm` source, npm download counts (api.npmjs.org/downloads): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("npm");

/// Npm downloads of the package in the period.
pub const DOWNLOADS: Metric = Metric::flow(ID, "downloads");

crate::endpoints! {
    Range => "range",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Npm;

impl Source for Npm {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::NpmPackage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "npm download counts (api.npmjs.org/downloads)",
            history: "2015-01-10 on, per day (stored per month)",
            limits: "18 months a request; bulk: up to 128 unscoped packages and 365 days a request",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: DOWNLOADS,
            description: "npm downloads of the package in the period",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for Npm {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
