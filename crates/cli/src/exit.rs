//! The exit codes of `trends`, in one place: every command returns an
//! [`Exit`], and `main` turns it (or an error) into the process's status.

use std::process::ExitCode;

use trends_pipeline::{StopSignal, Summary};
use trends_store::RunStatus;

/// How `trends` exits. The values are kept for cron, systemd
/// (`SuccessExitStatus=2 143`) and scripts; docs/operator.md's exit-code table lists
/// the same. A malformed command line (an unknown flag, a missing value)
/// is refused by clap before any command runs, with clap's usage code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// 0: the command did what it was asked; for a run (`collect`, `demo`,
    /// `bench --collect`): every source answered and its data landed.
    Ok = 0,
    /// 1: a run where nothing landed (`failed`), or an error before or
    /// after it: bad config or catalog (the message names file and key),
    /// an unknown technology or source, a database or file that cannot be
    /// used, a failed publish; `trends config check` found problems.
    Failed = 1,
    /// 2: a `partial` run: some sources or requests failed and the others
    /// landed, or the run's deadline (`max_run_secs`) passed first; the
    /// next run asks for the rest.
    Partial = 2,
    /// 3: another trends run holds the database's lock; nothing was changed.
    Locked = 3,
    /// 130 (128 + SIGINT): stopped by Ctrl-C; what had arrived is stored,
    /// the run is recorded `interrupted`. A second Ctrl-C quits at once
    /// with this code.
    Interrupted = 130,
    /// 143 (128 + SIGTERM): stopped by SIGTERM (`systemctl stop`, `kill`);
    /// the same as 130.
    Terminated = 143,
}

impl Exit {
    /// The exit of a run, from its recorded status and why it stopped.
    pub fn of_run(summary: &Summary) -> Exit {
        match summary.status {
            RunStatus::Ok => Exit::Ok,
            RunStatus::Partial => Exit::Partial,
            RunStatus::Failed => Exit::Failed,
            RunStatus::Interrupted => match summary.stopped {
                Some(trends_pipeline::Stopped::Signal(signal)) => Exit::of_signal(signal),
                _ => Exit::Interrupted,
            },
        }
    }

    /// 128 + the signal's number, as shells report it.
    pub fn of_signal(signal: StopSignal) -> Exit {
        match signal {
            StopSignal::Interrupt => Exit::Interrupted,
            StopSignal::Terminate => Exit::Terminated,
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        let codes = [
            Exit::Ok,
            Exit::Failed,
            Exit::Partial,
            Exit::Locked,
            Exit::Interrupted,
            Exit::Terminated,
        ]
        .map(Exit::code);
        assert_eq!(codes, [0, 1, 2, 3, 130, 143]);
        assert_eq!(Exit::of_signal(StopSignal::Terminate).code(), 143);
    }
}
