//! Every source `trends` collects from, one module each, behind one trait.
//!
//! A source's module (`src/<source>/`) holds all that is known of it, side
//! by side: what to ask (`plan.rs`: URLs, headers, lane, period per
//! request), what the answer means (`parse.rs`: observations or a named
//! failure, its error format, its "no data" answers), its typed endpoints
//! (the names planner and parser agree on), its metrics, its limits and
//! history (`info`), what a missing token costs, how its secret is sent,
//! and how its answers pace the next requests ([`trends_contract::Pacer`]).
//! [`registry::SOURCES`] lists them; the fetch loop, the normalizer, the
//! pipeline and the CLI go through the [`Source`] trait and name none.
//!
//! Each source's demo route (`src/<source>/demo.rs`, the contract in
//! [`demo`]) answers as its API does, for `trends demo` and benchmarks;
//! the demo server serves what the registry lists.
//!
//! Planners, parsers and demo routes are pure: no IO, no clock (the day of
//! the run comes in the [`Ask`], a demo request's time in its
//! [`demo::DemoRequest`]), so `--dry-run`, `renormalize` and the tests see exactly
//! what a run does.

pub mod cratesio;
pub mod demo;
pub mod depsdev;
pub mod dockerhub;
pub mod github;
pub mod githubtopics;
pub mod gopkg;
pub mod hackernews;
pub mod innovationgraph;
pub mod npm;
pub mod packagist;
pub mod pypi;
pub mod registry;
pub mod rubygems;
pub mod stackexchange;
pub mod tiobe;
pub mod wikimedia;

#[doc(hidden)]
pub mod fault_kit;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod plans;
#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use trends_contract::{Auth, NoPacing, Pacer, PlanWindow, Planned, SourcePlan};
use trends_core::{
    Catalog, Config, Known, KnownSource, MetricDef, Observation, RequestSpec, SourceId, SourceInfo,
    SourceKey, WithoutToken,
};
use trends_normalizer::{Normalized, Parser};
use url::Url;

/// What a planner is asked for: the source's base URL (from the config), the
/// catalog, the run's window, and whether a token is set.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub base: &'a Url,
    pub catalog: &'a Catalog,
    pub window: PlanWindow,
    pub has_token: bool,
}

/// One source: everything the rest of `trends` needs of it.
pub trait Source: Parser + std::fmt::Debug + Sync + 'static {
    /// Its name in the config, the database and signal names.
    fn id(&self) -> SourceId;

    /// The real API, how far back its data goes, its limits.
    fn info(&self) -> SourceInfo;

    /// How its answers pace the next requests (rate-limit headers, backoff
    /// fields, a spent quota): by default nothing beyond `Retry-After`,
    /// which the fetch loop reads itself.
    fn pacer(&self) -> &'static dyn Pacer {
        &NoPacing
    }

    /// The catalog keys it reads (`stackoverflow_tag`, `github_topic`, ...):
    /// a key may serve several sources (GitHub's topic names are also the
    /// Innovation Graph's and the topic pages'), so a key names no source
    /// and a source declares its own.
    fn keys(&self) -> &'static [SourceKey];

    /// What it measures, with a line each.
    fn metrics(&self) -> &'static [MetricDef];

    /// It has a search limit of its own (`search_requests_per_minute`).
    fn search_lane(&self) -> bool {
        false
    }

    /// The searches a minute its token allows, when the search lane's
    /// limit rises with a token (`trends config check` says to raise
    /// `search_requests_per_minute` to it).
    fn search_limit_with_token(&self) -> Option<u32> {
        None
    }

    /// What leaving its key or token unset costs, when it has one.
    fn without_token(&self) -> Option<WithoutToken> {
        None
    }

    /// How its secret (from `token_env`) is sent.
    fn auth(&self, token: Option<String>) -> Auth {
        let _ = token;
        Auth::None
    }

    /// The requests to make.
    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned>;

    /// The endpoints whose answers give numbers only together (GitHub's
    /// star history: a year-end level sums every newer page). After each
    /// collect and renormalize, the latest successful archived answer of
    /// each of their requests goes to [`Source::combine`].
    fn combined_endpoints(&self) -> &'static [&'static str] {
        &[]
    }

    /// The observations the archived answers of
    /// [`Source::combined_endpoints`] give together. Pure, like `parse`:
    /// the same answers give the same observations.
    fn combine(&self, answers: &[Kept<'_>]) -> Vec<Combined> {
        let _ = answers;
        Vec::new()
    }

    /// Its demo route (`src/<source>/demo.rs`): what `trends demo` answers
    /// for it, in the API's exact format. `None` leaves it out of the demo.
    fn demo(&self) -> Option<&'static dyn demo::Demo> {
        None
    }

    /// How many days may pass without a new observation from it before it
    /// is stale (`trends status`, the metrics file, the run's summary): its
    /// cadence, with a margin. A nightly source: 2 days. The config's
    /// `[sources.<s>] stale_after_days` overrides it.
    fn stale_after_days(&self) -> u32 {
        2
    }
}

