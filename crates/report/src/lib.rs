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
//! [`backtest()`] (see `forecast/mod.rs`).
//!
//! # Layout
//!
//! The modules depend one way (`tests::layers` holds it): `model` at the
//! bottom (the ranked rows, [`SignalKey`], [`Method`], [`RankOptions`], the
//! error); `rank` (steps 1 to 7, `explain`, groups, `compare_methods`);
//! `write` (CSV, Markdown, JSON, the terminal table); `forecast` (the
//! forecast, its backtest and their writers); `chart` (SVG); `page` (the
//! HTML page and its forecast section).

mod chart;
mod forecast;
mod model;
mod page;
mod rank;
mod write;

pub use chart::{bump_chart, forecast_chart, group_chart, signal_chart};
pub use forecast::{
    Backtest, BacktestMethod, BacktestRow, BacktestSummary, DAMPING, FORECAST_COLUMNS, Forecast,
    ForecastRow, INTERVAL, MIN_HISTORY, TREND_YEARS, backtest, closed_years, forecast,
    render_backtest, render_forecast, spearman, write_backtest_csv, write_forecast_csv,
};
pub use model::{Method, RankOptions, RankRow, Ranking, ReportError, SignalKey};
pub use page::{Freshness, HtmlPage, Section, forecast_section, render_html};
pub use rank::{
    Contribution, ExplainError, Explanation, MIN_TECHS_PER_SIGNAL, MethodCheck, SignalChange,
    compare_methods, explain, group_signals, rank, rank_with, render_explanation,
    write_explanation_csv,
};
pub use write::{movers, render_markdown, render_table, write_csv, write_json};

#[cfg(test)]
mod tests;
