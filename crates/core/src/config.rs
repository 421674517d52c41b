//! `config/trends.toml`: where the database is, which sources run and how
//! hard they may be asked. Unknown keys are rejected; every problem, unknown
//! keys included, is reported at once, naming the file and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::model::{Metric, SourceId};

/// `max_run_secs` when the config does not say: 3 hours, a nightly slot.
pub const DEFAULT_MAX_RUN_SECS: u64 = 3 * 60 * 60;

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (for messages).
    pub path: PathBuf,
    /// The DuckDB file; `--db` and `TRENDS_DB` override it.
    pub database: PathBuf,
    /// The catalog file, resolved against the config file's folder.
    pub catalog: PathBuf,
    /// The first calendar year collected.
    pub first_year: i32,
    /// Contact (email or URL) sent in the User-Agent, as API policies ask.
    pub contact: String,
    pub http: HttpConfig,
    /// Configured sources; a source without a table is not collected.
    pub sources: BTreeMap<SourceId, SourceConfig>,
    /// How rankings are computed (`[report]`).
    pub report: ReportConfig,
    /// A run sends no new request after this long (`max_run_secs`): what
    /// has arrived is stored and the run is recorded `partial`.
    pub max_run: Duration,
    /// Where `collect` writes the run's figures for Prometheus
    /// (`metrics_file`; `--metrics-file` overrides it), if anywhere.
    pub metrics_file: Option<PathBuf>,
    /// The order the sources run and print in (the registry's).
    order: Vec<SourceId>,
}

/// What a config is checked against: the sources this build has, in the
/// order they run and print (`trends_sources::known()` gives it).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub sources: Vec<KnownSource>,
}

/// One source of [`Known`].
#[derive(Debug, Clone)]
pub struct KnownSource {
    pub id: SourceId,
    /// It has a search limit of its own (`search_requests_per_minute`).
    pub search_lane: bool,
    pub metrics: Vec<Metric>,
}

impl Known {
    /// The source called `name`.
    pub fn source(&self, name: &str) -> Option<&KnownSource> {
        self.sources.iter().find(|s| s.id.as_str() == name)
    }

    /// The source names, comma-separated, for messages.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.sources.iter().map(|s| s.id.as_str()).collect();
        names.join(", ")
    }

    /// Every signal a report can show, so every one a weight may name: each
    /// metric's `{source}_{metric}`, and each stock's yearly gain
    /// `{source}_{metric}_gain` (the report's own column names).
    pub fn signals(&self) -> Vec<String> {
        let metrics: Vec<Metric> = self
            .sources
            .iter()
            .flat_map(|s| s.metrics.iter().copied())
            .collect();
        crate::signals::signal_names(&metrics)
    }
}

/// `[report]`: the ranking's knobs. The defaults give the method of the
/// manual (docs/method.md) and of the `rankings` table (the default report, stored).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportConfig {
    /// A technology needs at least this many usable signals in a year to be
    /// ranked; with fewer it is listed unranked, with the reason.
    pub min_signals: usize,
    /// A ranked row whose mean coverage is below this is flagged
    /// `low_coverage` (shown, not hidden).
    pub low_coverage: f64,
    /// Weight per signal (`{source}_{metric}`); a signal not named weighs 1.
    pub weights: BTreeMap<String, f64>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            min_signals: 1,
            low_coverage: 0.5,
            weights: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_retries: u32,
    pub max_retry_wait: Duration,
    /// After this many requests of a source in a row failed (5xx, 429 past
    /// its retries, timeouts, resets), the source stops for this run.
    pub max_consecutive_failures: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub enabled: bool,
    /// Replaces the real host, e.g. `https://api.github.com`.
    pub base_url: Url,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests started per minute at most.
    pub requests_per_minute: u32,
    /// GitHub only: search requests per minute (10 without a token, 30 with).
    pub search_requests_per_minute: Option<u32>,
    /// Name of the environment variable that holds the token or key.
    pub token_env: Option<String>,
    /// Days without a new observation before the source is stale
    /// (`stale_after_days`); `None`: the source's own cadence.
    pub stale_after_days: Option<u32>,
}

