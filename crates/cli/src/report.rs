//! `trends report`: rank a year per category and write CSV or a table.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{Datelike, Utc};
use clap::Args;
use trends_core::Category;
use trends_store::Store;

use crate::Format;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The year to rank (default: last year, the latest complete one).
    #[arg(long)]
    year: Option<i32>,
    /// Rank only this category: language, framework or practice.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// csv (one row per technology) or table (for reading on a terminal).
    /// Default: table on a terminal, csv otherwise or with --out.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

pub fn run(db: &Path, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    if !db.exists() {
        bail!(
            "database {} does not exist; run `trends collect` (or `trends demo`) first, or pass --db",
            db.display()
        );
    }
    let store =
        Store::open(db).with_context(|| format!("cannot open database {}", db.display()))?;
    let year = args.year.unwrap_or_else(|| Utc::now().year() - 1);
    let signals = store.yearly_signals(year - 1, year)?;
    if !signals.iter().any(|s| s.year == year) {
        let years = store.years()?;
        bail!(
            "no data for {year} in {}; years with data: {}",
            db.display(),
            if years.is_empty() {
                "none (run `trends collect`)".to_owned()
            } else {
                years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    let ranking = trends_report::rank(&signals, year, args.category);
    let format = args
        .format
        .unwrap_or(if args.out.is_none() && std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        });
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            write(&ranking, format, BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} rows to {}", ranking.rows.len(), path.display());
        }
        None => write(&ranking, format, std::io::stdout().lock())?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn write(
    ranking: &trends_report::Ranking,
    format: Format,
    mut out: impl Write,
) -> anyhow::Result<()> {
    match format {
        Format::Csv => trends_report::write_csv(ranking, &mut out)?,
        Format::Table => out.write_all(trends_report::render_table(ranking).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}
