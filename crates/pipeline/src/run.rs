//! One collect run: plan, fetch on a runtime of its own, parse on its
//! threads (the relay task), store in batches on the caller's thread,
//! watch the deadline, judge and record the run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{Instrument, Span, info, info_span, warn};
use trends_core::{Catalog, Config, SourceId};
use trends_fetcher::{Event, Fetched, HttpClient, SourcePlan};
use trends_store::{RunCounts, RunId, RunStatus, Store};

use crate::combine::combine;
use crate::parse::{Arrived, relay};
use crate::verdict::{join_failure, unaccounted, verdict};
use crate::{Error, Ledger, Progress, RunOptions, RunStop, Scoped, Stopped, Tally, plan};

#[cfg(test)]
mod tests;

/// Answers stored in one transaction at most.
const BATCH: usize = 256;

/// The result of a collect run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The row in `runs`.
    pub run: RunId,
    pub status: RunStatus,
    /// Observations that were new, and that replaced a stored value.
    pub added: u64,
    pub updated: u64,
    pub counts: RunCounts,
    pub sources: BTreeMap<SourceId, Tally>,
    pub seconds: f64,
    /// Why the run stopped sending before its plan was done, if it did.
    pub stopped: Option<Stopped>,
    /// What `runs.error` says (the stop, lost requests, failed sources).
    pub error: Option<String>,
    /// The same, a short line each: the stop, lost requests, one line per
    /// cause of failure however many sources it stopped.
    pub reasons: Vec<String>,
}

