//! `config/trends.toml`: where the database is, which sources run and how
//! hard they may be asked. Unknown keys are rejected; every problem, unknown
//! keys included, is reported at once, naming the file and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::model::SourceId;

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
}

/// `[report]`: the ranking's knobs. The defaults give the method of the
/// README and of the `rankings` table (the default report, stored).
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
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates config text; relative paths in it are resolved
    /// against the folder of `path` (the catalog) or the working directory
    /// (the database, like `--db`).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
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
        let h = raw.http;
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
        let max_run = Duration::from_secs(raw.max_run_secs.unwrap_or(DEFAULT_MAX_RUN_SECS));
        if max_run.is_zero() {
            problems.push("max_run_secs: must be at least 1".to_owned());
        }
        let mut sources = BTreeMap::new();
        for (name, s) in raw.sources {
            let key = format!("sources.{name}");
            let id = match name.parse::<SourceId>() {
                Ok(id) => id,
                Err(e) => {
                    problems.push(format!("[{key}]: {e}"));
                    continue;
                }
            };
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
            if s.search_requests_per_minute.is_some() && id != SourceId::GitHub {
                problems.push(format!(
                    "{key}.search_requests_per_minute: only [sources.github] has a search limit"
                ));
            }
            if s.search_requests_per_minute == Some(0) {
                problems.push(format!(
                    "{key}.search_requests_per_minute: must be at least 1"
                ));
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
                },
            );
        }
        let defaults = ReportConfig::default();
        let report = ReportConfig {
            min_signals: raw.report.min_signals.unwrap_or(defaults.min_signals),
            low_coverage: raw.report.low_coverage.unwrap_or(defaults.low_coverage),
            weights: raw.report.weights,
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
        let known = crate::signals::signal_names(&crate::Metric::ALL);
        for (signal, weight) in &report.weights {
            if !known.contains(signal) {
                problems.push(format!(
                    "report.weights.{signal}: unknown signal (known: {})",
                    known.join(", ")
                ));
            }
            if !weight.is_finite() || *weight < 0.0 {
                problems.push(format!(
                    "report.weights.{signal} = {weight}: expected a weight of 0 or more"
                ));
            }
        }
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
        })
    }

    /// The enabled sources, in a stable order.
    pub fn enabled_sources(&self) -> impl Iterator<Item = (SourceId, &SourceConfig)> {
        self.sources
            .iter()
            .filter(|(_, s)| s.enabled)
            .map(|(id, s)| (*id, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("config/trends.toml"))
    }

    #[test]
    fn the_shipped_config_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/trends.toml");
        let cfg = Config::load(&path).expect("config/trends.toml is valid");
        assert_eq!(cfg.first_year, 2015);
        assert_eq!(cfg.database, PathBuf::from("trends.duckdb"));
        for id in SourceId::ALL {
            assert!(
                cfg.sources.contains_key(&id),
                "{id} missing from config/trends.toml"
            );
        }
        let gh = &cfg.sources[&SourceId::GitHub];
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
    fn a_stocks_gain_can_be_weighted() {
        let cfg =
            parse("contact = \"x\"\n[report.weights]\ngithub_stars_gain = 0.5\ngithub_stars = 2\n")
                .expect("every signal a report shows can be weighted");
        assert_eq!(cfg.report.weights.get("github_stars_gain"), Some(&0.5));
        assert_eq!(cfg.report.weights.get("github_stars"), Some(&2.0));
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
