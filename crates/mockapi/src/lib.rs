//! A local HTTP server that answers the endpoints `trends` collects from,
//! in the real APIs' exact formats, with **synthetic** numbers or, for the
//! sources an open dataset measures, **real** ones ([`Figures`], a bundle
//! folder such as `data/demo/` read by [`Bundle::load`]).
//!
//! It powers `trends demo` (the whole pipeline offline, on a fresh machine)
//! and benchmarks (synthetic). It names no source: what each source answers
//! is its demo route (`crates/sources/src/<source>/demo.rs`, the contract
//! in `trends_sources::demo`), and the server serves every source of the
//! registry that has one. Every synthetic number is made up, a deterministic
//! function of the request: the same request always gets the same number,
//! and no number says anything about the real popularity of a technology.
//!
//! The server is built on wiremock: one `MockServer` per source on
//! 127.0.0.1, each answering every request through its route (the request
//! read into a [`DemoRequest`] with the server's start and the current
//! time, the route's [`DemoAnswer`] sent back). It does no other IO and
//! never reaches the network.
//!
//! ```no_run
//! # async fn demo() {
//! use trends_core::SourceId;
//! let server = trends_mockapi::DemoServer::start().await;
//! let base = server.base_url(SourceId::new("github")).expect("served"); // e.g. "http://127.0.0.1:41234"
//! # }
//! ```

mod recorded;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use trends_core::SourceId;
use trends_sources::demo::{DemoAnswer, DemoRequest, DemoRoute};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use recorded::{Bundle, BundleError, Figures};

/// The demo server: one local wiremock server per source with a demo
/// route. Dropping it shuts them down.
#[derive(Debug)]
pub struct DemoServer {
    served: Vec<Served>,
    figures: Figures,
}

/// One source's server and the path its API sits under.
#[derive(Debug)]
struct Served {
    source: SourceId,
    server: MockServer,
    prefix: &'static str,
}

impl DemoServer {
    /// Starts one server per source on free ports of 127.0.0.1. Requests are not
    /// recorded, so memory stays flat however many a benchmark sends.
    pub async fn start() -> DemoServer {
        DemoServer::start_with_latency(Duration::ZERO).await
    }

    /// [`DemoServer::start`] with every answer held back by `latency`, as a
    /// distant API would (for the collect benchmark).
    pub async fn start_with_latency(latency: Duration) -> DemoServer {
        DemoServer::start_with(Figures::Synthetic, latency).await
    }

    /// One server per source answering with `figures`: with
    /// [`Figures::Real`], the sources of the bundle answer from its
    /// datasets (the demo enables only those and asks only what
    /// [`DemoServer::answers`] says they have); the others stay synthetic.
    pub async fn start_with(figures: Figures, latency: Duration) -> DemoServer {
        let started = Utc::now();
        let mut served = Vec::new();
        for source in trends_sources::registry() {
            let Some(demo) = source.demo() else {
                continue;
            };
            let route = match figures.bundle().and_then(|b| b.route(source.id())) {
                Some(route) => route,
                None => Arc::from(demo.synthetic()),
            };
            served.push(Served {
                source: source.id(),
                server: serve(route, started, latency).await,
                prefix: demo.prefix(),
            });
        }
        DemoServer { served, figures }
    }

    /// The numbers this server answers with.
    pub fn figures(&self) -> &Figures {
        &self.figures
    }

    /// Whether this server answers `source` with figures of its kind: every
    /// source when synthetic, only the bundle's sources when real.
    pub fn serves(&self, source: SourceId) -> bool {
        self.figures
            .bundle()
            .is_none_or(|b| b.serves(source.as_str()))
    }

    /// Whether this server has a figure for the request `url` of `source`
    /// (always, when synthetic; when real, see [`Bundle::answers`]). The
    /// real demo asks nothing else, so a period without data is not
    /// collected: its value stays NULL.
    pub fn answers(&self, source: SourceId, url: &str) -> bool {
        self.figures
            .bundle()
            .is_none_or(|b| b.answers(source.as_str(), url))
    }

