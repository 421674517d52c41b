//! `trends status` and `trends renormalize`: what the database holds, and
//! rebuilding observations from the archive without the network.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use trends_store::{RunStatus, Store};

use crate::exit::Exit;

/// Opens the analysts' file `db` to read, or (`read_only` false) its working
/// copy to write, which the caller publishes when done.
pub(crate) fn open_existing(db: &Path, read_only: bool) -> anyhow::Result<Store> {
    let work = trends_store::file::working_path(db);
    if !db.exists() && (read_only || !work.exists()) {
        bail!(
            "database {} does not exist; run `trends collect` (or `trends demo`) first, or pass --db",
            db.display()
        );
    }
    let store = if read_only {
        Store::open_read_only(db)
    } else {
        Store::open_working(db)
    };
    store.with_context(|| format!("cannot open database {}", db.display()))
}

/// The first and last of `years` (`Store::years`, sorted); an error naming
/// `db` and what to run when it has none.
pub(crate) fn year_span(years: &[i32], db: &Path) -> anyhow::Result<(i32, i32)> {
    match (years.first(), years.last()) {
        (Some(&first), Some(&last)) => Ok((first, last)),
        _ => bail!("no data in {}; run `trends collect` first", db.display()),
    }
}

/// `trends sources`: what each source measures and how it is configured.
pub fn sources(config: &trends_core::Config) {
    use trends_core::MetricKind;
    for s in trends_sources::registry() {
        let source = s.id();
        let info = s.info();
        let cfg = config.sources.get(&source);
        let state = match cfg {
            Some(c) if c.enabled => "enabled",
            Some(_) => "disabled",
            None => "not configured",
        };
        println!("{source} ({state}) — {}", info.api);
        for def in s.metrics() {
            let kind = match def.metric.kind() {
                MetricKind::Flow => "flow per period",
                MetricKind::Stock => "snapshot",
            };
            println!(
                "  {:<34} {kind:<16} {}",
                def.metric.signal_name(),
                def.description
            );
        }
        println!("  history: {}", info.history);
        println!("  limits:  {}", info.limits);
        if let Some(c) = cfg {
            let auth = match &c.token_env {
                Some(var) if c.token().is_some() => format!("{var} (set)"),
                Some(var) => format!("{var} (not set)"),
                None => "none".to_owned(),
            };
            let search = c
                .search_requests_per_minute
                .map(|n| format!(", search {n}/minute"))
                .unwrap_or_default();
            println!(
                "  config:  {} — {}/minute{search}, {} at once, auth: {auth}",
                c.base_url, c.requests_per_minute, c.concurrency
            );
        }
        println!();
    }
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// `text` for a person, `json` (one object, fields in
    /// docs/operator.md) for scripts.
    #[arg(long, value_enum, default_value = "text")]
    format: StatusFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusFormat {
    Text,
    Json,
}

/// `trends status`; with the config and catalog (when they load), also how
/// many days a first collect of the catalog needs without a key, and which
/// sources are stale.
pub fn status(
    db: &Path,
    setup: Option<&(trends_core::Config, trends_core::Catalog)>,
    args: &StatusArgs,
) -> anyhow::Result<Exit> {
    let store = open_existing(db, true)?;
    let now = Utc::now();
    let freshness = match setup {
        Some((config, _)) => Some(trends_pipeline::freshness(config, &store, now)?),
        None => None,
    };
    if args.format == StatusFormat::Json {
        let value = status_json(db, &store, freshness.as_deref())?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(Exit::Ok);
    }
    let counts = store.counts()?;
    println!(
        "{}: {} technologies, {} runs, {} archived responses, {} observations",
        db.display(),
        counts.technologies,
        counts.runs,
        counts.raw_responses,
        counts.observations
    );
    println!();
    println!("last runs:");
    let runs = store.recent_runs(5)?;
    for r in &runs {
        println!(
            "  #{:<4} {:<11} {} -> {:<26} {:<8} {:>5} requests {:>4} failed {:>6} observations",
            r.id,
            r.command,
            r.started_at.format("%Y-%m-%d %H:%M:%S"),
            r.finished_at
                .map_or("(not finished: killed?)".to_owned(), |f| f
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()),
            r.status.map_or("running", RunStatus::as_str),
            r.requests,
            r.responses_failed,
            r.observations
        );
        if let Some(e) = &r.error {
            println!("        {e}");
        }
    }
    if let Some(last) = runs.first() {
        let failures = store.failures(last.id, 10)?;
        if !failures.is_empty() {
            println!();
            println!("failures of run #{} (first 10):", last.id);
            for trends_store::Failure {
                source,
                url,
                outcome,
                error,
            } in failures
            {
                println!("  {source:<14} {outcome:<16} {url}\n        {error}");
            }
        }
    }
    println!();
    println!("coverage (technologies with data, mean share of the year covered):");
    let mut current = String::new();
    for c in store.coverage()? {
        if c.source != current {
            print!(
                "{}  {:<14}",
                if current.is_empty() { "" } else { "\n" },
                c.source
            );
            current = c.source.clone();
        }
        print!(
            " {}:{}/{:.0}%",
            c.year,
            c.technologies,
            c.mean_coverage * 100.0
        );
    }
    println!();
    let stale: Vec<_> = freshness.iter().flatten().filter(|f| f.stale).collect();
    if !stale.is_empty() {
        println!();
        println!("stale (no new observation within the source's stale_after_days):");
        for f in stale {
            println!("  {}", f.describe(now));
        }
    }
    if let Some((config, catalog)) = setup {
        keyless(config, catalog)?;
    }
    Ok(Exit::Ok)
}

/// The JSON entry of `source`, made empty on first use.
fn entry<'a>(
    sources: &'a mut std::collections::BTreeMap<String, Value>,
    source: &str,
) -> &'a mut Value {
    sources.entry(source.to_owned()).or_insert_with(|| {
        json!({"source": source, "newest_observation": null, "stale_after_days": null,
               "stale": null, "coverage": []})
    })
}

