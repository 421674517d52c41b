//! Turning answers into observations: the one call of the parsers, the
//! relay task that parses a run's answers as they arrive, and renormalizing
//! the archive.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use trends_core::RequestSpec;
use trends_fetcher::{Event, Fetched};
use trends_normalizer::Normalized;
use trends_store::{Archived, Renormalized, Reparsed, Store};

use crate::Error;

/// An answer with its parser's verdict.
#[derive(Debug)]
pub struct ParsedAnswer {
    pub fetched: Fetched,
    pub normalized: Normalized,
}

impl ParsedAnswer {
    /// Parses what came back; a transport error is recorded as such.
    pub fn parse(fetched: Fetched) -> ParsedAnswer {
        let normalized = match &fetched.result {
            Ok(response) => normalize(&fetched.spec, response.status, &response.body),
            Err(e) => Normalized::TransportError(e.0.clone()),
        };
        ParsedAnswer {
            fetched,
            normalized,
        }
    }
}

/// The one call of the parsers, for a run's answers and the archive's alike.
fn normalize(spec: &RequestSpec, status: u16, body: &[u8]) -> Normalized {
    trends_sources::normalize(spec, status, body)
}

/// What the store loop receives: a parsed answer, or a fetcher event passed
/// on in its place in the stream.
#[derive(Debug)]
pub(crate) enum Arrived {
    Answer(Box<ParsedAnswer>),
    Other(Event),
}

/// The relay task: parses each fetched answer as it comes and passes
/// everything on in order. Returns the time it spent parsing.
pub(crate) async fn relay(
    mut fetched: mpsc::Receiver<Event>,
    parsed: mpsc::Sender<Arrived>,
) -> Duration {
    let mut busy = Duration::ZERO;
    while let Some(event) = fetched.recv().await {
        let arrived = match event {
            Event::Fetched(f) => {
                let t0 = Instant::now();
                let answer = ParsedAnswer::parse(*f);
                busy += t0.elapsed();
                Arrived::Answer(Box::new(answer))
            }
            other => Arrived::Other(other),
        };
        if parsed.send(arrived).await.is_err() {
            break;
        }
    }
    busy
}

/// Rebuilds every observation from the archived raw responses, without the
/// network, in one transaction (after a parser fix, say).
pub fn renormalize(store: &mut Store) -> Result<Renormalized, Error> {
    let mut done = store.renormalize(reparse)?;
    let sources = trends_sources::registry().iter().map(|s| s.id());
    done.observations += crate::combine::combine(store, sources)?;
    Ok(done)
}

/// The verdict on an archived response today.
fn reparse(archived: &Archived) -> Reparsed {
    match (&archived.status, &archived.body) {
        (Some(status), Some(body)) => {
            let n = normalize(&archived.spec, *status, body);
            Reparsed {
                outcome: n.outcome(),
                error: n.error().map(str::to_owned),
                observations: n.into_observations(),
            }
        }
        // No answer came: nothing to parse, the verdict stays.
        _ => Reparsed {
            outcome: archived.outcome,
            error: archived.error.clone(),
            observations: Vec::new(),
        },
    }
}
