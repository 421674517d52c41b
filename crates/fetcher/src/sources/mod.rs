//! One planner per source: which URLs to ask for which technologies and
//! periods. Planners are pure (no IO) so `--dry-run` and tests can see the
//! plan exactly as it will be sent.

pub mod cratesio;
pub mod dockerhub;
pub mod github;
pub mod githubtopics;
pub mod gopkg;
pub mod hackernews;
pub mod npm;
pub mod packagist;
pub mod pypi;
pub mod rubygems;
pub mod stackexchange;
pub mod tiobe;
pub mod wikimedia;

use chrono::{Datelike, NaiveDate};
use trends_core::Period;

use crate::PlanWindow;

/// The calendar years of the window with the span of each that has passed:
/// whole past years, and for the current year January 1 up to (not
/// including) today. A current year with no day passed yet is left out.
pub fn year_periods(window: PlanWindow) -> Vec<(i32, Period)> {
    let current = window.today.year();
    (window.first_year..=current)
        .filter_map(|y| {
            let full = Period::year(y);
            if y < current {
                Some((y, full))
            } else if window.today > full.start {
                Some((
                    y,
                    Period {
                        start: full.start,
                        end: window.today,
                    },
                ))
            } else {
                None
            }
        })
        .collect()
}

/// `tech` as the source knows it (`key`): a request's subject.
pub(crate) fn subject(tech: &trends_core::Technology, key: &str) -> trends_core::Subject {
    trends_core::Subject {
        tech: tech.id.clone(),
        key: key.to_owned(),
    }
}

/// The last day inside a half-open period.
pub fn last_day(period: Period) -> NaiveDate {
    period.end.pred_opt().unwrap_or(period.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn current_year_is_cut_at_today() {
        let w = PlanWindow {
            first_year: 2022,
            today: day(2024, 3, 5),
        };
        let p = year_periods(w);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], (2022, Period::year(2022)));
        assert_eq!(p[2].1.start, day(2024, 1, 1));
        assert_eq!(p[2].1.end, day(2024, 3, 5));
        assert_eq!(last_day(p[2].1), day(2024, 3, 4));
    }

    #[test]
    fn new_years_day_has_no_current_year() {
        let w = PlanWindow {
            first_year: 2023,
            today: day(2024, 1, 1),
        };
        assert_eq!(year_periods(w), vec![(2023, Period::year(2023))]);
    }
}

/// What the planners' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use chrono::NaiveDate;
    use trends_core::Catalog;

    use crate::PlanWindow;

    /// A catalog from TOML text, which must be valid.
    pub(crate) fn test_catalog(text: &str) -> Catalog {
        Catalog::parse(text, std::path::Path::new("catalog.toml")).expect("catalog parses")
    }

    /// The window of a plan made on `today` for every year since 2015.
    pub(crate) fn from_2015(today: NaiveDate) -> PlanWindow {
        PlanWindow {
            first_year: 2015,
            today,
        }
    }
}
