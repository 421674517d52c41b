//! Steps 1 to 3 and 5 of the method (see the crate's documentation): a
//! category's signals in a year become per-signal shares, scores and ranks;
//! [`rank_with`] adds the trend columns (`trend.rs`) for every category.

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, Exactness, ReportConfig, TechId, YearlySignal, signals_of};

use crate::confidence::{flag_disputed, signal_ranks};
use crate::trend::History;
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
        let history = History::of(signals, year, c, options);
        for mut row in rank_category(signals, year, c, options) {
            columns.extend(row.values.keys().cloned());
            history.apply(&mut row);
            rows.push(row);
        }
    }
    Ranking {
        year,
        method: options.method,
        signals: columns.into_iter().collect(),
        rows,
    }
}

/// A signal is used in a category only when at least this many of its
/// technologies have it.
pub const MIN_TECHS_PER_SIGNAL: usize = 2;

/// One signal value of one technology in the ranked year.
pub(crate) struct Entry<'a> {
    pub(crate) tech: &'a TechId,
    name: &'a str,
    pub(crate) signal: String,
    pub(crate) value: f64,
    coverage: f64,
    partial: bool,
    /// The API's own count (not approximate, not estimated).
    exact: bool,
}

impl<'a> Entry<'a> {
    /// A value that did not come from the store (the forecast's shares of
    /// a year to come): full coverage, not partial, exact.
    pub(crate) fn made(tech: &'a TechId, name: &'a str, signal: String, value: f64) -> Self {
        Entry {
            tech,
            name,
            signal,
            value,
            coverage: 1.0,
            partial: false,
            exact: true,
        }
    }
}

/// A signal's category total (of the values as the method weighs them)
/// and how many technologies have it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Total {
    weighed: f64,
    having: usize,
}

impl Total {
    /// Whether the signal gives shares: a total above 0 and enough
    /// technologies having it.
    pub(crate) fn usable(&self) -> bool {
        self.weighed > 0.0 && self.having >= MIN_TECHS_PER_SIGNAL
    }
}

/// A signal a technology has and that gives shares.
struct Used {
    signal: String,
    share: f64,
    weight: f64,
    rank: u32,
    coverage: f64,
}

/// What is gathered about one technology before it is scored.
struct Tech {
    name: String,
    values: BTreeMap<String, f64>,
    used: Vec<Used>,
    partial: bool,
    /// The signals whose value is not exact.
    approximate: BTreeSet<String>,
}

/// The year's entries of a category: each signal's value, and each
/// stock's yearly gain when known and not negative ([`signals_of`]).
fn entries(signals: &[YearlySignal], year: i32, category: Category) -> Vec<Entry<'_>> {
    signals
        .iter()
        .filter(|s| s.year == year && s.category == category)
        .flat_map(|s| {
            signals_of(s.metric).filter_map(move |signal| {
                let value = if signal.gain {
                    s.delta.filter(|d| *d >= 0.0)?
                } else {
                    s.value
                };
                Some(Entry {
                    tech: &s.tech,
                    name: &s.name,
                    signal: signal.name(),
                    value,
                    coverage: s.coverage,
                    partial: s.partial,
                    exact: s.exactness == Exactness::Exact,
                })
            })
        })
        .collect()
}

fn totals(entries: &[Entry], method: Method) -> BTreeMap<String, Total> {
    let mut totals: BTreeMap<String, Total> = BTreeMap::new();
    for e in entries {
        let t = totals.entry(e.signal.clone()).or_default();
        t.weighed += method.weigh(e.value);
        t.having += 1;
    }
    totals
}

