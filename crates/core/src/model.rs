//! Plain data types shared by every crate.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What kind of technology an entry of the catalog is. Rankings are computed
/// within one category, never across.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Language,
    Framework,
    Practice,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Language, Category::Framework, Category::Practice];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Language => "language",
            Category::Framework => "framework",
            Category::Practice => "practice",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown category `{s}` (known: language, framework, practice)"))
    }
}

/// A public API that `trends` collects from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceId {
    StackExchange,
    GitHub,
    Wikimedia,
    HackerNews,
    Npm,
    PyPI,
    DockerHub,
    Packagist,
    RubyGems,
    CratesIo,
    GoPkg,
    GitHubTopics,
    Tiobe,
}

impl SourceId {
    pub const ALL: [SourceId; 13] = [
        SourceId::StackExchange,
        SourceId::GitHub,
        SourceId::Wikimedia,
        SourceId::HackerNews,
        SourceId::Npm,
        SourceId::PyPI,
        SourceId::DockerHub,
        SourceId::Packagist,
        SourceId::RubyGems,
        SourceId::CratesIo,
        SourceId::GoPkg,
        SourceId::GitHubTopics,
        SourceId::Tiobe,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceId::StackExchange => "stackexchange",
            SourceId::GitHub => "github",
            SourceId::Wikimedia => "wikimedia",
            SourceId::HackerNews => "hackernews",
            SourceId::Npm => "npm",
            SourceId::PyPI => "pypi",
            SourceId::DockerHub => "dockerhub",
            SourceId::Packagist => "packagist",
            SourceId::RubyGems => "rubygems",
            SourceId::CratesIo => "cratesio",
            SourceId::GoPkg => "gopkg",
            SourceId::GitHubTopics => "githubtopics",
            SourceId::Tiobe => "tiobe",
        }
    }
}

/// What `trends sources` says of a source beyond its config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceInfo {
    /// The real API.
    pub api: &'static str,
    /// How far back its data goes.
    pub history: &'static str,
    /// The API's own limits.
    pub limits: &'static str,
}

impl SourceId {
    pub fn info(self) -> SourceInfo {
        match self {
            SourceId::StackExchange => SourceInfo {
                api: "Stack Exchange API 2.3 (api.stackexchange.com)",
                history: "2008 on, per calendar year",
                limits: "300 requests/day per IP without a key, 10,000 with; honours `backoff`",
            },
            SourceId::GitHub => SourceInfo {
                api: "GitHub REST (api.github.com)",
                history: "search counts: 2008 on, per year; repository counts: snapshots from the first run",
                limits: "core 60/hour without a token, 5,000 with; search 10/minute without, 30 with",
            },
            SourceId::Wikimedia => SourceInfo {
                api: "Wikimedia REST pageviews (wikimedia.org/api/rest_v1)",
                history: "2015-07 on, per month",
                limits: "a descriptive User-Agent is required; keep to a modest rate",
            },
            SourceId::HackerNews => SourceInfo {
                api: "Hacker News Search by Algolia (hn.algolia.com/api/v1)",
                history: "2007 on, per calendar year",
                limits: "10,000 requests/hour per IP",
            },
            SourceId::Npm => SourceInfo {
                api: "npm download counts (api.npmjs.org/downloads)",
                history: "2015-01-10 on, per day (stored per month)",
                limits: "18 months a request; bulk: up to 128 unscoped packages and 365 days a request",
            },
            SourceId::PyPI => SourceInfo {
                api: "PyPI download statistics by pypistats.org (pypistats.org/api)",
                history: "the last 180 days only, per day (stored per month; whole months only, except the current one)",
                limits: "a modest rate; one request per package covers all it keeps",
            },
            SourceId::DockerHub => SourceInfo {
                api: "Docker Hub repositories (hub.docker.com/v2/repositories)",
                history: "snapshots from the first run",
                limits: "anonymous requests are rate limited per IP; keep a modest rate",
            },
            SourceId::Packagist => SourceInfo {
                api: "Packagist download statistics (packagist.org/packages/{name}/stats/all.json)",
                history: "2012-04 on, per month (the API gives each month's daily average)",
                limits: "no published number; a User-Agent with contact, at most 10 concurrent requests",
            },
            SourceId::RubyGems => SourceInfo {
                api: "RubyGems.org API v1 (rubygems.org/api/v1/gems)",
                history: "snapshots from the first run (all-time downloads)",
                limits: "10 requests/second per IP; 429 with Retry-After beyond",
            },
            SourceId::CratesIo => SourceInfo {
                api: "crates.io API v1 (crates.io/api/v1/crates)",
                history: "all-time downloads: snapshots from the first run; daily downloads: the last 90 days only (stored per month)",
                limits: "1 request/second and a User-Agent with contact (crawler policy)",
            },
            SourceId::GoPkg => SourceInfo {
                api: "pkg.go.dev module pages (HTML, read with CSS selectors)",
                history: "snapshots from the first run",
                limits: "no published limit; a web page per module, keep a modest rate",
            },
            SourceId::GitHubTopics => SourceInfo {
                api: "github.com/topics pages (HTML, read with CSS selectors)",
                history: "snapshots from the first run",
                limits: "no published limit for pages; keep a modest rate",
            },
            SourceId::Tiobe => SourceInfo {
                api: "TIOBE index page (www.tiobe.com/tiobe-index, HTML, read with CSS selectors)",
                history: "snapshots from the first run (the index of the current month, top 50)",
                limits: "one page for every language; once a run is plenty",
            },
        }
    }
}

