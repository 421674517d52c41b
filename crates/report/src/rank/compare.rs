//! `trends report --compare-methods`: how steady each method's ranks are
//! from year to year, and how much one signal moves them.

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, Metric, ReportConfig, TechId, YearlySignal};

use super::score::rank_category;
use crate::model::{Method, RankOptions};

/// How a method holds up on some data: what `trends report
/// --compare-methods` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MethodCheck {
    pub method: Method,
    /// Mean Spearman correlation of each category's ranks between
    /// consecutive years (1 = the same order; higher is steadier).
    pub stability: f64,
    /// Mean |rank change| of a technology when one signal is left out
    /// (lower: no single signal decides the ranking).
    pub leave_one_out: f64,
    /// Share of those leave-one-out ranks that moved by more than one.
    pub moved_over_one: f64,
}

/// Compares the methods on `signals` over `years` (each needs its year
/// before for stability): the two checks of [`MethodCheck`], averaged over
/// categories, years and left-out signals.
pub fn compare_methods(
    signals: &[YearlySignal],
    years: &[i32],
    config: &ReportConfig,
) -> Vec<MethodCheck> {
    let ranks_of = |signals: &[YearlySignal], year: i32, c: Category, method: Method| {
        let options = RankOptions {
            method,
            config: config.clone(),
        };
        rank_category(signals, year, c, &options)
            .into_iter()
            .filter_map(|r| Some((r.tech, r.rank?)))
            .collect::<BTreeMap<TechId, u32>>()
    };
    Method::ALL
        .into_iter()
        .map(|method| {
            let (mut rho, mut rho_n) = (0.0, 0usize);
            let (mut moved, mut moved_n, mut over_one) = (0.0, 0usize, 0usize);
            for &year in years {
                for c in Category::ALL {
                    let now = ranks_of(signals, year, c, method);
                    // Stability: Spearman's rho over the technologies ranked both years,
                    // re-ranked among themselves.
                    let before = ranks_of(signals, year - 1, c, method);
                    let both: Vec<&TechId> =
                        now.keys().filter(|t| before.contains_key(*t)).collect();
                    if both.len() >= 3 {
                        let order = |m: &BTreeMap<TechId, u32>| {
                            let mut v: Vec<&TechId> = both.clone();
                            v.sort_by_key(|t| m[*t]);
                            v.iter()
                                .enumerate()
                                .map(|(i, t)| ((*t).clone(), i as f64))
                                .collect::<BTreeMap<TechId, f64>>()
                        };
                        let (a, b) = (order(&now), order(&before));
                        let n = both.len() as f64;
                        let d2: f64 = both.iter().map(|t| (a[*t] - b[*t]).powi(2)).sum();
                        rho += 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
                        rho_n += 1;
                    }
                    // Leave one signal out.
                    let metrics: BTreeSet<Metric> = signals
                        .iter()
                        .filter(|s| s.year == year && s.category == c)
                        .map(|s| s.metric)
                        .collect();
                    for metric in metrics {
                        let without: Vec<YearlySignal> = signals
                            .iter()
                            .filter(|s| !(s.year == year && s.metric == metric))
                            .cloned()
                            .collect();
                        let after = ranks_of(&without, year, c, method);
                        for (tech, r) in &now {
                            if let Some(r2) = after.get(tech) {
                                let d = (i64::from(*r) - i64::from(*r2)).abs();
                                moved += d as f64;
                                moved_n += 1;
                                over_one += usize::from(d > 1);
                            }
                        }
                    }
                }
            }
            let mean = |x: f64, n: usize| if n == 0 { f64::NAN } else { x / n as f64 };
            MethodCheck {
                method,
                stability: mean(rho, rho_n),
                leave_one_out: mean(moved, moved_n),
                moved_over_one: mean(over_one as f64, moved_n),
            }
        })
        .collect()
}