/// Gathers each technology's values and its used signals' shares.
fn gather(entries: &[Entry], options: &Options) -> BTreeMap<TechId, Tech> {
    let totals = totals(entries, options.method);
    let ranks = signal_ranks(entries, &totals);
    let mut techs: BTreeMap<TechId, Tech> = BTreeMap::new();
    for e in entries {
        let tech = techs.entry(e.tech.clone()).or_insert_with(|| Tech {
            name: e.name.to_owned(),
            values: BTreeMap::new(),
            used: Vec::new(),
            partial: false,
            approximate: BTreeSet::new(),
        });
        tech.values.insert(e.signal.clone(), e.value);
        if !e.exact {
            tech.approximate.insert(e.signal.clone());
        }
        let total = totals.get(&e.signal).copied().unwrap_or_default();
        if let Some(&rank) = ranks.get(&(e.signal.clone(), e.tech.clone())) {
            let share = match options.method {
                Method::Share | Method::LogShare => options.method.weigh(e.value) / total.weighed,
                Method::Percentile => {
                    f64::from(total.having as u32 - rank) / (total.having - 1) as f64
                }
            };
            tech.used.push(Used {
                signal: e.signal.clone(),
                share,
                weight: options.weight(&e.signal),
                rank,
                coverage: e.coverage,
            });
            tech.partial |= e.partial;
        }
    }
    techs
}

/// A score, or why there is none.
struct Scored {
    score: Option<f64>,
    unranked_reason: Option<String>,
}

/// Step 2: the weighted mean of the used signals' shares, 0..100.
fn score(used: &[Used], config: &ReportConfig) -> Scored {
    let n = used.len();
    let min = config.min_signals;
    let total_weight: f64 = used.iter().map(|u| u.weight).sum();
    let unranked = |reason: String| Scored {
        score: None,
        unranked_reason: Some(reason),
    };
    if n == 0 {
        unranked("no signal that another technology of the category has".to_owned())
    } else if n < min {
        unranked(format!(
            "{n} usable signal(s), fewer than the {min} required"
        ))
    } else if total_weight <= 0.0 {
        unranked("its signals all weigh 0".to_owned())
    } else {
        let weighted: f64 = used.iter().map(|u| u.share * u.weight).sum();
        Scored {
            score: Some(100.0 * weighted / total_weight),
            unranked_reason: None,
        }
    }
}

fn row(year: i32, category: Category, tech: TechId, t: Tech, config: &ReportConfig) -> RankRow {
    let scored = score(&t.used, config);
    let coverage = (!t.used.is_empty())
        .then(|| t.used.iter().map(|u| u.coverage).sum::<f64>() / t.used.len() as f64);
    RankRow {
        year,
        category,
        rank: None,
        tech,
        name: t.name,
        low_coverage: scored.score.is_some() && coverage.is_some_and(|c| c < config.low_coverage),
        unranked_reason: scored.unranked_reason,
        score: scored.score,
        values: t.values,
        approximate: t.approximate.into_iter().collect(),
        shares: t.used.iter().map(|u| (u.signal.clone(), u.share)).collect(),
        signals_used: t.used.len(),
        coverage,
        partial: t.partial,
        rank_change: None,
        score_change: None,
        momentum: None,
        driver: None,
        signal_rank_best: t.used.iter().map(|u| u.rank).min(),
        signal_rank_worst: t.used.iter().map(|u| u.rank).max(),
        disputed: false,
    }
}

/// Step 3: by score, highest first, ties by id; unranked rows last.
fn order_and_number(rows: &mut [RankRow]) {
    rows.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.tech.cmp(&b.tech)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.tech.cmp(&b.tech),
    });
    let mut next = 1;
    for row in rows {
        if row.score.is_some() {
            row.rank = Some(next);
            next += 1;
        }
    }
}

/// One category in one year, without the trend columns.
pub(crate) fn rank_category(
    signals: &[YearlySignal],
    year: i32,
    category: Category,
    options: &Options,
) -> Vec<RankRow> {
    rank_entries(&entries(signals, year, category), year, category, options)
}

/// Steps 1 to 3 and 5 on given entries (a year's values of one category).
pub(crate) fn rank_entries(
    entries: &[Entry],
    year: i32,
    category: Category,
    options: &Options,
) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = gather(entries, options)
        .into_iter()
        .map(|(tech, t)| row(year, category, tech, t, &options.config))
        .collect();
    flag_disputed(&mut rows);
    order_and_number(&mut rows);
    rows
}
