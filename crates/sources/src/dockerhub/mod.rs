//! The `dockerhub` source, Docker Hub repositories (hub.docker.com/v2/repositories): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("dockerhub");

/// Docker Hub pulls of the image, all time.
pub const PULLS: Metric = Metric::stock(ID, "pulls");

crate::endpoints! {
    Repository => "repository",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct DockerHub;

impl Source for DockerHub {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::DockerImage]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Docker Hub repositories (hub.docker.com/v2/repositories)",
            history: "snapshots from the first run",
            limits: "anonymous requests are rate limited per IP; keep a modest rate",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: PULLS,
            description: "Docker Hub pulls of the image, all time",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::API)
    }
}

impl Parser for DockerHub {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}
