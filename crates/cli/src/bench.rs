//! `trends bench`: load figures for the normalize + store path, measured on
//! this machine with realistic raw responses (Wikimedia monthly pageview
//! bodies in the API's format, 120 months each), written to a scratch
//! database exactly as `collect` writes them: one transaction per response,
//! the archive row and its observation upserts.

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
}

const MONTHS: usize = 120;

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir().context("cannot create a scratch folder")?;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| dir.path().join("bench.duckdb"));
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
    let catalog = Catalog { technologies };

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
