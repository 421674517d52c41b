//! The run-status policy: why a run stopped early, whether every planned
//! request is accounted for, and how the run ends (ok, partial, failed,
//! interrupted) with what `runs.error` says.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use trends_core::SourceId;
use trends_fetcher::Stop;
use trends_store::{RunCounts, RunStatus};

use crate::Tally;

/// Why a run stopped sending before its plan was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The run's deadline (`max_run_secs`) passed.
    Deadline(Duration),
    /// SIGINT (Ctrl-C) or SIGTERM (systemd stopping the unit, `kill`).
    Signal(StopSignal),
}

/// The signals that stop a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Interrupt,
    Terminate,
}

impl StopSignal {
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT (Ctrl-C)",
            StopSignal::Terminate => "SIGTERM",
        }
    }
}

/// A run's stop switch and the reason it was flipped. The caller flips it
/// on a signal ([`RunStop::signal`]); the run flips it itself when its
/// deadline passes. Clones share the switch.
#[derive(Debug, Clone, Default)]
pub struct RunStop {
    stop: Stop,
    why: Arc<Mutex<Option<Stopped>>>,
}

impl RunStop {
    pub fn new() -> RunStop {
        RunStop::default()
    }

    /// A signal came: no new request is sent, what has arrived is stored.
    /// It replaces a deadline that passed before as the reason.
    pub fn signal(&self, signal: StopSignal) {
        self.say(|_| Some(Stopped::Signal(signal)));
        self.stop.stop();
    }

    /// The deadline passed; a signal that came first stays the reason.
    pub(crate) fn deadline(&self, max_run: Duration) {
        self.say(|was| Some(was.unwrap_or(Stopped::Deadline(max_run))));
        self.stop.stop();
    }

    /// Why the run was stopped, if it was.
    pub fn stopped(&self) -> Option<Stopped> {
        self.why.lock().ok().and_then(|why| *why)
    }

    /// The switch the fetch loop watches.
    pub fn fetcher(&self) -> &Stop {
        &self.stop
    }

    fn say(&self, why: impl FnOnce(Option<Stopped>) -> Option<Stopped>) {
        if let Ok(mut was) = self.why.lock() {
            *was = why(*was);
        }
    }
}

/// How a run ends, and what `runs.error` says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) status: RunStatus,
    /// What `runs.error` says: the [`Verdict::reasons`] joined by `; `.
    pub(crate) error: Option<String>,
    /// Why, a short line each: the stop, lost requests, then one line per
    /// cause of failure (`health::causes`).
    pub(crate) reasons: Vec<String>,
}

/// Every planned request ends as ok, no-data, failed or skipped: the
/// sources for which that does not add up, in words.
pub(crate) fn unaccounted(sources: &BTreeMap<SourceId, Tally>) -> Vec<String> {
    sources
        .iter()
        .filter_map(|(source, t)| {
            let accounted = t.ok as usize + t.no_data as usize + t.failed as usize + t.skipped;
            (accounted != t.planned).then(|| {
                format!(
                    "{source}: {} of {} planned requests unaccounted for (ok {}, no-data {}, failed {}, skipped {})",
                    t.planned.abs_diff(accounted),
                    t.planned,
                    t.ok,
                    t.no_data,
                    t.failed,
                    t.skipped
                )
            })
        })
        .collect()
}

/// A task that panicked or was cancelled, in words.
pub(crate) fn join_failure(task: &str, e: &tokio::task::JoinError) -> String {
    let what = if e.is_panic() {
        "panicked"
    } else {
        "was cancelled"
    };
    format!("the {task} task {what}; its requests are not accounted for")
}