/// An archived successful answer, as [`Source::combine`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a> {
    /// Its `raw_responses` id.
    pub raw_id: i64,
    pub spec: &'a RequestSpec,
    /// The URL it was fetched from (without secrets).
    pub url: &'a str,
    pub fetched_at: DateTime<Utc>,
    pub body: &'a [u8],
}

/// An observation several answers gave together, with the archived answer
/// it is filed under (`observations.raw_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Combined {
    pub raw_id: i64,
    pub observation: Observation,
}

/// Declares a source's `Endpoint` enum: the names its planner gives its
/// requests (`RequestSpec::endpoint`, archived) and its parser reads back.
#[macro_export]
macro_rules! endpoints {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// The source's endpoints, by the name planner and parser agree on
        /// (`RequestSpec::endpoint`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Endpoint {
            $($variant),+
        }

        impl Endpoint {
            pub const ALL: &'static [Endpoint] = &[$(Endpoint::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Endpoint::$variant => $name),+
                }
            }

            /// The endpoint a request names; `None` for one this source
            /// does not have.
            pub fn of(spec: &trends_core::RequestSpec) -> Option<Endpoint> {
                Endpoint::ALL.iter().copied().find(|e| e.as_str() == spec.endpoint)
            }
        }
    };
}

/// Every source, in the order they run and print.
pub fn registry() -> &'static [&'static dyn Source] {
    registry::SOURCES
}

/// The source `id`, if this build has it.
pub fn source(id: SourceId) -> Option<&'static dyn Source> {
    registry().iter().copied().find(|s| s.id() == id)
}

/// The source called `name`, or an error naming the known ones.
pub fn by_name(name: &str) -> Result<&'static dyn Source, String> {
    registry()
        .iter()
        .copied()
        .find(|s| s.id().as_str() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = registry().iter().map(|s| s.id().as_str()).collect();
            format!("unknown source `{name}` (known: {})", known.join(", "))
        })
}

/// What a config is checked against (`Config::load`).
pub fn known() -> Known {
    Known {
        sources: registry()
            .iter()
            .map(|s| KnownSource {
                id: s.id(),
                search_lane: s.search_lane(),
                metrics: s.metrics().iter().map(|m| m.metric).collect(),
            })
            .collect(),
    }
}

/// Every metric of every source (the `metrics` table).
pub fn metrics() -> Vec<MetricDef> {
    registry()
        .iter()
        .flat_map(|s| s.metrics().iter().copied())
        .collect()
}

/// Plans the requests of every enabled source for the catalog.
pub fn plan(config: &Config, catalog: &Catalog, window: PlanWindow) -> Vec<SourcePlan> {
    config
        .enabled_sources()
        .filter_map(|(id, cfg)| {
            let source = self::source(id)?;
            let token = cfg.token();
            let ask = Ask {
                base: &cfg.base_url,
                catalog,
                window,
                has_token: token.is_some(),
            };
            let requests = source.plan(&ask);
            let pacer = source.pacer();
            Some(SourcePlan {
                source: id,
                config: cfg.clone(),
                auth: source.auth(token),
                requests,
                pacer,
            })
        })
        .collect()
}

/// Turns one answer into its verdict with its source's parser; an answer
/// of a source this build does not have is a parse error that says so.
pub fn normalize(spec: &RequestSpec, status: u16, body: &[u8]) -> Normalized {
    match source(spec.source) {
        Some(s) => trends_normalizer::normalize(s, spec, status, body),
        None => Normalized::ParseError(format!(
            "{}: {}",
            spec.request_key(),
            by_name(spec.source.as_str()).err().unwrap_or_default()
        )),
    }
}
