//! Where each technology is heading: a year's expected score and rank per
//! category, with an interval, from the history of its signals' shares.
//!
//! # Method
//!
//! 1. History: the closed years (no signal of the year is partial) up to
//!    the last one before the forecast year Y, ranked with the share method
//!    and the config's weights and minimum signals. A partial year is never
//!    fitted on.
//! 2. For each technology and signal it has in the last closed year L, its
//!    share of the category over the consecutive years ending at L: the
//!    forecast share is `share(L) + (φ + φ² + … + φ^h) × d`, where `h =
//!    Y − L`, `d` is the mean of the last [`TREND_YEARS`] year-over-year
//!    changes of the share (0 with one year of history), and `φ =`
//!    [`DAMPING`] (a damped trend: the further ahead, the less of the
//!    trend is kept). The result is kept within 0..1.
//! 3. The forecast shares are ranked as the values of Y by the ranking's
//!    own steps 1 to 3 (each signal's shares are normalised to sum to 1,
//!    the score is their weighted mean): score and rank come from the same
//!    method as the report's.
//! 4. Interval: the backtest at the same horizon `h` (each closed year T of
//!    the category with at least [`MIN_HISTORY`] closed years up to T − h,
//!    forecast from those years only) gives the errors `|ln((actual + 1) /
//!    (forecast + 1))|` of every technology's score; `q` is their
//!    [`INTERVAL`] quantile (nearest rank). `score_low = (score + 1) / e^q
//!    − 1` and `score_high = (score + 1) × e^q − 1` (within 0..100): the
//!    error is taken as relative, +1 point keeps a score near 0 from making
//!    it infinite. `rank_low` is the rank the technology would have at
//!    `score_high` against the others' point forecasts, `rank_high` the rank
//!    at `score_low`, so `rank_low ≤ rank ≤ rank_high`. Without such a
//!    backtest (too short a history) there is no interval.

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, TechId, YearlySignal};

mod backtest;
mod write;

use crate::model::{Method, RankOptions, RankRow, SignalKey};
use crate::rank::{Entry, rank_category, rank_entries};

pub use backtest::{Backtest, BacktestMethod, BacktestRow, BacktestSummary, backtest, spearman};
pub use write::{
    FORECAST_COLUMNS, render_backtest, render_forecast, write_backtest_csv, write_forecast_csv,
};
pub(crate) use write::{heading, rank_span};

/// φ: the share of the trend kept per year ahead.
pub const DAMPING: f64 = 0.8;
/// How many of the last year-over-year changes the trend averages.
pub const TREND_YEARS: usize = 3;
/// The closed years a backtest forecast needs before the year it forecasts.
pub const MIN_HISTORY: usize = 3;
/// The share of the backtest's errors the interval covers.
pub const INTERVAL: f64 = 0.8;

/// The forecast of a year, every category.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub year: i32,
    /// Ordered by category, then forecast rank.
    pub rows: Vec<ForecastRow>,
    /// What could not be forecast, or had no interval, and why.
    pub notes: Vec<String>,
}

/// One technology's forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    pub year: i32,
    pub category: Category,
    pub tech: TechId,
    pub name: String,
    /// `None`: its forecast shares are too few to rank (as in the report).
    pub rank: Option<u32>,
    pub score: Option<f64>,
    pub score_low: Option<f64>,
    pub score_high: Option<f64>,
    pub rank_low: Option<u32>,
    pub rank_high: Option<u32>,
    /// The last closed year the forecast is fitted on, and the rank then.
    pub fitted_through: i32,
    pub last_rank: Option<u32>,
    /// The interval's factor `e^q` (see the method), the same for the
    /// category.
    pub factor: Option<f64>,
}

/// The years with data none of whose signals is partial.
pub fn closed_years(signals: &[YearlySignal]) -> BTreeSet<i32> {
    let partial: BTreeSet<i32> = signals
        .iter()
        .filter(|s| s.partial)
        .map(|s| s.year)
        .collect();
    signals
        .iter()
        .map(|s| s.year)
        .filter(|y| !partial.contains(y))
        .collect()
}

/// The forecast's options: the share method, the config's `[report]`.
pub(crate) fn share_options(options: &RankOptions) -> RankOptions {
    RankOptions {
        method: Method::Share,
        config: options.config.clone(),
    }
}