    /// What to put in config `[sources.<name>] base_url` for this source,
    /// in place of the real API's: the local server plus the path the API
    /// sits under, when its route declares one (Wikimedia's
    /// `/api/rest_v1`). `None` for a source the demo server does not serve.
    pub fn base_url(&self, source: SourceId) -> Option<String> {
        self.served
            .iter()
            .find(|s| s.source == source)
            .map(|s| format!("{}{}", s.server.uri(), s.prefix))
    }
}

async fn serve(route: Arc<dyn DemoRoute>, started: DateTime<Utc>, latency: Duration) -> MockServer {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(Routed {
            route,
            started,
            latency,
        })
        .mount(&server)
        .await;
    server
}

/// Answers every request through a source's route, held back by `latency`.
struct Routed {
    route: Arc<dyn DemoRoute>,
    started: DateTime<Utc>,
    latency: Duration,
}

impl wiremock::Respond for Routed {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let answer = response(self.route.answer(&demo_request(request, self.started)));
        if self.latency.is_zero() {
            answer
        } else {
            answer.set_delay(self.latency)
        }
    }
}

/// A wiremock request as a demo route reads it, at the current time, to a
/// server started at `started` (for tests that serve a route's pieces from
/// a wiremock server of their own).
pub fn demo_request(request: &wiremock::Request, started: DateTime<Utc>) -> DemoRequest {
    let headers = request
        .headers
        .iter()
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    DemoRequest {
        method: request.method.as_str().to_owned(),
        url: request.url.clone(),
        headers,
        body: request.body.clone(),
        started,
        now: Utc::now(),
    }
}

/// A demo route's answer as wiremock sends it.
pub fn response(answer: DemoAnswer) -> ResponseTemplate {
    let mut template =
        ResponseTemplate::new(answer.status).set_body_raw(answer.body, answer.content_type);
    for (name, value) in answer.headers {
        template = template.insert_header(name.as_str(), value.as_str());
    }
    template
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A plain GET: status, headers (lowercase names), body.
    pub(crate) async fn get(url: &str) -> (u16, HashMap<String, String>, String) {
        let response = reqwest::get(url).await.expect("the demo server answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.text().await.expect("a text body");
        (status, headers, body)
    }

    #[tokio::test]
    async fn base_urls_are_local_and_distinct() {
        let server = DemoServer::start().await;
        let names = [
            "stackexchange",
            "github",
            "wikimedia",
            "hackernews",
            "npm",
            "pypi",
            "dockerhub",
            "packagist",
            "rubygems",
            "cratesio",
            "gopkg",
            "githubtopics",
            "tiobe",
            "innovationgraph",
        ];
        let urls: Vec<String> = names
            .iter()
            .map(|s| server.base_url(SourceId::new(s)).expect("served"))
            .collect();
        assert_eq!(server.base_url(SourceId::new("nope")), None);
        for url in &urls {
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        }
        assert!(urls[2].ends_with("/api/rest_v1"));
        assert!(urls[13].ends_with("/github/innovationgraph/main"));
        let distinct: std::collections::BTreeSet<&String> = urls.iter().collect();
        assert_eq!(distinct.len(), urls.len());
        // Every source of the registry is served.
        assert_eq!(trends_sources::registry().len(), names.len());
    }

    #[tokio::test]
    async fn answers_go_through_the_route_with_its_status_type_and_headers() {
        let server = DemoServer::start().await;
        let base = server.base_url(SourceId::new("github")).expect("served");
        let (status, headers, body) = get(&format!("{base}/repos/django/django")).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "application/json; charset=utf-8");
        assert_eq!(headers["x-ratelimit-resource"], "core");
        assert!(body.contains("\"full_name\": \"django/django\""), "{body}");
        let (status, headers, _) = get(&format!("{base}/users/octocat")).await;
        assert_eq!(status, 404);
        assert_eq!(headers["x-ratelimit-limit"], "60");
    }

    #[tokio::test]
    async fn latency_holds_every_answer_back() {
        let server = DemoServer::start_with_latency(Duration::from_millis(300)).await;
        let base = server.base_url(SourceId::new("tiobe")).expect("served");
        let start = std::time::Instant::now();
        let (status, _, _) = get(&format!("{base}/tiobe-index/")).await;
        assert_eq!(status, 200);
        assert!(start.elapsed() >= Duration::from_millis(300));
    }
}
