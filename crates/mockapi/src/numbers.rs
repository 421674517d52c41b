//! The synthetic numbers the demo server answers, as pure functions so tests
//! can assert on them.
//!
//! Every number is a deterministic function of the request (never of the
//! clock, never of a randomized hasher), built from a 64-bit FNV-1a hash:
//!
//! - **level**: each (series, key) gets a reference-year value drawn
//!   log-uniformly inside the series' range ([`Series::range`]), far enough
//!   from both ends that the trend stays inside it over 2015..=2026;
//! - **trend**: a yearly growth rate in [-22 %, +30 %] drawn from the key's
//!   *stem* (lowercased, `owner/` and `_(…)` dropped, `#` read as `sharp`,
//!   a trailing `js` dropped, only letters and digits kept), so the keys one
//!   technology has at several sources (`c#`, `C#`, `C_Sharp_(…)`) usually
//!   rise or fall together, plus a small per-key jitter;
//! - **noise**: ±4 % per (key, year) or (key, month), and for pageviews a
//!   mild seasonal swing.
//!
//! The value of year `y` is `level * exp(growth * (y - 2020)) * (1 + noise)`,
//! clamped to the series' range and rounded. A request covering part of a
//! year answers that year's value times the share of the year covered (in
//! seconds, floored), summed over the years it touches; a whole year answers
//! the yearly value exactly.

use chrono::{Datelike, NaiveDate, NaiveTime};
use trends_core::{Period, SourceKey};

/// The year the level of every series is drawn for.
const REF_YEAR: i32 = 2020;
/// The span the level leaves room for: the trend stays inside the range
/// from `FIRST_YEAR` to `LAST_YEAR` (outside it the value is clamped).
const FIRST_YEAR: i32 = 2015;
const LAST_YEAR: i32 = 2026;
const GROWTH_MIN: f64 = -0.22;
const GROWTH_MAX: f64 = 0.30;
/// Per-key deviation from the stem's growth rate.
const GROWTH_JITTER: f64 = 0.04;
/// Relative amplitude of the per-period noise (±half of it).
const NOISE: f64 = 0.08;
/// Relative amplitude of the pageviews' seasonal swing.
const SEASON: f64 = 0.06;

/// A kind of synthetic number; each has its own range and hash domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Stack Overflow questions asked per year with a tag.
    Questions,
    /// GitHub repositories created per year with a topic.
    TopicRepos,
    /// GitHub repositories created per year in a language.
    LanguageRepos,
    /// English Wikipedia user pageviews per month of an article.
    MonthlyPageviews,
    /// GitHub stars of a repository.
    Stars,
    /// Hacker News stories and comments per year matching a term.
    Mentions,
    /// npm downloads per year of a package.
    NpmDownloads,
    /// PyPI downloads per year of a package.
    PypiDownloads,
    /// Docker Hub pulls (all time) of an image.
    Pulls,
    /// Packagist installs per year of a package.
    PackagistDownloads,
    /// RubyGems downloads (all time) of a gem.
    GemDownloads,
    /// crates.io downloads (all time) of a crate.
    CrateTotalDownloads,
    /// crates.io downloads per year of a crate.
    CrateDownloads,
}

impl Series {
    /// The plausible magnitudes (inclusive) every value of the series lies in.
    pub fn range(self) -> (u64, u64) {
        match self {
            Series::Questions => (1_000, 300_000),
            Series::TopicRepos => (100, 50_000),
            Series::LanguageRepos => (10_000, 2_000_000),
            Series::MonthlyPageviews => (10_000, 1_000_000),
            Series::Stars => (1_000, 200_000),
            Series::Mentions => (200, 60_000),
            Series::NpmDownloads => (1_000_000, 2_000_000_000),
            Series::PypiDownloads => (1_000_000, 1_000_000_000),
            Series::Pulls => (10_000_000, 10_000_000_000),
            Series::PackagistDownloads => (1_000_000, 500_000_000),
            Series::GemDownloads => (1_000_000, 1_000_000_000),
            Series::CrateTotalDownloads => (100_000, 300_000_000),
            Series::CrateDownloads => (100_000, 100_000_000),
        }
    }

