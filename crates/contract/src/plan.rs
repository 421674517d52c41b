//! What a source asks: its [`Planned`] requests (the real URL without a
//! secret, the headers the API asks for, a JSON body for a `POST`), the
//! [`Lane`] each counts against, how its secret is attached ([`Auth`]),
//! the window a plan is made for ([`PlanWindow`]) and a source's part of a
//! run ([`SourcePlan`]), plus the planners' shared helpers ([`planning`]).

use chrono::NaiveDate;
use trends_core::{RequestSpec, SourceConfig, SourceId};
use url::Url;

use crate::Pacer;

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
    /// A query parameter the source names (Stack Exchange's app key goes
    /// in `key=`).
    QueryParam {
        name: &'static str,
        value: String,
    },
    /// `Authorization: Bearer <token>` (GitHub's token).
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::QueryParam { name, .. } => write!(f, "Auth::QueryParam({name}=<redacted>)"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

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
