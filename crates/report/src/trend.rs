//! Step 4 and 7 of the method: a row's rank and score change from the year
//! before, and its momentum over the two years before.

use std::collections::BTreeMap;

use trends_core::{Category, TechId, YearlySignal};

use crate::rank::rank_category;
use crate::{Options, RankRow};

/// A technology's rank and score in an earlier year.
#[derive(Debug, Clone, Copy)]
struct Past {
    rank: u32,
    score: f64,
}

/// The ranks of a category in the two years before the ranked one.
pub(crate) struct History {
    previous: BTreeMap<TechId, Past>,
    before_that: BTreeMap<TechId, Past>,
}

fn ranked(signals: &[YearlySignal], year: i32, c: Category, o: &Options) -> BTreeMap<TechId, Past> {
    rank_category(signals, year, c, o)
        .into_iter()
        .filter_map(|r| {
            Some((
                r.tech,
                Past {
                    rank: r.rank?,
                    score: r.score?,
                },
            ))
        })
        .collect()
}

impl History {
    /// Ranks `category` in `year − 1` and `year − 2` the same way.
    pub(crate) fn of(
        signals: &[YearlySignal],
        year: i32,
        category: Category,
        options: &Options,
    ) -> History {
        History {
            previous: ranked(signals, year - 1, category, options),
            before_that: ranked(signals, year - 2, category, options),
        }
    }

    /// Fills `rank_change`, `score_change` and `momentum` of a row of the
    /// ranked year.
    pub(crate) fn apply(&self, row: &mut RankRow) {
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
