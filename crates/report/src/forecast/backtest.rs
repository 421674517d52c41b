//! `trends forecast --backtest`: how well the forecast would have done.
//! Every closed year with at least [`MIN_HISTORY`] closed years before it
//! is forecast from those years only; per category, the Spearman ρ of the
//! forecast ranks against the actual ones stands beside the naive forecast
//! ("the same ranks as the year before").

use std::collections::BTreeMap;

use trends_core::{Category, TechId, YearlySignal};

use super::{ForecastRow, MIN_HISTORY, ShareHistory};
use crate::model::{RankOptions, RankRow};

/// Which forecast a backtest row scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BacktestMethod {
    /// The damped trend of the shares (`crate::forecast()`).
    Forecast,
    /// The ranks of the last closed year before.
    Naive,
}

impl BacktestMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            BacktestMethod::Forecast => "forecast",
            BacktestMethod::Naive => "naive",
        }
    }
}

/// One year, category and method of the backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    pub year: i32,
    pub category: Category,
    pub method: BacktestMethod,
    /// Spearman's ρ between the forecast and the actual ranks, -1..1.
    pub rho: f64,
    /// How many technologies ρ compares (ranked in the forecast, the year
    /// before and the year itself).
    pub techs: usize,
    /// The mean |forecast rank − actual rank| over them.
    pub mean_rank_error: f64,
    /// The forecast only: the share of the technologies with a rank
    /// interval whose actual rank fell inside it (the interval from the
    /// years before only); `None` without intervals.
    pub in_band: Option<f64>,
}

/// The share of `forecast`'s rows with an interval whose actual rank is
/// inside it.
fn in_band(forecast: &[ForecastRow], actual: &BTreeMap<&TechId, u32>) -> Option<f64> {
    let hits: Vec<bool> = forecast
        .iter()
        .filter_map(|r| {
            let rank = actual.get(&r.tech)?;
            Some((r.rank_low?..=r.rank_high?).contains(rank))
        })
        .collect();
    (!hits.is_empty()).then(|| hits.iter().filter(|h| **h).count() as f64 / hits.len() as f64)
}

/// The whole backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// By category, then year, forecast before naive.
    pub rows: Vec<BacktestRow>,
    /// The categories or years without a row, and why.
    pub notes: Vec<String>,
}

/// The ranks of a ranking's ranked technologies.
fn ranks(rows: &[RankRow]) -> BTreeMap<&TechId, u32> {
    rows.iter()
        .filter_map(|r| Some((&r.tech, r.rank?)))
        .collect()
}

