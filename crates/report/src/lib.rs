//! Rankings: the rows of the `yearly_signals` view in, a ranking per
//! category out, written as CSV, Markdown, JSON, a terminal table or one
//! HTML page; why a score moved (`explain`); SVG charts.
//!
//! Pure: no database, no network, no clock. It never turns a missing signal
//! into a number: a technology without a signal has an empty cell and the
//! signal is left out of its score.
//!
//! # Method
//!
//! For a year Y and a category C:
//!
//! 1. For each signal s (a source and metric), every technology t of C that
//!    has s in Y gets `share_s(t) = value_s(t) / Σ value_s` over the
//!    technologies of C that have s in Y. Technologies without s are left
//!    out of the sum and have no share (not 0). A signal whose total is 0,
//!    or that fewer than two technologies of C have (its one share would be
//!    100% and say nothing), gives no shares; its values still show.
//! 2. `score(t) = 100 × mean of share_s(t)` over the signals t has;
//!    `signals_used` is how many.
//! 3. Rank by score, highest first, ties by technology id. A technology
//!    with no signal is listed unranked.
//! 4. `rank_change = rank(Y−1) − rank(Y)` with the same method on Y−1
//!    (positive: it rose); empty when it was not ranked in Y−1.
//! 5. `coverage` is the mean coverage of the signals used; `partial` says a
//!    used signal's year was not over when fetched; `approximate` lists the
//!    signals whose value is not the API's exact count (the API said it is
//!    approximate, or trends estimated it): they rank like the others, the
//!    reader is told.
//! 6. Confidence: each used signal also ranks the technologies that have it
//!    (by value, ties by id); `signal_rank_best` and `signal_rank_worst` are
//!    the technology's best and worst of those ranks, and `disputed` flags a
//!    spread (worst − best) of at least half the technologies ranked in the
//!    category (and at least 3): the signals disagree about it.
//! 7. Trend: `score_change` = score(Y) − score(Y−1) in points; `momentum`
//!    = the least-squares slope of the score over Y−2..Y (points per year),
//!    from the years of the three that are ranked (at least two); `driver`
//!    = the signal whose contribution to `score_change` is largest in size
//!    (each signal's contribution is its weighted term's change, so they
//!    add up to `score_change`: [`explain()`]).
//!
//! [`Method`] picks how a value becomes a per-signal score in step 1:
//! `share` (above, the default), `log-share` (the share of `ln(1 + value)`,
//! which damps the giants of heavy-tailed counts such as downloads), or
//! `percentile` (the signal's rank turned into 0..1, `(n − rank) / (n − 1)`:
//! a mean of ranks, blind to magnitudes).
//!
//! [`forecast()`] says where each technology is heading: a damped trend of
//! each signal's share, ranked the same way, with an interval from its
//! [`backtest()`] (see `forecast.rs`).

mod backtest;
mod chart;
mod chart_group;
mod compare;
mod confidence;
mod explain;
mod forecast;
mod forecast_write;
mod groups;
mod html;
mod html_forecast;
mod html_parts;
mod method;
mod rank;
mod trend;
mod write;

use std::collections::{BTreeMap, BTreeSet};

pub use backtest::{Backtest, BacktestMethod, BacktestRow, BacktestSummary, backtest, spearman};
pub use chart::{bump_chart, forecast_chart, signal_chart};
pub use chart_group::group_chart;
pub use compare::{MethodCheck, compare_methods};
pub use explain::{
    Contribution, ExplainError, Explanation, SignalChange, explain, render_explanation,
    write_explanation_csv,
};
pub use forecast::{
    DAMPING, Forecast, ForecastRow, INTERVAL, MIN_HISTORY, TREND_YEARS, closed_years, forecast,
};
pub use forecast_write::{
    FORECAST_COLUMNS, render_backtest, render_forecast, write_backtest_csv, write_forecast_csv,
};
pub use groups::group_signals;
pub use html::{Freshness, Page, Section, render_html};
pub use html_forecast::forecast_section;
pub use method::{Method, Options};
pub use rank::{MIN_TECHS_PER_SIGNAL, rank, rank_with};
pub(crate) use write::plural;
pub use write::{movers, render_markdown, render_table, write_csv, write_json};

