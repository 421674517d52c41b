//! The operator's view of a night: the metrics file as Prometheus's own
//! parser reads it, `trends status --format json`, one summary line per
//! cause of failure (a night without network is one line), and stale
//! sources named.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::support::{Apis, Env, Faults};

/// The metrics file parsed by `prometheus_client.parser` (PyPI): its
/// families by name.
fn parse_metrics(path: &Path) -> BTreeMap<String, Value> {
    let out = Command::new(crate::clients::prometheus_python())
        .arg(crate::clients::root().join("tests/python/metrics.py"))
        .arg(path)
        .output()
        .expect("run metrics.py");
    assert!(
        out.status.success(),
        "prometheus_client could not parse {}:\n{}\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(path).unwrap_or_default()
    );
    let families: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    families
        .into_iter()
        .map(|f| (f["name"].as_str().expect("name").to_owned(), f))
        .collect()
}

/// The value of the sample of family `name` with exactly these labels.
fn value(families: &BTreeMap<String, Value>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let family = families
        .get(name)
        .unwrap_or_else(|| panic!("no family {name}"));
    assert_eq!(family["type"], "gauge", "{name}");
    let found: Vec<f64> = family["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .filter(|s| {
            let got = s["labels"].as_object().expect("labels");
            got.len() == labels.len()
                && labels
                    .iter()
                    .all(|(k, v)| got.get(*k).and_then(Value::as_str) == Some(*v))
        })
        .map(|s| s["value"].as_f64().expect("value"))
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {family}");
    found[0]
}

fn status_json(env: &Env) -> Value {
    let out = env.trends(&["status", "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn source<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["source"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {status}"))
}

const OUTCOMES: [&str; 5] = [
    "ok",
    "no_data",
    "http_error",
    "transport_error",
    "parse_error",
];

