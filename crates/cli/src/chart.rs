//! `trends chart`: SVG charts of the rankings, for readers.

use std::path::{Path, PathBuf};

use crate::exit::Exit;
use anyhow::Context;
use clap::Args;
use trends_core::{Category, TechId};

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Folder to write the SVG files into (created if missing).
    #[arg(long, default_value = "charts")]
    out: PathBuf,
    /// Only this category's bump chart: language, framework or practice.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Also draw this technology's share per signal over the years (catalog
    /// id; repeatable).
    #[arg(long = "tech")]
    techs: Vec<String>,
    /// Draw the ranks (bump charts) and the per-signal shares on a
    /// logarithmic axis: the top ranks spread out, the tail packs.
    #[arg(long)]
    log: bool,
    /// Also draw each catalog [[group]]'s members side by side, year by
    /// year (group-<id>.svg): what `trends report --group` sums.
    #[arg(long)]
    groups: bool,
    /// Also draw each bump chart continued by the forecast of the year
    /// after the last one (`trends forecast`): dashed, each technology's
    /// 80% rank interval as a band (ranks-<category>-forecast.svg).
    #[arg(long)]
    forecast: bool,
    /// The ranking method of the bump charts (see `trends report --help`).
    #[arg(long, default_value = "share", value_parser = parse_method)]
    method: trends_report::Method,
}

fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

fn parse_method(s: &str) -> Result<trends_report::Method, String> {
    s.parse()
}

impl ChartArgs {
    pub fn groups(&self) -> bool {
        self.groups
    }
}

pub fn run(
    db: &Path,
    config: &trends_core::ReportConfig,
    groups: &[trends_core::Group],
    args: &ChartArgs,
) -> anyhow::Result<Exit> {
    let options = trends_report::RankOptions {
        method: args.method,
        config: config.clone(),
    };
    let store = crate::status::open_existing(db, true)?;
    let years = store.years()?;
    let (first, last) = crate::status::year_span(&years, db)?;
    let signals = store.yearly_signals(first - 2, last)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create folder {}", args.out.display()))?;
    let write = |name: String, svg: String| -> anyhow::Result<()> {
        let path = args.out.join(name);
        std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
        Ok(())
    };
    let ranking = trends_report::Ranking::concat(
        years
            .iter()
            .map(|&y| trends_report::rank_with(&signals, y, None, &options))
            .collect(),
    );
    let categories = args.category.map_or(Category::ALL.to_vec(), |c| vec![c]);
    let scale = if args.log { "-log" } else { "" };
    let forecast = args
        .forecast
        .then(|| trends_report::forecast(&signals, last + 1, &options));
    for c in categories {
        match trends_report::bump_chart(&ranking, c, args.log) {
            Ok(svg) => write(format!("ranks-{c}{scale}.svg"), svg)?,
            Err(e) if args.category.is_none() => eprintln!("skipped {c}: {e}"),
            Err(e) => return Err(e.into()),
        }
        if let Some(forecast) = &forecast {
            match trends_report::forecast_chart(&ranking, forecast, c, args.log) {
                Ok(svg) => write(format!("ranks-{c}-forecast{scale}.svg"), svg)?,
                Err(e) => eprintln!("skipped the {c} forecast: {e}"),
            }
        }
    }
    for tech in &args.techs {
        let svg = trends_report::signal_chart(&ranking, &TechId(tech.clone()), args.log)?;
        write(format!("signals-{tech}{scale}.svg"), svg)?;
    }
    if args.groups && groups.is_empty() {
        eprintln!("the catalog has no [[group]] to draw");
    }
    for group in groups.iter().filter(|_| args.groups) {
        let svg = trends_report::group_chart(&ranking, group)?;
        write(format!("group-{}.svg", group.id), svg)?;
    }
    Ok(Exit::Ok)
}
