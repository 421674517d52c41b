//! `trends report`: rank a year per category and write CSV, Markdown,
//! JSON, a table or an HTML page.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{Datelike, Utc};
use clap::Args;
use trends_core::{Category, YearlySignal};
use trends_store::Store;

use crate::Format;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The year to rank (default: last year, the latest complete one).
    #[arg(long, conflicts_with = "all_years")]
    year: Option<i32>,
    /// Rank every year with data, as one long table.
    #[arg(long)]
    all_years: bool,
    /// Rank only this category: language, framework or practice.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// csv (one row per technology and year, RFC 4180), md (Markdown
    /// tables), json, table (for reading on a terminal), or html (one
    /// self-contained page: rankings, charts, method, provenance; --out
    /// report.html). Default: table on a terminal, csv otherwise or with
    /// --out.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How a signal's values become scores: share (of the category total,
    /// the default), log-share (share of ln(1+value): damps heavy-tailed
    /// counts) or percentile (rank among the technologies with the signal:
    /// a mean of ranks). See docs/method.md, "Methods".
    #[arg(long, default_value = "share", value_parser = parse_method)]
    method: trends_report::Method,
    /// Rank the catalog's [[group]]s as one technology each (JavaScript +
    /// TypeScript, say): members' values are summed per signal first.
    #[arg(long)]
    group: bool,
    /// Instead of a ranking, compare the methods on this database: rank
    /// stability from year to year, and how much leaving one signal out
    /// moves the ranks.
    #[arg(long, conflicts_with_all = ["year", "format", "out"])]
    compare_methods: bool,
}

impl ReportArgs {
    pub fn group(&self) -> bool {
        self.group
    }
}

fn parse_method(s: &str) -> Result<trends_report::Method, String> {
    s.parse()
}

fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

pub fn run(
    db: &Path,
    config: &trends_core::ReportConfig,
    groups: &[trends_core::Group],
    args: &ReportArgs,
) -> anyhow::Result<Exit> {
    let merge = |signals: Vec<trends_core::YearlySignal>| {
        if args.group {
            trends_report::group_signals(&signals, groups)
        } else {
            signals
        }
    };
    let options = trends_report::RankOptions {
        method: args.method,
        config: config.clone(),
    };
    let store = crate::status::open_existing(db, true)?;
    let origin = origin(&store)?;
    if let Some(origin) = &origin {
        eprintln!("note: {} is {origin}", db.display());
    }
    if args.compare_methods {
        return compare(&store, db, config, &merge);
    }
    if args.format == Some(Format::Html) {
        return html(&store, db, &options, &merge, args, origin);
    }
    if args.all_years {
        let years = store.years()?;
        let (first, last) = crate::status::year_span(&years, db)?;
        let signals = merge(store.yearly_signals(first - 2, last)?);
        let ranking = trends_report::Ranking::concat(
            years
                .iter()
                .map(|&y| trends_report::rank_with(&signals, y, args.category, &options))
                .collect(),
        );
        return emit(&ranking, args);
    }
    let year = args.year.unwrap_or_else(|| Utc::now().year() - 1);
    // Two years back: rank change needs the year before, momentum two.
    let signals = merge(store.yearly_signals(year - 2, year)?);
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
    let ranking = trends_report::rank_with(&signals, year, args.category, &options);
    emit(&ranking, args)
}

/// Where a demo database's numbers come from (its `demo_provenance`
/// table, or a demo run without one: synthetic); `None` for a collected
/// database.
fn origin(store: &Store) -> anyhow::Result<Option<String>> {
    let rows = store.demo_provenance()?;
    if rows.is_empty() {
        let demo = store
            .recent_runs(1)?
            .first()
            .is_some_and(|r| r.command == "demo");
        return Ok(demo.then(|| {
            "a `trends demo` database with synthetic numbers: every number in it is SYNTHETIC, \
             made up by the demo's local server, not real data"
                .to_owned()
        }));
    }
    let real: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}/{} ({}-{}, {} at {}, {})",
                r.source,
                r.metric,
                r.first_year,
                r.last_year,
                r.repository,
                r.commit.get(..7).unwrap_or(&r.commit),
                r.licence
            )
        })
        .collect();
    Ok(Some(format!(
        "a `trends demo` database; real figures only for {}; every other signal is absent (table demo_provenance)",
        real.join(", ")
    )))
}

