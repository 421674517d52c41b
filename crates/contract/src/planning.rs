//! What every source's planner shares: the years of a run's window, the
//! last day of a period, a request's subject, a URL's path segments.
//! Planners themselves live with their source (`trends-sources`) and are
//! pure (no IO), so `--dry-run` and tests see the plan exactly as it will
//! be sent.

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
pub fn subject(tech: &trends_core::Technology, key: &str) -> trends_core::Subject {
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
