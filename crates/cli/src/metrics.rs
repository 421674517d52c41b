//! `--metrics-file`: a run's figures in Prometheus's text exposition
//! format 0.0.4 (what node_exporter's textfile collector reads), written
//! to a temporary file beside the target and renamed over it, so a reader
//! never sees half a file. Written by hand: a few `# HELP`, `# TYPE` and
//! sample lines (README, "Dependencies and why", says why no crate).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use trends_pipeline::{Freshness, Summary};
use trends_store::RunStatus;

/// The statuses a run ends with, one gauge sample each.
const STATUSES: [RunStatus; 4] = [
    RunStatus::Ok,
    RunStatus::Partial,
    RunStatus::Failed,
    RunStatus::Interrupted,
];

/// What the file says about one run.
#[derive(Debug)]
pub struct RunFigures<'a> {
    pub command: &'a str,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub status: RunStatus,
    /// `None` when the run failed before it was judged (a store failure).
    pub summary: Option<&'a Summary>,
    pub freshness: &'a [Freshness],
}

/// The exposition text.
pub fn render(f: &RunFigures<'_>) -> String {
    let mut out = String::new();
    let command = [("command", f.command)];
    let secs = |t: DateTime<Utc>| t.timestamp_millis() as f64 / 1000.0;
    family(
        &mut out,
        "trends_last_run_start_timestamp_seconds",
        "gauge",
        "When the last run started, in seconds since the Unix epoch.",
    );
    sample(
        &mut out,
        "trends_last_run_start_timestamp_seconds",
        &command,
        secs(f.started),
    );
    family(
        &mut out,
        "trends_last_run_end_timestamp_seconds",
        "gauge",
        "When the last run ended, in seconds since the Unix epoch.",
    );
    sample(
        &mut out,
        "trends_last_run_end_timestamp_seconds",
        &command,
        secs(f.ended),
    );
    family(
        &mut out,
        "trends_last_run_duration_seconds",
        "gauge",
        "How long the last run took.",
    );
    let took = (f.ended - f.started).num_milliseconds() as f64 / 1000.0;
    sample(&mut out, "trends_last_run_duration_seconds", &command, took);
    family(
        &mut out,
        "trends_last_run_status",
        "gauge",
        "1 for the status the last run ended with, 0 for the others.",
    );
    for s in STATUSES {
        let labels = [("command", f.command), ("status", s.as_str())];
        sample(
            &mut out,
            "trends_last_run_status",
            &labels,
            f64::from(u8::from(s == f.status)),
        );
    }
    if let Some(summary) = f.summary {
        per_source(&mut out, summary);
    }
    staleness(&mut out, f.freshness);
    out
}

/// Requests per outcome, observations and halts of the run's sources.
fn per_source(out: &mut String, summary: &Summary) {
    family(
        out,
        "trends_last_run_requests",
        "gauge",
        "Requests of the last run per source and outcome (skipped: planned, not sent).",
    );
    for (source, t) in &summary.sources {
        let outcomes = [
            ("ok", t.ok),
            ("no_data", t.no_data),
            ("http_error", t.http_error),
            ("transport_error", t.transport_error),
            ("parse_error", t.parse_error),
            ("skipped", t.skipped as u64),
        ];
        for (outcome, n) in outcomes {
            let labels = [("source", source.as_str()), ("outcome", outcome)];
            sample(out, "trends_last_run_requests", &labels, n as f64);
        }
    }
    family(
        out,
        "trends_last_run_observations_written",
        "gauge",
        "Observations the last run wrote (new or replacing a stored value), per source.",
    );
    for (source, t) in &summary.sources {
        let labels = [("source", source.as_str())];
        sample(
            out,
            "trends_last_run_observations_written",
            &labels,
            t.observations as f64,
        );
    }
    family(
        out,
        "trends_last_run_source_halted",
        "gauge",
        "1 when the source stopped early in the last run (failures in a row, a spent quota, a long Retry-After).",
    );
    for (source, t) in &summary.sources {
        let labels = [("source", source.as_str())];
        sample(
            out,
            "trends_last_run_source_halted",
            &labels,
            f64::from(u8::from(t.halted.is_some())),
        );
    }
}

/// The staleness of every enabled source.
fn staleness(out: &mut String, freshness: &[Freshness]) {
    family(
        out,
        "trends_source_last_observation_timestamp_seconds",
        "gauge",
        "When an answer last wrote an observation of the source (newest observed_at), seconds since the Unix epoch; absent when it never has.",
    );
    for f in freshness {
        if let Some(at) = f.newest {
            let labels = [("source", f.source.as_str())];
            sample(
                out,
                "trends_source_last_observation_timestamp_seconds",
                &labels,
                at.timestamp() as f64,
            );
        }
    }
    family(
        out,
        "trends_source_stale_after_seconds",
        "gauge",
        "How long the source may go without a new observation before it is stale.",
    );
    for f in freshness {
        let labels = [("source", f.source.as_str())];
        sample(
            out,
            "trends_source_stale_after_seconds",
            &labels,
            f64::from(f.stale_after_days) * 86_400.0,
        );
    }
    family(
        out,
        "trends_source_stale",
        "gauge",
        "1 when the source has had no new observation for longer than its stale_after_days (or none ever).",
    );
    for f in freshness {
        let labels = [("source", f.source.as_str())];
        sample(
            out,
            "trends_source_stale",
            &labels,
            f64::from(u8::from(f.stale)),
        );
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let help = help.replace('\\', "\\\\").replace('\n', "\\n");
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
}

/// Writes `text` to a temporary file in `path`'s folder and renames it
/// over `path`.
pub fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".trends-metrics")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "--metrics-file {}: cannot write in {}",
                path.display(),
                dir.display()
            )
        })?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("--metrics-file {}: cannot write", path.display()))?;
    // node_exporter reads as another user: the file is readable like one
    // written with the usual umask (tempfile makes it 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .with_context(|| format!("--metrics-file {}: cannot rename over it", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_every_sample_has_its_family() {
        let at = DateTime::from_timestamp(1_765_000_000, 500_000_000).expect("time");
        let text = render(&RunFigures {
            command: "co\"ll\\ect",
            started: at,
            ended: at + chrono::Duration::seconds(90),
            status: RunStatus::Partial,
            summary: None,
            freshness: &[],
        });
        assert!(text.contains("trends_last_run_start_timestamp_seconds{command=\"co\\\"ll\\\\ect\"} 1765000000.5\n"), "{text}");
        assert!(
            text.contains("trends_last_run_duration_seconds{command=\"co\\\"ll\\\\ect\"} 90\n"),
            "{text}"
        );
        assert!(
            text.contains("status=\"partial\"} 1\n") && text.contains("status=\"ok\"} 0\n"),
            "{text}"
        );
        assert!(!text.contains("# EOF"), "not OpenMetrics");
    }
}