impl SourceConfig {
    /// The secret, when its variable is set and not empty.
    pub fn token(&self) -> Option<String> {
        let name = self.token_env.as_deref()?;
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path} (pass another with --config)")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config {path} is not valid")]
    Syntax {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("config {path} has {} problem(s); fix them and run again:\n  - {}", problems.len(), problems.join("\n  - "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
}

#[derive(Deserialize)]
struct RawConfig {
    database: Option<PathBuf>,
    catalog: Option<PathBuf>,
    first_year: Option<i32>,
    contact: Option<String>,
    max_run_secs: Option<u64>,
    metrics_file: Option<PathBuf>,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    sources: BTreeMap<String, RawSource>,
    #[serde(default)]
    report: RawReport,
}

#[derive(Deserialize, Default)]
struct RawReport {
    min_signals: Option<usize>,
    low_coverage: Option<f64>,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

#[derive(Deserialize, Default)]
struct RawHttp {
    connect_timeout_secs: Option<u64>,
    timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
    max_retries: Option<u32>,
    max_retry_wait_secs: Option<u64>,
    max_consecutive_failures: Option<u32>,
}

#[derive(Deserialize)]
struct RawSource {
    enabled: Option<bool>,
    base_url: String,
    concurrency: Option<usize>,
    requests_per_minute: Option<u32>,
    search_requests_per_minute: Option<u32>,
    token_env: Option<String>,
    stale_after_days: Option<u32>,
}

impl Config {
    /// Reads and validates the config at `path` against the sources `known`.
    pub fn load(path: &Path, known: &Known) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path, known)
    }

    /// Parses and validates config text; relative paths in it are resolved
    /// against the folder of `path` (the catalog) or the working directory
    /// (the database, like `--db`).
    pub fn parse(text: &str, path: &Path, known: &Known) -> Result<Config, ConfigError> {
        let syntax = |source| ConfigError::Syntax {
            path: path.to_owned(),
            source,
        };
        // Unknown keys are collected, not fatal one at a time, so that every
        // typo is listed with the other problems.
        let mut problems = Vec::new();
        let raw: RawConfig = serde_ignored::deserialize(
            toml::Deserializer::parse(text).map_err(syntax)?,
            |key| {
                problems.push(format!(
                    "{key}: unknown key (a typo would silently do nothing, so it is refused; config/trends.toml lists the keys)"
                ))
            },
        )
        .map_err(syntax)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let first_year = raw.first_year.unwrap_or(2015);
        if !(2000..=2100).contains(&first_year) {
            problems.push(format!(
                "first_year = {first_year}: expected a year from 2000 on"
            ));
        }
        let contact = raw.contact.unwrap_or_default();
        if contact.trim().is_empty() {
            problems.push(
                "contact: set an email or URL; the APIs' policies ask for it in the User-Agent"
                    .to_owned(),
            );
        }
        let http = http_config(raw.http, &mut problems);
        let max_run = Duration::from_secs(raw.max_run_secs.unwrap_or(DEFAULT_MAX_RUN_SECS));
        if max_run.is_zero() {
            problems.push("max_run_secs: must be at least 1".to_owned());
        }
        let sources = source_configs(raw.sources, known, &mut problems);
        let report = report_config(raw.report, known, &mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                problems,
            });
        }
        let catalog = raw.catalog.unwrap_or_else(|| PathBuf::from("catalog.toml"));
        Ok(Config {
            path: path.to_owned(),
            database: raw
                .database
                .unwrap_or_else(|| PathBuf::from("trends.duckdb")),
            catalog: dir.join(catalog),
            first_year,
            contact,
            http,
            sources,
            report,
            max_run,
            metrics_file: raw.metrics_file,
            order: known.sources.iter().map(|s| s.id).collect(),
        })
    }

    /// The enabled sources, in a stable order.
    pub fn enabled_sources(&self) -> impl Iterator<Item = (SourceId, &SourceConfig)> {
        self.order
            .iter()
            .filter_map(|id| Some((*id, self.sources.get(id)?)))
            .filter(|(_, s)| s.enabled)
    }
}

/// `[http]`, with its defaults.
fn http_config(raw: RawHttp, problems: &mut Vec<String>) -> HttpConfig {
    let h = raw;
    let http = HttpConfig {
        connect_timeout: Duration::from_secs(h.connect_timeout_secs.unwrap_or(10)),
        timeout: Duration::from_secs(h.timeout_secs.unwrap_or(30)),
        max_body_bytes: h.max_body_bytes.unwrap_or(32 * 1024 * 1024),
        max_retries: h.max_retries.unwrap_or(3),
        max_retry_wait: Duration::from_secs(h.max_retry_wait_secs.unwrap_or(120)),
        max_consecutive_failures: h.max_consecutive_failures.unwrap_or(5),
    };
    if http.timeout.is_zero() || http.connect_timeout.is_zero() {
        problems.push("http: timeouts must be at least 1 second".to_owned());
    }
    if http.max_consecutive_failures == 0 {
        problems.push("http.max_consecutive_failures: must be at least 1".to_owned());
    }
    http
}

