//! The `depsdev` source, deps.dev (Open Source Insights) API v3 and
//! v3alpha: what to ask (`plan.rs`), what the answer means (`parse.rs`),
//! its metrics, endpoints, limits and pacing.
//!
//! Not in the registry yet: its number needs two requests in a chain (the
//! package, for its default version, then `:dependents` of that version),
//! and the fetch loop sends only what the plan named before any answer
//! came. `plan.rs` plans the first; the second's URL is built and tested,
//! and waits for a way to plan a request from an earlier answer.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

pub use plan::{System, dependents_url, package_url};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("depsdev");

/// Packages known to depend on the default version, directly or not.
pub const DEPENDENTS: Metric = Metric::stock(ID, "dependents");

/// Packages known to depend directly on the default version.
pub const DIRECT_DEPENDENTS: Metric = Metric::stock(ID, "direct_dependents");

crate::endpoints! {
    Package => "package",
    Dependents => "dependents",
}

/// The source, ready for the registry once its requests can be chained.
#[derive(Debug, Clone, Copy)]
pub struct DepsDev;

impl Source for DepsDev {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[
            SourceKey::NpmPackage,
            SourceKey::PypiPackage,
            SourceKey::Crate,
        ]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "deps.dev API v3 GetPackage and v3alpha GetDependents (api.deps.dev)",
            history: "snapshots from the first run (dependents of the default version that day)",
            limits: "none published (429 when overwhelmed, google/deps.dev#33); v3alpha may change incompatibly; dependent counts for npm, Cargo, Maven and PyPI only",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: DEPENDENTS,
                description: "packages known to deps.dev to depend on the default version, directly or indirectly",
            },
            MetricDef {
                metric: DIRECT_DEPENDENTS,
                description: "packages known to deps.dev to depend directly on the default version",
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

impl Parser for DepsDev {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn no_data(&self, status: u16, body: &[u8]) -> Option<String> {
        parse::no_data(status, body)
    }
}
