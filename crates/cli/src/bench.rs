//! `trends bench`: load figures for the normalize + store path, measured on
//! this machine with realistic raw responses (Wikimedia monthly pageview
//! bodies in the API's format, 120 months each), parsed and stored through
//! the loop `collect` runs (`trends_pipeline::store_fetched`: the relay
//! task parsing on the runtime's threads, batches stored on this one), into a scratch
//! database; then the engine's own pace for the final upsert, for
//! comparison.
//!
//! `trends bench --report`: the time to rank every category and year over a
//! database of that many observations (filled set-based, not through the
//! load path): the `yearly_signals` roll-up read, then the ranking.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use clap::Args;
use trends_core::{Catalog, Category, TechId, Technology};
use trends_store::{RunStatus, Store};

use crate::exit::Exit;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Observations to load (rounded up to whole responses of 120 months).
    #[arg(long, default_value_t = 100_000)]
    observations: usize,
    /// Scratch database (default: a temporary file, removed afterwards).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Measure the report instead: yearly rankings of every category and
    /// year over this many daily observations (1,000 technologies, 5 flow
    /// signals each).
    #[arg(long, conflicts_with = "collect")]
    report: bool,
    /// Measure a full collect of the catalog instead, against the local demo
    /// server with --latency-ms added to every answer and the config's own
    /// rate limits and concurrency (times --rate-scale): prints requests per
    /// source, the wall time and the bound it is held to.
    #[arg(long)]
    collect: bool,
    /// Added latency of every answer, for --collect.
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    /// Multiplies every rate limit, for --collect (1 = the APIs' real
    /// limits: a full catalog then takes ~40 minutes, bound by GitHub
    /// search's 10 a minute).
    #[arg(long, default_value_t = 1.0)]
    rate_scale: f64,
    /// Only these sources, for --collect (comma-separated).
    #[arg(long, value_delimiter = ',')]
    sources: Vec<String>,
    /// Answers stored per transaction in the load benchmark (collect stores
    /// what has arrived, up to 256 at once; 1 is the old one-by-one path).
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Skip measuring the engine alone after the load benchmark (the
    /// upsert of up to 1M pre-staged rows, for comparison).
    #[arg(long)]
    no_ceiling: bool,
}

const MONTHS: usize = 120;

pub fn run(config_path: &std::path::Path, args: &BenchArgs) -> anyhow::Result<Exit> {
    let dir = tempfile::tempdir().context("cannot create a scratch folder")?;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| dir.path().join("bench.duckdb"));
    if args.report {
        return report(args, &db);
    }
    if args.collect {
        return collect(config_path, args, &db);
    }
    load(args, &db)
}

