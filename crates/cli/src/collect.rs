//! `trends collect`: plan, fetch, archive, normalize, store; then summarize.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use tokio::sync::mpsc;
use tracing::{info, info_span, warn};
use trends_core::{Catalog, Config, Outcome, SourceId};
use trends_fetcher::{Event, Fetched, HttpClient, PlanWindow};
use trends_store::{RawResponse, RunCounts, RunStatus, Store};

/// What one source did in a run.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub planned: usize,
    pub ok: u64,
    pub no_data: u64,
    pub failed: u64,
    pub skipped: usize,
    pub observations: u64,
    pub halted: Option<String>,
    /// The first failure's message, for the summary.
    pub first_error: Option<String>,
}

impl Tally {
    fn failed(&self) -> bool {
        self.failed > 0 || self.halted.is_some()
    }
}

/// The result of a collect run.
#[derive(Debug)]
pub struct Summary {
    pub status: RunStatus,
    pub counts: RunCounts,
    pub sources: BTreeMap<SourceId, Tally>,
    pub seconds: f64,
}

impl Summary {
    pub fn exit_code(&self) -> ExitCode {
        match self.status {
            RunStatus::Ok => ExitCode::SUCCESS,
            RunStatus::Partial => ExitCode::from(2),
            RunStatus::Failed => ExitCode::from(1),
        }
    }

    pub fn print(&self) {
        println!(
            "collect {}: {} requests, {} answered with data or no-data, {} failed, {} observations written, {:.1}s",
            self.status.as_str(),
            self.counts.requests,
            self.counts.responses_ok,
            self.counts.responses_failed,
            self.counts.observations,
            self.seconds
        );
        for (source, t) in &self.sources {
            let mut line = format!(
                "  {source:<14} {:>5} planned {:>5} ok {:>4} no-data {:>4} failed {:>6} observations",
                t.planned, t.ok, t.no_data, t.failed, t.observations
            );
            if t.skipped > 0 {
                line.push_str(&format!(", {} skipped", t.skipped));
            }
            println!("{line}");
            if let Some(reason) = &t.halted {
                println!("    stopped early: {reason}");
            }
            if let Some(e) = &t.first_error {
                println!("    first failure: {e}");
            }
        }
    }
}

pub fn run(config: &Config, catalog: &Catalog, db: &Path) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(db).with_context(|| format!("cannot use database {}", db.display()))?;
    let summary = collect_into(config, catalog, &mut store, "collect")?;
    summary.print();
    Ok(summary.exit_code())
}

/// Runs one collect into an open store. Shared by `collect` and `demo`.
pub fn collect_into(
    config: &Config,
    catalog: &Catalog,
    store: &mut Store,
    command: &str,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    store.sync_catalog(catalog)?;
    let now = Utc::now();
    let run = store.begin_run(command, now)?;
    let span = info_span!("run", run = run.0);
    let _guard = span.enter();
    let window = PlanWindow {
        first_year: config.first_year,
        today: now.date_naive(),
    };
    let plans = trends_fetcher::plan(config, catalog, window);
    let mut sources: BTreeMap<SourceId, Tally> = plans
        .iter()
        .map(|p| {
            (
                p.source,
                Tally {
                    planned: p.requests.len(),
                    ..Tally::default()
                },
            )
        })
        .collect();
    info!(
        requests = sources.values().map(|t| t.planned).sum::<usize>(),
        sources = sources.len(),
        "planned"
    );
    let client = HttpClient::new(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (tx, mut rx) = mpsc::channel::<Event>(64);
    let fetch = runtime.spawn({
        let client = client.clone();
        async move { trends_fetcher::collect(&client, plans, tx).await }
    });
    let mut counts = RunCounts::default();
    let mut store_error = None;
    // The store is used on this thread only; fetch tasks hand responses over.
    while let Some(event) = runtime.block_on(rx.recv()) {
        match event {
            Event::Fetched(fetched) => {
                let tally = sources.entry(fetched.spec.source).or_default();
                if let Err(e) = record(store, run, &fetched, tally, &mut counts) {
                    store_error = Some(e);
                    break;
                }
            }
            Event::Halted { source, reason } => {
                sources.entry(source).or_default().halted = Some(reason);
            }
            Event::Finished(s) => {
                sources.entry(s.source).or_default().skipped = s.skipped;
            }
            Event::Started { .. } => {}
        }
    }
    drop(rx);
    let _ = runtime.block_on(fetch);
    let any_failed = sources.values().any(Tally::failed);
    let landed = counts.responses_ok > 0;
    let status = match (&store_error, any_failed, landed) {
        (Some(_), _, _) => RunStatus::Failed,
        (None, false, _) => RunStatus::Ok,
        (None, true, true) => RunStatus::Partial,
        (None, true, false) => RunStatus::Failed,
    };
    let error = store_error
        .as_ref()
        .map(|e| format!("{e:#}"))
        .or_else(|| failure_digest(&sources));
    store.finish_run(run, status, &counts, error.as_deref(), Utc::now())?;
    if let Some(e) = store_error {
        return Err(e.context("the run stopped; what was stored before stays"));
    }
    Ok(Summary {
        status,
        counts,
        sources,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn record(
    store: &mut Store,
    run: trends_store::RunId,
    fetched: &Fetched,
    tally: &mut Tally,
    counts: &mut RunCounts,
) -> anyhow::Result<()> {
    counts.requests += 1;
    let (status, body, normalized) = match &fetched.result {
        Ok(response) => (
            Some(response.status),
            Some(response.body.as_slice()),
            trends_normalizer::normalize(&fetched.spec, response.status, &response.body),
        ),
        Err(e) => (
            None,
            None,
            trends_normalizer::Normalized {
                outcome: Outcome::TransportError,
                observations: Vec::new(),
                error: Some(e.0.clone()),
            },
        ),
    };
    let raw = RawResponse {
        spec: &fetched.spec,
        url: &fetched.url,
        status,
        fetched_at: fetched.fetched_at,
        body,
        outcome: normalized.outcome,
        error: normalized.error.as_deref(),
    };
    store
        .record(run, &raw, &normalized.observations)
        .with_context(|| format!("cannot store the answer to {}", fetched.url))?;
    match normalized.outcome {
        Outcome::Ok => tally.ok += 1,
        Outcome::NoData => tally.no_data += 1,
        Outcome::HttpError | Outcome::TransportError | Outcome::ParseError => {
            tally.failed += 1;
            let msg = format!(
                "{} {}: {}",
                normalized.outcome.as_str(),
                fetched.url,
                normalized.error.as_deref().unwrap_or("")
            );
            warn!(source = %fetched.spec.source, url = %fetched.url, outcome = normalized.outcome.as_str(),
                error = normalized.error.as_deref().unwrap_or(""), "request failed");
            tally.first_error.get_or_insert(msg);
        }
    }
    if normalized.outcome.is_success() {
        counts.responses_ok += 1;
    } else {
        counts.responses_failed += 1;
    }
    let n = normalized.observations.len() as u64;
    tally.observations += n;
    counts.observations += n;
    Ok(())
}

/// One line naming each failed source and why, for `runs.error`.
fn failure_digest(sources: &BTreeMap<SourceId, Tally>) -> Option<String> {
    let parts: Vec<String> = sources
        .iter()
        .filter(|(_, t)| t.failed())
        .map(|(s, t)| {
            let why = t
                .halted
                .clone()
                .or_else(|| t.first_error.clone())
                .unwrap_or_default();
            format!("{s}: {} failed ({why})", t.failed)
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}
