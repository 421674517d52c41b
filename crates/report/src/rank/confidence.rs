//! Step 6 of the method: each used signal ranks the technologies having
//! it, and a row whose best and worst of those ranks are far apart is
//! `disputed`.

use std::collections::BTreeMap;

use trends_core::TechId;

use super::entries::{Entry, Total};
use crate::model::{RankRow, SignalKey};

/// Each usable signal's rank of every technology having it (by value,
/// highest first, ties by id), keyed by (signal, technology).
pub(crate) fn signal_ranks(
    entries: &[Entry],
    totals: &BTreeMap<SignalKey, Total>,
) -> BTreeMap<(SignalKey, TechId), u32> {
    let mut ranks = BTreeMap::new();
    for (signal, total) in totals {
        if !total.usable() {
            continue;
        }
        let mut with: Vec<&Entry> = entries.iter().filter(|e| e.signal == *signal).collect();
        with.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.tech.cmp(b.tech)));
        for (i, e) in with.iter().enumerate() {
            ranks.insert((*signal, e.tech.clone()), i as u32 + 1);
        }
    }
    ranks
}

/// Flags the rows whose signal ranks spread over at least half the ranked
/// technologies of the category (and at least 3).
pub(crate) fn flag_disputed(rows: &mut [RankRow]) {
    let ranked = rows.iter().filter(|r| r.score.is_some()).count() as u32;
    for row in rows {
        if let (Some(best), Some(worst)) = (row.signal_rank_best, row.signal_rank_worst) {
            row.disputed = worst - best >= (ranked / 2).max(3);
        }
    }
}