/// What running a source without its key or token costs
/// (`trends config check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithoutToken {
    /// What the API allows then, in words.
    pub effect: &'static str,
    /// Requests a day the API allows then, when it counts per day.
    pub per_day: Option<u32>,
}

impl SourceId {
    /// The cost of leaving the source's key or token unset, for the sources
    /// whose limits depend on one.
    pub fn without_token(self) -> Option<WithoutToken> {
        match self {
            SourceId::StackExchange => Some(WithoutToken {
                effect: "300 requests a day per IP instead of 10,000",
                per_day: Some(300),
            }),
            SourceId::GitHub => Some(WithoutToken {
                effect: "search is 10 a minute instead of 30 and the core API 60 an hour instead of 5,000; repositories are read by REST one at a time instead of 50 to a GraphQL query",
                per_day: None,
            }),
            _ => None,
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceId::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<_> = SourceId::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown source `{s}` (known: {})", known.join(", "))
            })
    }
}

/// Whether a metric counts events in a period (flow: summed over a year) or
/// is a level read at one instant (stock: its year-end value is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    Flow,
    Stock,
}

/// One measured quantity of one source. A (source, metric) pair is a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Stack Overflow questions asked with a tag in the period.
    Questions,
    /// Stack Overflow questions with a tag, all time (the tag's count).
    TagTotal,
    /// GitHub stargazers of the technology's main repository.
    Stars,
    /// GitHub forks of the main repository.
    Forks,
    /// GitHub open issues plus open pull requests of the main repository.
    OpenIssues,
    /// GitHub watchers (subscribers) of the main repository.
    Subscribers,
    /// GitHub repositories created in the period carrying the topic.
    TopicReposCreated,
    /// GitHub repositories created in the period whose language is this one.
    LanguageReposCreated,
    /// English Wikipedia article views by users (not bots) in the period.
    Pageviews,
    /// Hacker News stories and comments matching the term in the period.
    Mentions,
    /// npm downloads of the technology's package in the period.
    NpmDownloads,
    /// PyPI downloads (without mirrors) of the technology's package.
    PypiDownloads,
    /// Docker Hub pulls of the technology's image, all time.
    Pulls,
    /// Packagist installs of the technology's package in the period.
    PackagistDownloads,
    /// RubyGems downloads of the gem, all versions, all time.
    GemTotalDownloads,
    /// crates.io downloads of the crate, all versions, all time.
    CrateTotalDownloads,
    /// crates.io downloads of the crate in the period (last 90 days only).
    CrateDownloads,
    /// pkg.go.dev "Imported by": packages known to import the module.
    ImportedBy,
    /// Public GitHub repositories carrying the topic, all time.
    TopicRepos,
    /// TIOBE index rating in percent (top 50 only).
    TiobeRating,
}

