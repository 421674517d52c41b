//! What every writing command does last, once its answers are stored (and
//! combined: [`crate::collect`] and [`crate::renormalize`] combine what
//! several answers give together before they return): the report's own
//! ranking stored as the `rankings` table, then the working copy published
//! over the analysts' file. `trends collect`, `trends demo` and
//! `trends renormalize` call [`finish`], so the three cannot drift apart.

use chrono::{DateTime, Utc};
use trends_core::ReportConfig;
use trends_store::{RankingRow, RankingSettings, Store};

use crate::Error;

/// Ranks every year with data as `trends report --all-years` does (method
/// share, the config's `[report]`, no groups), replaces the `rankings`
/// table with it (`computed_at` = `now`), and publishes the working copy.
pub fn finish(mut store: Store, report: &ReportConfig, now: DateTime<Utc>) -> Result<(), Error> {
    store_rankings(&mut store, report, now)?;
    store.publish()?;
    Ok(())
}

/// The `rankings` table from the report's ranking of every year with data.
fn store_rankings(
    store: &mut Store,
    config: &ReportConfig,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let options = trends_report::RankOptions {
        method: trends_report::Method::default(),
        config: config.clone(),
    };
    let years = store.years()?;
    let rows: Vec<RankingRow> = match (years.first(), years.last()) {
        (Some(&first), Some(&last)) => {
            let signals = store.yearly_signals(first - 2, last)?;
            years
                .iter()
                .flat_map(|&y| trends_report::rank_with(&signals, y, None, &options).rows)
                .map(row)
                .collect()
        }
        _ => Vec::new(),
    };
    let weights: Vec<String> = config
        .weights
        .iter()
        .map(|(signal, w)| format!("{signal}={w}"))
        .collect();
    let settings = RankingSettings {
        method: options.method.as_str().to_owned(),
        weights: weights.join(","),
        min_signals: config.min_signals,
        low_coverage: config.low_coverage,
        computed_at: now,
    };
    store.replace_rankings(&rows, &settings)?;
    Ok(())
}

fn row(r: trends_report::RankRow) -> RankingRow {
    RankingRow {
        year: r.year,
        category: r.category.to_string(),
        rank: r.rank,
        technology: r.name,
        tech_id: r.tech.0,
        score: r.score,
        signals_used: r.signals_used,
        coverage: r.coverage,
        partial: r.partial,
        rank_change: r.rank_change,
        score_change: r.score_change,
        momentum: r.momentum,
        driver: r.driver.map(|d| d.to_string()),
        signal_rank_best: r.signal_rank_best,
        signal_rank_worst: r.signal_rank_worst,
        disputed: r.disputed,
        low_coverage: r.low_coverage,
        unranked_reason: r.unranked_reason,
    }
}