/// The load benchmark: synthetic answers parsed and stored as `collect`
/// does, then (unless `--no-ceiling`) the engine's own upsert pace.
fn load(args: &BenchArgs, db: &std::path::Path) -> anyhow::Result<Exit> {
    let responses = args.observations.div_ceil(MONTHS);
    let (catalog, answers) = synthetic(responses)?;
    let mut store = Store::open(db).with_context(|| format!("cannot create {}", db.display()))?;
    store.sync_catalog(&catalog, &trends_sources::metrics())?;
    let run = store.begin_run("bench", Utc::now())?;
    let batch = args.batch.max(1);
    let mut ledger = trends_pipeline::Ledger::default();
    let t0 = Instant::now();
    let times = trends_pipeline::store_fetched(&mut store, run, answers, batch, &mut ledger)?;
    let secs = t0.elapsed().as_secs_f64();
    let (parse_secs, store_secs) = (times.parse.as_secs_f64(), times.store.as_secs_f64());
    let counts = ledger.counts;
    let written = counts.observations;
    if counts.responses_failed > 0 {
        anyhow::bail!(
            "{} of the benchmark's answers did not parse",
            counts.responses_failed
        );
    }
    store.finish_run(run, RunStatus::Ok, &counts, None, Utc::now())?;
    let rss = peak_rss_kib();
    let rate = |secs: f64| written as f64 / secs.max(f64::MIN_POSITIVE);
    println!("load: {responses} responses, {written} observations in {secs:.2}s");
    println!("  {:.0} observations/s overall", rate(secs));
    println!(
        "  normalize {:.0} observations/s in the relay task ({parse_secs:.2}s busy); store {:.0} observations/s ({store_secs:.2}s)",
        rate(parse_secs),
        rate(store_secs),
    );
    if let Some(kib) = rss {
        println!("  peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    println!(
        "  path: collect's own loop (trends_pipeline::store_fetched), what has arrived up to {batch} answer(s) per transaction (archive rows + one upsert); {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if !args.no_ceiling {
        let rows = written.min(1_000_000);
        let per_batch = (batch * MONTHS) as u64;
        let ceiling = trends_store::bench::upsert_ceiling(&mut store, rows, per_batch)?;
        let pace = |d: std::time::Duration| rows as f64 / d.as_secs_f64().max(f64::MIN_POSITIVE);
        println!(
            "engine alone, {rows} pre-staged rows in transactions of {per_batch}: upsert into the keyed table {:.0} rows/s; plain insert, no key {:.0} rows/s",
            pace(ceiling.upsert),
            pace(ceiling.unkeyed)
        );
        println!(
            "  the load path runs at {:.0}% of the engine's upsert alone",
            100.0 * rate(secs) / pace(ceiling.upsert)
        );
    }
    Ok(Exit::Ok)
}

/// A catalog of `responses` technologies and one answer each in the API's
/// exact format, built before the clock starts.
fn synthetic(responses: usize) -> anyhow::Result<(Catalog, Vec<trends_fetcher::Fetched>)> {
    let start = NaiveDate::from_ymd_opt(2015, 7, 1).context("date")?;
    let end = start
        .checked_add_months(chrono::Months::new(MONTHS as u32))
        .context("date")?;
    let technologies: Vec<Technology> = (0..responses)
        .map(|i| Technology {
            id: TechId(format!("t{i}")),
            name: format!("Tech {i}"),
            category: Category::Language,
            keys: Default::default(),
        })
        .collect();
    let catalog = Catalog {
        technologies,
        groups: Vec::new(),
    };
    let fetched_at = Utc::now();
    let answers = (0..responses)
        .map(|i| {
            let (spec, body) = trends_sources::registry::synthetic_answer(i, start, end, MONTHS);
            trends_fetcher::Fetched {
                spec,
                url: "http://bench.invalid/".into(),
                fetched_at,
                attempts: 1,
                result: Ok(trends_fetcher::HttpResponse { status: 200, body }),
            }
        })
        .collect();
    Ok((catalog, answers))
}

const BENCH_TECHS: u32 = 1_000;

fn collect(
    config_path: &std::path::Path,
    args: &BenchArgs,
    db: &std::path::Path,
) -> anyhow::Result<Exit> {
    use trends_core::SourceId;
    let (mut config, catalog) = crate::load(config_path)?;
    if args.rate_scale <= 0.0 {
        anyhow::bail!("--rate-scale must be above 0");
    }
    let only: Vec<SourceId> = args
        .sources
        .iter()
        .map(|s| {
            trends_sources::by_name(s)
                .map(|s| s.id())
                .map_err(anyhow::Error::msg)
        })
        .collect::<anyhow::Result<_>>()?;
    let latency = std::time::Duration::from_millis(args.latency_ms);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let server = runtime.block_on(trends_mockapi::DemoServer::start_with_latency(latency));
    let scale = |rpm: u32| ((f64::from(rpm) * args.rate_scale).round() as u32).max(1);
    for (source, cfg) in config.sources.iter_mut() {
        crate::demo::point_source(&server, *source, cfg)?;
        cfg.enabled = only.is_empty() || only.contains(source);
        cfg.requests_per_minute = scale(cfg.requests_per_minute);
        cfg.search_requests_per_minute = cfg.search_requests_per_minute.map(scale);
    }
    // The bound: sources run side by side, each held by its latency over its
    // concurrency and by its rate limit per lane.
    let plans = trends_pipeline::plan(&config, &catalog, None, false)?;
    println!(
        "collect bench: {} ms added latency, rate limits × {}, {} cores",
        args.latency_ms,
        args.rate_scale,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  {:<14} {:>8} {:>11} {:>10} {:>10}",
        "source", "requests", "concurrency", "rate bound", "lat. bound"
    );
    let mut bound: f64 = 0.0;
    for p in &plans {
        let b = crate::estimate::Bound::of(p, latency);
        let (rate, lat) = (b.rate, b.latency);
        bound = bound.max(b.seconds());
        println!(
            "  {:<14} {:>8} {:>11} {:>9.1}s {:>9.1}s",
            p.source.as_str(),
            p.requests.len(),
            p.config.concurrency,
            rate,
            lat
        );
    }
    let _lock = crate::lock::acquire(db)?;
    let mut store = Store::open(db).with_context(|| format!("cannot create {}", db.display()))?;
    let options = trends_pipeline::RunOptions {
        command: "bench".into(),
        ..Default::default()
    };
    let summary = crate::collect::run_watched(
        &config,
        &catalog,
        &mut store,
        &options,
        &mut trends_pipeline::Quiet,
    )?;
    drop(server);
    println!(
        "  {} requests in {:.1}s; bound {:.1}s (the slowest source); ratio {:.2}",
        summary.counts.requests,
        summary.seconds,
        bound,
        summary.seconds / bound.max(f64::MIN_POSITIVE)
    );
    Ok(Exit::of_run(&summary))
}

fn report(args: &BenchArgs, db: &std::path::Path) -> anyhow::Result<Exit> {
    // Five flows of the registry's sources, filled day by day.
    let metrics: Vec<trends_core::Metric> = trends_sources::metrics()
        .into_iter()
        .map(|d| d.metric)
        .filter(|m| m.kind() == trends_core::MetricKind::Flow)
        .take(5)
        .collect();
    let days = (args.observations as u64)
        .div_ceil(u64::from(BENCH_TECHS) * metrics.len() as u64)
        .max(1) as u32;
    let mut store = Store::open(db).with_context(|| format!("cannot create {}", db.display()))?;
    let existing = store.counts()?.observations;
    if existing > 0 {
        // A --db filled by an earlier run: measure the report alone, so the
        // peak RSS is the report's, not the fill's.
        println!("reusing {existing} observations in {}", db.display());
    } else {
        let f0 = Instant::now();
        let written = trends_store::bench::fill_synthetic(&mut store, BENCH_TECHS, &metrics, days)?;
        println!(
            "fill: {written} observations ({BENCH_TECHS} technologies × {} signals × {days} days) in {:.2}s (set-based, not the load path)",
            metrics.len(),
            f0.elapsed().as_secs_f64()
        );
    }
    drop(store);
    let rss_before = peak_rss_kib();
    let mut times = Vec::new();
    let mut summary = String::new();
    for _ in 0..3 {
        let store = Store::open_read_only(db)?;
        let t0 = Instant::now();
        let years = store.years()?;
        let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
            anyhow::bail!("the fill wrote no years");
        };
        let signals = store.yearly_signals(first - 2, last)?;
        let read = t0.elapsed().as_secs_f64();
        let rankings: Vec<_> = years
            .iter()
            .map(|&y| trends_report::rank(&signals, y, None))
            .collect();
        let total = t0.elapsed().as_secs_f64();
        let rows: usize = rankings.iter().map(|r| r.rows.len()).sum();
        summary = format!(
            "{} yearly signal rows over {} years, {rows} ranked rows",
            signals.len(),
            years.len()
        );
        times.push((total, read));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (total, read) = times[times.len() / 2];
    println!(
        "report: every category and year in {total:.3}s (median of 3: {:.3} / {:.3} / {:.3})",
        times[0].0, times[1].0, times[2].0
    );
    println!(
        "  of which reading yearly_signals {read:.3}s, ranking {:.3}s; {summary}",
        total - read
    );
    if let (Some(kib), Some(before)) = (peak_rss_kib(), rss_before) {
        println!(
            "  peak RSS {:.1} MiB ({:.1} MiB before the report)",
            kib as f64 / 1024.0,
            before as f64 / 1024.0
        );
    }
    Ok(Exit::Ok)
}

/// Peak resident set size (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