    fn domain(self) -> &'static str {
        match self {
            Series::Questions => "stackoverflow_tag",
            Series::TopicRepos => "github_topic",
            Series::LanguageRepos => "github_language",
            Series::MonthlyPageviews => "wikipedia_article",
            Series::Stars => "github_repo",
            Series::Mentions => "hackernews_query",
            Series::NpmDownloads => "npm_package",
            Series::PypiDownloads => "pypi_package",
            Series::Pulls => "dockerhub_image",
            Series::PackagistDownloads => "packagist_package",
            Series::GemDownloads => "rubygems_gem",
            Series::CrateTotalDownloads => "cratesio_crate_total",
            Series::CrateDownloads => "cratesio_crate",
        }
    }
}

/// Which GitHub search qualifier a repository count is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `topic:T`
    Topic,
    /// `language:L`
    Language,
}

impl Qualifier {
    fn series(self) -> Series {
        match self {
            Qualifier::Topic => Series::TopicRepos,
            Qualifier::Language => Series::LanguageRepos,
        }
    }
}

/// Questions asked with `tag` in the whole calendar `year`.
pub fn synthetic_questions(tag: &str, year: i32) -> u64 {
    yearly(Series::Questions, tag, year)
}

/// What `GET /2.3/questions?tagged=TAG&fromdate=F&todate=T&filter=..`
/// answers as `total`: `fromdate` and `todate` are Unix seconds, both
/// inclusive (as the API reads them). 0 when `todate < fromdate`.
pub fn synthetic_questions_between(tag: &str, fromdate: i64, todate: i64) -> u64 {
    between(Series::Questions, tag, fromdate, todate.saturating_add(1))
}

/// Repositories created in the whole calendar `year` with topic or language
/// `value` (case-insensitive, as on GitHub).
pub fn synthetic_repos_created(qualifier: Qualifier, value: &str, year: i32) -> u64 {
    yearly(qualifier.series(), &value.to_lowercase(), year)
}

/// What `GET /search/repositories?q=QUALIFIER:VALUE created:FIRST..LAST`
/// answers as `total_count` (both days inclusive).
pub fn synthetic_repos_created_between(
    qualifier: Qualifier,
    value: &str,
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> u64 {
    between(
        qualifier.series(),
        &value.to_lowercase(),
        unix(first_day),
        unix(last_day).saturating_add(86_400),
    )
}

/// User pageviews of `article` (title with underscores) in one month.
pub fn synthetic_monthly_views(article: &str, year: i32, month: u32) -> u64 {
    let series = Series::MonthlyPageviews;
    let p = profile(series, article);
    let t = f64::from(year - REF_YEAR) + (f64::from(month) - 6.5) / 12.0;
    let season =
        1.0 + SEASON * (std::f64::consts::TAU * f64::from(month.saturating_sub(1)) / 12.0).cos();
    let noise = noise(series, article, &format!("{year}-{month:02}"));
    clamp(series, p.level * (p.growth * t).exp() * season * noise)
}

/// The counts `GET /repos/{owner}/{repo}` answers (case-insensitive name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoCounts {
    /// `stargazers_count`, `watchers_count` and `watchers`.
    pub stars: u64,
    /// `forks_count`, `forks` and `network_count`.
    pub forks: u64,
    /// `open_issues_count` and `open_issues`.
    pub open_issues: u64,
    /// `subscribers_count`.
    pub subscribers: u64,
}