/// The policy: a store failure fails the run; a signal interrupts it; lost
/// requests or a failed source make it partial when something landed and
/// failed when nothing did; a deadline alone makes it partial; else ok.
pub(crate) fn verdict(
    sources: &BTreeMap<SourceId, Tally>,
    counts: &RunCounts,
    store_failed: bool,
    lost: &[String],
    stopped: Option<Stopped>,
) -> Verdict {
    let landed = counts.responses_ok > 0;
    let any_failed = sources.values().any(Tally::failed);
    let left: usize = sources.values().map(|t| t.skipped).sum();
    let planned: usize = sources.values().map(|t| t.planned).sum();
    let mut why = Vec::new();
    match stopped {
        Some(Stopped::Signal(signal)) => why.push(format!(
            "interrupted by {}: {left} of {planned} planned requests left for the next run",
            signal.name()
        )),
        Some(Stopped::Deadline(d)) => why.push(format!(
            "run deadline passed (max_run_secs = {}): {left} of {planned} planned requests left for the next run",
            d.as_secs()
        )),
        None => {}
    }
    why.extend(lost.iter().cloned());
    why.extend(crate::health::causes(sources));
    let status = if store_failed {
        RunStatus::Failed
    } else if let Some(Stopped::Signal(_)) = stopped {
        RunStatus::Interrupted
    } else if !lost.is_empty() || any_failed {
        if landed {
            RunStatus::Partial
        } else {
            RunStatus::Failed
        }
    } else if stopped.is_some() {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    Verdict {
        status,
        error: (!why.is_empty()).then(|| why.join("; ")),
        reasons: why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(planned: usize, ok: u64, failed: u64, skipped: usize) -> Tally {
        Tally {
            planned,
            ok,
            failed,
            skipped,
            ..Tally::default()
        }
    }

    fn counts(ok: u64) -> RunCounts {
        RunCounts {
            requests: ok,
            responses_ok: ok,
            ..RunCounts::default()
        }
    }

    fn sources(of: &[(&str, Tally)]) -> BTreeMap<SourceId, Tally> {
        of.iter()
            .map(|(s, t)| (SourceId::intern(s), t.clone()))
            .collect()
    }

    #[test]
    fn every_planned_request_must_be_accounted_for() {
        let mut sources = sources(&[
            ("github", tally(12, 7, 1, 4)),
            ("wikimedia", tally(4, 4, 0, 0)),
        ]);
        assert!(unaccounted(&sources).is_empty());
        // A source whose task was lost: no Finished event, no skipped count.
        for t in sources.values_mut().filter(|t| t.planned == 12) {
            t.skipped = 0;
        }
        let lost = unaccounted(&sources);
        assert_eq!(
            lost,
            [
                "github: 4 of 12 planned requests unaccounted for (ok 7, no-data 0, failed 1, skipped 0)"
            ]
        );
        let v = verdict(&sources, &counts(11), false, &lost, None);
        assert_eq!(v.status, RunStatus::Partial);
        assert!(v.error.unwrap_or_default().contains("unaccounted"));
    }

    #[test]
    fn a_panicked_task_makes_the_run_partial_or_failed_never_ok() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let joined = runtime.block_on(runtime.spawn(async { panic!("a parser bug") }));
        let e = joined.expect_err("the task panicked");
        let lost = vec![join_failure("parse", &e)];
        let sources = sources(&[("wikimedia", tally(4, 4, 0, 0))]);
        let v = verdict(&sources, &counts(4), false, &lost, None);
        assert_eq!(v.status, RunStatus::Partial);
        assert_eq!(
            v.error.as_deref(),
            Some("the parse task panicked; its requests are not accounted for")
        );
        let v = verdict(&sources, &counts(0), false, &lost, None);
        assert_eq!(v.status, RunStatus::Failed, "nothing landed");
    }

    #[test]
    fn a_deadline_is_partial_and_a_signal_interrupted() {
        let sources = sources(&[("stackexchange", tally(10, 4, 0, 6))]);
        let deadline = Some(Stopped::Deadline(Duration::from_secs(2)));
        let v = verdict(&sources, &counts(4), false, &[], deadline);
        assert_eq!(v.status, RunStatus::Partial);
        assert_eq!(
            v.error.as_deref(),
            Some(
                "run deadline passed (max_run_secs = 2): 6 of 10 planned requests left for the next run"
            )
        );
        let signal = Some(Stopped::Signal(StopSignal::Terminate));
        let v = verdict(&sources, &counts(4), false, &[], signal);
        assert_eq!(v.status, RunStatus::Interrupted);
        assert!(
            v.error
                .unwrap_or_default()
                .starts_with("interrupted by SIGTERM: 6 of 10")
        );
        let v = verdict(&sources, &counts(4), false, &[], None);
        assert_eq!(
            v,
            Verdict {
                status: RunStatus::Ok,
                error: None,
                reasons: Vec::new(),
            },
            "skipped alone is not a failure"
        );
        let v = verdict(&sources, &counts(4), true, &[], signal);
        assert_eq!(v.status, RunStatus::Failed, "a store failure comes first");
    }

    #[test]
    fn a_signal_replaces_a_deadline_as_the_reason_but_not_the_other_way() {
        let stop = RunStop::new();
        assert_eq!(stop.stopped(), None);
        stop.deadline(Duration::from_secs(5));
        assert!(stop.fetcher().is_stopped());
        assert_eq!(
            stop.stopped(),
            Some(Stopped::Deadline(Duration::from_secs(5)))
        );
        stop.signal(StopSignal::Interrupt);
        assert_eq!(stop.stopped(), Some(Stopped::Signal(StopSignal::Interrupt)));
        stop.deadline(Duration::from_secs(5));
        assert_eq!(stop.stopped(), Some(Stopped::Signal(StopSignal::Interrupt)));
    }
}
