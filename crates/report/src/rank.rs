//! Steps 1 to 7 of the method (see the crate's documentation): a category's
//! signals in a year become scores, ranks, trend and confidence columns.

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, TechId, YearlySignal};

use crate::{Method, Options, RankRow, Ranking};

/// Ranks `year` per category (or only `category`) with the default method
/// ([`Method::Share`]): see [`rank_with`].
pub fn rank(signals: &[YearlySignal], year: i32, category: Option<Category>) -> Ranking {
    rank_with(signals, year, category, &Options::default())
}

/// Ranks `year` per category (or only `category`), with rank and score
/// changes from the year before and momentum over the two before, when
/// `signals` holds them.
pub fn rank_with(
    signals: &[YearlySignal],
    year: i32,
    category: Option<Category>,
    options: &Options,
) -> Ranking {
    let categories: Vec<Category> = match category {
        Some(c) => vec![c],
        None => Category::ALL.to_vec(),
    };
    let mut rows = Vec::new();
    let mut columns = BTreeSet::new();
    for c in categories {
        let current = rank_category(signals, year, c, options);
        let earlier = |y: i32| -> BTreeMap<TechId, (u32, f64)> {
            rank_category(signals, y, c, options)
                .into_iter()
                .filter_map(|r| Some((r.tech, (r.rank?, r.score?))))
                .collect()
        };
        let (previous, before_that) = (earlier(year - 1), earlier(year - 2));
        for mut row in current {
            columns.extend(row.values.keys().cloned());
            let last = previous.get(&row.tech);
            row.rank_change = match (last, row.rank) {
                (Some(&(before, _)), Some(now)) => Some(i64::from(before) - i64::from(now)),
                _ => None,
            };
            row.score_change = match (last, row.score) {
                (Some(&(_, before)), Some(now)) => Some(now - before),
                _ => None,
            };
            let points: Vec<(f64, f64)> = [
                (-2.0, before_that.get(&row.tech).map(|p| p.1)),
                (-1.0, last.map(|p| p.1)),
                (0.0, row.score),
            ]
            .into_iter()
            .filter_map(|(x, y)| Some((x, y?)))
            .collect();
            row.momentum = slope(&points);
            rows.push(row);
        }
    }
    Ranking {
        year,
        signals: columns.into_iter().collect(),
        rows,
    }
}

/// The least-squares slope of `points` (x, y); `None` below two points.
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// A signal is used in a category only when at least this many of its
/// technologies have it.
pub const MIN_TECHS_PER_SIGNAL: usize = 2;

/// One signal value of one technology in the ranked year.
#[derive(Clone)]
struct Entry<'a> {
    tech: &'a TechId,
    name: &'a str,
    signal: String,
    value: f64,
    coverage: f64,
    partial: bool,
}