/// The counts of repository `owner/name`: stars log-uniform in
/// [`Series::Stars`]' range, forks 8..33 %, open issues 0.2..2.2 % (at least
/// 5) and subscribers 1..4 % of the stars.
pub fn synthetic_repo_counts(full_name: &str) -> RepoCounts {
    let key = full_name.to_lowercase();
    let (lo, hi) = Series::Stars.range();
    let stars = log_uniform(lo as f64, hi as f64, unit(hash(&["stars", &key]))).round() as u64;
    let share = |what: &str, from: f64, width: f64| {
        (stars as f64 * (from + width * unit(hash(&[what, &key])))).round() as u64
    };
    RepoCounts {
        stars,
        forks: share("forks", 0.08, 0.25),
        open_issues: share("open_issues", 0.002, 0.02).max(5),
        subscribers: share("subscribers", 0.01, 0.03),
    }
}

/// The number the server answers, summed over `period` (half-open), for a
/// catalog key: questions for a Stack Overflow tag, repositories created for
/// a GitHub topic or language, pageviews of the months that start inside the
/// period for a Wikipedia article. `None` for [`SourceKey::GitHubRepo`],
/// whose counts are a snapshot ([`synthetic_repo_counts`]).
pub fn synthetic_value(key: SourceKey, value: &str, period: Period) -> Option<u64> {
    let last = period.end.pred_opt()?;
    match key {
        SourceKey::StackOverflowTag => Some(synthetic_questions_between(
            value,
            unix(period.start),
            unix(period.end) - 1,
        )),
        SourceKey::GitHubTopic => Some(synthetic_repos_created_between(
            Qualifier::Topic,
            value,
            period.start,
            last,
        )),
        SourceKey::GitHubLanguage => Some(synthetic_repos_created_between(
            Qualifier::Language,
            value,
            period.start,
            last,
        )),
        SourceKey::WikipediaArticle => {
            let mut sum = 0;
            let mut month = NaiveDate::from_ymd_opt(period.start.year(), period.start.month(), 1)?;
            while month < period.end {
                if month >= period.start {
                    sum += synthetic_monthly_views(value, month.year(), month.month());
                }
                month = month.checked_add_months(chrono::Months::new(1))?;
            }
            Some(sum)
        }
        SourceKey::HackerNewsQuery => Some(synthetic_mentions_between(
            value,
            unix(period.start),
            unix(period.end),
        )),
        SourceKey::NpmPackage => {
            let mut sum = 0;
            let mut day = period.start;
            while day < period.end {
                sum += synthetic_npm_day(value, day);
                day = day.succ_opt()?;
            }
            Some(sum)
        }
        SourceKey::PypiPackage => {
            let mut sum = 0;
            let mut day = period.start;
            while day < period.end {
                sum += synthetic_pypi_day(value, day);
                day = day.succ_opt()?;
            }
            Some(sum)
        }
        SourceKey::Crate => {
            let mut sum = 0;
            let mut day = period.start;
            while day < period.end {
                sum += synthetic_crate_day(value, day);
                day = day.succ_opt()?;
            }
            Some(sum)
        }
        // Packagist answers monthly averages rounded up, so a stored month
        // is not the plain sum of the days: see `synthetic_packagist_day`.
        SourceKey::GitHubRepo
        | SourceKey::DockerImage
        | SourceKey::RubyGem
        | SourceKey::PackagistPackage
        | SourceKey::GoModule
        | SourceKey::TiobeLanguage => None,
    }
}

/// All-time pulls of a Docker Hub image (a stock: the level of the
/// reference year, the same every day).
pub fn synthetic_pulls(image: &str) -> u64 {
    yearly(Series::Pulls, &image.to_lowercase(), REF_YEAR)
}

/// "Imported by" of a Go module on pkg.go.dev (a stock).
pub fn synthetic_imported_by(module: &str) -> u64 {
    let key = module.to_lowercase();
    log_uniform(100.0, 200_000.0, unit(hash(&["imported_by", &key]))).round() as u64
}

