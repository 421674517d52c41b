//! The forecast's and the backtest's writers: CSV (via the csv crate), a
//! terminal table and Markdown.

use std::fmt::Write as _;
use std::io::Write;

use trends_core::Category;

use super::{Backtest, DAMPING, Forecast, ForecastRow, INTERVAL};
use crate::model::ReportError;
use crate::write::{plural, text_cell};

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn points(v: Option<f64>) -> String {
    v.map(|s| format!("{s:.2}")).unwrap_or_default()
}

/// The forecast's CSV columns.
pub const FORECAST_COLUMNS: [&str; 12] = [
    "year",
    "category",
    "rank",
    "technology",
    "tech_id",
    "score",
    "score_low",
    "score_high",
    "rank_low",
    "rank_high",
    "fitted_through",
    "last_rank",
];

/// One CSV row per technology: [`FORECAST_COLUMNS`]; the interval cells
/// are empty when the history is too short for one.
pub fn write_forecast_csv<W: Write>(forecast: &Forecast, out: W) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(FORECAST_COLUMNS)?;
    for r in &forecast.rows {
        w.write_record([
            r.year.to_string(),
            r.category.to_string(),
            opt(r.rank),
            text_cell(&r.name),
            text_cell(r.tech.as_str()),
            points(r.score),
            points(r.score_low),
            points(r.score_high),
            opt(r.rank_low),
            opt(r.rank_high),
            r.fitted_through.to_string(),
            opt(r.last_rank),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// One CSV row per year, category and method:
/// `year,category,method,rho,techs,mean_rank_error,in_band` (`in_band`:
/// the forecast's share of actual ranks inside their interval; empty for
/// naive and without intervals).
pub fn write_backtest_csv<W: Write>(backtest: &Backtest, out: W) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "year",
        "category",
        "method",
        "rho",
        "techs",
        "mean_rank_error",
        "in_band",
    ])?;
    for r in &backtest.rows {
        w.write_record([
            r.year.to_string(),
            r.category.to_string(),
            r.method.as_str().to_owned(),
            format!("{:.4}", r.rho),
            r.techs.to_string(),
            format!("{:.3}", r.mean_rank_error),
            r.in_band.map(|b| format!("{b:.3}")).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The interval as text: "2–5" (or "3" when it is one rank).
pub(crate) fn rank_span(r: &ForecastRow) -> String {
    match (r.rank_low, r.rank_high) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::new(),
    }
}

/// The rank change from the last closed year, as text: "↑2", "↓1", "=".
pub(crate) fn heading(r: &ForecastRow) -> String {
    match (r.last_rank, r.rank) {
        (Some(a), Some(b)) if a > b => format!("↑{}", a - b),
        (Some(a), Some(b)) if a < b => format!("↓{}", b - a),
        (Some(_), Some(_)) => "=".to_owned(),
        (None, Some(_)) => "new".to_owned(),
        _ => String::new(),
    }
}

fn rows_of(forecast: &Forecast, c: Category) -> Vec<&ForecastRow> {
    forecast.rows.iter().filter(|r| r.category == c).collect()
}

/// One table per category: rank, move from the last closed year, name,
/// score with its interval, rank interval.
pub fn render_forecast(forecast: &Forecast, markdown: bool) -> String {
    let mut out = String::new();
    for c in Category::ALL {
        let rows = rows_of(forecast, c);
        let Some(first) = rows.first() else { continue };
        let title = format!(
            "{} {}: forecast from the years through {} ({}% interval)",
            plural(c),
            forecast.year,
            first.fitted_through,
            (INTERVAL * 100.0).round()
        );
        if markdown {
            let _ = writeln!(out, "## {title}\n");
            out.push_str("| rank | ± | technology | score | score interval | rank interval |\n");
            out.push_str("|---:|:--|:--|---:|---:|---:|\n");
        } else {
            let _ = writeln!(out, "{title}");
            let _ = writeln!(
                out,
                "  {:>4}  {:<4} {:<24} {:>6}  {:>13}  {:>8}",
                "rank", "±", "technology", "score", "score range", "ranks"
            );
        }
        for r in rows {
            let range = match (r.score_low, r.score_high) {
                (Some(a), Some(b)) => format!("{a:.1}–{b:.1}"),
                _ => String::new(),
            };
            let score = r.score.map(|s| format!("{s:.1}")).unwrap_or_default();
            if markdown {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {score} | {range} | {} |",
                    opt(r.rank),
                    heading(r),
                    r.name.replace('|', "\\|"),
                    rank_span(r)
                );
            } else {
                let _ = writeln!(
                    out,
                    "  {:>4}  {:<4} {:<24} {score:>6}  {range:>13}  {:>8}",
                    opt(r.rank),
                    heading(r),
                    r.name,
                    rank_span(r)
                );
            }
        }
        out.push('\n');
    }
    for note in &forecast.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(
        out,
        "method: each signal's share, damped trend (φ = {DAMPING}) of its last changes, ranked as the report ranks"
    );
    out
}

/// The backtest as text: every row, then per category the mean ρ of both
/// methods and the forecast's wins, ties and losses against naive.
pub fn render_backtest(backtest: &Backtest, markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| year | category | method | ρ | technologies | mean rank error | in band |\n\
             |---:|:--|:--|---:|---:|---:|---:|\n",
        );
    } else {
        let _ = writeln!(
            out,
            "{:>4}  {:<9}  {:<8}  {:>6}  {:>5}  {:>10}  {:>7}",
            "year", "category", "method", "rho", "techs", "rank error", "in band"
        );
    }
    for r in &backtest.rows {
        let band = r
            .in_band
            .map(|b| format!("{:.0}%", 100.0 * b))
            .unwrap_or_default();
        let (category, method) = (r.category.to_string(), r.method.as_str());
        if markdown {
            let _ = writeln!(
                out,
                "| {} | {category} | {method} | {:.3} | {} | {:.2} | {band} |",
                r.year, r.rho, r.techs, r.mean_rank_error
            );
        } else {
            let _ = writeln!(
                out,
                "{:>4}  {category:<9}  {method:<8}  {:>6.3}  {:>5}  {:>10.2}  {band:>7}",
                r.year, r.rho, r.techs, r.mean_rank_error
            );
        }
    }
    out.push('\n');
    for s in backtest.summary() {
        let _ = writeln!(
            out,
            "{}{}: mean ρ forecast {:.3}, naive {:.3} over {} year(s); the forecast beat naive in {}, tied {}, lost {}",
            if markdown { "- " } else { "" },
            plural(s.category),
            s.forecast_rho,
            s.naive_rho,
            s.years,
            s.wins,
            s.ties,
            s.losses
        );
        if let Some(b) = s.in_band {
            let _ = writeln!(
                out,
                "{}  actual rank inside the forecast's {:.0}% rank interval: {:.0}% of the time",
                if markdown { "  " } else { "" },
                100.0 * INTERVAL,
                100.0 * b
            );
        }
    }
    for note in &backtest.notes {
        let _ = writeln!(out, "{}note: {note}", if markdown { "- " } else { "" });
    }
    out
}
