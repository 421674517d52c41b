//! The `packagist` source, Packagist download statistics (packagist.org/packages/{name}/stats/all.json): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("packagist");

/// Packagist installs of the package in the period.
pub const DOWNLOADS: Metric = Metric::flow(ID, "downloads");

crate::endpoints! {
    Stats => "stats",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Packagist;

impl Source for Packagist {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::PackagistPackage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Packagist download statistics (packagist.org/packages/{name}/stats/all.json)",
            history: "2012-04 on, per month (the API gives each month's daily average)",
            limits: "no published number; a User-Agent with contact, at most 10 concurrent requests",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: DOWNLOADS,
            description: "Packagist installs of the package in the period",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for Packagist {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
