//! Observations several archived answers give together (a source's
//! `combine`, e.g. GitHub's year-end stars from its star history pages):
//! the latest successful answers read back, the observations upserted
//! filed under the answer each names.

use chrono::{DateTime, Utc};
use trends_core::{Observation, SourceId};

use crate::load::{Staged, upsert_observations};
use crate::{Archived, Result, RunId, Store, archive, q};

/// An observation several answers gave together: the archived answer it
/// is filed under (`raw_id`) and when that was fetched (`observed_at`).
#[derive(Debug, Clone)]
pub struct CombinedRow {
    /// The run of the answer it is filed under (so a renormalize gives the
    /// same rows).
    pub run: RunId,
    pub raw_id: i64,
    pub fetched_at: DateTime<Utc>,
    pub observation: Observation,
}

impl Store {
    /// The latest successful answer of each request of `source` to one of
    /// `endpoints` (request keys `{source}/{endpoint}/...`), in id order.
    pub fn latest_successes(&self, source: SourceId, endpoints: &[&str]) -> Result<Vec<Archived>> {
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        archive::latest_successes(&self.conn, source.as_str(), endpoints)
    }

    /// Upserts `rows`, in one transaction; returns how many.
    pub fn record_combined(&mut self, rows: &[CombinedRow]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let doing = "storing combined observations";
        let tx = self.conn.transaction().map_err(q(doing))?;
        let staged: Vec<Staged<'_>> = rows
            .iter()
            .map(|r| Staged {
                run: r.run,
                raw_id: r.raw_id,
                fetched_at: r.fetched_at,
                observations: std::slice::from_ref(&r.observation),
            })
            .collect();
        upsert_observations(&tx, &staged)?;
        tx.commit().map_err(q(doing))?;
        Ok(rows.len() as u64)
    }
}