/// One category's closed years, ranked: the shares the forecast fits and
/// the scores the backtest compares with.
pub(crate) struct ShareHistory {
    pub(crate) category: Category,
    /// Closed years with at least one ranked technology.
    pub(crate) years: BTreeMap<i32, Vec<RankRow>>,
    options: RankOptions,
}

impl ShareHistory {
    pub(crate) fn of(
        signals: &[YearlySignal],
        category: Category,
        options: &RankOptions,
    ) -> ShareHistory {
        let options = share_options(options);
        let years = closed_years(signals)
            .into_iter()
            .map(|y| (y, rank_category(signals, y, category, &options)))
            .filter(|(_, rows)| rows.iter().any(|r| r.rank.is_some()))
            .collect();
        ShareHistory {
            category,
            years,
            options,
        }
    }

    /// The last closed year at or before `year`.
    pub(crate) fn last_through(&self, year: i32) -> Option<i32> {
        self.years.range(..=year).next_back().map(|(y, _)| *y)
    }

    /// How many closed years there are at or before `year`.
    pub(crate) fn count_through(&self, year: i32) -> usize {
        self.years.range(..=year).count()
    }

    /// `tech`'s share of `signal` in the consecutive closed years ending at
    /// `last`, oldest first, at most [`TREND_YEARS`] + 1 of them.
    fn series(&self, tech: &TechId, signal: SignalKey, last: i32) -> Vec<f64> {
        let mut series = Vec::new();
        let mut year = last;
        while series.len() <= TREND_YEARS {
            let share = self.years.get(&year).and_then(|rows| {
                rows.iter()
                    .find(|r| &r.tech == tech)
                    .and_then(|r| r.shares.get(&signal).copied())
            });
            match share {
                Some(s) => series.push(s),
                None => break,
            }
            year -= 1;
        }
        series.reverse();
        series
    }

    /// The forecast ranking of `target` from the closed years up to
    /// `through` only (steps 2 and 3); `None` without such a year.
    pub(crate) fn point(&self, target: i32, through: i32) -> Option<Vec<RankRow>> {
        let last = self.last_through(through.min(target - 1))?;
        let h = target - last;
        let rows = &self.years[&last];
        let mut made: Vec<(&TechId, &str, SignalKey, f64)> = Vec::new();
        for r in rows {
            for &signal in r.shares.keys() {
                let share = extrapolate(&self.series(&r.tech, signal, last), h);
                made.push((&r.tech, r.name.as_str(), signal, share));
            }
        }
        let entries: Vec<Entry> = made
            .into_iter()
            .map(|(tech, name, signal, share)| Entry::made(tech, name, signal, share))
            .collect();
        Some(rank_entries(&entries, target, self.category, &self.options))
    }
}

/// Step 2: the damped trend of a share series (oldest first, not empty)
/// `h` years past its last point, within 0..1.
pub(crate) fn extrapolate(series: &[f64], h: i32) -> f64 {
    let Some(&last) = series.last() else {
        return 0.0;
    };
    let changes: Vec<f64> = series
        .windows(2)
        .rev()
        .take(TREND_YEARS)
        .map(|w| w[1] - w[0])
        .collect();
    let trend = if changes.is_empty() {
        0.0
    } else {
        changes.iter().sum::<f64>() / changes.len() as f64
    };
    let damping: f64 = (1..=h.max(0)).map(|k| DAMPING.powi(k)).sum();
    (last + damping * trend).clamp(0.0, 1.0)
}

/// A score's error as the interval measures it.
pub(crate) fn log_error(forecast: f64, actual: f64) -> f64 {
    ((actual + 1.0) / (forecast + 1.0)).ln().abs()
}

/// The `p` quantile of `values` (nearest rank); `None` when empty.
pub(crate) fn quantile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

/// The ranked technologies' scores of a ranking, by id.
pub(crate) fn scores(rows: &[RankRow]) -> BTreeMap<&TechId, f64> {
    rows.iter()
        .filter_map(|r| Some((&r.tech, r.score?)))
        .collect()
}