/// Runs one collect into an open store: the config and catalog narrowed by
/// `options`, the plan less what is stored, every answer archived with its
/// observations, the run recorded with its status. `stop` ends it early
/// (the caller flips it on a signal; the run itself on its deadline).
/// A failure to store ends the run, recorded `failed`, with an error.
pub fn collect(
    config: &Config,
    catalog: &Catalog,
    store: &mut Store,
    options: &RunOptions,
    stop: &RunStop,
    progress: &mut dyn Progress,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let Scoped { config, catalog } = options.scope(config, catalog)?;
    store.sync_catalog(&catalog, &trends_sources::metrics())?;
    let before = store.counts()?.observations;
    let run = store.begin_run(&options.command, Utc::now())?;
    let span = info_span!("run", run = run.0, command = %options.command);
    let _guard = span.enter();
    let mut plans = plan(&config, &catalog, Some(store), options.refresh)?;
    if let Some(keep) = &options.keep {
        keep.apply(&mut plans);
    }
    let mut ledger = Ledger {
        sources: plans
            .iter()
            .map(|p| {
                let tally = Tally {
                    planned: p.requests.len(),
                    ..Tally::default()
                };
                (p.source, tally)
            })
            .collect(),
        counts: RunCounts::default(),
    };
    info!(
        requests = ledger.sources.values().map(|t| t.planned).sum::<usize>(),
        sources = ledger.sources.len(),
        "planned"
    );
    let client = HttpClient::new(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let mut stages = Stages::start(&runtime, &client, plans, config.max_run, stop, &span);
    let stored = store_arrivals(
        &runtime,
        &mut stages.arrived,
        store,
        run,
        &mut ledger,
        progress,
        BATCH,
    );
    let (mut lost, parse_busy) = stages.end(&runtime, stop);
    if let Ok(store_busy) = &stored {
        info!(
            parse_secs = parse_busy.as_secs_f64(),
            store_secs = store_busy.as_secs_f64(),
            "answers parsed and stored"
        );
    }
    // What several stored answers give together (GitHub's past year-end stars).
    let stored = stored.and_then(|_| combine_into(store, &mut ledger));
    let stopped = stop.stopped();
    lost.extend(unaccounted(&ledger.sources));
    let v = verdict(
        &ledger.sources,
        &ledger.counts,
        stored.is_err(),
        &lost,
        stopped,
    );
    let (error, reasons) = match &stored {
        Err(e) => (Some(chain(e)), vec![chain(e)]),
        Ok(()) => (v.error, v.reasons),
    };
    store.finish_run(run, v.status, &ledger.counts, error.as_deref(), Utc::now())?;
    stored.map_err(|e| Error::Stopped(Box::new(e)))?;
    let added = u64::try_from(store.counts()?.observations - before).unwrap_or(0);
    Ok(Summary {
        run,
        status: v.status,
        added,
        updated: ledger.counts.observations.saturating_sub(added),
        counts: ledger.counts,
        sources: ledger.sources,
        seconds: started.elapsed().as_secs_f64(),
        stopped,
        error,
        reasons,
    })
}

/// Runs [`combine`] for the run's sources and counts what it wrote.
fn combine_into(store: &mut Store, ledger: &mut Ledger) -> Result<(), Error> {
    let sources: Vec<_> = ledger.sources.keys().copied().collect();
    for source in sources {
        let written = combine(store, [source])?;
        ledger.counts.observations += written;
        if let Some(tally) = ledger.sources.get_mut(&source) {
            tally.observations += written;
        }
    }
    Ok(())
}

/// The tasks of a run on its runtime, and the end of their stream.
struct Stages {
    fetch: JoinHandle<()>,
    parse: JoinHandle<Duration>,
    deadline: JoinHandle<()>,
    arrived: mpsc::Receiver<Arrived>,
}

impl Stages {
    fn start(
        runtime: &Runtime,
        client: &HttpClient,
        plans: Vec<SourcePlan>,
        max_run: Duration,
        stop: &RunStop,
        span: &Span,
    ) -> Stages {
        let (tx, fetched) = mpsc::channel::<Event>(64);
        let deadline = runtime.spawn(watch_deadline(stop.clone(), max_run));
        let fetch = runtime.spawn({
            let client = client.clone();
            let stop = stop.fetcher().clone();
            async move { trends_fetcher::collect(&client, plans, tx, &stop).await }
                .instrument(span.clone())
        });
        // Answers are parsed on the runtime's threads, in arrival order,
        // while the caller's thread stores the ones parsed before them.
        let (parsed, arrived) = mpsc::channel::<Arrived>(64);
        let parse = runtime.spawn(relay(fetched, parsed).instrument(span.clone()));
        Stages {
            fetch,
            parse,
            deadline,
            arrived,
        }
    }

    /// Stops what is still sending and waits for the tasks: a task that
    /// panicked (or was lost) is a failure of the run, never silence.
    /// Returns those failures and the time the relay spent parsing.
    fn end(self, runtime: &Runtime, stop: &RunStop) -> (Vec<String>, Duration) {
        // After a store error nothing more should be sent.
        stop.fetcher().stop();
        drop(self.arrived);
        let mut lost = Vec::new();
        let parse_busy = runtime.block_on(self.parse).unwrap_or_else(|e| {
            lost.push(join_failure("parse", &e));
            Duration::ZERO
        });
        if let Err(e) = runtime.block_on(self.fetch) {
            lost.push(join_failure("fetch", &e));
        }
        self.deadline.abort();
        (lost, parse_busy)
    }
}

/// Flips `stop` when the run's deadline passes, unless it was stopped
/// before.
async fn watch_deadline(stop: RunStop, max_run: Duration) {
    tokio::select! {
        () = tokio::time::sleep(max_run) => {
            warn!(
                max_run_secs = max_run.as_secs(),
                "run deadline passed (max_run_secs = {}): no new requests; storing what has arrived, the rest is left for the next run",
                max_run.as_secs()
            );
            stop.deadline(max_run);
        }
        () = stop.fetcher().stopped() => {}
    }
}

/// Stores what arrives until the stream ends. What has arrived while the
/// last batch was stored goes in together (up to [`BATCH`] answers, one
/// transaction): under load that keeps storing from being the bottleneck;
/// when answers trickle in, each is stored as it comes. Other events wait
/// until the answers before them are stored, so a source finishes after
/// its last answer. Returns the time spent storing.
fn store_arrivals(
    runtime: &Runtime,
    arrived: &mut mpsc::Receiver<Arrived>,
    store: &mut Store,
    run: RunId,
    ledger: &mut Ledger,
    progress: &mut dyn Progress,
    max_batch: usize,
) -> Result<Duration, Error> {
    let mut busy = Duration::ZERO;
    let mut batch = Vec::new();
    let mut after = Vec::new();
    while let Some(first) = runtime.block_on(arrived.recv()) {
        let mut next = Some(first);
        while let Some(one) = next.take() {
            match one {
                Arrived::Answer(answer) => batch.push(*answer),
                Arrived::Other(Event::Started { source, planned }) => {
                    progress.started(source, planned);
                }
                Arrived::Other(other) => after.push(other),
            }
            if batch.len() < max_batch {
                next = arrived.try_recv().ok();
            }
        }
        let t0 = Instant::now();
        ledger.record(store, run, &batch)?;
        busy += t0.elapsed();
        for answer in batch.drain(..) {
            let source = answer.fetched.spec.source;
            if let Some(tally) = ledger.sources.get(&source) {
                progress.stored(source, tally);
            }
        }
        for event in after.drain(..) {
            close_source(ledger, event, progress);
        }
    }
    Ok(busy)
}

/// The time a run's two loops were busy: the relay parsing, the caller's
/// thread storing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoopTimes {
    pub parse: Duration,
    pub store: Duration,
}