#[test]
fn the_metrics_file_is_what_prometheus_reads_and_says_what_the_run_did() {
    let apis = Apis::start(Faults::default());
    apis.answer_all(
        "se",
        Some(ResponseTemplate::new(500).set_body_string("{\"error_id\":500}")),
    );
    let env = Env::new(&apis);
    let metrics = env.db_path.with_file_name("textfile").join("trends.prom");
    std::fs::create_dir_all(metrics.parent().expect("dir")).expect("mkdir");
    let metrics_arg = metrics.display().to_string();
    let start = Instant::now();
    let out = env.trends(&["collect", "--metrics-file", &metrics_arg]);
    assert!(start.elapsed() < Duration::from_secs(90), "a hang");
    assert_eq!(out.code, Some(2), "{}", out.all());
    let leftovers: Vec<_> = std::fs::read_dir(metrics.parent().expect("dir"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, ["trends.prom"], "no temporary file left");
    let text = std::fs::read_to_string(&metrics).expect("metrics file");
    assert!(
        !text.contains("# EOF") && !text.contains("revision"),
        "{text}"
    );
    let m = parse_metrics(&metrics);

    let db = env.db();
    let status = |s: &str| {
        value(
            &m,
            "trends_last_run_status",
            &[("command", "collect"), ("status", s)],
        )
    };
    assert_eq!(
        (
            status("ok"),
            status("partial"),
            status("failed"),
            status("interrupted")
        ),
        (0.0, 1.0, 0.0, 0.0)
    );
    assert_eq!(db.strings("SELECT status FROM runs"), ["partial"]);
    let command = [("command", "collect")];
    let started = value(&m, "trends_last_run_start_timestamp_seconds", &command);
    let ended = value(&m, "trends_last_run_end_timestamp_seconds", &command);
    assert!((started - db.float("SELECT epoch(started_at) FROM runs")).abs() < 2.0);
    assert!((ended - db.float("SELECT epoch(finished_at) FROM runs")).abs() < 2.0);
    let took = value(&m, "trends_last_run_duration_seconds", &command);
    assert!(
        (took - (ended - started)).abs() < 0.01 && took >= 0.0,
        "{took}"
    );

    let mut requests = 0.0;
    for source in ["stackexchange", "github", "wikimedia"] {
        for outcome in OUTCOMES {
            let stored = db.int(&format!(
                "SELECT count(*) FROM raw_responses WHERE source = '{source}' AND outcome = '{outcome}'"
            ));
            let labels = [("source", source), ("outcome", outcome)];
            let n = value(&m, "trends_last_run_requests", &labels);
            assert_eq!(n, stored as f64, "{source} {outcome}");
            requests += n;
        }
        let halted = value(&m, "trends_last_run_source_halted", &[("source", source)]);
        assert_eq!(
            halted,
            f64::from(u8::from(source == "stackexchange")),
            "{source}"
        );
    }
    assert_eq!(requests, db.int("SELECT requests FROM runs") as f64);
    // 16 planned: 5 sent and failed in a row, the other 11 skipped.
    let skipped = [("source", "stackexchange"), ("outcome", "skipped")];
    assert_eq!(value(&m, "trends_last_run_requests", &skipped), 11.0);
    let http = [("source", "stackexchange"), ("outcome", "http_error")];
    assert_eq!(value(&m, "trends_last_run_requests", &http), 5.0);
    let written: f64 = ["stackexchange", "github", "wikimedia"]
        .iter()
        .map(|s| value(&m, "trends_last_run_observations_written", &[("source", s)]))
        .sum();
    assert_eq!(written, db.int("SELECT observations FROM runs") as f64);
    assert!(written > 0.0);

    // Stack Exchange never brought an observation: stale, and said so.
    let stale = |s: &str| value(&m, "trends_source_stale", &[("source", s)]);
    assert_eq!((stale("stackexchange"), stale("github")), (1.0, 0.0));
    let after = [("source", "wikimedia")];
    assert_eq!(
        value(&m, "trends_source_stale_after_seconds", &after),
        35.0 * 86_400.0
    );
    let newest = value(
        &m,
        "trends_source_last_observation_timestamp_seconds",
        &[("source", "github")],
    );
    assert!(
        (newest
            - db.float("SELECT epoch(max(observed_at)) FROM observations WHERE source = 'github'"))
        .abs()
            < 1.0
    );
    assert!(
        out.stdout
            .contains("stackexchange: no observation ever stored"),
        "{}",
        out.stdout
    );
}

#[test]
fn sigterm_still_leaves_a_metrics_file_saying_interrupted() {
    let slow = Apis::start(Faults {
        se_delay_ms: 300,
        ..Default::default()
    });
    let env = Env::new(&slow);
    let metrics = env.db_path.with_file_name("trends.prom");
    let metrics_arg = metrics.display().to_string();
    let child = env
        .command(&["collect", "--metrics-file", &metrics_arg])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start collect");
    let waiting = Instant::now();
    while slow.request_count() < 8 && waiting.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("reaped");
    assert_eq!(
        out.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = parse_metrics(&metrics);
    let status = |s: &str| {
        value(
            &m,
            "trends_last_run_status",
            &[("command", "collect"), ("status", s)],
        )
    };
    assert_eq!((status("interrupted"), status("ok")), (1.0, 0.0));
    let skipped = value(
        &m,
        "trends_last_run_requests",
        &[("source", "stackexchange"), ("outcome", "skipped")],
    );
    assert!(skipped > 0.0, "the rest is left for the next run");
}

#[test]
fn status_json_gives_runs_counts_failures_and_staleness() {
    let apis = Apis::start(Faults::default());
    apis.answer_all("se", Some(ResponseTemplate::new(503)));
    let env = Env::new(&apis);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    let s = status_json(&env);
    let db = env.db();
    assert_eq!(s["counts"]["runs"], 1);
    assert_eq!(
        s["counts"]["observations"],
        db.int("SELECT count(*) FROM observations")
    );
    assert_eq!(
        s["counts"]["raw_responses"],
        db.int("SELECT count(*) FROM raw_responses")
    );
    let run = &s["runs"][0];
    assert_eq!(run["status"], "partial");
    assert_eq!(run["command"], "collect");
    assert_eq!(run["requests"], db.int("SELECT requests FROM runs"));
    assert_eq!(run["responses_failed"], 5);
    assert!(run["finished_at"].is_string(), "{run}");
    let failures = s["last_run_failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 5);
    assert!(
        failures
            .iter()
            .all(|f| f["source"] == "stackexchange" && f["outcome"] == "http_error")
    );
    let github = source(&s, "github");
    assert_eq!(
        (github["stale"].clone(), github["stale_after_days"].clone()),
        (false.into(), 2.into())
    );
    assert!(!github["coverage"].as_array().expect("coverage").is_empty());
    let se = source(&s, "stackexchange");
    assert_eq!(
        (se["stale"].clone(), se["newest_observation"].clone()),
        (true.into(), Value::Null)
    );

    // GitHub's newest observation ten days old: stale past its 2 days.
    db.strings("UPDATE observations SET observed_at = observed_at - INTERVAL 10 DAY WHERE source = 'github' RETURNING source");
    drop(db);
    let s = status_json(&env);
    assert_eq!(source(&s, "github")["stale"], true, "{s}");
    assert_eq!(source(&s, "wikimedia")["stale"], false, "{s}");
    let text = env.trends(&["status"]);
    assert!(
        text.stdout
            .contains("github: no new observation for 10 days"),
        "{}",
        text.stdout
    );
    // `stale_after_days` in its table gives it longer.
    let config = std::fs::read_to_string(&env.config).expect("config");
    let config = config.replace(
        "[sources.github]\n",
        "[sources.github]\nstale_after_days = 30\n",
    );
    std::fs::write(&env.config, config).expect("config");
    let s = status_json(&env);
    let github = source(&s, "github");
    assert_eq!(
        (github["stale"].clone(), github["stale_after_days"].clone()),
        (false.into(), 30.into())
    );
}

const CATALOG: &str = r#"
[[technology]]
id = "python"
name = "Python"
category = "language"
stackoverflow_tag = "python"
github_language = "Python"
wikipedia_article = "Python_(programming_language)"
"#;

/// No pacing in the way of a test.
const FAST: &str = "requests_per_minute = 100000\n";

#[test]
fn a_night_without_network_is_one_line_and_two_causes_two_lines() {
    let nowhere = "http://nonexistent.invalid";
    let tables = format!(
        "[http]\nmax_retries = 0\nmax_consecutive_failures = 2\n\
         [sources.stackexchange]\nbase_url = \"{nowhere}\"\n{FAST}\
         [sources.github]\nbase_url = \"{nowhere}\"\n{FAST}search_requests_per_minute = 100000\n\
         [sources.wikimedia]\nbase_url = \"{nowhere}\"\n{FAST}"
    );
    let year = crate::support::this_year() - 1;
    let env = Env::custom(year, CATALOG, &tables);
    let start = Instant::now();
    let out = env.trends(&["collect"]);
    assert!(start.elapsed() < Duration::from_secs(60), "a hang");
    assert_eq!(out.code, Some(1), "nothing landed: {}", out.all());
    let line = "no network: every source failed to resolve its host (3 sources)";
    assert_eq!(out.stdout.matches(line).count(), 1, "{}", out.stdout);
    assert!(!out.stdout.contains("dns error"), "{}", out.stdout);
    assert_eq!(env.db().strings("SELECT error FROM runs"), [line]);

    // Two causes: one host that does not resolve, one API answering 503.
    let apis = Apis::start(Faults::default());
    apis.answer_all(
        "wm",
        Some(ResponseTemplate::new(503).set_body_string("down")),
    );
    let uri = apis.uri();
    env.rewrite(
        year,
        &format!(
            "[http]\nmax_retries = 0\nmax_consecutive_failures = 2\n\
             [sources.stackexchange]\nbase_url = \"{nowhere}\"\n{FAST}\
             [sources.github]\nbase_url = \"{uri}/gh\"\n{FAST}search_requests_per_minute = 100000\n\
             [sources.wikimedia]\nbase_url = \"{uri}/wm/api/rest_v1\"\n{FAST}"
        ),
    );
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    let why: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| l.trim() != "why:")
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(str::trim)
        .collect();
    assert_eq!(why.len(), 2, "{}", out.stdout);
    assert!(
        why.contains(&"stackexchange: failed to resolve its host"),
        "{why:?}"
    );
    assert!(
        why.iter()
            .any(|l| l.starts_with("wikimedia: ") && l.contains("http_error") && l.contains("503")),
        "{why:?}"
    );
    let error = env
        .db()
        .strings("SELECT error FROM runs ORDER BY id DESC LIMIT 1");
    assert_eq!(error, [why.join("; ")]);
}