/// Backtests every closed year of every category (see the module).
pub fn backtest(signals: &[YearlySignal], options: &RankOptions) -> Backtest {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for category in Category::ALL {
        let past = ShareHistory::of(signals, category, options);
        let before = rows.len();
        let mut short = Vec::new();
        for (&year, actual) in &past.years {
            if past.count_through(year - 1) < MIN_HISTORY {
                short.push(year);
                continue;
            }
            let (Some(last), Some(rows_ahead)) = (past.last_through(year - 1), past.forecast(year))
            else {
                continue;
            };
            let forecast: BTreeMap<&TechId, u32> = rows_ahead
                .iter()
                .filter_map(|r| Some((&r.tech, r.rank?)))
                .collect();
            let (actual, naive) = (ranks(actual), ranks(&past.years[&last]));
            let in_band = in_band(&rows_ahead, &actual);
            let common: Vec<&TechId> = actual
                .keys()
                .copied()
                .filter(|t| forecast.contains_key(t) && naive.contains_key(t))
                .collect();
            if common.len() < 3 {
                notes.push(format!(
                    "{category} {year}: {} technologies ranked in the forecast, {last} and {year}; ρ needs 3",
                    common.len()
                ));
                continue;
            }
            for (method, guess) in [
                (BacktestMethod::Forecast, &forecast),
                (BacktestMethod::Naive, &naive),
            ] {
                let a: Vec<f64> = common.iter().map(|t| f64::from(actual[t])).collect();
                let g: Vec<f64> = common.iter().map(|t| f64::from(guess[t])).collect();
                let Some(rho) = spearman(&a, &g) else {
                    continue;
                };
                let error =
                    a.iter().zip(&g).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64;
                rows.push(BacktestRow {
                    year,
                    category,
                    method,
                    rho,
                    techs: common.len(),
                    mean_rank_error: error,
                    in_band: in_band.filter(|_| method == BacktestMethod::Forecast),
                });
            }
        }
        if rows.len() == before {
            notes.push(match (past.years.keys().next(), past.years.keys().last()) {
                (Some(first), Some(last)) => format!(
                    "{category}: no year to backtest: its closed years {first}–{last} give none with \
                     {MIN_HISTORY} closed years before it"
                ),
                _ => format!("{category}: no closed year with data"),
            });
        } else if !short.is_empty() {
            notes.push(format!(
                "{category}: {} not backtested (fewer than {MIN_HISTORY} closed years before)",
                short
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Backtest { rows, notes }
}

/// The ranks of `values` from 1, ties getting their mean rank.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && values[order[end + 1]] == values[order[start]] {
            end += 1;
        }
        let mean = (start + end) as f64 / 2.0 + 1.0;
        for &i in &order[start..=end] {
            ranks[i] = mean;
        }
        start = end + 1;
    }
    ranks
}

/// Spearman's ρ of two samples: the Pearson correlation of their average
/// ranks (ties get their mean rank); `None` below two values or when
/// either sample is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| (cov / (va * vb).sqrt()).clamp(-1.0, 1.0))
}

/// Per category, the mean ρ of each method and how many years the
/// forecast's ρ beat, tied or lost to the naive one.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestSummary {
    pub category: Category,
    pub years: usize,
    pub forecast_rho: f64,
    pub naive_rho: f64,
    pub wins: usize,
    pub ties: usize,
    pub losses: usize,
    /// The mean of the forecast rows' `in_band` (years with intervals).
    pub in_band: Option<f64>,
}

