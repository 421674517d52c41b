//! What several archived answers give together: after a collect and after
//! a renormalize, each source with [`Source::combined_endpoints`] gets the
//! latest successful answer of each such request and its observations are
//! stored (GitHub's year-end stars from its star history pages).
//!
//! [`Source::combined_endpoints`]: trends_sources::Source::combined_endpoints

use std::collections::HashMap;

use trends_core::SourceId;
use trends_sources::Kept;
use trends_store::{CombinedRow, Store};

use crate::Error;

/// Combines and stores, for each of `sources`; returns the observations
/// written.
pub(crate) fn combine(
    store: &mut Store,
    sources: impl IntoIterator<Item = SourceId>,
) -> Result<u64, Error> {
    let mut written = 0;
    for id in sources {
        let Some(source) = trends_sources::source(id) else {
            continue;
        };
        let endpoints = source.combined_endpoints();
        if endpoints.is_empty() {
            continue;
        }
        let archived = store.latest_successes(id, endpoints)?;
        let kept: Vec<Kept<'_>> = archived
            .iter()
            .filter_map(|a| {
                Some(Kept {
                    raw_id: a.id,
                    spec: &a.spec,
                    url: &a.url,
                    fetched_at: a.fetched_at,
                    body: a.body.as_deref()?,
                })
            })
            .collect();
        let by_id: HashMap<i64, _> = archived.iter().map(|a| (a.id, a)).collect();
        let rows: Vec<CombinedRow> = source
            .combine(&kept)
            .into_iter()
            .filter_map(|c| {
                let answer = by_id.get(&c.raw_id)?;
                Some(CombinedRow {
                    run: answer.run_id,
                    raw_id: c.raw_id,
                    fetched_at: answer.fetched_at,
                    observation: c.observation,
                })
            })
            .collect();
        written += store.record_combined(&rows)?;
    }
    Ok(written)
}
