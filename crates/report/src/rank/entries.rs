//! A category's values in a year, as the ranking's steps read them: one
//! [`Entry`] per technology and signal, and each signal's [`Total`].

use std::collections::BTreeMap;

use trends_core::{Category, Exactness, TechId, YearlySignal, signals_of};

use crate::model::{Method, SignalKey};

/// A signal is used in a category only when at least this many of its
/// technologies have it.
pub const MIN_TECHS_PER_SIGNAL: usize = 2;

/// One signal value of one technology in the ranked year.
pub(crate) struct Entry<'a> {
    pub(crate) tech: &'a TechId,
    pub(super) name: &'a str,
    pub(crate) signal: SignalKey,
    pub(crate) value: f64,
    pub(super) coverage: f64,
    pub(super) partial: bool,
    /// The API's own count (not approximate, not estimated).
    pub(super) exact: bool,
}

impl<'a> Entry<'a> {
    /// A value that did not come from the store (the forecast's shares of
    /// a year to come): full coverage, not partial, exact.
    pub(crate) fn made(tech: &'a TechId, name: &'a str, signal: SignalKey, value: f64) -> Self {
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
pub(super) struct Total {
    pub(super) weighed: f64,
    pub(super) having: usize,
}

impl Total {
    /// Whether the signal gives shares: a total above 0 and enough
    /// technologies having it.
    pub(super) fn usable(&self) -> bool {
        self.weighed > 0.0 && self.having >= MIN_TECHS_PER_SIGNAL
    }
}

/// The year's entries of a category: each signal's value, and each
/// stock's yearly gain when known and not negative ([`signals_of`]).
pub(super) fn entries(signals: &[YearlySignal], year: i32, category: Category) -> Vec<Entry<'_>> {
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
                    signal: SignalKey::from(signal),
                    value,
                    coverage: s.coverage,
                    partial: s.partial,
                    exact: s.exactness == Exactness::Exact,
                })
            })
        })
        .collect()
}

/// Each signal's total over `entries`, as `method` weighs the values.
pub(super) fn totals(entries: &[Entry], method: Method) -> BTreeMap<SignalKey, Total> {
    let mut totals: BTreeMap<SignalKey, Total> = BTreeMap::new();
    for e in entries {
        let t = totals.entry(e.signal).or_default();
        t.weighed += method.weigh(e.value);
        t.having += 1;
    }
    totals
}