impl Backtest {
    /// The summary per category that has rows.
    pub fn summary(&self) -> Vec<BacktestSummary> {
        Category::ALL
            .into_iter()
            .filter_map(|category| {
                let by_year = |method| -> BTreeMap<i32, f64> {
                    self.rows
                        .iter()
                        .filter(|r| r.category == category && r.method == method)
                        .map(|r| (r.year, r.rho))
                        .collect()
                };
                let (f, n) = (
                    by_year(BacktestMethod::Forecast),
                    by_year(BacktestMethod::Naive),
                );
                let years: Vec<(f64, f64)> = f
                    .iter()
                    .filter_map(|(y, a)| Some((*a, *n.get(y)?)))
                    .collect();
                if years.is_empty() {
                    return None;
                }
                let mean = |pick: fn(&(f64, f64)) -> f64| {
                    years.iter().map(pick).sum::<f64>() / years.len() as f64
                };
                let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
                let bands: Vec<f64> = self
                    .rows
                    .iter()
                    .filter(|r| r.category == category)
                    .filter_map(|r| r.in_band)
                    .collect();
                let in_band =
                    (!bands.is_empty()).then(|| bands.iter().sum::<f64>() / bands.len() as f64);
                Some(BacktestSummary {
                    category,
                    years: years.len(),
                    forecast_rho: mean(|p| p.0),
                    naive_rho: mean(|p| p.1),
                    wins: years
                        .iter()
                        .filter(|p| p.0 > p.1 && !close(p.0, p.1))
                        .count(),
                    ties: years.iter().filter(|p| close(p.0, p.1)).count(),
                    losses: years
                        .iter()
                        .filter(|p| p.0 < p.1 && !close(p.0, p.1))
                        .count(),
                    in_band,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::tests::history;

    #[test]
    fn spearman_of_same_reversed_and_tied_ranks() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&a, &a), Some(1.0));
        let reversed = [5.0, 4.0, 3.0, 2.0, 1.0];
        assert!((spearman(&a, &reversed).expect("rho") + 1.0).abs() < 1e-12);
        // Ties get their mean rank: [1, 2.5, 2.5, 4] against [1, 2, 3, 4].
        let rho = spearman(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0, 3.0, 4.0]).expect("rho");
        assert!((rho - 0.948_683_298_050_513_8).abs() < 1e-12, "{rho}");
        assert_eq!(average_ranks(&[10.0, 5.0, 5.0]), [3.0, 1.5, 1.5]);
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }

    #[test]
    fn every_year_with_three_before_it_has_both_methods() {
        let s = history(2015..=2024);
        let b = backtest(&s, &RankOptions::default());
        let years: Vec<i32> = b.rows.iter().map(|r| r.year).collect();
        // 2018..=2024, each forecast then naive.
        assert_eq!(years.len(), 2 * 7, "{:?}", b.rows);
        assert_eq!(years[0], 2018);
        assert_eq!(b.rows[0].method, BacktestMethod::Forecast);
        assert_eq!(b.rows[1].method, BacktestMethod::Naive);
        assert!(
            b.rows
                .iter()
                .all(|r| (-1.0..=1.0).contains(&r.rho) && r.techs == 4)
        );
        assert!(
            b.notes
                .iter()
                .any(|n| n.contains("2015, 2016, 2017 not backtested")),
            "{:?}",
            b.notes
        );
        // The interval of a year comes from the backtests before it: none
        // for the first year, a share for the others, never for naive.
        assert_eq!(b.rows[0].in_band, None);
        assert!(b.rows[2..].iter().all(|r| match r.method {
            BacktestMethod::Forecast => r.in_band.is_some_and(|x| (0.0..=1.0).contains(&x)),
            BacktestMethod::Naive => r.in_band.is_none(),
        }));
        let summary = b.summary();
        assert_eq!(summary.len(), 1);
        assert!(summary[0].in_band.is_some());
        assert_eq!(summary[0].years, 7);
        assert_eq!(summary[0].wins + summary[0].ties + summary[0].losses, 7);
    }

    #[test]
    fn the_backtest_of_a_year_uses_only_the_years_before_it() {
        let s = history(2015..=2024);
        let before = backtest(&s, &RankOptions::default());
        // Turn 2022 upside down: 2018..2021 must not move, 2022 must.
        let mutated: Vec<YearlySignal> = s
            .into_iter()
            .map(|mut x| {
                if x.year == 2022 {
                    x.value = 1_000.0 / x.value;
                }
                x
            })
            .collect();
        let after = backtest(&mutated, &RankOptions::default());
        let upto = |b: &Backtest, y: i32| -> Vec<BacktestRow> {
            b.rows.iter().filter(|r| r.year <= y).cloned().collect()
        };
        assert_eq!(upto(&after, 2021), upto(&before, 2021));
        assert_ne!(upto(&after, 2022), upto(&before, 2022));
    }

    #[test]
    fn a_history_shorter_than_three_years_gives_no_row_but_a_note() {
        let s = history(2021..=2023);
        let b = backtest(&s, &RankOptions::default());
        assert!(b.rows.is_empty(), "{:?}", b.rows);
        assert!(
            b.notes
                .iter()
                .any(|n| n.starts_with("framework: no year to backtest")),
            "{:?}",
            b.notes
        );
        assert!(
            b.notes
                .iter()
                .any(|n| n == "language: no closed year with data")
        );
        assert!(render_backtest_is_safe(&b));
    }

    fn render_backtest_is_safe(b: &Backtest) -> bool {
        let text = crate::render_backtest(b, false);
        text.contains("note: framework: no year to backtest")
    }
}
