//! Steps 1 to 7 of the method (see the crate's documentation): a year's
//! signals in, a [`Ranking`] out. The steps' files depend one way:
//! `entries` (a category's values) ← `confidence` (step 6) ← `score`
//! (steps 1 to 3 and 5) ← `explain` ← `trend` (steps 4 and 7) ← here;
//! `groups` merges a catalog group before ranking, `compare` checks the
//! methods against each other.

mod compare;
mod confidence;
mod entries;
mod explain;
mod groups;
mod score;
mod trend;

use std::collections::BTreeSet;

use trends_core::{Category, YearlySignal};

use crate::model::{RankOptions, Ranking};
use trend::PriorYears;

pub use compare::{MethodCheck, compare_methods};
pub(crate) use entries::Entry;
pub use entries::MIN_TECHS_PER_SIGNAL;
pub use explain::{
    Contribution, ExplainError, Explanation, SignalChange, explain, render_explanation,
    write_explanation_csv,
};
pub use groups::group_signals;
pub(crate) use score::{rank_category, rank_entries};

/// Ranks `year` per category (or only `category`) with the default method
/// ([`crate::Method::Share`]): see [`rank_with`].
pub fn rank(signals: &[YearlySignal], year: i32, category: Option<Category>) -> Ranking {
    rank_with(signals, year, category, &RankOptions::default())
}

/// Ranks `year` per category (or only `category`), with rank and score
/// changes from the year before and momentum over the two before, when
/// `signals` holds them.
pub fn rank_with(
    signals: &[YearlySignal],
    year: i32,
    category: Option<Category>,
    options: &RankOptions,
) -> Ranking {
    let categories: Vec<Category> = match category {
        Some(c) => vec![c],
        None => Category::ALL.to_vec(),
    };
    let mut rows = Vec::new();
    let mut columns = BTreeSet::new();
    for c in categories {
        let history = PriorYears::of(signals, year, c, options);
        for mut row in rank_category(signals, year, c, options) {
            columns.extend(row.values.keys().copied());
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
