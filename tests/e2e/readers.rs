//! Analysts and cron on one file: a reader holding the analysts' file open,
//! read-only (a notebook) or read-write (the DuckDB CLI without -readonly),
//! never makes the nightly run fail, and never sees half a run.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::clients;
use crate::support::{Apis, Env};

/// A process that holds the database open and answers one line a command.
struct Holder {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Holder {
    fn start(mut cmd: Command) -> Holder {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the reader");
        let input = child.stdin.take().expect("stdin");
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        Holder {
            child,
            input,
            output,
        }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.input, "{line}").expect("send to the reader");
        self.input.flush().expect("flush");
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.output.read_line(&mut line).expect("read the reader");
        assert!(!line.is_empty(), "the reader exited");
        line.trim().to_owned()
    }

    fn ask(&mut self, command: &str) -> i64 {
        self.send(command);
        let line = self.line();
        line.parse()
            .unwrap_or_else(|_| panic!("{command}: the reader said {line:?}"))
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn observations(env: &Env) -> i64 {
    env.db().int("SELECT count(*) FROM observations")
}

/// A published first run of one technology, and its observation count; the
/// full collect that follows adds the rest.
fn first_run() -> (Apis, Env, i64) {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let first = env.trends(&["collect", "--techs", "python"]);
    assert_eq!(first.code, Some(0), "{}", first.all());
    let before = observations(&env);
    (apis, env, before)
}

/// The full collect beside a reader: it lands and is published.
fn full_run_lands(env: &Env, before: i64) -> i64 {
    let out = env.trends(&["collect"]);
    assert_eq!(
        out.code,
        Some(0),
        "the run lands beside the reader:\n{}",
        out.all()
    );
    let after = observations(env);
    assert!(
        after > before,
        "{after} observations after, {before} before"
    );
    let work = env.work_db().int("SELECT count(*) FROM observations");
    assert_eq!(after, work, "every observation of the run is published");
    after
}

fn within_bound(started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_notebook_holding_the_file_open_read_only_never_blocks_collect_and_sees_whole_runs() {
    let started = Instant::now();
    let (_apis, env, before) = first_run();

    // The oldest client we support, holding the file for the whole run.
    let mut cmd = Command::new(clients::python("1.4.5"));
    cmd.arg(clients::root().join("tests/python/hold.py"))
        .arg(&env.db_path);
    let mut notebook = Holder::start(cmd);
    let hello = notebook.line();
    assert_eq!(hello, format!("open 1.4.5 {before}"), "{hello}");

    let after = full_run_lands(&env, before);

    // The held connection keeps reading the run it opened, whole.
    assert_eq!(notebook.ask("count"), before);
    // Reconnecting, as docs/analyst.md tells a notebook to, gives the new run.
    assert_eq!(notebook.ask("reconnect"), after);
    notebook.send("quit");
    within_bound(started);
}

#[test]
fn the_duckdb_cli_holding_the_file_read_write_never_blocks_collect() {
    let started = Instant::now();
    let (_apis, env, before) = first_run();

    // `duckdb trends.duckdb`, no -readonly: an exclusive lock on the file.
    let mut cmd = Command::new(clients::cli("1.5.6"));
    cmd.args(["-csv", "-noheader"]).arg(&env.db_path);
    let mut cli = Holder::start(cmd);
    assert_eq!(cli.ask("SELECT count(*) FROM observations;"), before);

    let after = full_run_lands(&env, before);
    // The CLI still answers, from the file it opened.
    assert_eq!(cli.ask("SELECT count(*) FROM observations;"), before);
    drop(cli);
    assert_eq!(observations(&env), after, "closing the CLI changes nothing");
    within_bound(started);
}