/// `trends status --format json`: counts, the last 5 runs, the last run's
/// first 10 failures, per source its newest observation, staleness (with a
/// config) and coverage per year.
fn status_json(
    db: &Path,
    store: &Store,
    freshness: Option<&[trends_pipeline::Freshness]>,
) -> anyhow::Result<Value> {
    let counts = store.counts()?;
    let runs = store.recent_runs(5)?;
    let failures = match runs.first() {
        Some(last) => store.failures(last.id, 10)?,
        None => Vec::new(),
    };
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut sources = std::collections::BTreeMap::<String, Value>::new();
    for (source, at) in store.newest_observations()? {
        entry(&mut sources, &source)["newest_observation"] = json!(time(at));
    }
    for f in freshness.unwrap_or_default() {
        let e = entry(&mut sources, f.source.as_str());
        e["stale_after_days"] = json!(f.stale_after_days);
        e["stale"] = json!(f.stale);
    }
    for c in store.coverage()? {
        if let Some(years) = entry(&mut sources, &c.source)["coverage"].as_array_mut() {
            years.push(json!({"year": c.year, "technologies": c.technologies,
                              "mean_coverage": c.mean_coverage}));
        }
    }
    Ok(json!({
        "database": db.display().to_string(),
        "counts": {
            "technologies": counts.technologies,
            "runs": counts.runs,
            "raw_responses": counts.raw_responses,
            "observations": counts.observations,
        },
        "runs": runs.iter().map(|r| json!({
            "id": r.id,
            "command": r.command,
            "started_at": time(r.started_at),
            "finished_at": r.finished_at.map(time),
            "status": r.status.map_or("running", RunStatus::as_str),
            "requests": r.requests,
            "responses_failed": r.responses_failed,
            "observations": r.observations,
            "error": r.error,
        })).collect::<Vec<_>>(),
        "last_run_failures": failures.iter().map(|f| json!({
            "source": f.source, "outcome": f.outcome, "url": f.url, "error": f.error,
        })).collect::<Vec<_>>(),
        "sources": sources.into_values().collect::<Vec<_>>(),
    }))
}

/// Per source with a daily quota without a key: the days a first collect
/// of the catalog needs at it, and whether the key is set.
fn keyless(config: &trends_core::Config, catalog: &trends_core::Catalog) -> anyhow::Result<()> {
    let plans = trends_pipeline::plan(config, catalog, None, true)?;
    let lines: Vec<String> = plans
        .iter()
        .filter_map(|plan| {
            let k = crate::estimate::KeylessDays::of(plan)?;
            let key = match &plan.config.token_env {
                Some(var) if plan.config.token().is_some() => format!("{var} is set"),
                Some(var) => format!("{var} is not set"),
                None => "no token_env".to_owned(),
            };
            Some(format!(
                "  {:<14} {} requests at {} a day: {} ({key})",
                plan.source.as_str(),
                k.requests,
                k.per_day,
                k.days_text()
            ))
        })
        .collect();
    if !lines.is_empty() {
        println!();
        println!("a first collect of the catalog without a key:");
        for line in lines {
            println!("{line}");
        }
    }
    Ok(())
}

pub fn renormalize(db: &Path, report: &trends_core::ReportConfig) -> anyhow::Result<Exit> {
    let _lock = crate::lock::acquire(db)?;
    let mut store = open_existing(db, false)?;
    let done = trends_pipeline::renormalize(&mut store)?;
    trends_pipeline::finish(store, report, chrono::Utc::now())?;
    println!(
        "renormalized {} archived responses without the network: {} observations written, {} verdicts changed",
        done.responses, done.observations, done.verdicts_changed
    );
    Ok(Exit::Ok)
}
