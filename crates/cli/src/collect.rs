//! `trends collect`: its flags, the dry run, progress bars, the closing
//! summary and the signals that stop a run; the run itself is
//! `trends_pipeline::collect`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use tracing::warn;
use trends_core::{Catalog, Config, SourceId};
use trends_fetcher::SourcePlan;
use trends_pipeline::{Freshness, RunOptions, RunStop, StopSignal, Summary, Tally};
use trends_store::{RunStatus, Store};

use crate::exit::Exit;

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
    /// Write the run's figures in Prometheus's text format to this file
    /// (replaced whole by rename, also when the run fails), e.g. into
    /// node_exporter's textfile folder; default: `metrics_file` of the config.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

impl CollectArgs {
    fn options(&self) -> anyhow::Result<RunOptions> {
        let sources = self
            .sources
            .iter()
            .map(|s| {
                trends_sources::by_name(s)
                    .map(|s| s.id())
                    .map_err(anyhow::Error::msg)
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .context("--sources")?;
        Ok(RunOptions {
            command: "collect".into(),
            since: self.since,
            sources,
            techs: self.techs.clone(),
            refresh: self.refresh,
            max_run: self.max_run_secs.map(Duration::from_secs),
            keep: None,
        })
    }
}

pub fn run(
    config: &Config,
    catalog: &Catalog,
    db: &Path,
    args: &CollectArgs,
) -> anyhow::Result<Exit> {
    let options = args.options()?;
    // Refuses a bad year, source or technology before anything is opened.
    let scoped = options.scope(config, catalog)?;
    if args.dry_run {
        let store = if db.exists() {
            Some(Store::open_read_only(db)?)
        } else {
            None
        };
        let plans = trends_pipeline::plan(
            &scoped.config,
            &scoped.catalog,
            store.as_ref(),
            args.refresh,
        )?;
        print_plan(&plans);
        return Ok(Exit::Ok);
    }
    let _lock = crate::lock::acquire(db)?;
    let mut store =
        Store::open_working(db).with_context(|| format!("cannot use database {}", db.display()))?;
    let metrics = args
        .metrics_file
        .as_deref()
        .or(config.metrics_file.as_deref());
    let summary = run_reported(config, catalog, &mut store, &options, metrics)?;
    trends_pipeline::finish(store, &config.report, chrono::Utc::now())?;
    Ok(Exit::of_run(&summary))
}

/// One run with SIGINT and SIGTERM watched: what `collect`, `demo` and
/// `bench --collect` share.
pub fn run_watched(
    config: &Config,
    catalog: &Catalog,
    store: &mut Store,
    options: &RunOptions,
    progress: &mut dyn trends_pipeline::Progress,
) -> anyhow::Result<Summary> {
    let stop = RunStop::new();
    watch_signals(&stop);
    Ok(trends_pipeline::collect(
        config, catalog, store, options, &stop, progress,
    )?)
}

/// [`run_watched`] with progress bars, then its closing summary on stdout
/// and, when `metrics` names a file, its figures there: what `collect` and
/// `demo` share. The file is written also when the run fails.
pub fn run_reported(
    config: &Config,
    catalog: &Catalog,
    store: &mut Store,
    options: &RunOptions,
    metrics: Option<&Path>,
) -> anyhow::Result<Summary> {
    let started = chrono::Utc::now();
    let run = run_watched(config, catalog, store, options, &mut Bars::new());
    let ended = chrono::Utc::now();
    // A source's freshness after this run; unknown when the store cannot say.
    let freshness = trends_pipeline::freshness(config, store, ended).unwrap_or_else(|e| {
        warn!(error = %e, "cannot read the sources' newest observations");
        Vec::new()
    });
    if let Ok(summary) = &run {
        print_summary(summary, &freshness, ended);
    }
    if let Some(path) = metrics {
        let figures = crate::metrics::RunFigures {
            command: &options.command,
            started,
            ended,
            status: run.as_ref().map_or(RunStatus::Failed, |s| s.status),
            summary: run.as_ref().ok(),
            freshness: &freshness,
        };
        if let Err(e) = crate::metrics::write(path, &crate::metrics::render(&figures)) {
            tracing::error!("{e:#}");
        }
    }
    run
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

/// The closing summary on stdout: the run, a line per source, one line per
/// cause of failure, the stale sources.
pub fn print_summary(summary: &Summary, freshness: &[Freshness], now: DateTime<Utc>) {
    println!(
        "collect {}: {} requests, {} answered with data or no-data, {} failed, {} observations ({} added, {} updated), {:.1}s",
        summary.status.as_str(),
        summary.counts.requests,
        summary.counts.responses_ok,
        summary.counts.responses_failed,
        summary.counts.observations,
        summary.added,
        summary.updated,
        summary.seconds
    );
    for (source, t) in &summary.sources {
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
        if t.halted.is_some() {
            line.push_str(", stopped early");
        }
        println!("{line}");
    }
    // One line per cause, not per source: a night without network is one
    // line, not the same DNS error for every source (`trends status` lists
    // each failed request).
    if summary.status != RunStatus::Ok && !summary.reasons.is_empty() {
        println!("  why:");
        for reason in &summary.reasons {
            println!("    {reason}");
        }
    }
    let stale: Vec<&Freshness> = freshness.iter().filter(|f| f.stale).collect();
    if !stale.is_empty() {
        println!("  stale (no new observation within the source's stale_after_days):");
        for f in stale {
            println!("    {}", f.describe(now));
        }
    }
}

/// Per-source progress bars on a terminal; nothing when stdout is not one
/// (cron), so logs stay quiet.
pub struct Bars {
    multi: Option<indicatif::MultiProgress>,
    bars: BTreeMap<SourceId, indicatif::ProgressBar>,
}

impl Bars {
    pub fn new() -> Bars {
        use std::io::IsTerminal;
        let multi = std::io::stdout()
            .is_terminal()
            .then(indicatif::MultiProgress::new);
        Bars {
            multi,
            bars: BTreeMap::new(),
        }
    }
}

impl trends_pipeline::Progress for Bars {
    fn started(&mut self, source: SourceId, planned: usize) {
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

    fn stored(&mut self, source: SourceId, tally: &Tally) {
        if let Some(bar) = self.bars.get(&source) {
            bar.inc(1);
            if tally.failed > 0 {
                bar.set_message(format!("{} failed", tally.failed));
            }
        }
    }

    fn finished(&mut self, source: SourceId, _tally: &Tally) {
        if let Some(bar) = self.bars.get(&source) {
            bar.finish();
        }
    }
}

/// Flips `stop` on the first SIGINT or SIGTERM (listened for on a thread
/// of its own, for the rest of the process): the run sends no new request
/// and stores what has arrived. A second signal ends the process at once
/// with its exit code: the file stays consistent, as after `kill -9`,
/// because each batch of answers is one transaction.
fn watch_signals(stop: &RunStop) {
    let cannot = |e: &std::io::Error| {
        warn!(error = %e, "cannot listen for SIGINT/SIGTERM; a signal ends the run unrecorded");
    };
    // Registered here, before the run starts: a signal from now on is seen.
    let mut signals = match Signals::listen() {
        Ok(signals) => signals,
        Err(e) => return cannot(&e),
    };
    let stop = stop.clone();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let first = signals.next();
            warn!(
                "{} received: no new requests; storing what has arrived (send it again to quit at once)",
                first.name()
            );
            stop.signal(first);
            let second = signals.next();
            eprintln!("{} received again: quitting at once", second.name());
            std::process::exit(i32::from(Exit::of_signal(second).code()));
        });
    if let Err(e) = spawned {
        cannot(&e);
    }
}

/// SIGINT and SIGTERM as one stream, on a small runtime of their own.
struct Signals {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers now.
    fn listen() -> std::io::Result<Signals> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        #[cfg(unix)]
        let (interrupt, terminate) = {
            use tokio::signal::unix::{SignalKind, signal};
            let _entered = runtime.enter();
            (
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            )
        };
        Ok(Signals {
            runtime,
            #[cfg(unix)]
            interrupt,
            #[cfg(unix)]
            terminate,
        })
    }

    /// Waits for the next signal (one that came since the last call
    /// included).
    fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            let Signals {
                runtime,
                interrupt,
                terminate,
            } = self;
            runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => StopSignal::Interrupt,
                    _ = terminate.recv() => StopSignal::Terminate,
                }
            })
        }
        #[cfg(not(unix))]
        {
            let _ = self.runtime.block_on(tokio::signal::ctrl_c());
            StopSignal::Interrupt
        }
    }
}
