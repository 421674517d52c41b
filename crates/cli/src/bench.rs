//! `trends bench`: load figures for the normalize + store path, measured on
//! this machine with realistic raw responses (Wikimedia monthly pageview
//! bodies in the API's format, 120 months each), written to a scratch
//! database exactly as `collect` writes them: one transaction per response,
//! the archive row and its observation upserts.
//!
//! `trends bench --report`: the time to rank every category and year over a
//! database of that many observations (filled set-based, not through the
//! load path): the `yearly_signals` roll-up read, then the ranking.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, NaiveDate, Utc};
use clap::Args;
use trends_core::{Catalog, Category, Period, RequestSpec, SourceId, Subject, TechId, Technology};
use trends_store::{RawResponse, RunCounts, RunStatus, Store};

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
    #[arg(long)]
    report: bool,
}

const MONTHS: usize = 120;

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir().context("cannot create a scratch folder")?;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| dir.path().join("bench.duckdb"));
    if args.report {
        return report(args, &db);
    }
    let responses = args.observations.div_ceil(MONTHS);
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

    // Bodies in the API's exact format, built before the clock starts.
    let bodies: Vec<(RequestSpec, String)> = (0..responses)
        .map(|i| {
            let article = format!("Article_{i}");
            let items: Vec<String> = (0..MONTHS)
                .map(|m| {
                    let d = start
                        .checked_add_months(chrono::Months::new(m as u32))
                        .unwrap_or(start);
                    format!(
                        r#"{{"project":"en.wikipedia","article":"{article}","granularity":"monthly","timestamp":"{:04}{:02}0100","access":"all-access","agent":"user","views":{}}}"#,
                        d.year(),
                        d.month(),
                        1000 + (i * 7 + m * 13) % 100_000
                    )
                })
                .collect();
            let spec = RequestSpec {
                source: SourceId::Wikimedia,
                endpoint: "pageviews".into(),
                subjects: vec![Subject {
                    tech: TechId(format!("t{i}")),
                    key: article,
                }],
                period: Period { start, end },
            };
            (spec, format!(r#"{{"items":[{}]}}"#, items.join(",")))
        })
        .collect();

    let mut store = Store::open(&db).with_context(|| format!("cannot create {}", db.display()))?;
    store.sync_catalog(&catalog)?;
    let run = store.begin_run("bench", Utc::now())?;
    let t0 = Instant::now();
    let mut parse_secs = 0.0;
    let mut written = 0u64;
    for (spec, body) in &bodies {
        let p0 = Instant::now();
        let n = trends_normalizer::normalize(spec, 200, body.as_bytes());
        parse_secs += p0.elapsed().as_secs_f64();
        let raw = RawResponse {
            spec,
            url: "http://bench.invalid/",
            status: Some(200),
            fetched_at: Utc::now(),
            body: Some(body.as_bytes()),
            outcome: n.outcome,
            error: n.error.as_deref(),
        };
        store.record(run, &raw, &n.observations)?;
        written += n.observations.len() as u64;
    }
    let secs = t0.elapsed().as_secs_f64();
    let counts = RunCounts {
        requests: responses as u64,
        responses_ok: responses as u64,
        responses_failed: 0,
        observations: written,
    };
    store.finish_run(run, RunStatus::Ok, &counts, None, Utc::now())?;
    println!("load: {responses} responses, {written} observations in {secs:.2}s");
    println!(
        "  {:.0} observations/s overall; normalize alone {:.0} observations/s ({:.2}s)",
        written as f64 / secs,
        written as f64 / parse_secs.max(f64::MIN_POSITIVE),
        parse_secs
    );
    if let Some(kib) = peak_rss_kib() {
        println!("  peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    println!(
        "  path: one transaction per response (archive row + upserts), as `collect` writes; {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(ExitCode::SUCCESS)
}

const BENCH_TECHS: u32 = 1_000;

fn report(args: &BenchArgs, db: &std::path::Path) -> anyhow::Result<ExitCode> {
    use trends_core::Metric;
    let metrics = [
        Metric::Questions,
        Metric::Pageviews,
        Metric::Mentions,
        Metric::NpmDownloads,
        Metric::PypiDownloads,
    ];
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
        let written = store.fill_synthetic(BENCH_TECHS, &metrics, days)?;
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
    Ok(ExitCode::SUCCESS)
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
