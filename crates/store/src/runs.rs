//! A run's row in `runs`: started, finished with a status and counts, and
//! read back by `trends status`.

use chrono::{DateTime, Utc};
use duckdb::{OptionalExt, params};

use crate::{Result, Store, q, ts};

/// The id of a row in `runs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub i64);

trends_core::string_enum! {
    /// How a run ended (`runs.status`; a run still going, or killed, is
    /// `running` there).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RunStatus("run status") {
        /// Every request succeeded.
        Ok => "ok",
        /// Some failed, others landed.
        Partial => "partial",
        /// Nothing landed.
        Failed => "failed",
        /// Stopped by SIGTERM or Ctrl-C: what had arrived is stored.
        Interrupted => "interrupted",
    }
}

/// The counts a run ends with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub requests: u64,
    pub responses_ok: u64,
    pub responses_failed: u64,
    pub observations: u64,
}

/// One line of `trends status`: a recent run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub command: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended; `None` while it runs (or when it was killed).
    pub status: Option<RunStatus>,
    pub requests: i64,
    pub responses_failed: i64,
    pub observations: i64,
    pub error: Option<String>,
}

impl Store {
    /// Starts a run and returns its id.
    pub fn begin_run(&mut self, command: &str, started_at: DateTime<Utc>) -> Result<RunId> {
        let id: i64 = self
            .conn
            .query_row(
                "INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running') RETURNING id",
                params![command, ts(started_at)],
                |r| r.get(0),
            )
            .map_err(q("starting a run"))?;
        Ok(RunId(id))
    }

    /// Ends a run with its status, counts and (when it failed) the reason.
    pub fn finish_run(
        &mut self,
        run: RunId,
        status: RunStatus,
        counts: &RunCounts,
        error: Option<&str>,
        finished_at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?, status = ?, requests = ?, responses_ok = ?,
                 responses_failed = ?, observations = ?, error = ? WHERE id = ?",
                params![
                    ts(finished_at),
                    status.as_str(),
                    counts.requests as i64,
                    counts.responses_ok as i64,
                    counts.responses_failed as i64,
                    counts.observations as i64,
                    error,
                    run.0
                ],
            )
            .map_err(q("finishing a run"))?;
        Ok(())
    }

    /// The latest runs, newest first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, command, started_at, finished_at, status,
                        requests, responses_failed, observations, error
                 FROM runs ORDER BY id DESC LIMIT ?",
            )
            .map_err(q("reading runs"))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                let status: String = r.get(4)?;
                Ok((
                    RunRow {
                        id: r.get(0)?,
                        command: r.get(1)?,
                        started_at: r.get(2)?,
                        finished_at: r.get(3)?,
                        status: None,
                        requests: r.get(5)?,
                        responses_failed: r.get(6)?,
                        observations: r.get(7)?,
                        error: r.get(8)?,
                    },
                    status,
                ))
            })
            .map_err(q("reading runs"))?;
        let mut out = Vec::new();
        for row in rows {
            let (mut run, status) = row.map_err(q("reading runs"))?;
            if status != "running" {
                run.status = Some(crate::parse_known(&status)?);
            }
            out.push(run);
        }
        Ok(out)
    }

    /// The status of the most recent run, if any (tests and `trends status`).
    pub fn last_run_status(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(q("reading the last run"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn runs_record_their_end() {
        let mut s = Store::open_in_memory().expect("open");
        let run = s.begin_run("collect", at()).expect("run");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("running")
        );
        let counts = RunCounts {
            requests: 3,
            responses_ok: 2,
            responses_failed: 1,
            observations: 5,
        };
        s.finish_run(run, RunStatus::Partial, &counts, None, at())
            .expect("finish");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("partial")
        );
        let run = s.begin_run("collect", at()).expect("run");
        s.finish_run(
            run,
            RunStatus::Interrupted,
            &counts,
            Some("interrupted by SIGTERM"),
            at(),
        )
        .expect("finish interrupted");
        assert_eq!(
            s.last_run_status().expect("status").as_deref(),
            Some("interrupted")
        );
    }
}
