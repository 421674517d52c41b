//! The only crate of `trends` that does network IO.
//!
//! Each source (`trends-sources`) says which requests to make, as
//! [`Planned`] requests in a [`SourcePlan`]; one shared loop ([`collect`])
//! sends them with the source's rate limit and concurrency, retries what is
//! worth retrying, honours `Retry-After` and whatever the source's
//! [`Pacer`] reads from an answer (rate-limit headers, backoff fields),
//! caps body sizes, and hands every outcome, failed or not, to the caller
//! as a [`Fetched`]. It names no source, never parses a body into numbers
//! (that is the normalizer's job) and never touches the database.
//!
//! Secrets (tokens, keys) are attached only at send time; [`Planned::url`] and
//! [`Fetched::url`] never carry them, so nothing downstream can leak them.

mod client;
mod pace;
pub mod planning;

use chrono::{DateTime, NaiveDate, Utc};
use trends_core::{RequestSpec, SourceConfig, SourceId};
use url::Url;

pub use client::{Event, HttpClient, SourceSummary, Stop, collect};
pub use pace::{Answer, NoPacing, Pace, Pacer};

trends_core::string_enum! {
    /// Which limiter a request counts against. A search API may have its own,
    /// much lower limit than the rest of its API (`search_requests_per_minute`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Lane("lane") {
        Core => "core",
        Search => "search",
    }
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
    pub fn get(
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
    /// A `key=` query parameter (Stack Exchange's app key).
    QueryKey(String),
    /// `Authorization: Bearer <token>` (GitHub's token).
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

/// A source's part of a run: its config, its secret, its requests and how
/// its answers pace the next ones.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub source: SourceId,
    pub config: SourceConfig,
    pub auth: Auth,
    pub requests: Vec<Planned>,
    pub pacer: &'static dyn Pacer,
}

/// Appends path segments to a base URL that may itself carry a path
/// (`https://wikimedia.org/api/rest_v1`), percent-encoding each segment.
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        for s in segments {
            path.push(s);
        }
    }
    url
}
