//! The `pypi` source, PyPI download statistics by pypistats.org (pypistats.org/api): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("pypi");

/// PyPI downloads of the package (without mirrors) in the period.
pub const DOWNLOADS: Metric = Metric::flow(ID, "downloads");

crate::endpoints! {
    Overall => "overall",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct PyPI;

impl Source for PyPI {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::PypiPackage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "PyPI download statistics by pypistats.org (pypistats.org/api)",
            history: "the last 180 days only, per day (stored per month; whole months only, except the current one)",
            limits: "a modest rate; one request per package covers all it keeps",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: DOWNLOADS,
            description: "PyPI downloads of the package (without mirrors) in the period",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for PyPI {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }
}
