//! What the operator runs around `collect`: `trends config check`, the
//! systemd units, shell completions.

use crate::clients::root;
use crate::support;

fn trends(args: &[&str], vars: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = support::run(support::trends_bin().args(args).envs(vars.iter().copied()));
    (out.code, out.stdout, out.stderr)
}

fn shipped_config() -> String {
    root().join("config/trends.toml").display().to_string()
}

#[test]
fn config_check_passes_the_shipped_config_and_says_what_missing_tokens_cost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.duckdb").display().to_string();
    let config = shipped_config();
    let (code, out, err) = trends(&["--config", &config, "--db", &db, "config", "check"], &[]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("config "), "{out}");
    assert!(out.contains("catalog "), "{out}");
    assert!(out.contains("not there yet"), "{out}");
    for source in trends_sources::registry().iter().map(|s| s.id()) {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(source.as_str())),
            "{source} has no line in\n{out}"
        );
    }
    assert!(
        out.contains("STACKEXCHANGE_KEY not set: 300 requests a day"),
        "{out}"
    );
    assert!(
        out.contains("so a first collect takes 2 days (") && out.contains(" requests, 300 a day;"),
        "{out}"
    );
    assert!(
        out.contains("GITHUB_TOKEN not set: search is 10 a minute"),
        "{out}"
    );
    assert!(out.contains("placeholder"), "the shipped contact: {out}");
    let total = |text: &str| -> usize {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("total "))
            .expect("a total line");
        line.split_whitespace()
            .nth(1)
            .expect("n")
            .parse()
            .expect("a number")
    };
    let without = total(&out);

    // With a token, GitHub reads repositories 50 to a GraphQL query and
    // every year of a topic or language in one GraphQL search.
    let (code, with, err) = trends(
        &["--config", &config, "--db", &db, "config", "check"],
        &[("GITHUB_TOKEN", "ghp_x"), ("STACKEXCHANGE_KEY", "k")],
    );
    assert_eq!(code, Some(0), "{with}\n{err}");
    assert!(!with.contains("GITHUB_TOKEN not set"), "{with}");
    assert!(!with.contains("STACKEXCHANGE_KEY not set"), "{with}");
    assert!(
        with.contains("without STACKEXCHANGE_KEY a first collect would take 2 days (300 a day)"),
        "{with}"
    );
    // With a token the searches go through GraphQL, not the search lane, so
    // its search rate does not bind and is not worth raising.
    assert!(
        !with.contains("raise search_requests_per_minute to 30"),
        "{with}"
    );
    assert!(total(&with) * 10 < without * 8, "{with}");
    assert!(!with.contains("ghp_x"), "the token is never printed");
}

#[test]
fn config_check_lists_every_problem_of_config_and_catalog_with_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("trends.toml");
    std::fs::write(
        &config,
        r#"
contact = "ops@example.org"
databse = "x.duckdb"
first_year = 1990
[http]
timeout = 5
[sources.github]
base_url = "https://api.github.com"
tokn_env = "GITHUB_TOKEN"
[sources.bogus]
base_url = "https://example.org"
"#,
    )
    .expect("write config");
    std::fs::write(
        dir.path().join("catalog.toml"),
        r#"
[[technology]]
id = "go"
name = "Go"
category = "language"
stackoverflow_tags = "go"
[[technology]]
id = "go"
name = "Go again"
category = "language"
"#,
    )
    .expect("write catalog");
    let config = config.display().to_string();
    let (code, out, err) = trends(&["--config", &config, "config", "check"], &[]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    for needle in [
        "trends.toml",
        "databse: unknown key",
        "http.timeout: unknown key",
        "sources.github.tokn_env: unknown key",
        "[sources.bogus]: unknown source",
        "first_year = 1990",
        "catalog.toml",
        "stackoverflow_tags",
        "duplicate id `go`",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }

    // A file that is not TOML at all names the line.
    std::fs::write(&config, "contact = \"x\"\n[http\n").expect("write");
    let (code, _, err) = trends(&["--config", &config, "config", "check"], &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("line 2"), "{err}");
}

/// The value of `Key=` lines of a unit file.
fn unit_values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn the_systemd_units_run_commands_that_exist() {
    let units = root().join("contrib/systemd");
    let service =
        std::fs::read_to_string(units.join("trends-collect.service")).expect("the service");
    let timer = std::fs::read_to_string(units.join("trends-collect.timer")).expect("the timer");
    assert_eq!(unit_values(&timer, "Persistent"), ["true"]);
    assert!(!unit_values(&timer, "OnCalendar").is_empty());
    let stop: u64 = unit_values(&service, "TimeoutStopSec")[0]
        .parse()
        .expect("seconds");
    assert!(stop >= 30, "a stopped run needs time to store and publish");
    assert_eq!(unit_values(&service, "KillMode"), ["mixed"]);

    // Every command, with the unit's environment, against the built binary
    // and this checkout's config; collect as a dry run.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("trends.duckdb");
    let pre = unit_values(&service, "ExecStartPre");
    let start = unit_values(&service, "ExecStart");
    assert_eq!((pre.len(), start.len()), (1, 1));
    for (line, extra) in [(pre[0], None), (start[0], Some("--dry-run"))] {
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some("/usr/local/bin/trends"), "{line}");
        let mut cmd = support::trends_bin();
        cmd.args(words).args(extra);
        for assignment in unit_values(&service, "Environment") {
            let (name, _) = assignment.split_once('=').expect("NAME=value");
            let value = match name {
                "TRENDS_CONFIG" => shipped_config(),
                "TRENDS_DB" => db.display().to_string(),
                other => panic!("the test does not know {other}"),
            };
            cmd.env(name, value);
        }
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{line}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!db.exists(), "a dry run and a check write nothing");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, needle) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef trends"),
        ("fish", "complete -c trends"),
    ] {
        let (code, out, err) = trends(&["completions", shell], &[]);
        assert_eq!(code, Some(0), "{err}");
        assert!(out.contains(needle), "{shell}: {out}");
        assert!(out.contains("collect"), "{shell}: {out}");
    }
}