pub(crate) fn rank_category(
    signals: &[YearlySignal],
    year: i32,
    category: Category,
    options: &Options,
) -> Vec<RankRow> {
    let method = options.method;
    let weight = |signal: &str| options.config.weights.get(signal).copied().unwrap_or(1.0);
    // The year's signals, plus each stock's yearly gain as a signal of its
    // own (`{signal}_gain`), when known and not negative.
    let of_year: Vec<Entry> = signals
        .iter()
        .filter(|s| s.year == year && s.category == category)
        .flat_map(|s| {
            let base = Entry {
                tech: &s.tech,
                name: &s.name,
                signal: s.metric.signal_name(),
                value: s.value,
                coverage: s.coverage,
                partial: s.partial,
            };
            let gain = s.delta.filter(|d| *d >= 0.0).map(|d| Entry {
                signal: format!("{}_gain", base.signal),
                value: d,
                ..base.clone()
            });
            std::iter::once(base).chain(gain)
        })
        .collect();
    // Category total per signal, and how many technologies have it.
    let mut totals: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    // The value as the method weighs it.
    let weigh = |v: f64| match method {
        Method::LogShare => v.ln_1p(),
        Method::Share | Method::Percentile => v,
    };
    for s in &of_year {
        let t = totals.entry(s.signal.clone()).or_default();
        t.0 += weigh(s.value);
        t.1 += 1;
    }
    // Each usable signal's rank of every technology having it (by value,
    // highest first, ties by id).
    let mut signal_ranks: BTreeMap<(String, TechId), u32> = BTreeMap::new();
    for (signal, (total, having)) in &totals {
        if *total <= 0.0 || *having < MIN_TECHS_PER_SIGNAL {
            continue;
        }
        let mut with: Vec<&Entry> = of_year.iter().filter(|s| s.signal == *signal).collect();
        with.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.tech.cmp(b.tech)));
        for (i, s) in with.iter().enumerate() {
            signal_ranks.insert((signal.clone(), s.tech.clone()), i as u32 + 1);
        }
    }
    struct Acc {
        name: String,
        values: BTreeMap<String, f64>,
        shares: Vec<f64>,
        weights: Vec<f64>,
        ranks: Vec<u32>,
        coverage: Vec<f64>,
        partial: bool,
    }
    let mut techs: BTreeMap<TechId, Acc> = BTreeMap::new();
    for s in &of_year {
        let signal = s.signal.clone();
        let acc = techs.entry(s.tech.clone()).or_insert_with(|| Acc {
            name: s.name.to_owned(),
            values: BTreeMap::new(),
            shares: Vec::new(),
            weights: Vec::new(),
            ranks: Vec::new(),
            coverage: Vec::new(),
            partial: false,
        });
        acc.values.insert(signal.clone(), s.value);
        let (total, having) = totals.get(&signal).copied().unwrap_or((0.0, 0));
        if let Some(&r) = signal_ranks.get(&(signal.clone(), s.tech.clone())) {
            acc.shares.push(match method {
                Method::Share | Method::LogShare => weigh(s.value) / total,
                Method::Percentile => f64::from(having as u32 - r) / (having - 1) as f64,
            });
            acc.weights.push(weight(&signal));
            acc.ranks.push(r);
            acc.coverage.push(s.coverage);
            acc.partial |= s.partial;
        }
    }
    let mut rows: Vec<RankRow> = techs
        .into_iter()
        .map(|(tech, acc)| {
            let n = acc.shares.len();
            let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            let total_weight: f64 = acc.weights.iter().sum();
            let min = options.config.min_signals;
            let (score, unranked_reason) = if n == 0 {
                (
                    None,
                    Some("no signal that another technology of the category has".to_owned()),
                )
            } else if n < min {
                (
                    None,
                    Some(format!(
                        "{n} usable signal(s), fewer than the {min} required"
                    )),
                )
            } else if total_weight <= 0.0 {
                (None, Some("its signals all weigh 0".to_owned()))
            } else {
                let weighted: f64 = acc
                    .shares
                    .iter()
                    .zip(&acc.weights)
                    .map(|(s, w)| s * w)
                    .sum();
                (Some(100.0 * weighted / total_weight), None)
            };
            let coverage = mean(&acc.coverage);
            RankRow {
                year,
                category,
                rank: None,
                tech,
                name: acc.name,
                low_coverage: score.is_some()
                    && coverage.is_some_and(|c| c < options.config.low_coverage),
                unranked_reason,
                score,
                values: acc.values,
                signals_used: n,
                coverage,
                partial: acc.partial,
                rank_change: None,
                score_change: None,
                momentum: None,
                signal_rank_best: acc.ranks.iter().min().copied(),
                signal_rank_worst: acc.ranks.iter().max().copied(),
                disputed: false,
            }
        })
        .collect();
    let ranked = rows.iter().filter(|r| r.score.is_some()).count() as u32;
    for row in &mut rows {
        if let (Some(best), Some(worst)) = (row.signal_rank_best, row.signal_rank_worst) {
            row.disputed = worst - best >= (ranked / 2).max(3);
        }
    }
    rows.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.tech.cmp(&b.tech)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.tech.cmp(&b.tech),
    });
    let mut next = 1;
    for row in &mut rows {
        if row.score.is_some() {
            row.rank = Some(next);
            next += 1;
        }
    }
    rows
}
