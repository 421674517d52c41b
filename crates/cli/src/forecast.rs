//! `trends forecast [--year Y]`: each technology's expected score and rank
//! for a year to come, with an interval; `--backtest`: how the method would
//! have done on every past year, beside the naive "same ranks as last
//! year" (`trends_report::forecast`, `trends_report::backtest`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::bail;
use chrono::{Datelike, Utc};
use clap::{Args, ValueEnum};

use crate::exit::Exit;

/// How far past the last closed year a forecast may reach.
const MAX_AHEAD: i32 = 5;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// The year to forecast (default: next year). It is forecast from the
    /// closed years before it only, so a past year can be checked too.
    #[arg(long, conflicts_with = "backtest")]
    year: Option<i32>,
    /// Instead, forecast every past year that has three closed years before
    /// it from those years only, and print per category the Spearman rho
    /// between forecast and actual ranks beside the naive forecast.
    #[arg(long)]
    backtest: bool,
    /// csv (forecast: year,category,rank,technology,tech_id,score,
    /// score_low,score_high,rank_low,rank_high,fitted_through,last_rank;
    /// backtest: year,category,method,rho,techs,mean_rank_error,in_band), table or
    /// md. Default: table on a terminal, csv otherwise.
    #[arg(long, value_enum)]
    format: Option<ForecastFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ForecastFormat {
    Csv,
    Table,
    Md,
}

pub fn run(
    db: &Path,
    config: &trends_core::ReportConfig,
    args: &ForecastArgs,
) -> anyhow::Result<Exit> {
    let store = crate::status::open_existing(db, true)?;
    let years = store.years()?;
    let (first, last) = crate::status::year_span(&years, db)?;
    let signals = store.yearly_signals(first - 2, last)?;
    let options = trends_report::RankOptions {
        method: trends_report::Method::Share,
        config: config.clone(),
    };
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        ForecastFormat::Table
    } else {
        ForecastFormat::Csv
    });
    if args.backtest {
        let backtest = trends_report::backtest(&signals, &options);
        return emit(
            format,
            &backtest.notes,
            |out| trends_report::write_backtest_csv(&backtest, out),
            |md| trends_report::render_backtest(&backtest, md),
        );
    }
    let year = args.year.unwrap_or_else(|| Utc::now().year() + 1);
    check_year(&signals, year, first, last)?;
    let forecast = trends_report::forecast(&signals, year, &options);
    emit(
        format,
        &forecast.notes,
        |out| trends_report::write_forecast_csv(&forecast, out),
        |md| trends_report::render_forecast(&forecast, md),
    )
}

/// Prints a forecast or a backtest: as CSV (`csv`), its notes on stderr,
/// or as a table or Markdown (`render`, given whether Markdown), which
/// carry their notes.
fn emit(
    format: ForecastFormat,
    notes: &[String],
    csv: impl FnOnce(&mut std::io::StdoutLock<'static>) -> Result<(), trends_report::ReportError>,
    render: impl FnOnce(bool) -> String,
) -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    match format {
        ForecastFormat::Csv => {
            for note in notes {
                eprintln!("note: {note}");
            }
            csv(&mut out)?;
        }
        ForecastFormat::Table | ForecastFormat::Md => {
            out.write_all(render(format == ForecastFormat::Md).as_bytes())?
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}

/// A year the data can forecast: after a closed year, at most
/// [`MAX_AHEAD`] years past the last one.
fn check_year(
    signals: &[trends_core::YearlySignal],
    year: i32,
    first: i32,
    last: i32,
) -> anyhow::Result<()> {
    let closed: Vec<i32> = trends_report::closed_years(signals).into_iter().collect();
    let Some(&last_closed) = closed.iter().rev().find(|y| **y < year) else {
        bail!(
            "cannot forecast {year}: no closed year before it (years with data: {first}–{last}, \
             closed: {})",
            if closed.is_empty() {
                "none".to_owned()
            } else {
                format!("{}–{}", closed[0], closed[closed.len() - 1])
            }
        );
    };
    if year > last_closed + MAX_AHEAD {
        bail!(
            "cannot forecast {year}: the last closed year is {last_closed}, and the forecast reaches \
             at most {MAX_AHEAD} years past it"
        );
    }
    Ok(())
}