impl Metric {
    pub const ALL: [Metric; 20] = [
        Metric::Questions,
        Metric::TagTotal,
        Metric::Stars,
        Metric::Forks,
        Metric::OpenIssues,
        Metric::Subscribers,
        Metric::TopicReposCreated,
        Metric::LanguageReposCreated,
        Metric::Pageviews,
        Metric::Mentions,
        Metric::NpmDownloads,
        Metric::PypiDownloads,
        Metric::Pulls,
        Metric::PackagistDownloads,
        Metric::GemTotalDownloads,
        Metric::CrateTotalDownloads,
        Metric::CrateDownloads,
        Metric::ImportedBy,
        Metric::TopicRepos,
        Metric::TiobeRating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Questions => "questions",
            Metric::TagTotal => "total_questions",
            Metric::Stars => "stars",
            Metric::Forks => "forks",
            Metric::OpenIssues => "open_issues",
            Metric::Subscribers => "subscribers",
            Metric::TopicReposCreated => "topic_repos_created",
            Metric::LanguageReposCreated => "language_repos_created",
            Metric::Pageviews => "pageviews",
            Metric::Mentions => "mentions",
            Metric::NpmDownloads
            | Metric::PypiDownloads
            | Metric::PackagistDownloads
            | Metric::CrateDownloads => "downloads",
            Metric::GemTotalDownloads | Metric::CrateTotalDownloads => "total_downloads",
            Metric::Pulls => "pulls",
            Metric::ImportedBy => "imported_by",
            Metric::TopicRepos => "repositories",
            Metric::TiobeRating => "rating",
        }
    }

    /// The source that measures it.
    pub fn source(self) -> SourceId {
        match self {
            Metric::Questions | Metric::TagTotal => SourceId::StackExchange,
            Metric::Stars
            | Metric::Forks
            | Metric::OpenIssues
            | Metric::Subscribers
            | Metric::TopicReposCreated
            | Metric::LanguageReposCreated => SourceId::GitHub,
            Metric::Pageviews => SourceId::Wikimedia,
            Metric::Mentions => SourceId::HackerNews,
            Metric::NpmDownloads => SourceId::Npm,
            Metric::PypiDownloads => SourceId::PyPI,
            Metric::Pulls => SourceId::DockerHub,
            Metric::PackagistDownloads => SourceId::Packagist,
            Metric::GemTotalDownloads => SourceId::RubyGems,
            Metric::CrateTotalDownloads | Metric::CrateDownloads => SourceId::CratesIo,
            Metric::ImportedBy => SourceId::GoPkg,
            Metric::TopicRepos => SourceId::GitHubTopics,
            Metric::TiobeRating => SourceId::Tiobe,
        }
    }

    /// One line for `trends sources`, the `metrics` table and the README.
    pub fn description(self) -> &'static str {
        match self {
            Metric::Questions => "Stack Overflow questions asked with the tag in the period",
            Metric::TagTotal => "Stack Overflow questions with the tag, all time",
            Metric::Stars => "stargazers of the main GitHub repository",
            Metric::Forks => "forks of the main GitHub repository",
            Metric::OpenIssues => "open issues plus open pull requests of the main repository",
            Metric::Subscribers => "watchers (subscribers) of the main repository",
            Metric::TopicReposCreated => "GitHub repositories created in the period with the topic",
            Metric::LanguageReposCreated => {
                "GitHub repositories created in the period in the language"
            }
            Metric::Pageviews => "English Wikipedia article views by users in the period",
            Metric::Mentions => "Hacker News stories and comments matching the term in the period",
            Metric::NpmDownloads => "npm downloads of the package in the period",
            Metric::PypiDownloads => {
                "PyPI downloads of the package (without mirrors) in the period"
            }
            Metric::Pulls => "Docker Hub pulls of the image, all time",
            Metric::PackagistDownloads => "Packagist installs of the package in the period",
            Metric::GemTotalDownloads => "RubyGems downloads of the gem (all versions), all time",
            Metric::CrateTotalDownloads => {
                "crates.io downloads of the crate (all versions), all time"
            }
            Metric::CrateDownloads => "crates.io downloads of the crate in the period",
            Metric::ImportedBy => {
                "packages pkg.go.dev knows to import the module (\"Imported by\")"
            }
            Metric::TopicRepos => "public GitHub repositories with the topic (github.com/topics)",
            Metric::TiobeRating => "TIOBE index rating in percent (listed in the top 50 only)",
        }
    }

    /// The column name of the signal in reports: `{source}_{metric}`.
    pub fn signal_name(self) -> String {
        format!("{}_{}", self.source(), self.as_str())
    }

    pub fn kind(self) -> MetricKind {
        match self {
            Metric::Stars
            | Metric::Forks
            | Metric::OpenIssues
            | Metric::Subscribers
            | Metric::Pulls
            | Metric::GemTotalDownloads
            | Metric::CrateTotalDownloads
            | Metric::ImportedBy
            | Metric::TopicRepos
            | Metric::TiobeRating
            | Metric::TagTotal => MetricKind::Stock,
            Metric::Questions
            | Metric::TopicReposCreated
            | Metric::LanguageReposCreated
            | Metric::Pageviews
            | Metric::Mentions
            | Metric::NpmDownloads
            | Metric::PypiDownloads
            | Metric::PackagistDownloads
            | Metric::CrateDownloads => MetricKind::Flow,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Metric {
    /// The metric `name` of `source`. Names are unique within a source
    /// only (several registries have `downloads`), so both are needed.
    pub fn parse(source: SourceId, name: &str) -> Result<Metric, String> {
        Metric::ALL
            .into_iter()
            .find(|m| m.source() == source && m.as_str() == name)
            .ok_or_else(|| format!("unknown metric `{name}` of source `{source}`"))
    }
}

/// The time resolution of an observation. A snapshot is a stock read on one
/// day; the others are flows summed over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Month,
    Year,
    Snapshot,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
            Grain::Year => "year",
            Grain::Snapshot => "snapshot",
        }
    }
}