/// `--compare-methods`: the methods' stability and leave-one-out figures.
fn compare(
    store: &Store,
    db: &Path,
    config: &trends_core::ReportConfig,
    merge: &dyn Fn(Vec<YearlySignal>) -> Vec<YearlySignal>,
) -> anyhow::Result<Exit> {
    let years = store.years()?;
    let (first, last) = crate::status::year_span(&years, db)?;
    let signals = merge(store.yearly_signals(first - 2, last)?);
    // Closed years only: a partial year's ranks move for want of data.
    let closed: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| signals.iter().any(|s| s.year == *y && !s.partial))
        .collect();
    println!(
        "methods compared over {} closed year(s) of {}",
        closed.len(),
        db.display()
    );
    println!(
        "  {:<11} {:>9} {:>14} {:>15}",
        "method", "stability", "leave-one-out", "moved over one"
    );
    for c in trends_report::compare_methods(&signals, &closed, config) {
        println!(
            "  {:<11} {:>9.3} {:>14.3} {:>14.1}%",
            c.method.as_str(),
            c.stability,
            c.leave_one_out,
            100.0 * c.moved_over_one
        );
    }
    println!(
        "  stability: mean Spearman rho of each category's ranks year over year (higher: steadier)"
    );
    println!(
        "  leave-one-out: mean |rank change| when one signal is dropped (lower: no signal decides alone)"
    );
    Ok(Exit::Ok)
}

/// `--format html`: one page; the years up to the asked one feed the
/// sparklines and bump charts, the asked year (or, with --all-years, every
/// year) gets tables. `origin`: where a demo database's numbers come from
/// ([`origin`]), under the title.
fn html(
    store: &Store,
    db: &Path,
    options: &trends_report::RankOptions,
    merge: &dyn Fn(Vec<YearlySignal>) -> Vec<YearlySignal>,
    args: &ReportArgs,
    origin: Option<String>,
) -> anyhow::Result<Exit> {
    let years = store.years()?;
    let (first, last) = crate::status::year_span(&years, db)?;
    let upto = if args.all_years {
        last
    } else {
        args.year
            .unwrap_or_else(|| (Utc::now().year() - 1).min(last))
    };
    if !years.contains(&upto) {
        bail!(
            "no data for {upto} in {}; years with data: {first}–{last}",
            db.display()
        );
    }
    let signals = merge(store.yearly_signals(first - 2, upto)?);
    let rankings: Vec<trends_report::Ranking> = years
        .iter()
        .filter(|&&y| y <= upto)
        .map(|&y| trends_report::rank_with(&signals, y, args.category, options))
        .collect();
    // Where each technology is heading: the year after the page's last,
    // fitted on the closed years the page has.
    let history = trends_report::Ranking::concat(rankings.clone());
    let forecast = trends_report::forecast(&signals, upto + 1, options);
    let backtest = trends_report::backtest(&signals, options);
    let extra = vec![trends_report::forecast_section(
        &history, &forecast, &backtest,
    )?];
    let last_run = store.recent_runs(1)?.into_iter().next().map(|r| {
        let finished = r.finished_at.map_or_else(
            || "not finished".to_owned(),
            |f| format!("finished {}", f.format("%Y-%m-%d %H:%M:%S UTC")),
        );
        format!(
            "#{} {}, started {}, {finished}: {}",
            r.id,
            r.command,
            r.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            r.status.map_or("running", |s| s.as_str())
        )
    });
    let page = trends_report::HtmlPage {
        years: &rankings,
        shown: if args.all_years { vec![] } else { vec![upto] },
        categories: args.category.into_iter().collect(),
        options,
        freshness: trends_report::Freshness {
            database: db.display().to_string(),
            last_run,
            generated_at: Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            origin,
        },
        extra,
    };
    let text = trends_report::render_html(&page)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(Exit::Ok)
}

fn emit(ranking: &trends_report::Ranking, args: &ReportArgs) -> anyhow::Result<Exit> {
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
            write(ranking, format, BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} rows to {}", ranking.rows.len(), path.display());
        }
        None => write(ranking, format, std::io::stdout().lock())?,
    }
    Ok(Exit::Ok)
}

pub fn write(
    ranking: &trends_report::Ranking,
    format: Format,
    mut out: impl Write,
) -> anyhow::Result<()> {
    match format {
        Format::Csv => trends_report::write_csv(ranking, &mut out)?,
        Format::Table => {
            // One table per year and category.
            let mut years: Vec<i32> = ranking.rows.iter().map(|r| r.year).collect();
            years.dedup();
            for y in years {
                let one = trends_report::Ranking {
                    year: y,
                    method: ranking.method,
                    signals: ranking.signals.clone(),
                    rows: ranking
                        .rows
                        .iter()
                        .filter(|r| r.year == y)
                        .cloned()
                        .collect(),
                };
                out.write_all(trends_report::render_table(&one).as_bytes())?;
            }
        }
        Format::Md => out.write_all(trends_report::render_markdown(ranking).as_bytes())?,
        Format::Json => trends_report::write_json(ranking, &mut out)?,
        Format::Html => bail!("an HTML page is written by `trends report --format html`"),
    }
    out.flush()?;
    Ok(())
}
