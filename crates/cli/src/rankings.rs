//! The `rankings` table: before a writing command publishes, it stores the
//! default `trends report --all-years` ranking (method share, the config's
//! `[report]`, no groups), so the SQL an analyst queries is the report's.

use chrono::Utc;
use trends_core::ReportConfig;
use trends_store::{RankingRow, RankingSettings, Store};

/// Ranks every year with data as `trends report --all-years` does and
/// replaces the `rankings` table with it.
pub fn store(store: &mut Store, config: &ReportConfig) -> anyhow::Result<()> {
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
        computed_at: Utc::now(),
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