impl fmt::Display for Grain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Grain {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Grain::Day, Grain::Month, Grain::Year, Grain::Snapshot]
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| format!("unknown grain `{s}`"))
    }
}

/// A half-open range of days `[start, end)`. A snapshot has `start == end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The calendar year `year`, `[Jan 1, Jan 1 of the next year)`.
    pub fn year(year: i32) -> Period {
        Period {
            start: ymd(year, 1, 1),
            end: ymd(year + 1, 1, 1),
        }
    }

    /// The calendar month containing `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        let start = ymd(day.year(), day.month(), 1);
        let end = if day.month() == 12 {
            ymd(day.year() + 1, 1, 1)
        } else {
            ymd(day.year(), day.month() + 1, 1)
        };
        Period { start, end }
    }

    /// A stock read on `day`.
    pub fn snapshot(day: NaiveDate) -> Period {
        Period {
            start: day,
            end: day,
        }
    }

    /// Whether the period has ended before `today` (a closed period's flow
    /// will not change any more).
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        self.end <= today
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with a valid month and day 1, which always exist.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The catalog id of a technology, e.g. `python` or `spring-boot`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TechId(pub String);

impl TechId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TechId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One technology a request is about, with the identifier the source knows
/// it by (a tag, a repository, an article title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub tech: TechId,
    pub key: String,
}

/// What one request asks for. It is archived with the raw response (as JSON)
/// so that the normalizer can turn the body into observations again later
/// without the network: `trends renormalize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSpec {
    pub source: SourceId,
    /// The source's name for the endpoint, e.g. `questions` or `repo`.
    pub endpoint: String,
    /// The technologies the response speaks of (one, or several for a batch).
    pub subjects: Vec<Subject>,
    /// The span the request asks about; for a snapshot, the day it was read.
    pub period: Period,
}

impl RequestSpec {
    /// A stable key naming what was asked, independent of when: the same
    /// request made on two nights has the same key.
    pub fn request_key(&self) -> String {
        let keys: Vec<&str> = self.subjects.iter().map(|s| s.key.as_str()).collect();
        format!(
            "{}/{}/{}/{}",
            self.source,
            self.endpoint,
            keys.join(";"),
            self.period
        )
    }
}

/// What became of one request. Only `Ok` and `NoData` are successes; the
/// others are archived with their reason and never produce observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The body parsed into observations.
    Ok,
    /// The API answered that it has no data for this (e.g. Wikimedia's 404
    /// for an article without views): a success with no observations.
    NoData,
    /// The API answered with an error status.
    HttpError,
    /// No response: timeout, reset, refused connection, oversized body.
    TransportError,
    /// A response came but its body was not what the source sends.
    ParseError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NoData => "no_data",
            Outcome::HttpError => "http_error",
            Outcome::TransportError => "transport_error",
            Outcome::ParseError => "parse_error",
        }
    }

    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NoData)
    }
}

/// One signal of one technology in one calendar year, as the
/// `yearly_signals` view gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearlySignal {
    pub tech: TechId,
    pub name: String,
    pub category: Category,
    pub year: i32,
    pub source: SourceId,
    pub metric: Metric,
    pub value: f64,
    /// Share of the year the stored periods cover, 0..1.
    pub coverage: f64,
    /// The year is not over yet.
    pub partial: bool,
    /// Stocks only: this year-end value minus last year's, when both are
    /// known (`yearly_signals.delta`).
    #[serde(default)]
    pub delta: Option<f64>,
}

/// One number: a metric of a technology from a source over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub tech: TechId,
    pub source: SourceId,
    pub metric: Metric,
    pub grain: Grain,
    pub period: Period,
    pub value: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in SourceId::ALL {
            assert_eq!(s.as_str().parse::<SourceId>(), Ok(s));
        }
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.source(), m.as_str()), Ok(m));
        }
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        assert!("nope".parse::<SourceId>().is_err());
    }

    #[test]
    fn periods() {
        let y = Period::year(2023);
        assert_eq!(y.to_string(), "2023-01-01..2024-01-01");
        let d = NaiveDate::from_ymd_opt(2023, 12, 15).unwrap_or_default();
        assert_eq!(Period::month_of(d).to_string(), "2023-12-01..2024-01-01");
        assert!(y.is_closed(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()));
        assert!(!y.is_closed(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap_or_default()));
    }
}
