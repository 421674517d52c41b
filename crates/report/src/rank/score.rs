//! Steps 1 to 3 and 5 of the method (see the crate's documentation): a
//! category's signals in a year become per-signal shares, scores and ranks
//! (`rank_with` adds the trend columns, `trend.rs`).

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, ReportConfig, TechId, YearlySignal};

use super::confidence::{flag_disputed, signal_ranks};
use super::entries::{Entry, entries, totals};
use crate::model::{Method, RankOptions, RankRow, SignalKey};

/// A signal a technology has and that gives shares.
struct Used {
    signal: SignalKey,
    share: f64,
    weight: f64,
    rank: u32,
    coverage: f64,
}

/// What is gathered about one technology before it is scored.
struct Tech {
    name: String,
    values: BTreeMap<SignalKey, f64>,
    used: Vec<Used>,
    partial: bool,
    /// The signals whose value is not exact.
    approximate: BTreeSet<SignalKey>,
}

/// Gathers each technology's values and its used signals' shares.
fn gather(entries: &[Entry], options: &RankOptions) -> BTreeMap<TechId, Tech> {
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
        tech.values.insert(e.signal, e.value);
        if !e.exact {
            tech.approximate.insert(e.signal);
        }
        let total = totals.get(&e.signal).copied().unwrap_or_default();
        if let Some(&rank) = ranks.get(&(e.signal, e.tech.clone())) {
            let share = match options.method {
                Method::Share | Method::LogShare => options.method.weigh(e.value) / total.weighed,
                Method::Percentile => {
                    f64::from(total.having as u32 - rank) / (total.having - 1) as f64
                }
            };
            tech.used.push(Used {
                signal: e.signal,
                share,
                weight: options.weight(e.signal),
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
        shares: t.used.iter().map(|u| (u.signal, u.share)).collect(),
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
    options: &RankOptions,
) -> Vec<RankRow> {
    rank_entries(&entries(signals, year, category), year, category, options)
}

/// Steps 1 to 3 and 5 on given entries (a year's values of one category).
pub(crate) fn rank_entries(
    entries: &[Entry],
    year: i32,
    category: Category,
    options: &RankOptions,
) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = gather(entries, options)
        .into_iter()
        .map(|(tech, t)| row(year, category, tech, t, &options.config))
        .collect();
    flag_disputed(&mut rows);
    order_and_number(&mut rows);
    rows
}
