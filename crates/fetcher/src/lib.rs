//! The only crate of `trends` that does network IO.
//!
//! Each source says which requests to make (its planner module under
//! `sources/`); one shared loop ([`collect`]) sends them with the source's
//! rate limit and concurrency, retries what is worth retrying, honours the
//! APIs' own pacing signals (`Retry-After`, GitHub's `x-ratelimit-*`,
//! Stack Exchange's `backoff`), caps body sizes, and hands every outcome,
//! failed or not, to the caller as a [`Fetched`]. It never parses a body into
//! numbers (that is the normalizer's job) and never touches the database.
//!
//! Secrets (tokens, keys) are attached only at send time; [`Planned::url`] and
//! [`Fetched::url`] never carry them, so nothing downstream can leak them.

mod client;
pub mod sources;

use chrono::{DateTime, NaiveDate, Utc};
use trends_core::{Catalog, Config, RequestSpec, SourceConfig, SourceId};
use url::Url;

pub use client::{Event, HttpClient, SourceSummary, Stop, collect};

/// Which limiter a request counts against. GitHub's search API has its own,
/// much lower limit than its core API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Core,
    Search,
}

/// One request a source wants made.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub spec: RequestSpec,
    /// The full URL without any secret.
    pub url: Url,
    /// Extra headers the API asks for (never a secret).
    pub headers: Vec<(&'static str, String)>,
    pub lane: Lane,
    /// A JSON body: the request is a `POST` with it (GitHub GraphQL);
    /// `None` is a `GET`. Never holds a secret.
    pub body: Option<String>,
}

impl Planned {
    /// A plain `GET` of `url` on the core lane, without extra headers.
    pub(crate) fn get(
        source: SourceId,
        endpoint: &str,
        subjects: Vec<trends_core::Subject>,
        period: trends_core::Period,
        url: Url,
    ) -> Planned {
        Planned {
            spec: RequestSpec {
                source,
                endpoint: endpoint.into(),
                subjects,
                period,
            },
            url,
            headers: Vec::new(),
            lane: Lane::Core,
            body: None,
        }
    }
}

/// How a source's secret is attached at send time.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// Stack Exchange: `key=` query parameter.
    QueryKey(String),
    /// GitHub: `Authorization: Bearer <token>`.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::QueryKey(_) => f.write_str("Auth::QueryKey(<redacted>)"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

/// What became of one planned request, before any parsing.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub spec: RequestSpec,
    /// The URL without secrets (the one archived).
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    pub attempts: u32,
    pub result: Result<HttpResponse, TransportError>,
}

/// A complete HTTP answer, whatever its status.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// No usable answer came: the reason, in one line without secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// The years and day a plan is made for.
#[derive(Debug, Clone, Copy)]
pub struct PlanWindow {
    pub first_year: i32,
    /// The day of the run (UTC): the current year and month are partial.
    pub today: NaiveDate,
}

/// A source's part of a run: its config, its secret and its requests.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub source: SourceId,
    pub config: SourceConfig,
    pub auth: Auth,
    pub requests: Vec<Planned>,
}

/// Plans the requests of every enabled source for the catalog.
pub fn plan(config: &Config, catalog: &Catalog, window: PlanWindow) -> Vec<SourcePlan> {
    config
        .enabled_sources()
        .map(|(source, cfg)| {
            let token = cfg.token();
            let (auth, requests) = match source {
                SourceId::StackExchange => (
                    token.map_or(Auth::None, Auth::QueryKey),
                    sources::stackexchange::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::GitHub => (
                    token.clone().map_or(Auth::None, Auth::Bearer),
                    // GraphQL needs a token; without one, REST.
                    sources::github::plan(&cfg.base_url, catalog, window, token.is_some()),
                ),
                SourceId::Wikimedia => (
                    Auth::None,
                    sources::wikimedia::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::HackerNews => (
                    Auth::None,
                    sources::hackernews::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::Npm => (
                    Auth::None,
                    sources::npm::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::PyPI => (
                    Auth::None,
                    sources::pypi::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::DockerHub => (
                    Auth::None,
                    sources::dockerhub::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::Packagist => (
                    Auth::None,
                    sources::packagist::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::RubyGems => (
                    Auth::None,
                    sources::rubygems::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::CratesIo => (
                    Auth::None,
                    sources::cratesio::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::GoPkg => (
                    Auth::None,
                    sources::gopkg::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::GitHubTopics => (
                    Auth::None,
                    sources::githubtopics::plan(&cfg.base_url, catalog, window),
                ),
                SourceId::Tiobe => (
                    Auth::None,
                    sources::tiobe::plan(&cfg.base_url, catalog, window),
                ),
            };
            SourcePlan {
                source,
                config: cfg.clone(),
                auth,
                requests,
            }
        })
        .collect()
}

/// Appends path segments to a base URL that may itself carry a path
/// (`https://wikimedia.org/api/rest_v1`), percent-encoding each segment.
pub(crate) fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        for s in segments {
            path.push(s);
        }
    }
    url
}
