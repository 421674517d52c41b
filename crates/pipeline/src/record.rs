//! Storing parsed answers a batch at a time, and counting them per source.

use std::collections::BTreeMap;

use tracing::warn;
use trends_core::{Outcome, SourceId};
use trends_store::{AnswerRecord, RawResponse, RunCounts, RunId, Store};

use crate::{Error, ParsedAnswer};

/// What one source did in a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub planned: usize,
    pub ok: u64,
    pub no_data: u64,
    /// Failed requests: `http_error + transport_error + parse_error`.
    pub failed: u64,
    pub http_error: u64,
    pub transport_error: u64,
    pub parse_error: u64,
    pub skipped: usize,
    pub observations: u64,
    /// Why the source stopped before its plan was done, if it did, ending
    /// with how many of its requests are left for the next run.
    pub halted: Option<String>,
    /// The first failure's message, for the summary.
    pub first_error: Option<String>,
    /// The first failure's outcome and message without its URL: what the
    /// summary groups sources by (`health::causes`).
    pub first_cause: Option<String>,
}

impl Tally {
    pub(crate) fn failed(&self) -> bool {
        self.failed > 0 || self.halted.is_some()
    }
}

/// What a run has stored so far: per source and in all.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub sources: BTreeMap<SourceId, Tally>,
    pub counts: RunCounts,
}

impl Ledger {
    /// Stores a batch of parsed answers in one transaction, then counts
    /// them per source; on an error nothing of the batch is stored or
    /// counted.
    pub fn record(
        &mut self,
        store: &mut Store,
        run: RunId,
        batch: &[ParsedAnswer],
    ) -> Result<(), Error> {
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let answers: Vec<AnswerRecord<'_>> = batch
            .iter()
            .map(
                |ParsedAnswer {
                     fetched,
                     normalized,
                 }| {
                    let response = fetched.result.as_ref().ok();
                    AnswerRecord {
                        raw: RawResponse {
                            spec: &fetched.spec,
                            url: &fetched.url,
                            status: response.map(|r| r.status),
                            fetched_at: fetched.fetched_at,
                            body: response.map(|r| r.body.as_slice()),
                            outcome: normalized.outcome(),
                            error: normalized.error(),
                        },
                        observations: normalized.observations(),
                    }
                },
            )
            .collect();
        store
            .record_batch(run, &answers)
            .map_err(|source| Error::Record {
                url: first.fetched.url.clone(),
                more: batch.len() - 1,
                source: Box::new(source),
            })?;
        for answer in batch {
            self.count(answer);
        }
        Ok(())
    }

    fn count(
        &mut self,
        ParsedAnswer {
            fetched,
            normalized,
        }: &ParsedAnswer,
    ) {
        let tally = self.sources.entry(fetched.spec.source).or_default();
        let counts = &mut self.counts;
        counts.requests += 1;
        match normalized.outcome() {
            Outcome::Ok => tally.ok += 1,
            Outcome::NoData => tally.no_data += 1,
            Outcome::HttpError | Outcome::TransportError | Outcome::ParseError => {
                tally.failed += 1;
                match normalized.outcome() {
                    Outcome::HttpError => tally.http_error += 1,
                    Outcome::TransportError => tally.transport_error += 1,
                    _ => tally.parse_error += 1,
                }
                let error = normalized.error().unwrap_or("");
                warn!(source = %fetched.spec.source, url = %fetched.url,
                    outcome = normalized.outcome().as_str(), error, "request failed");
                tally.first_error.get_or_insert_with(|| {
                    format!("{} {}: {error}", normalized.outcome().as_str(), fetched.url)
                });
                // An API's error names its source (`npm 503: …`): the cause
                // without it is the same for every source behind one proxy.
                let source_prefix = format!("{} ", fetched.spec.source);
                let cause = match error.strip_prefix(&source_prefix) {
                    Some(rest) if normalized.outcome() == Outcome::HttpError => {
                        format!("HTTP {rest}")
                    }
                    _ => error.to_owned(),
                };
                tally
                    .first_cause
                    .get_or_insert_with(|| format!("{}: {cause}", normalized.outcome().as_str()));
            }
        }
        if normalized.outcome().is_success() {
            counts.responses_ok += 1;
        } else {
            counts.responses_failed += 1;
        }
        let n = normalized.observations().len() as u64;
        tally.observations += n;
        counts.observations += n;
    }
}