use trends_core::{Category, TechId};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the CSV report")]
    Csv(#[source] csv::Error),
    #[error("cannot write the report")]
    Io(#[from] std::io::Error),
    #[error("cannot draw the chart: {0}")]
    Chart(String),
}

impl From<csv::Error> for ReportError {
    /// An IO failure under the CSV writer is an IO failure (so a closed
    /// pipe is recognised as one).
    fn from(e: csv::Error) -> Self {
        if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
            return ReportError::Csv(e);
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ReportError::Io(io),
            other => ReportError::Csv(csv::Error::from(std::io::Error::other(format!(
                "{other:?}"
            )))),
        }
    }
}

/// A ranked year, all requested categories.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ranking {
    pub year: i32,
    /// The method the rows were ranked with (not in the JSON: the report's
    /// columns are the same for every method).
    #[serde(skip)]
    pub method: Method,
    /// The signal columns, sorted: `{source}_{metric}`.
    pub signals: Vec<String>,
    /// Ordered by category (language, framework, practice), then rank.
    pub rows: Vec<RankRow>,
}

/// One technology in a ranked year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankRow {
    pub year: i32,
    pub category: Category,
    /// `None`: no signal at all in the year.
    pub rank: Option<u32>,
    pub tech: TechId,
    pub name: String,
    /// 0..100, `None` when unranked.
    pub score: Option<f64>,
    /// The raw yearly value per signal; an absent key is an empty cell.
    pub values: BTreeMap<String, f64>,
    /// The signals of `values` that are not the API's exact count: the API
    /// called it approximate, or trends estimated it
    /// (`yearly_signals.exactness`). Sorted; absent from the JSON when
    /// empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approximate: Vec<String>,
    /// Per used signal, the method's per-signal score (step 1, 0..1, before
    /// weighting): what the score averages and the signal chart draws. Not
    /// in the CSV or JSON.
    #[serde(skip)]
    pub shares: BTreeMap<String, f64>,
    pub signals_used: usize,
    pub coverage: Option<f64>,
    pub partial: bool,
    /// rank(Y−1) − rank(Y); `None` when unknown.
    pub rank_change: Option<i64>,
    /// score(Y) − score(Y−1) in points; `None` when either is unknown.
    pub score_change: Option<f64>,
    /// Slope of the score over Y−2..Y, points per year (least squares over
    /// the ranked years among them, at least two).
    pub momentum: Option<f64>,
    /// The signal that moved the score most from Y−1 (largest
    /// |contribution|, see [`explain()`]); `None` when the change is unknown
    /// or 0.
    pub driver: Option<String>,
    /// The best and worst rank the technology has on a single used signal.
    pub signal_rank_best: Option<u32>,
    pub signal_rank_worst: Option<u32>,
    /// The signals disagree: worst − best ≥ max(3, half the ranked
    /// technologies of the category).
    pub disputed: bool,
    /// Ranked, but its mean coverage is below `[report] low_coverage`.
    pub low_coverage: bool,
    /// Why it is not ranked (too few signals, or none usable).
    pub unranked_reason: Option<String>,
}

impl Ranking {
    /// Several years as one long table: their rows in order, the union of
    /// their signal columns.
    pub fn concat(rankings: Vec<Ranking>) -> Ranking {
        let year = rankings.last().map_or(0, |r| r.year);
        let method = rankings.last().map_or_else(Method::default, |r| r.method);
        let signals: BTreeSet<String> = rankings
            .iter()
            .flat_map(|r| r.signals.iter().cloned())
            .collect();
        Ranking {
            year,
            method,
            signals: signals.into_iter().collect(),
            rows: rankings.into_iter().flat_map(|r| r.rows).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
