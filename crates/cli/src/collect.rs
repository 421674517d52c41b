//! `trends collect`: plan, fetch, archive, normalize, store; then summarize.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, Utc};
use clap::Args;
use tokio::sync::mpsc;
use tracing::{Instrument, info, info_span, warn};
use trends_core::{Catalog, Config, Outcome, SourceId};
use trends_fetcher::{Event, Fetched, HttpClient, PlanWindow, SourcePlan, Stop};
use trends_store::{RawResponse, RunCounts, RunStatus, Store};

#[derive(Debug, Clone, Default, Args)]
pub struct CollectArgs {
    /// First year to collect (default: `first_year` of the config).
    #[arg(long, value_name = "YEAR")]
    since: Option<i32>,
    /// Only these sources, comma-separated (e.g. `github,wikimedia`).
    #[arg(long, value_delimiter = ',', value_name = "SOURCES")]
    sources: Vec<String>,
    /// Only these technologies (catalog ids), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    techs: Vec<String>,
    /// Fetch closed periods again even when they are already stored.
    #[arg(long)]
    refresh: bool,
    /// Print the requests that would be made, per source, and stop.
    #[arg(long)]
    dry_run: bool,
    /// Send no new request after this many seconds (default: `max_run_secs`
    /// of the config, 3 hours): what has arrived is stored, the run is
    /// recorded `partial` and exits 2; the next run picks up the rest.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    max_run_secs: Option<u64>,
}

/// Per-source progress bars on a terminal; nothing when stdout is not one
/// (cron), so logs stay quiet.
struct Progress {
    multi: Option<indicatif::MultiProgress>,
    bars: BTreeMap<SourceId, indicatif::ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        let multi = std::io::stdout()
            .is_terminal()
            .then(indicatif::MultiProgress::new);
        Progress {
            multi,
            bars: BTreeMap::new(),
        }
    }

    fn start(&mut self, source: SourceId, planned: usize) {
        let Some(multi) = &self.multi else { return };
        let bar = multi.add(indicatif::ProgressBar::new(planned as u64));
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {pos}/{len} {msg} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(source.as_str());
        self.bars.insert(source, bar);
    }

    fn step(&self, source: SourceId, failed: u64) {
        if let Some(bar) = self.bars.get(&source) {
            bar.inc(1);
            if failed > 0 {
                bar.set_message(format!("{failed} failed"));
            }
        }
    }

    fn finish(&self, source: SourceId) {
        if let Some(bar) = self.bars.get(&source) {
            bar.finish();
        }
    }
}

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
}

/// Why a run stopped sending before its plan was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// `max_run_secs` (or `--max-run-secs`) passed.
    Deadline(Duration),
    /// SIGINT (Ctrl-C) or SIGTERM (systemd stopping the unit, `kill`).
    Signal(Signal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT (Ctrl-C)",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code: 128 + the signal's number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl Summary {
    pub fn exit_code(&self) -> ExitCode {
        match (self.status, self.stopped) {
            (RunStatus::Interrupted, Some(Stopped::Signal(signal))) => {
                ExitCode::from(signal.exit_code())
            }
            (RunStatus::Interrupted, _) => ExitCode::from(Signal::Interrupt.exit_code()),
            (RunStatus::Ok, _) => ExitCode::SUCCESS,
            (RunStatus::Partial, _) => ExitCode::from(2),
            (RunStatus::Failed, _) => ExitCode::from(1),
        }
    }

    pub fn print(&self) {
        println!(
            "collect {}: {} requests, {} answered with data or no-data, {} failed, {} observations ({} added, {} updated), {:.1}s",
            self.status.as_str(),
            self.counts.requests,
            self.counts.responses_ok,
            self.counts.responses_failed,
            self.counts.observations,
            self.added,
            self.updated,
            self.seconds
        );
        for (source, t) in &self.sources {
            let mut line = format!(
                "  {:<14} {:>5} planned {:>5} ok {:>4} no-data {:>4} failed {:>6} observations",
                source.as_str(),
                t.planned,
                t.ok,
                t.no_data,
                t.failed,
                t.observations
            );
            if t.skipped > 0 {
                line.push_str(&format!(", {} skipped", t.skipped));
            }
            println!("{line}");
            if let Some(reason) = &t.halted {
                println!("    stopped early: {reason}; the rest is left for the next run");
            }
            if let Some(e) = &t.first_error {
                println!("    first failure: {e}");
            }
        }
        if self.status != RunStatus::Ok
            && let Some(error) = &self.error
        {
            println!("  why: {error}");
        }
    }
}