/// Stores answers that were fetched before through the loop a collect
/// runs: the relay task parses them on the runtime's threads while this
/// thread stores what has arrived in batches of one transaction (up to
/// `max_batch` answers; a collect stores up to 256). `trends bench`
/// measures the load path with it.
pub fn store_fetched(
    store: &mut Store,
    run: RunId,
    answers: Vec<Fetched>,
    max_batch: usize,
    ledger: &mut Ledger,
) -> Result<LoopTimes, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let (tx, fetched) = mpsc::channel::<Event>(64);
    let feed = runtime.spawn(async move {
        for answer in answers {
            if tx.send(Event::Fetched(Box::new(answer))).await.is_err() {
                break;
            }
        }
    });
    let (parsed, mut arrived) = mpsc::channel::<Arrived>(64);
    let parse = runtime.spawn(relay(fetched, parsed));
    let stored = store_arrivals(
        &runtime,
        &mut arrived,
        store,
        run,
        ledger,
        &mut crate::Quiet,
        max_batch.max(1),
    );
    drop(arrived);
    let parse = runtime.block_on(parse);
    let fed = runtime.block_on(feed);
    let store = stored?;
    let parse = parse.map_err(|e| Error::Lost(join_failure("parse", &e)))?;
    fed.map_err(|e| Error::Lost(join_failure("feed", &e)))?;
    Ok(LoopTimes { parse, store })
}

/// A source halted or finished.
fn close_source(ledger: &mut Ledger, event: Event, progress: &mut dyn Progress) {
    match event {
        Event::Halted { source, reason } => {
            ledger.sources.entry(source).or_default().halted = Some(reason);
        }
        Event::Finished(s) => {
            let tally = ledger.sources.entry(s.source).or_default();
            tally.skipped = s.skipped;
            // What a halt leaves undone, now that it is known.
            if let Some(reason) = tally.halted.as_mut() {
                reason.push_str(&format!(", {} requests left for the next run", s.skipped));
            }
            info_span!("source", source = %s.source).in_scope(|| {
                info!(
                    ok = tally.ok,
                    no_data = tally.no_data,
                    failed = tally.failed,
                    skipped = tally.skipped,
                    observations = tally.observations,
                    "source stored"
                );
            });
            progress.finished(s.source, tally);
        }
        Event::Fetched(_) | Event::Started { .. } => {}
    }
}

/// An error and its causes on one line, as `runs.error` keeps it.
fn chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
