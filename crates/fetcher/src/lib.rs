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

//!
//! What a source is held to (its plan, its answers' pace) is not here but
//! in `trends-contract`, which knows no HTTP client; this crate re-exports
//! it for its callers.

mod client;

use chrono::{DateTime, Utc};
use trends_core::RequestSpec;

pub use client::{Event, HttpClient, SourceSummary, Stop, collect};
pub use trends_contract::{
    Answer, Auth, Lane, NoPacing, Pace, Pacer, PlanWindow, Planned, SourcePlan, join, planning,
};

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