impl ShareHistory {
    /// The interval factor `e^q` for forecasts `h` years ahead, from the
    /// backtest of the closed years up to `through` (step 4).
    fn interval(&self, h: i32, through: i32) -> Option<f64> {
        let mut errors = Vec::new();
        for (&year, actual) in self.years.range(..=through) {
            if self.count_through(year - h) < MIN_HISTORY {
                continue;
            }
            let Some(forecast) = self.point(year, year - h) else {
                continue;
            };
            let actual = scores(actual);
            for (tech, f) in scores(&forecast) {
                if let Some(a) = actual.get(tech) {
                    errors.push(log_error(f, *a));
                }
            }
        }
        quantile(&errors, INTERVAL).map(f64::exp)
    }
}

impl ShareHistory {
    /// The forecast rows of `year` from the closed years before it, each
    /// with its interval when the backtest allows one (steps 2 to 4);
    /// `None` without a closed year before it.
    pub(crate) fn forecast(&self, year: i32) -> Option<Vec<ForecastRow>> {
        let last = self.last_through(year - 1)?;
        let point = self.point(year, last)?;
        let factor = self.interval(year - last, last);
        let last_ranks: BTreeMap<&TechId, u32> = self.years[&last]
            .iter()
            .filter_map(|r| Some((&r.tech, r.rank?)))
            .collect();
        let others = scores(&point);
        let rows = point
            .iter()
            .map(|r| {
                let interval = factor
                    .zip(r.score)
                    .map(|(k, s)| bounds(s, k, &others, &r.tech));
                ForecastRow {
                    year,
                    category: self.category,
                    tech: r.tech.clone(),
                    name: r.name.clone(),
                    rank: r.rank,
                    score: r.score,
                    score_low: interval.map(|i| i.0),
                    score_high: interval.map(|i| i.1),
                    rank_low: interval.map(|i| i.2),
                    rank_high: interval.map(|i| i.3),
                    fitted_through: last,
                    last_rank: last_ranks.get(&r.tech).copied(),
                    factor,
                }
            })
            .collect();
        Some(rows)
    }
}

/// The forecast of `year` for every category, from the closed years
/// before it (see the module's method).
pub fn forecast(signals: &[YearlySignal], year: i32, options: &RankOptions) -> Forecast {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for category in Category::ALL {
        let past = ShareHistory::of(signals, category, options);
        let Some(forecast) = past.forecast(year) else {
            notes.push(format!(
                "{category}: no closed year before {year} to forecast from"
            ));
            continue;
        };
        if let Some(first) = forecast.first()
            && first.factor.is_none()
        {
            notes.push(format!(
                "{category}: no interval, fewer than {MIN_HISTORY} closed years before any year to \
                 backtest {} year(s) ahead",
                year - first.fitted_through
            ));
        }
        rows.extend(forecast);
    }
    Forecast { year, rows, notes }
}

