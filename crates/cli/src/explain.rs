//! `trends explain TECH --year Y`: why a technology's score and rank moved
//! from Y−1 to Y, signal by signal (`trends_report::explain`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::{Datelike, Utc};
use clap::{Args, ValueEnum};
use trends_core::TechId;

use crate::exit::Exit;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The technology's catalog id (`trends report` lists them in
    /// `tech_id`), e.g. django.
    tech: String,
    /// The year whose change from the year before is explained (default:
    /// last year).
    #[arg(long)]
    year: Option<i32>,
    /// table (for reading) or csv (one row per signal:
    /// signal,share_prev,share,weight,contribution,change,value_prev,value).
    /// Default: table on a terminal, csv otherwise.
    #[arg(long, value_enum)]
    format: Option<ExplainFormat>,
    /// The ranking method (see `trends report --help`).
    #[arg(long, default_value = "share", value_parser = parse_method)]
    method: trends_report::Method,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    Csv,
    Table,
}

fn parse_method(s: &str) -> Result<trends_report::Method, String> {
    s.parse()
}

pub fn run(
    db: &Path,
    config: &trends_core::ReportConfig,
    args: &ExplainArgs,
) -> anyhow::Result<Exit> {
    let store = crate::status::open_existing(db, true)?;
    let year = args.year.unwrap_or_else(|| Utc::now().year() - 1);
    let signals = store.yearly_signals(year - 1, year)?;
    let options = trends_report::RankOptions {
        method: args.method,
        config: config.clone(),
    };
    let explanation = trends_report::explain(&signals, &TechId(args.tech.clone()), year, &options)?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        ExplainFormat::Table
    } else {
        ExplainFormat::Csv
    });
    let mut out = std::io::stdout().lock();
    match format {
        ExplainFormat::Csv => trends_report::write_explanation_csv(&explanation, &mut out)?,
        ExplainFormat::Table => {
            out.write_all(trends_report::render_explanation(&explanation).as_bytes())?
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}
