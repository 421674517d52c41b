//! A local HTTP server that answers the endpoints `trends` collects from,
//! in the real APIs' exact formats, with **synthetic** numbers or, for the
//! sources an open dataset measures, **real** ones ([`Figures`],
//! [`recorded`]: the Innovation Graph's files and Stack Overflow questions
//! per tag, from a bundle folder such as `data/demo/`).
//!
//! It powers `trends demo` (the whole pipeline offline, on a fresh machine)
//! and benchmarks (synthetic). Bodies, content types, rate-limit headers and error
//! bodies follow the real Stack Exchange, GitHub and Wikimedia APIs (see
//! each module for the recording it follows); every number in them is made
//! up, a deterministic function of the request ([`numbers`]): the same
//! request always gets the same number, and no number says anything about
//! the real popularity of a technology.
//!
//! The server is built on wiremock: one `MockServer` per source on
//! 127.0.0.1, each answering every request through one `Respond` impl that
//! routes by path. It does no other IO and never reaches the network.
//!
//! ```no_run
//! # async fn demo() {
//! use trends_core::SourceId;
//! let server = trends_mockapi::DemoServer::start().await;
//! let base = server.base_url(SourceId::new("github")).expect("served"); // e.g. Some("http://127.0.0.1:41234")
//! let stars = trends_mockapi::synthetic_repo_counts("django/django").stars;
//! # }
//! ```

mod cratesio;
mod dockerhub;
mod github;
mod github_graphql;
mod hackernews;
mod html;
mod innovationgraph;
mod npm;
pub mod numbers;
mod packagist;
mod pypi;
pub mod recorded;
mod rubygems;
mod stackexchange;
pub mod stars;
mod wikimedia;

use serde::Serialize;
use trends_core::SourceId;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use numbers::{
    Qualifier, RepoCounts, Series, synthetic_crate_day, synthetic_crate_total,
    synthetic_gem_downloads, synthetic_mentions_between, synthetic_monthly_views,
    synthetic_npm_day, synthetic_packagist_day, synthetic_pulls, synthetic_pypi_day,
    synthetic_questions, synthetic_questions_between, synthetic_repo_counts,
    synthetic_repos_created, synthetic_repos_created_between, synthetic_value,
};
pub use recorded::{Bundle, BundleError, Figures};
pub use stars::{repo_created, star_history_page, synthetic_star_history};

/// The demo server: one local wiremock server per source. Dropping it shuts
/// them down.
#[derive(Debug)]
pub struct DemoServer {
    stackexchange: MockServer,
    github: MockServer,
    wikimedia: MockServer,
    hackernews: MockServer,
    npm: MockServer,
    pypi: MockServer,
    dockerhub: MockServer,
    packagist: MockServer,
    rubygems: MockServer,
    cratesio: MockServer,
    gopkg: MockServer,
    githubtopics: MockServer,
    tiobe: MockServer,
    innovationgraph: MockServer,
    figures: Figures,
}

impl DemoServer {
    /// Starts one server per source on free ports of 127.0.0.1. Requests are not
    /// recorded, so memory stays flat however many a benchmark sends.
    pub async fn start() -> DemoServer {
        DemoServer::start_with_latency(std::time::Duration::ZERO).await
    }

    /// [`DemoServer::start`] with every answer held back by `latency`, as a
    /// distant API would (for the collect benchmark).
    pub async fn start_with_latency(latency: std::time::Duration) -> DemoServer {
        DemoServer::start_with(Figures::Synthetic, latency).await
    }

    /// One server per source answering with `figures`: with
    /// [`Figures::Real`], the sources of the bundle answer from its
    /// datasets (the demo enables only those and asks only what
    /// [`DemoServer::answers`] says they have); the others stay synthetic.
    pub async fn start_with(figures: Figures, latency: std::time::Duration) -> DemoServer {
        let stackexchange = serve(
            stackexchange::StackExchange {
                figures: figures.clone(),
            },
            latency,
        )
        .await;
        let github = serve(github::GitHub::new(), latency).await;
        let wikimedia = serve(wikimedia::Wikimedia, latency).await;
        let hackernews = serve(hackernews::HackerNews, latency).await;
        let npm = serve(npm::Npm, latency).await;
        let pypi = serve(pypi::PyPI, latency).await;
        let dockerhub = serve(dockerhub::DockerHub, latency).await;
        let packagist = serve(packagist::Packagist, latency).await;
        let rubygems = serve(rubygems::RubyGems, latency).await;
        let cratesio = serve(cratesio::CratesIo, latency).await;
        let gopkg = serve(html::GoPkg, latency).await;
        let githubtopics = serve(html::GitHubTopics, latency).await;
        let tiobe = serve(html::Tiobe, latency).await;
        let innovationgraph = serve(
            innovationgraph::InnovationGraph {
                figures: figures.clone(),
            },
            latency,
        )
        .await;
        DemoServer {
            figures,
            innovationgraph,
            gopkg,
            githubtopics,
            tiobe,
            packagist,
            rubygems,
            cratesio,
            dockerhub,
            pypi,
            npm,
            stackexchange,
            github,
            wikimedia,
            hackernews,
        }
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
    /// in place of `https://api.stackexchange.com`, `https://api.github.com`
    /// and `https://wikimedia.org/api/rest_v1` (the Wikimedia one keeps the
    /// `/api/rest_v1` path; the Innovation Graph's the repository's
    /// `/github/innovationgraph/main`).
    /// `None` for a source the demo server does not serve.
    pub fn base_url(&self, source: SourceId) -> Option<String> {
        Some(match source.as_str() {
            "stackexchange" => self.stackexchange.uri(),
            "github" => self.github.uri(),
            "wikimedia" => format!("{}{}", self.wikimedia.uri(), wikimedia::PREFIX),
            "hackernews" => self.hackernews.uri(),
            "npm" => self.npm.uri(),
            "pypi" => self.pypi.uri(),
            "dockerhub" => self.dockerhub.uri(),
            "packagist" => self.packagist.uri(),
            "rubygems" => self.rubygems.uri(),
            "cratesio" => self.cratesio.uri(),
            "gopkg" => self.gopkg.uri(),
            "githubtopics" => self.githubtopics.uri(),
            "tiobe" => self.tiobe.uri(),
            "innovationgraph" => {
                format!("{}{}", self.innovationgraph.uri(), innovationgraph::PREFIX)
            }
            _ => return None,
        })
    }
}

async fn serve(
    responder: impl wiremock::Respond + 'static,
    latency: std::time::Duration,
) -> MockServer {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(Delayed { responder, latency })
        .mount(&server)
        .await;
    server
}

/// Holds every answer of `responder` back by `latency`.
struct Delayed<R> {
    responder: R,
    latency: std::time::Duration,
}

impl<R: wiremock::Respond> wiremock::Respond for Delayed<R> {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let answer = self.responder.respond(request);
        if self.latency.is_zero() {
            answer
        } else {
            answer.set_delay(self.latency)
        }
    }
}

/// A JSON object with its keys in the given order, as the APIs send them
/// (`serde_json`'s map would sort them). Values are JSON texts ([`js`]).
pub(crate) fn object(fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", js(key)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A value as JSON text.
pub(crate) fn js(value: impl Serialize) -> String {
    serde_json::to_string(&value).unwrap_or_else(|_| "null".to_owned())
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
        assert_ne!(urls[0], urls[1]);
    }

    #[test]
    fn objects_keep_their_key_order() {
        let text = object(&[("z", js(1)), ("a", js("x\"y")), ("m", "[]".into())]);
        assert_eq!(text, r#"{"z":1,"a":"x\"y","m":[]}"#);
    }
}
