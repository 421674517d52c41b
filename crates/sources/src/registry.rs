//! The one list of sources: adding a source is its module under `src/`
//! (its demo route included) plus one line here (and its config, catalog
//! keys and fixtures; CONTRIBUTING.md has the checklist). The order is the
//! order sources run in and are printed in; the demo server serves every
//! source here that has a demo route.

use crate::Source;
use crate::{
    cratesio, dockerhub, github, githubtopics, gopkg, hackernews, innovationgraph, npm, packagist,
    pypi, rubygems, stackexchange, tiobe, wikimedia,
};

/// Every source this build knows.
pub static SOURCES: &[&dyn Source] = &[
    &stackexchange::StackExchange,
    &github::GitHub,
    &wikimedia::Wikimedia,
    &hackernews::HackerNews,
    &npm::Npm,
    &pypi::PyPI,
    &dockerhub::DockerHub,
    &packagist::Packagist,
    &rubygems::RubyGems,
    &cratesio::CratesIo,
    &gopkg::GoPkg,
    &githubtopics::GitHubTopics,
    &tiobe::Tiobe,
    &innovationgraph::InnovationGraph,
];

/// The answers `trends bench` replays: monthly counts in a real API's
/// format (see the function), parsed by that source's own parser.
pub use crate::wikimedia::synthetic_answer;