/// Public repositories with a GitHub topic, all time (a stock).
pub fn synthetic_topic_repos(topic: &str) -> u64 {
    let key = topic.to_lowercase();
    log_uniform(1_000.0, 500_000.0, unit(hash(&["topic_page", &key]))).round() as u64
}

/// A TIOBE rating in percent with two decimals, in [0.20, 25.00].
pub fn synthetic_tiobe_rating(language: &str) -> f64 {
    let r = log_uniform(0.2, 25.0, unit(hash(&["tiobe", language])));
    (r * 100.0).round() / 100.0
}

/// All-time downloads of a RubyGems gem (a stock, the same every day).
pub fn synthetic_gem_downloads(gem: &str) -> u64 {
    yearly(Series::GemDownloads, &gem.to_lowercase(), REF_YEAR)
}

/// All-time downloads of a crate (a stock, the same every day).
pub fn synthetic_crate_total(name: &str) -> u64 {
    yearly(Series::CrateTotalDownloads, &crate_name(name), REF_YEAR)
}

/// Downloads of a crate, all versions, on `day`.
pub fn synthetic_crate_day(name: &str, day: NaiveDate) -> u64 {
    let start = unix(day);
    between(
        Series::CrateDownloads,
        &crate_name(name),
        start,
        start + 86_400,
    )
}

