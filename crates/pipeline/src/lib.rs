//! A run of `trends` as library functions, between the binary and the
//! libraries it wires together.
//!
//! [`collect`] plans a run (skipping closed periods already stored unless
//! `refresh`), fetches on a tokio runtime of its own, parses each answer on
//! the runtime's threads as it arrives (the relay task), stores what has
//! arrived in batches of one transaction each on the caller's thread, watches
//! the run's deadline, and judges the run: every planned request accounted
//! for, then `ok`, `partial`, `failed` or `interrupted` (`verdict.rs`).
//! [`renormalize`] rebuilds the observations from the archive. After both,
//! what several stored answers give together is combined (`combine.rs`).
//! [`finish`] then stores the report's ranking and publishes the working
//! copy: the last step of every writing command.
//!
//! It owns the run-status policy and the tracing spans per run; it does not
//! print, draw progress bars (a [`Progress`] observer does), parse a command
//! line, install signal handlers (the caller flips a [`RunStop`]), take the
//! run lock or choose exit codes: those are the binary's.

mod combine;
mod finish;
mod health;
mod parse;
mod plan;
mod record;
mod run;
mod verdict;

use trends_core::SourceId;

pub use finish::finish;
pub use health::{Freshness, causes, freshness};
pub use parse::{ParsedAnswer, renormalize};
pub use plan::{Keep, KeepFn, RunOptions, Scoped, plan};
pub use record::{Ledger, Tally};
pub use run::{LoopTimes, Summary, collect, store_fetched};
pub use verdict::{RunStop, StopSignal, Stopped};

/// Why a run (or its set-up) failed. What was stored before a failure
/// stays stored.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("--since {year}: expected a year from 2000 to this year")]
    Since { year: i32 },
    #[error("--sources {id}: not enabled in {config}; add or enable [sources.{id}]")]
    NotEnabled { id: SourceId, config: String },
    #[error("--techs")]
    Techs(#[source] Box<trends_core::CatalogError>),
    #[error(transparent)]
    Store(Box<trends_store::StoreError>),
    #[error(transparent)]
    Client(#[from] trends_fetcher::TransportError),
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error("cannot store the answers to {url} (and {more} more)")]
    Record {
        url: String,
        more: usize,
        #[source]
        source: Box<trends_store::StoreError>,
    },
    /// A task of the loop panicked or was lost.
    #[error("{0}")]
    Lost(String),
    /// A store error ended the run after it was recorded `failed`.
    #[error("the run stopped; what was stored before stays")]
    Stopped(#[source] Box<Error>),
}

impl From<trends_store::StoreError> for Error {
    fn from(e: trends_store::StoreError) -> Error {
        Error::Store(Box::new(e))
    }
}

/// What a run reports as it goes, for progress bars; every method does
/// nothing unless implemented. Called on the thread that called
/// [`collect`], after the answers it counts are stored.
pub trait Progress {
    /// A source starts with this many planned requests.
    fn started(&mut self, _source: SourceId, _planned: usize) {}
    /// One of the source's answers is stored; `tally` is its count so far.
    fn stored(&mut self, _source: SourceId, _tally: &Tally) {}
    /// The source is done (all its answers stored, the rest skipped).
    fn finished(&mut self, _source: SourceId, _tally: &Tally) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {}
