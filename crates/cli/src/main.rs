//! `trends`: measure which back-end technologies rise and fall, year by year.
//!
//! The binary owns clap, the tracing subscriber, printing, progress bars,
//! signals, the run lock and exit codes ([`exit::Exit`]); a run itself is
//! `trends_pipeline`, everything else lives in the library crates.

mod bench;
mod chart;
mod check;
mod collect;
mod demo;
mod estimate;
mod exit;
mod explain;
mod export;
mod forecast;
mod lock;
mod metrics;
mod report;
mod status;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use trends_core::{Catalog, Config};

use crate::exit::Exit;

const AFTER_HELP: &str = "\
Exit codes:
  0  every source answered and its data landed
  1  nothing landed, or a bad config, catalog, technology or source
  2  some sources (or requests) failed, the others landed; or the run's
     deadline (max_run_secs) passed first; also clap's usage error (an
     unknown flag, a missing value), before anything runs
  3  another trends run holds the database's lock; nothing was changed
  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: what had arrived is stored,
     the run is recorded `interrupted`

Start offline with `trends demo`; see docs/operator.md for live use with tokens.";

/// Measure which back-end technologies rise and fall, year by year, from
/// public API signals (Stack Overflow, GitHub, Wikipedia, Hacker News, the
/// npm, PyPI, Packagist, RubyGems and crates.io registries, Docker Hub,
/// pkg.go.dev, TIOBE), stored in one DuckDB file and ranked per category.
#[derive(Debug, Parser)]
#[command(name = "trends", version, after_help = AFTER_HELP)]
struct Cli {
    /// Config file (sources, limits, database, catalog path).
    #[arg(
        long,
        global = true,
        env = "TRENDS_CONFIG",
        default_value = "config/trends.toml"
    )]
    config: PathBuf,

    /// DuckDB file to use; overrides `database` in the config. It is the
    /// analysts' copy: collect, demo and renormalize write `<file>.work`
    /// beside it and replace it whole when they end.
    #[arg(long, global = true, env = "TRENDS_DB")]
    db: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    /// Log lines as text or as JSON objects (one per line, for cron and
    /// log collectors).
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch every enabled source for the catalog and store what they answer.
    ///
    /// Each response is archived (body, status, URL without secrets) and
    /// parsed into observations in one transaction. A failed request is
    /// recorded as failed, never stored as a number. Closed periods already
    /// stored are not fetched again (see --refresh). Run it nightly from cron.
    Collect(collect::CollectArgs),
    /// Rank each category for a year (or every year) and print or write it
    /// as CSV, Markdown, JSON or a terminal table.
    Report(report::ReportArgs),
    /// Why a technology's score and rank moved from the year before: each
    /// signal's share in both years, its weight and its contribution to the
    /// score change (the contributions add up to it).
    Explain(explain::ExplainArgs),
    /// Draw SVG charts: a bump chart of ranks over the years per category,
    /// (with --tech) a technology's share per signal over the years, and
    /// (with --groups) each group's members side by side.
    Chart(chart::ChartArgs),
    /// Where each technology is heading: its expected score and rank for a
    /// year to come (default: next year) with an interval, from a damped
    /// trend of its signals' shares; --backtest checks the method on every
    /// past year against "the same ranks as last year".
    Forecast(forecast::ForecastArgs),
    /// List every source: its signals (flow per period or snapshot), history
    /// depth, auth, rate limits, and whether it is enabled in the config.
    Sources,
    /// Write the observations and the yearly signals as Parquet files,
    /// hive-partitioned by source and year, for Spark, Trino or DuckDB to
    /// read without this database (`trends export --parquet DIR`).
    Export(export::ExportArgs),
    /// Show the last runs, the last run's failures with their reasons, per
    /// source and year how many technologies have data, and how many days
    /// a first collect of the catalog needs without a key, which sources
    /// are stale; `--format json` for scripts (docs/operator.md lists its
    /// fields).
    Status(status::StatusArgs),
    /// Rebuild every observation from the archived raw responses, without
    /// the network (after a parser fix, say). Takes the collect lock.
    Renormalize,
    /// Measure the normalize + store path on synthetic pageview answers
    /// (a scratch database; run with `cargo run --release -- bench`).
    Bench(bench::BenchArgs),
    /// Run the whole pipeline offline against a local server that answers in
    /// the real APIs' formats with synthetic numbers, then print a ranking.
    Demo(demo::DemoArgs),
    /// Check the config before a night's run (`trends config check`).
    #[command(subcommand)]
    Config(check::ConfigCommand),
    /// Print a shell completion script: `trends completions bash >
    /// /etc/bash_completion.d/trends` (or zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Table,
    Md,
    Json,
    Html,
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.log_format);
    let exit = match run(cli) {
        Ok(exit) => exit,
        // `trends report | head`: the reader has all it wanted.
        Err(e) if e.chain().any(is_broken_pipe) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e:#}");
            if let Some(hint) = hint(&format!("{e:#}")) {
                eprintln!("hint: {hint}");
            }
            if e.downcast_ref::<lock::Held>().is_some() {
                Exit::Locked
            } else {
                Exit::Failed
            }
        }
    };
    exit.into()
}