/// crates.io ignores case and treats `-` and `_` alike.
fn crate_name(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// Packagist installs of `package` on `day`.
pub fn synthetic_packagist_day(package: &str, day: NaiveDate) -> u64 {
    let start = unix(day);
    between(
        Series::PackagistDownloads,
        &package.to_lowercase(),
        start,
        start + 86_400,
    )
}

/// PyPI downloads (without mirrors) of `package` on `day`.
pub fn synthetic_pypi_day(package: &str, day: NaiveDate) -> u64 {
    let start = unix(day);
    between(
        Series::PypiDownloads,
        &package.to_lowercase(),
        start,
        start + 86_400,
    )
}

/// npm downloads of `package` on `day`: its year's value spread over the
/// year's days.
pub fn synthetic_npm_day(package: &str, day: NaiveDate) -> u64 {
    let start = unix(day);
    between(Series::NpmDownloads, package, start, start + 86_400)
}

/// What Hacker News search answers as `nbHits` for a term between two Unix
/// seconds (`created_at_i >= start`, `< end`).
pub fn synthetic_mentions_between(query: &str, start: i64, end: i64) -> u64 {
    between(Series::Mentions, &query.to_lowercase(), start, end)
}

/// A number in `[0, 2^32)` derived from `parts`, for ids and dates that must
/// look varied but stay the same for the same key.
pub(crate) fn small_hash(parts: &[&str]) -> u64 {
    hash(parts) >> 32
}

/// Unix seconds of the start of `day` (UTC).
pub(crate) fn unix(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

struct Profile {
    level: f64,
    growth: f64,
}

fn profile(series: Series, key: &str) -> Profile {
    let (lo, hi) = series.range();
    // Leave room for the steepest trend in either direction over the span.
    let down = (GROWTH_MAX * f64::from(REF_YEAR - FIRST_YEAR))
        .max(-GROWTH_MIN * f64::from(LAST_YEAR - REF_YEAR));
    let up = (GROWTH_MAX * f64::from(LAST_YEAR - REF_YEAR))
        .max(-GROWTH_MIN * f64::from(REF_YEAR - FIRST_YEAR));
    let level = log_uniform(
        lo as f64 * down.exp(),
        hi as f64 * (-up).exp(),
        unit(hash(&[series.domain(), key])),
    );
    let stem = stem(key);
    let growth = GROWTH_MIN
        + (GROWTH_MAX - GROWTH_MIN) * unit(hash(&["growth", &stem]))
        + GROWTH_JITTER * (unit(hash(&["jitter", series.domain(), key])) - 0.5);
    Profile { level, growth }
}

fn yearly(series: Series, key: &str, year: i32) -> u64 {
    let p = profile(series, key);
    let noise = noise(series, key, &year.to_string());
    clamp(
        series,
        p.level * (p.growth * f64::from(year - REF_YEAR)).exp() * noise,
    )
}

/// The yearly values' share of `[start, end)` (Unix seconds), year by year.
fn between(series: Series, key: &str, start: i64, end: i64) -> u64 {
    let Some(first) = year_of(start) else {
        return 0;
    };
    let Some(last) = year_of(end.saturating_sub(1)) else {
        return 0;
    };
    if end <= start {
        return 0;
    }
    let mut total: u64 = 0;
    for year in first..=last {
        let (Some(y0), Some(y1)) = (year_start(year), year_start(year + 1)) else {
            continue;
        };
        let covered = end.min(y1) - start.max(y0);
        if covered <= 0 {
            continue;
        }
        let value = u128::from(yearly(series, key, year));
        // Exact for a whole year, floored for a part of one.
        let share = value * covered as u128 / (y1 - y0) as u128;
        total = total.saturating_add(u64::try_from(share).unwrap_or(u64::MAX));
    }
    total
}

/// The calendar year (UTC) of a Unix second, kept to years chrono handles
/// and a loop over them stays short.
fn year_of(secs: i64) -> Option<i32> {
    let year = chrono::DateTime::from_timestamp(secs, 0)?.year();
    (1970..=9999).contains(&year).then_some(year)
}

fn year_start(year: i32) -> Option<i64> {
    NaiveDate::from_ymd_opt(year, 1, 1).map(unix)
}

fn noise(series: Series, key: &str, when: &str) -> f64 {
    1.0 + NOISE * (unit(hash(&["noise", series.domain(), key, when])) - 0.5)
}

fn clamp(series: Series, value: f64) -> u64 {
    let (lo, hi) = series.range();
    (value.round() as u64).clamp(lo, hi)
}

fn log_uniform(lo: f64, hi: f64, u: f64) -> f64 {
    lo * (hi / lo).powf(u)
}

/// The key's stem: what the keys of one technology at several sources share.
fn stem(key: &str) -> String {
    let key = key.to_lowercase();
    let name = key.rsplit('/').next().unwrap_or(&key);
    let name = name
        .split("_(")
        .next()
        .and_then(|s| s.split(" (").next())
        .unwrap_or(name);
    let mut stem: String = name
        .replace('#', "sharp")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if stem.len() > 4 && stem.ends_with("js") {
        stem.truncate(stem.len() - 2);
    }
    stem
}

/// 64-bit FNV-1a over the parts, each followed by a 0xff separator byte
/// (which never occurs in UTF-8), so `["ab", "c"]` and `["a", "bc"]` differ;
/// then a murmur3 finalizer, since FNV's bits mix poorly for short keys.
fn hash(parts: &[&str]) -> u64 {
    let bytes = parts.iter().flat_map(|p| p.bytes().chain([0xff]));
    let mut h = fnv1a(bytes);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .into_iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// A hash mapped to `[0, 1)`.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn hash_is_fnv1a_and_stable() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
    }

    #[test]
    fn numbers_are_pinned() {
        // A change here changes every demo database: make it on purpose.
        assert_eq!(synthetic_questions("python", 2023), 36458);
        assert_eq!(synthetic_questions("php", 2023), 5082);
        assert_eq!(
            synthetic_repos_created(Qualifier::Language, "C#", 2020),
            49725
        );
        assert_eq!(
            synthetic_repos_created(Qualifier::Topic, "django", 2015),
            332
        );
        assert_eq!(synthetic_monthly_views("Kubernetes", 2023, 1), 37364);
        assert_eq!(
            synthetic_repo_counts("django/django"),
            RepoCounts {
                stars: 50505,
                forks: 13770,
                open_issues: 537,
                subscribers: 1036
            }
        );
    }

    #[test]
    fn values_stay_in_their_ranges() {
        for key in ["python", "c#", "go-gin", "ruby-on-rails", "x", ""] {
            for year in 2000..=2040 {
                for (series, v) in [
                    (Series::Questions, synthetic_questions(key, year)),
                    (
                        Series::TopicRepos,
                        synthetic_repos_created(Qualifier::Topic, key, year),
                    ),
                    (
                        Series::LanguageRepos,
                        synthetic_repos_created(Qualifier::Language, key, year),
                    ),
                    (
                        Series::MonthlyPageviews,
                        synthetic_monthly_views(key, year, 7),
                    ),
                ] {
                    let (lo, hi) = series.range();
                    assert!((lo..=hi).contains(&v), "{series:?} {key} {year}: {v}");
                }
            }
            let c = synthetic_repo_counts(key);
            assert!((1_000..=200_000).contains(&c.stars));
            assert!(c.forks < c.stars && c.subscribers < c.stars && c.open_issues >= 5);
        }
    }

    #[test]
    fn whole_year_is_exact_and_parts_add_up() {
        let full = synthetic_questions("rust", 2023);
        let from = unix(day(2023, 1, 1));
        let to = unix(day(2024, 1, 1)) - 1;
        assert_eq!(synthetic_questions_between("rust", from, to), full);
        let mid = unix(day(2023, 7, 1));
        let a = synthetic_questions_between("rust", from, mid - 1);
        let b = synthetic_questions_between("rust", mid, to);
        assert!(a + b <= full && a + b + 1 >= full, "{a} + {b} vs {full}");
        // Half a year is about half the year's questions.
        assert!((full as f64 * 0.49..=full as f64 * 0.5).contains(&(a as f64)));
        assert_eq!(synthetic_questions_between("rust", to, from), 0);
        assert_eq!(
            synthetic_repos_created_between(
                Qualifier::Language,
                "Go",
                day(2022, 1, 1),
                day(2022, 12, 31)
            ),
            synthetic_repos_created(Qualifier::Language, "go", 2022)
        );
    }

    #[test]
    fn there_are_risers_and_fallers() {
        let tags = [
            "python",
            "php",
            "ruby",
            "go",
            "rust",
            "java",
            "kotlin",
            "c#",
            "javascript",
            "typescript",
        ];
        let rising = tags
            .iter()
            .filter(|t| synthetic_questions(t, 2025) > synthetic_questions(t, 2018))
            .count();
        assert!(
            rising > 0 && rising < tags.len(),
            "{rising} of {} rise",
            tags.len()
        );
    }

    #[test]
    fn keys_of_one_technology_share_a_stem() {
        assert_eq!(stem("C_Sharp_(programming_language)"), stem("c#"));
        assert_eq!(stem("C#"), "csharp");
        assert_eq!(stem("Node.js"), stem("nodejs"));
        assert_eq!(stem("Docker_(software)"), "docker");
        assert_eq!(stem("dotnet/aspnetcore"), stem("asp.net-core"));
        assert_eq!(stem("machine-learning"), stem("Machine_learning"));
    }

    #[test]
    fn synthetic_value_matches_the_endpoints() {
        let year = Period::year(2022);
        assert_eq!(
            synthetic_value(SourceKey::StackOverflowTag, "go", year),
            Some(synthetic_questions("go", 2022))
        );
        assert_eq!(
            synthetic_value(SourceKey::GitHubTopic, "django", year),
            Some(synthetic_repos_created(Qualifier::Topic, "django", 2022))
        );
        let months: u64 = (1..=12)
            .map(|m| synthetic_monthly_views("Rust_(programming_language)", 2022, m))
            .sum();
        assert_eq!(
            synthetic_value(
                SourceKey::WikipediaArticle,
                "Rust_(programming_language)",
                year
            ),
            Some(months)
        );
        assert_eq!(
            synthetic_value(SourceKey::GitHubRepo, "django/django", year),
            None
        );
    }
}
