//! Catalog `[[group]]`s ranked as one technology.

use std::collections::BTreeMap;

use trends_core::{Group, Metric, TechId, YearlySignal};

/// The signals with each group's members merged into one technology (the
/// group's id and name): per year and signal, the members' values summed
/// (a member without the signal adds nothing; the group has the signal when
/// any member has it), coverage the members' mean, partial when any is,
/// as exact as the least exact member.
/// Technologies in no group pass unchanged. Rank the result as usual.
pub fn group_signals(signals: &[YearlySignal], groups: &[Group]) -> Vec<YearlySignal> {
    let group_of: BTreeMap<&TechId, &Group> = groups
        .iter()
        .flat_map(|g| g.members.iter().map(move |m| (m, g)))
        .collect();
    let mut out: Vec<YearlySignal> = Vec::new();
    // (group, year, metric) -> index in out, and the coverages summed
    let mut merged: BTreeMap<(TechId, i32, Metric), (usize, f64, usize)> = BTreeMap::new();
    for s in signals {
        let Some(group) = group_of.get(&s.tech) else {
            out.push(s.clone());
            continue;
        };
        let key = (group.id.clone(), s.year, s.metric);
        match merged.get_mut(&key) {
            Some((i, coverage, n)) => {
                let row = &mut out[*i];
                row.value += s.value;
                row.partial |= s.partial;
                row.exactness = row.exactness.max(s.exactness);
                row.delta = match (row.delta, s.delta) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
                *coverage += s.coverage;
                *n += 1;
                row.coverage = *coverage / *n as f64;
            }
            None => {
                merged.insert(key, (out.len(), s.coverage, 1));
                out.push(YearlySignal {
                    tech: group.id.clone(),
                    name: group.name.clone(),
                    ..s.clone()
                });
            }
        }
    }
    out
}
