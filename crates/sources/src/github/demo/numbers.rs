//! GitHub's synthetic numbers: repositories created per topic or language
//! (the shared series of [`crate::demo::kit`]) and a repository's counts.

use chrono::NaiveDate;

use crate::demo::kit::{Series, hash, log_uniform, unit, unix};

/// GitHub repositories created per year with a topic.
const TOPIC_REPOS: Series = Series::new("github_topic", 100, 50_000);
/// GitHub repositories created per year in a language.
const LANGUAGE_REPOS: Series = Series::new("github_language", 10_000, 2_000_000);
/// GitHub stars of a repository.
const STARS: (u64, u64) = (1_000, 200_000);

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
            Qualifier::Topic => TOPIC_REPOS,
            Qualifier::Language => LANGUAGE_REPOS,
        }
    }
}

/// Repositories created in the whole calendar `year` with topic or language
/// `value` (case-insensitive, as on GitHub).
pub fn synthetic_repos_created(qualifier: Qualifier, value: &str, year: i32) -> u64 {
    qualifier.series().yearly(&value.to_lowercase(), year)
}

/// What `GET /search/repositories?q=QUALIFIER:VALUE created:FIRST..LAST`
/// answers as `total_count` (both days inclusive).
pub fn synthetic_repos_created_between(
    qualifier: Qualifier,
    value: &str,
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> u64 {
    qualifier.series().between(
        &value.to_lowercase(),
        unix(first_day),
        unix(last_day).saturating_add(86_400),
    )
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

/// The counts of repository `owner/name`: stars log-uniform in 1,000 to
/// 200,000, forks 8..33 %, open issues 0.2..2.2 % (at least 5) and
/// subscribers 1..4 % of the stars.
pub fn synthetic_repo_counts(full_name: &str) -> RepoCounts {
    let key = full_name.to_lowercase();
    let (lo, hi) = STARS;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_pinned() {
        // A change here changes every demo database: make it on purpose.
        assert_eq!(
            synthetic_repos_created(Qualifier::Language, "C#", 2020),
            49725
        );
        assert_eq!(
            synthetic_repos_created(Qualifier::Topic, "django", 2015),
            332
        );
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
                    (
                        TOPIC_REPOS,
                        synthetic_repos_created(Qualifier::Topic, key, year),
                    ),
                    (
                        LANGUAGE_REPOS,
                        synthetic_repos_created(Qualifier::Language, key, year),
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
    fn a_whole_year_of_days_is_the_year() {
        assert_eq!(
            synthetic_repos_created_between(
                Qualifier::Language,
                "Go",
                NaiveDate::from_ymd_opt(2022, 1, 1).expect("date"),
                NaiveDate::from_ymd_opt(2022, 12, 31).expect("date"),
            ),
            synthetic_repos_created(Qualifier::Language, "go", 2022)
        );
    }
}
