//! The `rankings` table: `trends report`'s ranking as the writing commands
//! store it for analysts (migration 0006), replaced whole in one
//! transaction.

use chrono::{DateTime, Utc};
use duckdb::params;

use crate::{Result, Store, q, ts};

/// One row of the `rankings` table: a technology in a category and year,
/// with the report's CSV columns (the per-signal values excepted).
#[derive(Debug, Clone, PartialEq)]
pub struct RankingRow {
    pub year: i32,
    pub category: String,
    pub rank: Option<u32>,
    pub technology: String,
    pub tech_id: String,
    pub score: Option<f64>,
    pub signals_used: usize,
    pub coverage: Option<f64>,
    pub partial: bool,
    pub rank_change: Option<i64>,
    pub score_change: Option<f64>,
    pub momentum: Option<f64>,
    /// The signal that moved the score most (migration 0009).
    pub driver: Option<String>,
    pub signal_rank_best: Option<u32>,
    pub signal_rank_worst: Option<u32>,
    pub disputed: bool,
    pub low_coverage: bool,
    pub unranked_reason: Option<String>,
}

/// How the stored ranking was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingSettings {
    /// `share`, `log-share` or `percentile`.
    pub method: String,
    /// The weights, `signal=weight` joined by `,`, sorted; empty: all 1.
    pub weights: String,
    pub min_signals: usize,
    /// The low-coverage threshold (`[report] low_coverage`).
    pub low_coverage: f64,
    pub computed_at: DateTime<Utc>,
}

impl Store {
    /// Replaces the whole `rankings` table with `rows`, in one transaction.
    pub fn replace_rankings(
        &mut self,
        rows: &[RankingRow],
        settings: &RankingSettings,
    ) -> Result<()> {
        let doing = "replacing the rankings";
        let tx = self.conn.transaction().map_err(q(doing))?;
        tx.execute("DELETE FROM rankings", []).map_err(q(doing))?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO rankings (year, category, rank, technology, tech_id, score,
                        signals_used, coverage, partial, rank_change, score_change, momentum,
                        driver, signal_rank_best, signal_rank_worst, disputed, low_coverage,
                        unranked_reason, method, weights, min_signals, low_coverage_below,
                        computed_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .map_err(q(doing))?;
            let at = ts(settings.computed_at);
            for r in rows {
                insert
                    .execute(params![
                        r.year,
                        r.category,
                        r.rank,
                        r.technology,
                        r.tech_id,
                        r.score,
                        r.signals_used as i64,
                        r.coverage,
                        r.partial,
                        r.rank_change,
                        r.score_change,
                        r.momentum,
                        r.driver,
                        r.signal_rank_best,
                        r.signal_rank_worst,
                        r.disputed,
                        r.low_coverage,
                        r.unranked_reason,
                        settings.method,
                        settings.weights,
                        settings.min_signals as i64,
                        settings.low_coverage,
                        at,
                    ])
                    .map_err(q(doing))?;
            }
        }
        tx.commit().map_err(q(doing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tech: &str, rank: Option<u32>) -> RankingRow {
        RankingRow {
            year: 2023,
            category: "language".into(),
            rank,
            technology: tech.to_uppercase(),
            tech_id: tech.into(),
            score: rank.map(|r| 100.0 / f64::from(r)),
            signals_used: 1,
            coverage: Some(1.0),
            partial: false,
            rank_change: None,
            score_change: None,
            momentum: None,
            driver: None,
            signal_rank_best: rank,
            signal_rank_worst: rank,
            disputed: false,
            low_coverage: false,
            unranked_reason: rank.is_none().then(|| "none".to_owned()),
        }
    }

    #[test]
    fn the_rankings_are_replaced_whole() {
        let mut s = Store::open_in_memory().expect("open");
        let settings = RankingSettings {
            method: "share".into(),
            weights: "github_stars_gain=0.5".into(),
            min_signals: 2,
            low_coverage: 0.5,
            computed_at: Utc::now(),
        };
        s.replace_rankings(&[row("go", Some(1)), row("rust", None)], &settings)
            .expect("first");
        s.replace_rankings(&[row("python", Some(1))], &settings)
            .expect("second");
        let got: (i64, String, String) = s
            .conn
            .query_row(
                "SELECT count(*), any_value(tech_id), any_value(weights) FROM rankings",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("read");
        assert_eq!(got, (1, "python".into(), "github_stars_gain=0.5".into()));
    }
}
