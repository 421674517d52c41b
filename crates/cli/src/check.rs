//! `trends config check`: is the config ready for tonight's run, and what
//! will a first collect cost under its limits?

use std::path::Path;
use std::time::Duration;

use clap::{Args, Subcommand};
use trends_core::{Catalog, Config};

use crate::estimate::{Bound, KeylessDays, human};
use crate::exit::Exit;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and the catalog it names, listing every problem
    /// at once (file and key); say what each enabled source lacks and what
    /// that costs; estimate a first collect's requests and wall time per
    /// source under the configured limits. Exits 0 when both files are
    /// valid, 1 otherwise. Run it before the night's collect.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Time one answer is assumed to take, for the estimate.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    latency_ms: u64,
}

pub fn run(config_path: &Path, db: Option<&Path>, command: &ConfigCommand) -> anyhow::Result<Exit> {
    let ConfigCommand::Check(args) = command;
    let mut invalid = false;
    let config = match Config::load(config_path, &trends_sources::known()) {
        Ok(config) => {
            println!("config {}: ok", config_path.display());
            Some(config)
        }
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            invalid = true;
            None
        }
    };
    let catalog_path = config
        .as_ref()
        .map(|c| c.catalog.clone())
        .unwrap_or_else(|| {
            config_path
                .parent()
                .unwrap_or(Path::new("."))
                .join("catalog.toml")
        });
    let catalog = match Catalog::load(&catalog_path) {
        Ok(catalog) => {
            let groups = catalog.groups.len();
            println!(
                "catalog {}: ok, {} technologies, {groups} group{}",
                catalog_path.display(),
                catalog.technologies.len(),
                if groups == 1 { "" } else { "s" }
            );
            Some(catalog)
        }
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            invalid = true;
            None
        }
    };
    let (Some(config), Some(catalog)) = (config, catalog) else {
        eprintln!("config check: problems found; nothing was run");
        return Ok(Exit::Failed);
    };
    if config.contact.contains("set your own contact") {
        println!(
            "warning: contact in {} is the shipped placeholder; put your email or URL there (the APIs' policies ask for one)",
            config.path.display()
        );
    }
    let db = db.map_or_else(|| config.database.clone(), Path::to_path_buf);
    database(&db);
    sources(&config, &catalog, Duration::from_millis(args.latency_ms))?;
    Ok(if invalid { Exit::Failed } else { Exit::Ok })
}

/// The error and its causes on one line each (TOML syntax errors carry the
/// line and column in their cause).
fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!("\n  {c}"));
        cause = c.source();
    }
    text
}

fn database(db: &Path) {
    use trends_store::file;
    let work = file::working_path(db);
    if !db.exists() && !work.exists() {
        println!(
            "database {}: not there yet; the first collect creates it",
            db.display()
        );
        return;
    }
    match file::storage_number(db) {
        Ok(Some(n)) if n <= file::MAX_READABLE => println!(
            "database {}: DuckDB storage {n}, which DuckDB 1.4, 1.5 and 2.0 clients open",
            db.display()
        ),
        Ok(Some(n)) => println!(
            "database {}: DuckDB storage {n}, newer than DuckDB 1.4 and 1.5 read; the next collect converts it to {}",
            db.display(),
            file::STORAGE_VERSION
        ),
        Ok(None) => println!(
            "warning: database {}: not a DuckDB file; collect will refuse it",
            db.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => println!(
            "database {}: not published yet; its working copy {} is published at the end of the next run",
            db.display(),
            work.display()
        ),
        Err(e) => println!("warning: database {}: cannot read it: {e}", db.display()),
    }
}

fn sources(config: &Config, catalog: &Catalog, latency: Duration) -> anyhow::Result<()> {
    let plans = trends_pipeline::plan(config, catalog, None, true)?;
    println!(
        "a first collect from {} (every source side by side, {} ms an answer assumed):",
        config.first_year,
        latency.as_millis()
    );
    println!(
        "  {:<14} {:>8} {:>9}  notes",
        "source", "requests", "at least"
    );
    let mut total = 0;
    let mut longest: f64 = 0.0;
    for plan in &plans {
        let bound = Bound::of(plan, latency);
        total += plan.requests.len();
        longest = longest.max(bound.seconds());
        println!(
            "  {:<14} {:>8} {:>9}  {}",
            plan.source.as_str(),
            plan.requests.len(),
            human(bound.seconds()),
            notes(plan, bound).join("; ")
        );
    }
    let disabled: Vec<&str> = config
        .sources
        .iter()
        .filter(|(_, s)| !s.enabled)
        .map(|(id, _)| id.as_str())
        .collect();
    if !disabled.is_empty() {
        println!("  disabled: {}", disabled.join(", "));
    }
    println!(
        "  total {total} requests, at least {} (the slowest source); later nights ask only for what is not stored",
        human(longest)
    );
    Ok(())
}

/// What a source lacks, and what that costs.
fn notes(plan: &trends_fetcher::SourcePlan, bound: Bound) -> Vec<String> {
    let mut notes = Vec::new();
    let cfg = &plan.config;
    let has_token = cfg.token().is_some();
    if let Some(lack) = trends_sources::source(plan.source)
        .and_then(|s| s.without_token())
        .filter(|_| !has_token)
    {
        let what = match &cfg.token_env {
            Some(var) => format!("{var} not set"),
            None => "no token_env".to_owned(),
        };
        let mut note = format!("{what}: {}", lack.effect);
        if let Some(keyless) = KeylessDays::of(plan) {
            note.push_str(&format!(
                ", so a first collect takes {} ({} requests, {} a day; each night goes on where the last stopped)",
                keyless.days_text(),
                keyless.requests,
                keyless.per_day
            ));
        }
        notes.push(note);
    } else if has_token && let Some(keyless) = KeylessDays::of(plan) {
        notes.push(format!(
            "without {} a first collect would take {} ({} a day)",
            cfg.token_env.as_deref().unwrap_or("its key"),
            keyless.days_text(),
            keyless.per_day
        ));
    }
    let with_token = trends_sources::source(plan.source).and_then(|s| s.search_limit_with_token());
    if let Some(limit) = with_token
        && has_token
        && cfg.search_requests_per_minute.is_some_and(|n| n < limit)
        // A source may send its searches another way with a token (GitHub:
        // through GraphQL, not the search lane).
        && plan
            .requests
            .iter()
            .any(|r| r.lane == trends_fetcher::Lane::Search)
    {
        notes.push(format!(
            "the token allows {limit} searches a minute: raise search_requests_per_minute to {limit}"
        ));
    }
    if bound.rate > bound.latency && bound.rate > 60.0 {
        notes.push(format!(
            "held by requests_per_minute = {}{}",
            cfg.requests_per_minute,
            cfg.search_requests_per_minute
                .map(|n| format!(" and search_requests_per_minute = {n}"))
                .unwrap_or_default()
        ));
    }
    if notes.is_empty() {
        notes.push("ok".to_owned());
    }
    notes
}