/// Step 4 for one technology: (score_low, score_high, rank_low, rank_high)
/// from its score, the factor, and the others' point forecasts.
fn bounds(
    score: f64,
    factor: f64,
    others: &BTreeMap<&TechId, f64>,
    tech: &TechId,
) -> (f64, f64, u32, u32) {
    let low = ((score + 1.0) / factor - 1.0).clamp(0.0, 100.0).min(score);
    let high = ((score + 1.0) * factor - 1.0).clamp(0.0, 100.0).max(score);
    let others = || others.iter().filter(|(t, _)| **t != tech).map(|(_, s)| *s);
    let rank_low = 1 + others().filter(|s| *s > high).count() as u32;
    let rank_high = 1 + others().filter(|s| *s >= low).count() as u32;
    (low, high, rank_low, rank_high)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tests::sig;
    use trends_core::{Metric, SourceId};

    /// Four frameworks on two signals over `years`: `rising` gains 10
    /// questions and 100 page views a year, `falling` loses them, the two
    /// others stay put (with a little wobble).
    pub(crate) fn history(years: std::ops::RangeInclusive<i32>) -> Vec<YearlySignal> {
        use Category::Framework as F;
        let q = || Metric::flow(SourceId::new("stackexchange"), "questions");
        let v = || Metric::flow(SourceId::new("wikimedia"), "pageviews");
        let mut s = Vec::new();
        for year in years {
            let t = f64::from(year - 2015);
            let wobble = if year % 2 == 0 { 3.0 } else { -3.0 };
            for (tech, n) in [
                ("rising", 40.0 + 10.0 * t),
                ("falling", 200.0 - 10.0 * t),
                ("steady", 120.0 + wobble),
                ("small", 30.0 - wobble),
            ] {
                s.push(sig(tech, F, year, q(), n));
                s.push(sig(tech, F, year, v(), 10.0 * n));
            }
        }
        s
    }

    fn row<'a>(f: &'a Forecast, tech: &str) -> &'a ForecastRow {
        f.rows.iter().find(|r| r.tech.as_str() == tech).expect(tech)
    }

    #[test]
    fn the_damped_trend_by_hand() {
        // Changes 0.1, 0.1, 0.1: one year ahead +0.8 × 0.1, two +1.44 × 0.1.
        let s = [0.1, 0.2, 0.3, 0.4];
        assert!((extrapolate(&s, 1) - 0.48).abs() < 1e-12);
        assert!((extrapolate(&s, 2) - 0.544).abs() < 1e-12);
        // Only the last three changes count; one point has no trend.
        assert!((extrapolate(&[0.9, 0.1, 0.2, 0.3, 0.4], 1) - 0.48).abs() < 1e-12);
        assert_eq!(extrapolate(&[0.25], 3), 0.25);
        // Never below 0 or above 1.
        assert_eq!(extrapolate(&[0.3, 0.2, 0.1, 0.0], 2), 0.0);
        assert_eq!(extrapolate(&[0.7, 0.8, 0.9, 1.0], 1), 1.0);
        assert_eq!(quantile(&[3.0, 1.0, 2.0, 4.0, 5.0], 0.8), Some(4.0));
        assert_eq!(quantile(&[], 0.8), None);
    }

    #[test]
    fn a_steady_rise_is_forecast_to_keep_rising_and_a_fall_to_keep_falling() {
        let s = history(2015..=2024);
        let f = forecast(&s, 2025, &RankOptions::default());
        let last = crate::rank(&s, 2024, Some(Category::Framework));
        let score_2024 = |tech: &str| {
            last.rows
                .iter()
                .find(|r| r.tech.as_str() == tech)
                .and_then(|r| r.score)
                .expect(tech)
        };
        let (rising, falling) = (row(&f, "rising"), row(&f, "falling"));
        assert!(
            rising.score.expect("score") > score_2024("rising"),
            "{rising:?}"
        );
        assert!(
            falling.score.expect("score") < score_2024("falling"),
            "{falling:?}"
        );
        assert_eq!(rising.fitted_through, 2024);
        // The forecast scores are the report's: they add up to 100.
        let total: f64 = f.rows.iter().filter_map(|r| r.score).sum();
        assert!((total - 100.0).abs() < 1e-9, "{total}");
        for r in &f.rows {
            let (lo, hi) = (
                r.rank_low.expect("interval"),
                r.rank_high.expect("interval"),
            );
            let rank = r.rank.expect("rank");
            assert!(lo <= rank && rank <= hi, "{r:?}");
            assert!(r.score_low <= r.score && r.score <= r.score_high, "{r:?}");
        }
        // No other category has data: said, not an error.
        assert!(
            f.notes
                .iter()
                .any(|n| n.starts_with("language: no closed year")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn a_partial_year_is_not_fitted_and_two_years_ahead_damp_more() {
        let mut s = history(2015..=2024);
        let clean = forecast(&s, 2026, &RankOptions::default());
        // 2025 so far: half the year, and wildly different.
        for mut x in history(2025..=2025) {
            x.partial = true;
            x.value = if x.tech.as_str() == "small" {
                x.value * 50.0
            } else {
                x.value
            };
            s.push(x);
        }
        let with_partial = forecast(&s, 2026, &RankOptions::default());
        assert_eq!(with_partial, clean);
        assert_eq!(row(&clean, "rising").fitted_through, 2024);
        let one = forecast(&s, 2025, &RankOptions::default());
        let gain = |f: &Forecast| row(f, "rising").score.expect("score");
        assert!(gain(&clean) > gain(&one), "two years ahead rises further");
    }

    #[test]
    fn without_three_closed_years_there_is_a_forecast_but_no_interval() {
        let s = history(2022..=2023);
        let f = forecast(&s, 2024, &RankOptions::default());
        let r = row(&f, "rising");
        assert!(
            r.rank.is_some() && r.rank_low.is_none() && r.score_high.is_none(),
            "{r:?}"
        );
        assert!(
            f.notes.iter().any(|n| n.contains("no interval")),
            "{:?}",
            f.notes
        );
    }
}
