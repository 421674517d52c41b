//! GitHub Innovation Graph: `GET {base}/data/languages.csv` for the
//! catalog's `github_language` keys and `GET {base}/data/topics.csv` for
//! its `github_topic` keys, where `base` is the repository's raw-file root
//! (`https://raw.githubusercontent.com/github/innovationgraph/main`; a
//! commit in place of `main` pins a release). Each file holds every
//! economy and quarter since 2020, so one request per file answers every
//! technology and every quarter.
//!
//! The request's period is the span of quarters it asks about: from the
//! window's first year (2020 at the earliest, where the data starts) to the
//! first day of the run's month, and only the quarters that end inside it
//! are read. That period is closed on the day it is planned, so once it is
//! stored the rest of the month's runs skip it; the first run of the next
//! month asks again (its period ends a month later) and picks up a release
//! GitHub published meanwhile. Quarters already stored come again in the
//! file and are upserted to the same rows (GitHub rewrites the files each
//! release, so a revised number replaces the old one).

use super::Endpoint;
use chrono::{Datelike, Months, NaiveDate};
use trends_core::{Catalog, Period, SourceKey, Subject};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

/// The first year the Innovation Graph has data for.
pub const FIRST_YEAR: i32 = 2020;

/// Each endpoint, the catalog key it asks for and its file under `data/`.
pub(crate) const FILES: [(Endpoint, SourceKey, &str); 2] = [
    (
        Endpoint::Languages,
        SourceKey::GitHubLanguage,
        "languages.csv",
    ),
    (Endpoint::Topics, SourceKey::GitHubTopic, "topics.csv"),
];

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let Some(period) = asked(window) else {
        return Vec::new();
    };
    FILES
        .iter()
        .filter_map(|(endpoint, key, file)| {
            let subjects: Vec<Subject> = catalog
                .with_key(*key)
                .map(|(tech, name)| subject(tech, name))
                .collect();
            (!subjects.is_empty()).then(|| {
                Planned::get(
                    crate::innovationgraph::ID,
                    endpoint.as_str(),
                    subjects,
                    period,
                    join(base, &["data", *file]),
                )
            })
        })
        .collect()
}

/// The quarters a run asks about: from January 1 of the window's first year
/// (not before 2020) to the first day of the run's month; `None` when no
/// whole quarter fits in between.
fn asked(window: PlanWindow) -> Option<Period> {
    let start = NaiveDate::from_ymd_opt(window.first_year.max(FIRST_YEAR), 1, 1)?;
    let end = NaiveDate::from_ymd_opt(window.today.year(), window.today.month(), 1)?;
    (start.checked_add_months(Months::new(3))? <= end).then_some(Period { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{day, from_2015, test_catalog};

    fn catalog() -> Catalog {
        test_catalog(
            r#"
[[technology]]
id = "csharp"
name = "C#"
category = "language"
github_language = "C#"

[[technology]]
id = "django"
name = "Django"
category = "framework"
github_topic = "django"

[[technology]]
id = "docker"
name = "Docker"
category = "practice"
github_topic = "docker"
"#,
        )
    }

    #[test]
    fn one_request_per_file_for_the_quarters_up_to_the_month() {
        let base = Url::parse("https://raw.githubusercontent.com/github/innovationgraph/main")
            .expect("url");
        let plan = plan(&base, &catalog(), from_2015(day(2026, 3, 17)));
        let urls: Vec<&str> = plan.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://raw.githubusercontent.com/github/innovationgraph/main/data/languages.csv",
                "https://raw.githubusercontent.com/github/innovationgraph/main/data/topics.csv",
            ]
        );
        let asked = Period {
            start: day(2020, 1, 1),
            end: day(2026, 3, 1),
        };
        assert!(plan.iter().all(|p| p.spec.period == asked));
        assert!(asked.is_closed(day(2026, 3, 17)));
        let keys: Vec<&str> = plan[1]
            .spec
            .subjects
            .iter()
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(keys, ["django", "docker"]);
        assert_eq!(plan[0].spec.subjects[0].key, "C#");
    }

    #[test]
    fn the_period_moves_by_month_and_needs_a_whole_quarter() {
        let base = Url::parse("https://example.org/gh").expect("url");
        let window = |first_year, today| PlanWindow { first_year, today };
        let april = plan(&base, &catalog(), window(2023, day(2026, 4, 1)));
        assert_eq!(
            april[0].spec.period,
            Period {
                start: day(2023, 1, 1),
                end: day(2026, 4, 1),
            }
        );
        // The same month plans the same request (so a stored one is skipped).
        let later = plan(&base, &catalog(), window(2023, day(2026, 4, 30)));
        assert_eq!(later[0].spec.request_key(), april[0].spec.request_key());
        // January to March of the first year: no quarter has ended yet.
        assert!(plan(&base, &catalog(), window(2026, day(2026, 3, 31))).is_empty());
        assert_eq!(
            plan(&base, &catalog(), window(2026, day(2026, 4, 2)))[0]
                .spec
                .period,
            Period {
                start: day(2026, 1, 1),
                end: day(2026, 4, 1),
            }
        );
        let no_topics = test_catalog(
            "[[technology]]\nid = \"go\"\nname = \"Go\"\ncategory = \"language\"\ngithub_language = \"Go\"\n",
        );
        let only_languages = plan(&base, &no_topics, window(2023, day(2026, 4, 2)));
        assert_eq!(only_languages.len(), 1);
        assert_eq!(
            only_languages[0].url.as_str(),
            "https://example.org/gh/data/languages.csv"
        );
    }
}
