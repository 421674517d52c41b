//! `trends demo`: the whole pipeline, offline, against a local server that
//! answers in the real APIs' formats: with the real figures of a bundle of
//! open datasets when there is one (`--data`, default `data/demo/`, built
//! by `scripts/build-demo-data.py`; the sources they measure only),
//! otherwise (or with `--synthetic`) with made-up numbers for every source.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{Datelike, Utc};
use clap::Args;
use trends_core::{Catalog, Config, DemoProvenance, SourceConfig, SourceId};
use trends_mockapi::{Bundle, DemoServer, Figures};
use trends_store::Store;

use crate::exit::Exit;
use crate::{Format, collect, report};

const DEFAULT_CONFIG: &str = include_str!("../../../config/trends.toml");
const DEFAULT_CATALOG: &str = include_str!("../../../config/catalog.toml");

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Year to rank after collecting (default: the latest year the real
    /// figures cover whole; with synthetic numbers, last year).
    #[arg(long)]
    year: Option<i32>,
    /// Made-up numbers for every source even when a bundle of real figures
    /// is there (deterministic: for tests and benchmarks).
    #[arg(long)]
    synthetic: bool,
    /// The bundle of real figures (see data/demo/PROVENANCE.md; trends
    /// ships none, scripts/build-demo-data.py builds it from the open
    /// datasets). Without one the demo is synthetic.
    #[arg(long, env = "TRENDS_DEMO_DATA", default_value = "data/demo")]
    data: PathBuf,
    /// Write the run's figures in Prometheus's text format to this file,
    /// as `trends collect --metrics-file` does.
    #[arg(long, value_name = "PATH")]
    metrics_file: Option<PathBuf>,
}

pub fn run(config_path: &Path, db: Option<&Path>, args: &DemoArgs) -> anyhow::Result<Exit> {
    // The repository's config when run from a clone, the built-in copy otherwise.
    let (mut config, catalog) = if config_path.exists() {
        crate::load(config_path)?
    } else {
        let path = Path::new("config/trends.toml");
        (
            Config::parse(DEFAULT_CONFIG, path, &trends_sources::known())?,
            Catalog::parse(DEFAULT_CATALOG, Path::new("config/catalog.toml"))?,
        )
    };
    let db: PathBuf = db.map_or_else(|| PathBuf::from("demo.duckdb"), Path::to_path_buf);
    let figures = figures(args)?;
    announce(&figures);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // The server lives on this runtime's workers while collect runs its own.
    let server = runtime.block_on(DemoServer::start_with(
        figures.clone(),
        std::time::Duration::ZERO,
    ));
    point_at(&mut config, &server)?;
    let _lock = crate::lock::acquire(&db)?;
    let mut store = Store::open_working(&db)
        .with_context(|| format!("cannot use database {}", db.display()))?;
    refuse_to_mix(&store, &figures, &db)?;
    // Marked before the run, so a run cut short is still known for what it is.
    store.replace_demo_provenance(&provenance_rows(&figures))?;
    let summary = collect::run_reported(
        &config,
        &catalog,
        &mut store,
        &collect_options(&figures),
        args.metrics_file.as_deref(),
    )?;

    let last_year = Utc::now().year() - 1;
    let full = figures.bundle().and_then(Bundle::latest_full_year);
    let year = args.year.unwrap_or(full.unwrap_or(last_year));
    if full.is_some() && args.year.is_none() {
        eprintln!(
            "Ranking {year}: the latest year every real signal covers whole (--year for another)."
        );
    }
    let signals = store.yearly_signals(year - 2, year)?;
    let options = trends_report::RankOptions {
        config: config.report.clone(),
        ..Default::default()
    };
    let ranking = trends_report::rank_with(&signals, year, None, &options);
    trends_pipeline::finish(store, &config.report, Utc::now())?;
    println!();
    report::write(&ranking, Format::Table, std::io::stdout().lock())?;
    println!();
    footnote(&figures);
    println!(
        "Database: {} (open it with `duckdb {}` or Python duckdb)",
        db.display(),
        db.display()
    );
    println!(
        "Next: trends report --db {} --year {year} --format csv --out ranking.csv",
        db.display()
    );
    drop(server);
    Ok(Exit::of_run(&summary))
}

/// Refuses a database whose numbers are of another kind: a real demo
/// into one that already holds runs without real figures (a synthetic demo,
/// or a collect) or another bundle's, or a synthetic demo into a real one. Its stored periods
/// would be kept and mixed with the new ones under one ranking.
fn refuse_to_mix(store: &Store, figures: &Figures, db: &Path) -> anyhow::Result<()> {
    let stored = store.demo_provenance()?;
    let real = !stored.is_empty();
    let used = store.last_run_status()?.is_some();
    // Stored in the order of (source, metric), as `demo_provenance()` reads.
    let mut wanted = provenance_rows(figures);
    wanted.sort_by(|a, b| (&a.source, &a.metric).cmp(&(&b.source, &b.metric)));
    let (holds, flag) = match figures {
        Figures::Real(_) if used && !real => ("numbers that are not a bundle's real figures", ""),
        // Closed periods are not asked again: another bundle's would never arrive.
        Figures::Real(_) if real && stored != wanted => {
            ("another bundle's figures (its demo_provenance differs)", "")
        }
        Figures::Synthetic if real => ("the real demo's figures", " --synthetic"),
        _ => return Ok(()),
    };
    anyhow::bail!(
        "{} holds {holds}; `trends demo{flag}` would mix its numbers with them: \
         remove it or pass another --db",
        db.display()
    )
}

