//! What an answer says about pacing the next requests, as each source reads
//! it: a spent rate limit (GitHub's `x-ratelimit-*`), a backoff asked for in
//! the body (Stack Exchange's `backoff`), a refusal for the rest of the run
//! (a throttle or a spent quota). The fetch loop acts on a [`Pace`] the same
//! way whichever source gave it; `Retry-After` it reads itself (RFC 9110).
//! A source reads no clock: the instant the answer arrived comes with it.

use std::fmt::Debug;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// One answer as a [`Pacer`] sees it: status, headers, body, and when it
/// arrived.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    headers: Headers<'a>,
    pub body: &'a [u8],
    /// When the fetch loop received it, by its clock: a reset instant an
    /// API sends (GitHub's `x-ratelimit-reset`, GraphQL's `resetAt`) is a
    /// wait from this instant.
    pub received_at: DateTime<Utc>,
}

/// An answer's headers: the fetch loop's own lookup into what it received
/// (so this crate needs no HTTP client's header type), or a list a test
/// gives.
#[derive(Clone, Copy)]
enum Headers<'a> {
    Received(&'a (dyn Fn(&str) -> Option<&'a str> + Sync)),
    Given(&'a [(&'a str, &'a str)]),
}

impl Debug for Headers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Headers::Received(_) => f.write_str("Headers::Received(..)"),
            Headers::Given(pairs) => f.debug_tuple("Headers::Given").field(pairs).finish(),
        }
    }
}

impl<'a> Answer<'a> {
    /// An answer as the fetch loop received it: `header` looks a header up
    /// by name (any case) in what came.
    pub fn received(
        status: u16,
        header: &'a (dyn Fn(&str) -> Option<&'a str> + Sync),
        body: &'a [u8],
        received_at: DateTime<Utc>,
    ) -> Answer<'a> {
        Answer {
            status,
            headers: Headers::Received(header),
            body,
            received_at,
        }
    }

    /// An answer with these headers, received at `received_at`, for a
    /// source's tests of its pacing.
    pub fn with_headers(
        status: u16,
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
        received_at: DateTime<Utc>,
    ) -> Answer<'a> {
        Answer {
            status,
            headers: Headers::Given(headers),
            body,
            received_at,
        }
    }

    /// The header `name` (any case) as text, when present and readable.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        match self.headers {
            Headers::Received(lookup) => lookup(name),
            Headers::Given(pairs) => pairs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v),
        }
    }
}

/// What the loop does after an answer, beyond its status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pace {
    /// The request's rate limit is spent and resets this long from now: the
    /// lane waits that long (or the source halts, when it is longer than
    /// `http.max_retry_wait`), and a 403 or 429 with it is retried after it.
    pub spent_for: Option<Duration>,
    /// The API asks that nothing more be sent for this long.
    pub backoff: Option<Duration>,
    /// The API refuses further requests this run: the source halts with
    /// this reason, and what is left is skipped for the next run.
    pub halt: Option<String>,
}

/// A source's reading of its answers' pacing signals.
pub trait Pacer: Debug + Send + Sync {
    fn pace(&self, answer: &Answer<'_>) -> Pace;
}

/// For a source whose API sends no pacing signal beyond `Retry-After`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPacing;

impl Pacer for NoPacing {
    fn pace(&self, _: &Answer<'_>) -> Pace {
        Pace::default()
    }
}
