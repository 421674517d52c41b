//! `trends renormalize`: every observation rebuilt from the archive with
//! today's parsers, and every archived response's verdict set again, in one
//! transaction.

use duckdb::params;
use trends_core::{Observation, Outcome};

use crate::load::{Staged, upsert_observations};
use crate::{Archived, Result, Store, archive, q};

/// What [`Store::renormalize`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renormalized {
    /// Archived responses read and judged again.
    pub responses: u64,
    /// Observations written.
    pub observations: u64,
    /// Responses whose outcome changed (a parser fix, or a new failure).
    pub verdicts_changed: u64,
}

/// The new verdict on an archived response.
#[derive(Debug, Clone)]
pub struct Reparsed {
    pub outcome: Outcome,
    pub error: Option<String>,
    pub observations: Vec<Observation>,
}

impl Store {
    /// Rebuilds every observation from the archive, in one transaction:
    /// all observations are replaced and every response's verdict (outcome,
    /// error, observation count) is set from `reparse`, or nothing changes.
    /// The archive is read a page at a time in id order (the order collect
    /// wrote it, so later answers win again), so memory holds one page of
    /// bodies, not the archive; observations are upserted and verdicts
    /// staged a page per statement.
    pub fn renormalize(
        &mut self,
        mut reparse: impl FnMut(&Archived) -> Reparsed,
    ) -> Result<Renormalized> {
        const PAGE: i64 = 256;
        let doing = "renormalizing";
        let tx = self.conn.transaction().map_err(q(doing))?;
        tx.execute_batch(
            "DELETE FROM observations;
             CREATE OR REPLACE TEMP TABLE verdict_stage (id BIGINT, outcome VARCHAR, error VARCHAR, observations INTEGER);",
        )
        .map_err(q(doing))?;
        let mut done = Renormalized::default();
        let mut after = 0;
        loop {
            let page = archive::read(&tx, after, PAGE)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let reparsed: Vec<Reparsed> = page.iter().map(&mut reparse).collect();
            {
                let mut app = tx
                    .appender_to_catalog_and_db("verdict_stage", "temp", "main")
                    .map_err(q(doing))?;
                for (archived, r) in page.iter().zip(&reparsed) {
                    app.append_row(params![
                        archived.id,
                        r.outcome.as_str(),
                        r.error,
                        r.observations.len() as i64
                    ])
                    .map_err(q(doing))?;
                    done.responses += 1;
                    done.observations += r.observations.len() as u64;
                    done.verdicts_changed += u64::from(archived.outcome != r.outcome);
                }
                app.flush().map_err(q(doing))?;
            }
            let staged: Vec<Staged<'_>> = page
                .iter()
                .zip(&reparsed)
                .map(|(a, r)| Staged {
                    run: a.run_id,
                    raw_id: a.id,
                    fetched_at: a.fetched_at,
                    observations: r.observations.as_slice(),
                })
                .collect();
            upsert_observations(&tx, &staged)?;
        }
        tx.execute_batch(
            "UPDATE raw_responses SET outcome = v.outcome, error = v.error, observations = v.observations
             FROM temp.main.verdict_stage v WHERE raw_responses.id = v.id;
             DROP TABLE temp.main.verdict_stage;",
        )
        .map_err(q(doing))?;
        tx.commit().map_err(q(doing))?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, catalog, metrics, obs, raw, spec};

    #[test]
    fn the_archive_reads_back_and_observations_can_be_rebuilt_from_it() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2023);
        s.record(
            run,
            &raw(&sp, b"{\"total\": 7}", Outcome::Ok),
            &[obs("python", 2023, 7.0)],
        )
        .expect("record");
        let archived = s.archived().expect("archive");
        assert_eq!(archived.len(), 1);
        assert_eq!(archived[0].spec, sp);
        assert_eq!(archived[0].body.as_deref(), Some(&b"{\"total\": 7}"[..]));
        assert_eq!(archived[0].fetched_at, at());
        // A parser that now rejects the body removes its observation.
        let done = s
            .renormalize(|_| Reparsed {
                outcome: Outcome::ParseError,
                error: Some("changed".into()),
                observations: vec![],
            })
            .expect("renormalize");
        assert_eq!(
            done,
            Renormalized {
                responses: 1,
                observations: 0,
                verdicts_changed: 1
            }
        );
        assert_eq!(s.counts().expect("counts").observations, 0);
        let again = s.archived().expect("archive");
        assert_eq!(again[0].outcome, Outcome::ParseError);
        assert_eq!(again[0].error.as_deref(), Some("changed"));
        let done = s
            .renormalize(|a| {
                assert_eq!(a.body.as_deref(), Some(&b"{\"total\": 7}"[..]));
                Reparsed {
                    outcome: Outcome::Ok,
                    error: None,
                    observations: vec![obs("python", 2023, 7.0)],
                }
            })
            .expect("renormalize");
        assert_eq!(done.observations, 1);
        assert_eq!(s.archived().expect("archive")[0].error, None);
        assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 7.0);
    }

    #[test]
    fn renormalizing_reads_the_archive_page_by_page_and_later_answers_win() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        // 600 answers (three pages), the same key over and over: the value
        // of the last one stays, as when they were collected.
        let sp = spec("python", 2023);
        for i in 0..600 {
            let body = format!("{{\"total\": {i}}}");
            s.record(
                run,
                &raw(&sp, body.as_bytes(), Outcome::Ok),
                &[obs("python", 2023, f64::from(i))],
            )
            .expect("record");
        }
        let mut seen = Vec::new();
        let done = s
            .renormalize(|a| {
                seen.push(a.id);
                let body = String::from_utf8(a.body.clone().expect("body")).expect("text");
                let total: f64 = body
                    .trim_start_matches("{\"total\": ")
                    .trim_end_matches('}')
                    .parse()
                    .expect("number");
                Reparsed {
                    outcome: Outcome::Ok,
                    error: None,
                    observations: vec![obs("python", 2023, total * 2.0)],
                }
            })
            .expect("renormalize");
        assert_eq!(
            done,
            Renormalized {
                responses: 600,
                observations: 600,
                verdicts_changed: 0
            }
        );
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "in id order, each once"
        );
        assert_eq!(seen.len(), 600);
        assert_eq!(s.counts().expect("counts").observations, 1);
        assert_eq!(
            s.yearly_signals(2023, 2023).expect("yearly")[0].value,
            1198.0
        );
    }
}