/// Points every source at the demo server; with real figures, only the
/// sources a bundled dataset measures stay enabled (the others are left
/// out, not invented).
fn point_at(config: &mut Config, server: &DemoServer) -> anyhow::Result<()> {
    for (source, cfg) in config.sources.iter_mut() {
        point_source(server, *source, cfg)?;
        cfg.enabled = server.serves(*source);
        cfg.concurrency = 8;
        cfg.requests_per_minute = 1_000_000;
        cfg.search_requests_per_minute = cfg.search_requests_per_minute.map(|_| 1_000_000);
    }
    Ok(())
}

/// Points one source's config at the demo server's route for it, without
/// a token (a real one is never sent to the local server).
pub(crate) fn point_source(
    server: &DemoServer,
    source: SourceId,
    cfg: &mut SourceConfig,
) -> anyhow::Result<()> {
    cfg.base_url = server
        .base_url(source)
        .with_context(|| format!("the demo server has no route for source `{source}`"))?
        .parse()
        .context("demo server URL")?;
    cfg.token_env = None;
    Ok(())
}

/// The demo's run: with real figures, from the first year they cover and
/// only the requests they answer (a period without data is not asked, so
/// its value stays NULL).
fn collect_options(figures: &Figures) -> trends_pipeline::RunOptions {
    let mut options = trends_pipeline::RunOptions {
        command: "demo".into(),
        ..Default::default()
    };
    if let Figures::Real(bundle) = figures {
        options.since = bundle.first_year();
        let bundle = Arc::clone(bundle);
        options.keep = Some(trends_pipeline::Keep(Arc::new(move |source, url| {
            bundle.answers(source.as_str(), url)
        })));
    }
    options
}

/// The real figures of the bundle in `--data` when there is one (a broken
/// bundle is an error naming its file), synthetic ones otherwise.
fn figures(args: &DemoArgs) -> anyhow::Result<Figures> {
    if args.synthetic {
        return Ok(Figures::Synthetic);
    }
    if !Bundle::exists(&args.data) {
        eprintln!(
            "trends demo: no bundle of real figures in {} (trends ships none:              scripts/build-demo-data.py builds it from the open datasets, see              data/demo/PROVENANCE.md), so the numbers are synthetic.",
            args.data.display()
        );
        return Ok(Figures::Synthetic);
    }
    let bundle = Bundle::load(&args.data)?;
    Ok(Figures::Real(Arc::new(bundle)))
}

/// What the numbers are, before anything runs (stderr, beside the logs).
fn announce(figures: &Figures) {
    match figures {
        Figures::Synthetic => {
            eprintln!(
                "trends demo: every number below is SYNTHETIC, generated by a local server that"
            );
            eprintln!("answers in the real APIs' formats. Use `trends collect` for real data.");
        }
        Figures::Real(bundle) => {
            eprintln!(
                "trends demo: REAL figures from the open datasets of a bundle, served by a local"
            );
            eprintln!("server in the APIs' formats, for these signals only:");
            for p in bundle.provenance() {
                eprintln!(
                    "  {}/{}: {} - {}, {} ({}/blob/{}/{}, {})",
                    p.source,
                    p.metric,
                    p.first_year,
                    p.last_year,
                    p.dataset,
                    p.repository,
                    p.commit.get(..7).unwrap_or(&p.commit),
                    p.file,
                    p.licence
                );
            }
            eprintln!(
                "Every other source is left out: no open dataset gives the measure it asks for."
            );
            eprintln!("`trends demo --synthetic` makes up numbers for all of them instead.");
        }
    }
}

/// The footnote under the ranking table: which signals are real.
fn footnote(figures: &Figures) {
    match figures {
        Figures::Synthetic => {
            println!("Every number above is SYNTHETIC (trends demo --synthetic).")
        }
        Figures::Real(bundle) => {
            let signals: Vec<String> = bundle
                .provenance()
                .iter()
                .map(|p| {
                    format!(
                        "{}/{} ({}-{})",
                        p.source, p.metric, p.first_year, p.last_year
                    )
                })
                .collect();
            println!("Real figures: {}.", signals.join(", "));
            println!(
                "Every other signal is absent (NULL). Sources, commits and licences: table \
                 demo_provenance, data/demo/PROVENANCE.md."
            );
        }
    }
}

/// The rows of `demo_provenance`: the real signals, none when synthetic.
fn provenance_rows(figures: &Figures) -> Vec<DemoProvenance> {
    figures
        .bundle()
        .map(|b| b.provenance().to_vec())
        .unwrap_or_default()
}