/// What to do about a failure whose cause is the machine's, not trends's:
/// a full disk, a database file cut short under a running query.
fn hint(error: &str) -> Option<&'static str> {
    if error.contains("No space left on device") || error.contains("os error 28") {
        Some(
            "the disk is full. The analysts' file is the last published run, whole (it is only \
             ever replaced by rename); what this run stored stays in the working copy \
             (<database>.work). Free space on that disk and run again: the next run goes on from \
             the working copy and publishes it.",
        )
    } else if error.contains("Could not read enough bytes")
        || error.contains("Corrupt database file")
    {
        Some(
            "the database file is cut short or damaged (a copy that did not finish, a disk \
             error). trends never writes the analysts' file in place: restore it from a backup, \
             or let the next `trends collect` publish its working copy over it.",
        )
    } else {
        None
    }
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Collect(args) => {
            let (config, catalog) = load(&cli.config)?;
            let db = cli.db.clone().unwrap_or_else(|| config.database.clone());
            collect::run(&config, &catalog, &db, args)
        }
        Command::Report(args) => {
            let (db, report, groups) = reading(&cli, args.group())?;
            report::run(&db, &report, &groups, args)
        }
        Command::Explain(args) => {
            let (db, report, _) = reading(&cli, false)?;
            explain::run(&db, &report, args)
        }
        Command::Forecast(args) => {
            let (db, report, _) = reading(&cli, false)?;
            forecast::run(&db, &report, args)
        }
        Command::Chart(args) => {
            let (db, report, groups) = reading(&cli, args.groups())?;
            chart::run(&db, &report, &groups, args)
        }
        Command::Sources => {
            let config = Config::load(&cli.config, &trends_sources::known())?;
            status::sources(&config);
            Ok(Exit::Ok)
        }
        Command::Export(args) => export::run(&db_path(&cli)?, args),
        Command::Status(args) => {
            // The config is optional here (`--db` alone reads a file).
            let setup = load(&cli.config).ok();
            status::status(&db_path(&cli)?, setup.as_ref(), args)
        }
        Command::Renormalize => {
            let (db, report, _) = reading(&cli, false)?;
            status::renormalize(&db, &report)
        }
        Command::Bench(args) => bench::run(&cli.config, args),
        Command::Demo(args) => demo::run(&cli.config, cli.db.as_deref(), args),
        Command::Config(command) => check::run(&cli.config, cli.db.as_deref(), command),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "trends",
                &mut std::io::stdout(),
            );
            Ok(Exit::Ok)
        }
    }
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// `println!` panics when stdout is a pipe its reader closed (`trends
/// sources | head -1`); like other command-line tools, stop quietly then
/// instead of printing a panic.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(Exit::Ok.code()));
        }
        default(info);
    }));
}

/// The database: `--db` / `TRENDS_DB`, else the config's `database`.
fn db_path(cli: &Cli) -> anyhow::Result<PathBuf> {
    match &cli.db {
        Some(db) => Ok(db.clone()),
        None => Ok(Config::load(&cli.config, &trends_sources::known())?.database),
    }
}

/// What `report` and `chart` read besides the data, with the config read
/// once: the database (`--db`, else the config's), the config's `[report]`
/// (its defaults when there is no config file: a database passed with --db
/// can be reported on without one) and, with `groups`, the catalog's
/// [[group]]s.
fn reading(
    cli: &Cli,
    groups: bool,
) -> anyhow::Result<(PathBuf, trends_core::ReportConfig, Vec<trends_core::Group>)> {
    let config = if cli.db.is_none() || groups || cli.config.exists() {
        let config = Config::load(&cli.config, &trends_sources::known());
        Some(if groups {
            config.context("--group reads the catalog's [[group]]s through the config")?
        } else {
            config?
        })
    } else {
        None
    };
    let db = match (&cli.db, &config) {
        (Some(db), _) => db.clone(),
        (None, Some(config)) => config.database.clone(),
        (None, None) => anyhow::bail!("pass --db, or a config naming the database"),
    };
    let groups = match (&config, groups) {
        (Some(config), true) => Catalog::load(&config.catalog)?.groups,
        _ => Vec::new(),
    };
    let report = config.map(|c| c.report).unwrap_or_default();
    Ok((db, report, groups))
}

/// Reads and validates the config and the catalog it names.
fn load(path: &Path) -> anyhow::Result<(Config, Catalog)> {
    let config = Config::load(path, &trends_sources::known())?;
    let catalog = Catalog::load(&config.catalog)?;
    Ok((config, catalog))
}

fn init_logging(verbose: u8, format: LogFormat) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug,hyper=info,reqwest=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_current_span(true).init(),
    }
}