/// The `[sources.*]` tables, each checked against the sources `known`.
fn source_configs(
    raw: BTreeMap<String, RawSource>,
    known: &Known,
    problems: &mut Vec<String>,
) -> BTreeMap<SourceId, SourceConfig> {
    let mut sources = BTreeMap::new();
    for (name, s) in raw {
        let key = format!("sources.{name}");
        let Some(source) = known.source(&name) else {
            problems.push(format!(
                "[{key}]: unknown source `{name}` (known: {})",
                known.names()
            ));
            continue;
        };
        let id = source.id;
        let base_url = match Url::parse(&s.base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            Ok(u) => {
                problems.push(format!(
                    "{key}.base_url: scheme `{}` is not http(s)",
                    u.scheme()
                ));
                continue;
            }
            Err(e) => {
                problems.push(format!("{key}.base_url = {:?}: {e}", s.base_url));
                continue;
            }
        };
        let concurrency = s.concurrency.unwrap_or(1);
        if concurrency == 0 {
            problems.push(format!("{key}.concurrency: must be at least 1"));
        }
        let requests_per_minute = s.requests_per_minute.unwrap_or(60);
        if requests_per_minute == 0 {
            problems.push(format!("{key}.requests_per_minute: must be at least 1"));
        }
        if s.search_requests_per_minute.is_some() && !source.search_lane {
            let with: Vec<String> = known
                .sources
                .iter()
                .filter(|s| s.search_lane)
                .map(|s| format!("[sources.{}]", s.id))
                .collect();
            problems.push(format!(
                "{key}.search_requests_per_minute: only {} has a search limit",
                with.join(", ")
            ));
        }
        if s.search_requests_per_minute == Some(0) {
            problems.push(format!(
                "{key}.search_requests_per_minute: must be at least 1"
            ));
        }
        if s.stale_after_days == Some(0) {
            problems.push(format!("{key}.stale_after_days: must be at least 1"));
        }
        sources.insert(
            id,
            SourceConfig {
                enabled: s.enabled.unwrap_or(true),
                base_url,
                concurrency: concurrency.max(1),
                requests_per_minute: requests_per_minute.max(1),
                search_requests_per_minute: s.search_requests_per_minute,
                token_env: s.token_env.filter(|v| !v.is_empty()),
                stale_after_days: s.stale_after_days,
            },
        );
    }
    sources
}

