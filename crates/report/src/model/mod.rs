//! What every stage of the report shares, at the bottom of the crate: a
//! ranked year ([`Ranking`], its rows [`RankRow`]), the signal a column is
//! about ([`SignalKey`]), how values become scores ([`Method`],
//! [`RankOptions`]) and the crate's error. Nothing here imports another
//! module of the crate.

mod key;
mod method;

use std::collections::{BTreeMap, BTreeSet};

use trends_core::{Category, TechId};

pub use key::SignalKey;
pub use method::{Method, RankOptions};

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
    /// The signal columns, sorted (as their names are).
    pub signals: Vec<SignalKey>,
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
    pub values: BTreeMap<SignalKey, f64>,
    /// The signals of `values` that are not the API's exact count: the API
    /// called it approximate, or trends estimated it
    /// (`yearly_signals.exactness`). Sorted; absent from the JSON when
    /// empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approximate: Vec<SignalKey>,
    /// Per used signal, the method's per-signal score (step 1, 0..1, before
    /// weighting): what the score averages and the signal chart draws. Not
    /// in the CSV or JSON.
    #[serde(skip)]
    pub shares: BTreeMap<SignalKey, f64>,
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
    /// |contribution|, see [`crate::explain()`]); `None` when the change is unknown
    /// or 0.
    pub driver: Option<SignalKey>,
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
        let signals: BTreeSet<SignalKey> = rankings
            .iter()
            .flat_map(|r| r.signals.iter().copied())
            .collect();
        Ranking {
            year,
            method,
            signals: signals.into_iter().collect(),
            rows: rankings.into_iter().flat_map(|r| r.rows).collect(),
        }
    }
}