pub fn run(
    config: &Config,
    catalog: &Catalog,
    db: &Path,
    args: &CollectArgs,
) -> anyhow::Result<ExitCode> {
    let mut config = config.clone();
    if let Some(secs) = args.max_run_secs {
        config.max_run = Duration::from_secs(secs);
    }
    if let Some(year) = args.since {
        if !(2000..=Utc::now().year()).contains(&year) {
            bail!("--since {year}: expected a year from 2000 to this year");
        }
        config.first_year = year;
    }
    if !args.sources.is_empty() {
        let wanted = args
            .sources
            .iter()
            .map(|s| s.parse::<SourceId>().map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("--sources")?;
        for id in &wanted {
            if !config.sources.get(id).is_some_and(|s| s.enabled) {
                bail!(
                    "--sources {id}: not enabled in {}; add or enable [sources.{id}]",
                    config.path.display()
                );
            }
        }
        config.sources.retain(|id, _| wanted.contains(id));
    }
    let catalog = if args.techs.is_empty() {
        catalog.clone()
    } else {
        catalog.select(&args.techs).context("--techs")?
    };
    if args.dry_run {
        let store = if db.exists() {
            Some(Store::open_read_only(db)?)
        } else {
            None
        };
        let plans = plan(&config, &catalog, store.as_ref(), args.refresh)?;
        print_plan(&plans);
        return Ok(ExitCode::SUCCESS);
    }
    let _lock = crate::lock::acquire(db)?;
    let mut store =
        Store::open_working(db).with_context(|| format!("cannot use database {}", db.display()))?;
    let summary = collect_into(&config, &catalog, &mut store, "collect", args.refresh)?;
    summary.print();
    crate::rankings::store(&mut store, &config.report)?;
    store.publish()?;
    Ok(summary.exit_code())
}

/// The requests of a run: every enabled source's plan, less the closed
/// periods that already have a successful answer stored (unless `refresh`).
pub fn plan(
    config: &Config,
    catalog: &Catalog,
    store: Option<&Store>,
    refresh: bool,
) -> anyhow::Result<Vec<SourcePlan>> {
    let today = Utc::now().date_naive();
    let window = PlanWindow {
        first_year: config.first_year,
        today,
    };
    let mut plans = trends_fetcher::plan(config, catalog, window);
    if let (Some(store), false) = (store, refresh) {
        let done = store.succeeded_keys()?;
        for p in &mut plans {
            let before = p.requests.len();
            p.requests.retain(|r| {
                !(r.spec.period.is_closed(today) && done.contains(&r.spec.request_key()))
            });
            info!(source = %p.source, planned = before, kept = p.requests.len(), "already stored periods skipped");
        }
    }
    Ok(plans)
}

fn print_plan(plans: &[SourcePlan]) {
    let total: usize = plans.iter().map(|p| p.requests.len()).sum();
    println!("dry run: {total} requests would be made");
    for p in plans {
        println!("{} ({} requests)", p.source, p.requests.len());
        for r in &p.requests {
            let method = if r.body.is_some() { "POST" } else { "GET" };
            println!("  {method} {}", r.url);
        }
    }
}

/// Runs one collect into an open store. Shared by `collect` and `demo`.
pub fn collect_into(
    config: &Config,
    catalog: &Catalog,
    store: &mut Store,
    command: &str,
    refresh: bool,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    store.sync_catalog(catalog)?;
    let before = store.counts()?.observations;
    let now = Utc::now();
    let run = store.begin_run(command, now)?;
    let span = info_span!("run", run = run.0);
    let _guard = span.enter();
    let plans = plan(config, catalog, Some(store), refresh)?;
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
    let (tx, fetched) = mpsc::channel::<Event>(64);
    // A deadline or a signal flips `stop`: no new request is sent, what has
    // arrived is still stored below.
    let stop = Stop::new();
    let stopped = Arc::new(Mutex::new(None));
    let watcher = runtime.spawn(watch_for_stop(
        stop.clone(),
        stopped.clone(),
        config.max_run,
    ));
    let fetch = runtime.spawn({
        let client = client.clone();
        let stop = stop.clone();
        async move { trends_fetcher::collect(&client, plans, tx, &stop).await }
    });
    // Answers are parsed on the runtime's threads, in arrival order, while
    // this thread stores the ones parsed before them.
    let (parsed_tx, mut rx) = mpsc::channel::<Arrived>(64);
    let parse = runtime.spawn(normalize_stage(fetched, parsed_tx).instrument(span.clone()));
    let mut counts = RunCounts::default();
    let mut store_error = None;
    let mut progress = Progress::new();
    // The store is used on this thread only; fetch tasks hand responses over.
    // What has arrived while the last batch was stored goes in together (up
    // to BATCH answers, one transaction): under load that is what keeps
    // storing from being the bottleneck; when answers trickle in, each is
    // stored as it comes.
    let mut batch: Vec<Answer> = Vec::new();
    // Other events wait until the answers that came before them are stored,
    // so a source's bar finishes after its last step.
    let mut after: Vec<Event> = Vec::new();
    'events: while let Some(first) = runtime.block_on(rx.recv()) {
        let mut next = Some(first);
        while let Some(arrived) = next.take() {
            match arrived {
                Arrived::Answer(answer) => batch.push(*answer),
                Arrived::Other(Event::Started { source, planned }) => {
                    progress.start(source, planned);
                }
                Arrived::Other(other) => after.push(other),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if let Err(e) = record(store, run, &batch, &mut sources, &mut counts) {
            store_error = Some(e);
            break 'events;
        }
        for answer in batch.drain(..) {
            let source = answer.fetched.spec.source;
            progress.step(source, sources.get(&source).map_or(0, |t| t.failed));
        }
        for event in after.drain(..) {
            match event {
                Event::Halted { source, reason } => {
                    sources.entry(source).or_default().halted = Some(reason);
                }
                Event::Finished(s) => {
                    progress.finish(s.source);
                    sources.entry(s.source).or_default().skipped = s.skipped;
                }
                Event::Fetched(_) | Event::Started { .. } => {}
            }
        }
    }
    // After a store error nothing more should be sent.
    stop.stop();
    drop(rx);
    // A task that panicked (or was lost) is a failure of the run, never
    // silence: its requests are not accounted for below either.
    let mut lost = Vec::new();
    for (task, joined) in [
        ("parse", runtime.block_on(parse)),
        ("fetch", runtime.block_on(fetch)),
    ] {
        if let Err(e) = joined {
            lost.push(format!("the {task} task {}", join_failure(&e)));
        }
    }
    watcher.abort();
    let stopped = stopped.lock().ok().and_then(|s| *s);
    lost.extend(unaccounted(&sources));
    let verdict = verdict(&sources, &counts, store_error.is_some(), &lost, stopped);
    let status = verdict.0;
    let error = store_error.as_ref().map(|e| format!("{e:#}")).or(verdict.1);
    store.finish_run(run, status, &counts, error.as_deref(), Utc::now())?;
    if let Some(e) = store_error {
        return Err(e.context("the run stopped; what was stored before stays"));
    }
    let added = u64::try_from(store.counts()?.observations - before).unwrap_or(0);
    Ok(Summary {
        status,
        added,
        updated: counts.observations.saturating_sub(added),
        counts,
        sources,
        seconds: started.elapsed().as_secs_f64(),
        stopped,
        error,
    })
}

/// Flips `stop` when the run's deadline passes or SIGINT / SIGTERM comes,
/// and says why in `stopped` (a signal after the deadline still counts as
/// the first signal). After a signal, a second one ends the process at once
/// with its exit code: the file stays consistent, as after `kill -9`,
/// because each batch of answers is one transaction.
async fn watch_for_stop(stop: Stop, stopped: Arc<Mutex<Option<Stopped>>>, max_run: Duration) {
    let say = |why: Stopped| {
        if let Ok(mut s) = stopped.lock() {
            *s = Some(why);
        }
    };
    let mut signals = match Signals::new() {
        Ok(s) => Some(s),
        Err(e) => {
            warn!(error = %e, "cannot listen for SIGINT/SIGTERM; a signal ends the run unrecorded");
            None
        }
    };
    let first = tokio::select! {
        () = tokio::time::sleep(max_run) => None,
        signal = next_signal(&mut signals) => Some(signal),
    };
    let first = match first {
        Some(signal) => signal,
        None => {
            say(Stopped::Deadline(max_run));
            warn!(
                max_run_secs = max_run.as_secs(),
                "run deadline passed (max_run_secs = {}): no new requests; storing what has arrived, the rest is left for the next run",
                max_run.as_secs()
            );
            stop.stop();
            next_signal(&mut signals).await
        }
    };
    // A signal after a deadline replaces it as the reason.
    say(Stopped::Signal(first));
    warn!(
        "{} received: no new requests; storing what has arrived (send it again to quit at once)",
        first.name()
    );
    stop.stop();
    let second = next_signal(&mut signals).await;
    eprintln!("{} received again: quitting at once", second.name());
    std::process::exit(i32::from(second.exit_code()));
}

/// The next SIGINT or SIGTERM; never, when they cannot be listened for.
async fn next_signal(signals: &mut Option<Signals>) -> Signal {
    match signals {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// SIGINT and SIGTERM as one stream.
struct Signals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}

/// A JoinError in words.
fn join_failure(e: &tokio::task::JoinError) -> String {
    if e.is_panic() {
        "panicked; its requests are not accounted for".to_owned()
    } else {
        "was cancelled; its requests are not accounted for".to_owned()
    }
}

/// Every planned request ends as ok, no-data, failed or skipped: the
/// sources for which that does not add up, in words.
fn unaccounted(sources: &BTreeMap<SourceId, Tally>) -> Vec<String> {
    sources
        .iter()
        .filter_map(|(source, t)| {
            let accounted = t.ok as usize + t.no_data as usize + t.failed as usize + t.skipped;
            (accounted != t.planned).then(|| {
                format!(
                    "{source}: {} of {} planned requests unaccounted for (ok {}, no-data {}, failed {}, skipped {})",
                    t.planned.abs_diff(accounted),
                    t.planned,
                    t.ok,
                    t.no_data,
                    t.failed,
                    t.skipped
                )
            })
        })
        .collect()
}

/// How the run ends, and what `runs.error` says about it (the store's own
/// failure is handled by the caller).
fn verdict(
    sources: &BTreeMap<SourceId, Tally>,
    counts: &RunCounts,
    store_failed: bool,
    lost: &[String],
    stopped: Option<Stopped>,
) -> (RunStatus, Option<String>) {
    let landed = counts.responses_ok > 0;
    let any_failed = sources.values().any(Tally::failed);
    let left: usize = sources.values().map(|t| t.skipped).sum();
    let planned: usize = sources.values().map(|t| t.planned).sum();
    let mut why = Vec::new();
    match stopped {
        Some(Stopped::Signal(signal)) => why.push(format!(
            "interrupted by {}: {left} of {planned} planned requests left for the next run",
            signal.name()
        )),
        Some(Stopped::Deadline(d)) => why.push(format!(
            "run deadline passed (max_run_secs = {}): {left} of {planned} planned requests left for the next run",
            d.as_secs()
        )),
        None => {}
    }
    why.extend(lost.iter().cloned());
    why.extend(failure_digest(sources));
    let status = if store_failed {
        RunStatus::Failed
    } else if let Some(Stopped::Signal(_)) = stopped {
        RunStatus::Interrupted
    } else if !lost.is_empty() || any_failed {
        if landed {
            RunStatus::Partial
        } else {
            RunStatus::Failed
        }
    } else if stopped.is_some() {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    (status, (!why.is_empty()).then(|| why.join("; ")))
}

/// Answers stored in one transaction at most.
const BATCH: usize = 256;

/// An answer with its parser's verdict.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) fetched: Fetched,
    pub(crate) normalized: trends_normalizer::Normalized,
}

impl Answer {
    /// Parses what came back; a transport error is recorded as such.
    pub(crate) fn parse(fetched: Fetched) -> Answer {
        let normalized = match &fetched.result {
            Ok(response) => {
                trends_normalizer::normalize(&fetched.spec, response.status, &response.body)
            }
            Err(e) => trends_normalizer::Normalized {
                outcome: Outcome::TransportError,
                observations: Vec::new(),
                error: Some(e.0.clone()),
            },
        };
        Answer {
            fetched,
            normalized,
        }
    }
}

/// What the store loop receives: a parsed answer, or a fetcher event passed
/// on in its place in the stream.
#[derive(Debug)]
enum Arrived {
    Answer(Box<Answer>),
    Other(Event),
}

/// Parses each fetched answer as it comes and passes everything on in
/// order.
async fn normalize_stage(mut fetched: mpsc::Receiver<Event>, parsed: mpsc::Sender<Arrived>) {
    while let Some(event) = fetched.recv().await {
        let arrived = match event {
            Event::Fetched(f) => Arrived::Answer(Box::new(Answer::parse(*f))),
            other => Arrived::Other(other),
        };
        if parsed.send(arrived).await.is_err() {
            break;
        }
    }
}

/// Stores a batch of parsed answers in one transaction, then counts them
/// per source.
pub(crate) fn record(
    store: &mut Store,
    run: trends_store::RunId,
    batch: &[Answer],
    sources: &mut BTreeMap<SourceId, Tally>,
    counts: &mut RunCounts,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let answers: Vec<(RawResponse<'_>, &[trends_core::Observation])> = batch
        .iter()
        .map(
            |Answer {
                 fetched,
                 normalized,
             }| {
                let response = fetched.result.as_ref().ok();
                (
                    RawResponse {
                        spec: &fetched.spec,
                        url: &fetched.url,
                        status: response.map(|r| r.status),
                        fetched_at: fetched.fetched_at,
                        body: response.map(|r| r.body.as_slice()),
                        outcome: normalized.outcome,
                        error: normalized.error.as_deref(),
                    },
                    normalized.observations.as_slice(),
                )
            },
        )
        .collect();
    store.record_batch(run, &answers).with_context(|| {
        format!(
            "cannot store the answers to {} (and {} more)",
            batch[0].fetched.url,
            batch.len() - 1
        )
    })?;
    for Answer {
        fetched,
        normalized,
    } in batch
    {
        let tally = sources.entry(fetched.spec.source).or_default();
        counts.requests += 1;
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(planned: usize, ok: u64, failed: u64, skipped: usize) -> Tally {
        Tally {
            planned,
            ok,
            failed,
            skipped,
            ..Tally::default()
        }
    }

    fn counts(ok: u64) -> RunCounts {
        RunCounts {
            requests: ok,
            responses_ok: ok,
            ..RunCounts::default()
        }
    }

    #[test]
    fn every_planned_request_must_be_accounted_for() {
        let mut sources = BTreeMap::new();
        sources.insert(SourceId::GitHub, tally(12, 7, 1, 4));
        sources.insert(SourceId::Wikimedia, tally(4, 4, 0, 0));
        assert!(unaccounted(&sources).is_empty());
        // A source whose task was lost: no Finished event, no skipped count.
        sources.insert(SourceId::GitHub, tally(12, 7, 1, 0));
        let lost = unaccounted(&sources);
        assert_eq!(
            lost,
            [
                "github: 4 of 12 planned requests unaccounted for (ok 7, no-data 0, failed 1, skipped 0)"
            ]
        );
        let (status, error) = verdict(&sources, &counts(11), false, &lost, None);
        assert_eq!(status, RunStatus::Partial);
        assert!(error.unwrap_or_default().contains("unaccounted"));
    }

    #[test]
    fn a_panicked_task_makes_the_run_partial_or_failed_never_ok() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let joined = runtime.block_on(runtime.spawn(async { panic!("a parser bug") }));
        let e = joined.expect_err("the task panicked");
        let lost = vec![format!("the parse task {}", join_failure(&e))];
        let mut sources = BTreeMap::new();
        sources.insert(SourceId::Wikimedia, tally(4, 4, 0, 0));
        let (status, error) = verdict(&sources, &counts(4), false, &lost, None);
        assert_eq!(status, RunStatus::Partial);
        assert_eq!(
            error.as_deref(),
            Some("the parse task panicked; its requests are not accounted for")
        );
        let (status, _) = verdict(&sources, &counts(0), false, &lost, None);
        assert_eq!(status, RunStatus::Failed, "nothing landed");
    }

    #[test]
    fn a_deadline_is_partial_and_a_signal_interrupted() {
        let mut sources = BTreeMap::new();
        sources.insert(SourceId::StackExchange, tally(10, 4, 0, 6));
        let (status, error) = verdict(
            &sources,
            &counts(4),
            false,
            &[],
            Some(Stopped::Deadline(Duration::from_secs(2))),
        );
        assert_eq!(status, RunStatus::Partial);
        assert_eq!(
            error.as_deref(),
            Some(
                "run deadline passed (max_run_secs = 2): 6 of 10 planned requests left for the next run"
            )
        );
        let (status, error) = verdict(
            &sources,
            &counts(4),
            false,
            &[],
            Some(Stopped::Signal(Signal::Terminate)),
        );
        assert_eq!(status, RunStatus::Interrupted);
        assert!(
            error
                .unwrap_or_default()
                .starts_with("interrupted by SIGTERM: 6 of 10")
        );
        let (status, error) = verdict(&sources, &counts(4), false, &[], None);
        assert_eq!(
            (status, error),
            (RunStatus::Ok, None),
            "skipped alone is not a failure"
        );
    }
}