/// `[report]`: weights may name every signal a report shows.
fn report_config(raw: RawReport, known: &Known, problems: &mut Vec<String>) -> ReportConfig {
    let defaults = ReportConfig::default();
    let report = ReportConfig {
        min_signals: raw.min_signals.unwrap_or(defaults.min_signals),
        low_coverage: raw.low_coverage.unwrap_or(defaults.low_coverage),
        weights: raw.weights,
    };
    if report.min_signals == 0 {
        problems.push("report.min_signals: must be at least 1".to_owned());
    }
    if !(0.0..=1.0).contains(&report.low_coverage) {
        problems.push(format!(
            "report.low_coverage = {}: expected a share from 0 to 1",
            report.low_coverage
        ));
    }
    let signals = known.signals();
    for (signal, weight) in &report.weights {
        if !signals.contains(signal) {
            problems.push(format!(
                "report.weights.{signal}: unknown signal (known: {})",
                signals.join(", ")
            ));
        }
        if !weight.is_finite() || *weight < 0.0 {
            problems.push(format!(
                "report.weights.{signal} = {weight}: expected a weight of 0 or more"
            ));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sources of the shipped config, as the registry declares them
    /// (a few metrics each, enough for the weights' checks).
    fn known() -> Known {
        let names = [
            "stackexchange",
            "github",
            "wikimedia",
            "hackernews",
            "npm",
            "pypi",
            "dockerhub",
            "packagist",
            "rubygems",
            "cratesio",
            "gopkg",
            "githubtopics",
            "tiobe",
            "innovationgraph",
        ];
        Known {
            sources: names
                .into_iter()
                .map(|name| {
                    let id = SourceId::new(name);
                    KnownSource {
                        id,
                        search_lane: name == "github",
                        metrics: match name {
                            "stackexchange" => vec![Metric::flow(id, "questions")],
                            "github" => vec![Metric::stock(id, "stars")],
                            "wikimedia" => vec![Metric::flow(id, "pageviews")],
                            _ => Vec::new(),
                        },
                    }
                })
                .collect(),
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("config/trends.toml"), &known())
    }

    #[test]
    fn metrics_file_and_stale_after_days_are_read_and_checked() {
        let text = "contact = \"x\"\nmetrics_file = \"m.prom\"\n[sources.wikimedia]\nbase_url = \"https://wikimedia.org\"\nstale_after_days = 40\n";
        let cfg = parse(text).expect("valid");
        assert_eq!(cfg.metrics_file, Some(PathBuf::from("m.prom")));
        let wikimedia = cfg.sources.values().next().expect("wikimedia");
        assert_eq!(wikimedia.stale_after_days, Some(40));
        let err = parse(&text.replace("= 40", "= 0")).expect_err("0 days");
        assert!(
            err.to_string()
                .contains("sources.wikimedia.stale_after_days: must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn the_shipped_config_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/trends.toml");
        let cfg = Config::load(&path, &known()).expect("config/trends.toml is valid");
        assert_eq!(cfg.first_year, 2015);
        assert_eq!(cfg.database, PathBuf::from("trends.duckdb"));
        for id in known().sources.iter().map(|s| s.id) {
            assert!(
                cfg.sources.contains_key(&id),
                "{id} missing from config/trends.toml"
            );
        }
        let gh = &cfg.sources[&SourceId::new("github")];
        assert_eq!(gh.base_url.as_str(), "https://api.github.com/");
        assert_eq!(gh.token_env.as_deref(), Some("GITHUB_TOKEN"));
        assert_eq!(cfg.http.max_consecutive_failures, 5);
        assert_eq!(cfg.max_run, Duration::from_secs(DEFAULT_MAX_RUN_SECS));
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let err = parse("contact = \"x\"\ndatabse = \"a.duckdb\"\n").expect_err("typo");
        let chain = format!(
            "{err}: {}",
            std::error::Error::source(&err)
                .map(|e| e.to_string())
                .unwrap_or_default()
        );
        assert!(chain.contains("databse"), "{chain}");
        assert!(chain.contains("config/trends.toml"), "{chain}");
    }

    #[test]
    fn every_problem_is_listed() {
        let err = parse(
            r#"
            first_year = 1990
            max_run_secs = 0
            [http]
            max_consecutive_failures = 0
            [sources.stackexchange]
            base_url = "ftp://example.org"
            [sources.bogus]
            base_url = "https://example.org"
            [sources.wikimedia]
            base_url = "https://wikimedia.org/api/rest_v1"
            concurrency = 0
            search_requests_per_minute = 3
            [report]
            min_signals = 0
            [report.weights]
            stackexchange_answers = 2.0
            wikimedia_pageviews = -1.0
            stackexchange_questions_gain = 1.0
            "#,
        )
        .expect_err("invalid");
        let msg = err.to_string();
        for needle in [
            "first_year = 1990",
            "contact",
            "sources.stackexchange.base_url: scheme `ftp`",
            "[sources.bogus]: unknown source `bogus`",
            "sources.wikimedia.concurrency",
            "sources.wikimedia.search_requests_per_minute",
            "report.weights.stackexchange_answers: unknown signal",
            "report.weights.wikimedia_pageviews = -1",
            "report.weights.stackexchange_questions_gain: unknown signal",
            "report.min_signals: must be at least 1",
            "http.max_consecutive_failures: must be at least 1",
            "max_run_secs: must be at least 1",
        ] {
            assert!(msg.contains(needle), "missing {needle:?} in {msg}");
        }
    }

    #[test]
    fn a_stock_gain_can_be_weighted_like_any_signal_a_report_shows() {
        let cfg =
            parse("contact = \"x\"\n[report.weights]\ngithub_stars_gain = 0.5\ngithub_stars = 2\n")
                .expect("a gain is a signal");
        assert_eq!(cfg.report.weights["github_stars_gain"], 0.5);
        let err = parse("contact = \"x\"\n[report.weights]\nwikimedia_pageviews_gain = 1\n")
            .expect_err("a flow has no gain column");
        assert!(
            err.to_string()
                .contains("report.weights.wikimedia_pageviews_gain: unknown signal"),
            "{err}"
        );
    }

    #[test]
    fn sources_run_in_the_registry_order_not_the_file_order() {
        let cfg = parse(
            "contact = \"x\"\n[sources.npm]\nbase_url = \"https://api.npmjs.org\"\n[sources.github]\nbase_url = \"https://api.github.com\"\n",
        )
        .expect("valid");
        let order: Vec<&str> = cfg.enabled_sources().map(|(id, _)| id.as_str()).collect();
        assert_eq!(order, ["github", "npm"]);
    }

    #[test]
    fn every_unknown_key_is_named_with_the_other_problems() {
        let err = parse(
            r#"
            contact = "x"
            databse = "a.duckdb"
            first_year = 1990
            [http]
            timeout = 5
            [sources.github]
            base_url = "https://api.github.com"
            tokn_env = "GITHUB_TOKEN"
            "#,
        )
        .expect_err("invalid");
        let msg = err.to_string();
        for needle in [
            "databse: unknown key",
            "http.timeout: unknown key",
            "sources.github.tokn_env: unknown key",
            "first_year = 1990",
            "config/trends.toml",
        ] {
            assert!(msg.contains(needle), "missing {needle:?} in {msg}");
        }
    }
}
