//! Step 4 and 7 of the method: a row's rank and score change from the year
//! before, its momentum over the two years before, and the signal that
//! drove the change (`explain.rs`).

use std::collections::BTreeMap;

use trends_core::{Category, TechId, YearlySignal};

use super::explain::driver;
use super::score::rank_category;
use crate::model::{RankOptions, RankRow};

/// A technology's rank and score in an earlier year.
#[derive(Debug, Clone, Copy)]
struct Standing {
    rank: u32,
    score: f64,
}

/// The ranks of a category in the two years before the ranked one.
pub(crate) struct PriorYears {
    previous: BTreeMap<TechId, Standing>,
    before_that: BTreeMap<TechId, Standing>,
    /// The year before's rows, for the driver.
    previous_rows: BTreeMap<TechId, RankRow>,
    options: RankOptions,
}

fn ranked<'a>(rows: impl IntoIterator<Item = &'a RankRow>) -> BTreeMap<TechId, Standing> {
    rows.into_iter()
        .filter_map(|r| {
            Some((
                r.tech.clone(),
                Standing {
                    rank: r.rank?,
                    score: r.score?,
                },
            ))
        })
        .collect()
}

impl PriorYears {
    /// Ranks `category` in `year − 1` and `year − 2` the same way.
    pub(crate) fn of(
        signals: &[YearlySignal],
        year: i32,
        category: Category,
        options: &RankOptions,
    ) -> PriorYears {
        let previous_rows: BTreeMap<TechId, RankRow> =
            rank_category(signals, year - 1, category, options)
                .into_iter()
                .map(|r| (r.tech.clone(), r))
                .collect();
        PriorYears {
            previous: ranked(previous_rows.values()),
            before_that: ranked(&rank_category(signals, year - 2, category, options)),
            previous_rows,
            options: options.clone(),
        }
    }

    /// Fills `rank_change`, `score_change`, `momentum` and `driver` of a
    /// row of the ranked year.
    pub(crate) fn apply(&self, row: &mut RankRow) {
        row.driver = driver(self.previous_rows.get(&row.tech), row, &self.options);
        let last = self.previous.get(&row.tech);
        row.rank_change = match (last, row.rank) {
            (Some(before), Some(now)) => Some(i64::from(before.rank) - i64::from(now)),
            _ => None,
        };
        row.score_change = match (last, row.score) {
            (Some(before), Some(now)) => Some(now - before.score),
            _ => None,
        };
        let points: Vec<Point> = [
            (-2.0, self.before_that.get(&row.tech).map(|p| p.score)),
            (-1.0, last.map(|p| p.score)),
            (0.0, row.score),
        ]
        .into_iter()
        .filter_map(|(x, y)| Some(Point { x, y: y? }))
        .collect();
        row.momentum = slope(&points);
    }
}

/// A score (y) some years (x, 0 = the ranked year) away.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
}

/// The least-squares slope of `points`; `None` below two points.
fn slope(points: &[Point]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.x).sum::<f64>() / n;
    let my = points.iter().map(|p| p.y).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.x - mx) * (p.y - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_needs_two_points_and_fits_a_line() {
        let p = |x, y| Point { x, y };
        assert_eq!(slope(&[p(0.0, 1.0)]), None);
        assert_eq!(slope(&[p(-1.0, 1.0), p(0.0, 3.0)]), Some(2.0));
    }
}
