//! End-to-end tests of the `trends` binary: collect against local servers
//! that answer with the real APIs' recorded bodies (tests/fixtures), then
//! read the DuckDB file and the report as a user would.

mod clients;
mod faults;
mod forecast;
mod matrix;
mod operator;
mod ops;
mod page;
mod readers;
mod readme;
mod realdemo;
mod sources;
mod stars;
mod stress;
mod support;

use support::{Apis, Env, read_csv};

#[test]
fn collect_then_report_ranks_every_category_from_all_three_sources() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);

    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "collect failed:\n{}", out.all());
    assert!(out.stdout.contains("collect ok"), "{}", out.stdout);

    let db = env.db();
    let sources: Vec<String> = db.strings("SELECT DISTINCT source FROM observations ORDER BY 1");
    assert_eq!(sources, ["github", "stackexchange", "wikimedia"]);
    // Every archived response has its body and no secret-bearing URL.
    assert_eq!(
        db.int("SELECT count(*) FROM raw_responses WHERE outcome <> 'ok' AND request_key NOT LIKE 'github/star_%'"),
        0
    );
    // The star history's pages and count: checked, no number alone.
    assert_eq!(
        db.int("SELECT count(*) FROM raw_responses WHERE request_key LIKE 'github/star_%' AND outcome <> 'no_data'"),
        0
    );
    assert_eq!(
        db.int("SELECT count(*) FROM raw_responses"),
        db.int("SELECT count(DISTINCT request_key) FROM raw_responses")
    );
    // Stack Overflow totals land as they were served.
    let y = env.last_year;
    assert_eq!(
        db.float(&format!(
            "SELECT value FROM observations WHERE tech_id = 'python' AND source = 'stackexchange' AND period_start = DATE '{y}-01-01'"
        )),
        support::so_total("python", y) as f64
    );
    drop(db);

    let out = env.trends(&["report", "--year", &y.to_string(), "--format", "csv"]);
    assert_eq!(out.code, Some(0), "report failed:\n{}", out.all());
    let rows = read_csv(&out.stdout);
    let header = &rows[0];
    for col in [
        "year",
        "category",
        "rank",
        "technology",
        "score",
        "signals_used",
        "rank_change",
        "stackexchange_questions",
        "github_language_repos_created",
        "github_topic_repos_created",
        "wikimedia_pageviews",
    ] {
        assert!(
            header.iter().any(|h| h == col),
            "missing column {col} in {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let ranked: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[col("category")].clone(),
                r[col("rank")].clone(),
                r[col("tech_id")].clone(),
            )
        })
        .collect();
    // Python leads every language signal; Go overtook Rust this year.
    assert_eq!(
        ranked
            .iter()
            .filter(|r| r.0 == "language")
            .map(|r| (r.1.as_str(), r.2.as_str()))
            .collect::<Vec<_>>(),
        [("1", "python"), ("2", "go"), ("3", "rust")]
    );
    let go = rows[1..]
        .iter()
        .find(|r| r[col("tech_id")] == "go")
        .expect("go row");
    assert_eq!(go[col("rank_change")], "1", "go rose from 3rd to 2nd");
    assert_eq!(go[col("year")], y.to_string());
    // Frameworks are ranked among themselves.
    let frameworks: Vec<&str> = ranked
        .iter()
        .filter(|r| r.0 == "framework")
        .map(|r| r.2.as_str())
        .collect();
    assert_eq!(frameworks, ["django", "flask"]);
    // Flask has no Wikipedia article in this catalog: its cell is empty, not 0.
    let flask = rows[1..]
        .iter()
        .find(|r| r[col("tech_id")] == "flask")
        .expect("flask row");
    assert_eq!(flask[col("wikimedia_pageviews")], "");
    // Questions, topic repositories, and from the star history last
    // year's stars and their gain.
    assert_eq!(flask[col("signals_used")], "4");
}

#[test]
fn a_second_run_over_the_same_data_leaves_the_same_observations() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let first = env.db().strings(
        "SELECT tech_id || '|' || source || '|' || metric || '|' || period_start || '|' || value FROM observations ORDER BY ALL",
    );
    let techs = env.db().int("SELECT count(*) FROM technologies");
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let db = env.db();
    let second = db.strings(
        "SELECT tech_id || '|' || source || '|' || metric || '|' || period_start || '|' || value FROM observations ORDER BY ALL",
    );
    assert!(!first.is_empty());
    assert_eq!(first, second);
    assert_eq!(db.int("SELECT count(*) FROM technologies"), techs);
    assert_eq!(db.int("SELECT count(*) FROM runs WHERE status = 'ok'"), 2);
    // Each observation points at the latest response it came from.
    assert_eq!(
        db.int("SELECT count(*) FROM observations o JOIN raw_responses r ON r.id = o.raw_id WHERE r.run_id = o.run_id"),
        second.len() as i64
    );
}

#[test]
fn a_malformed_body_is_recorded_as_failed_while_other_sources_land() {
    let apis = Apis::start(support::Faults {
        truncate_so_tag: Some("go"),
        ..Default::default()
    });
    let env = Env::new(&apis);
    let out = env.trends(&["collect"]);
    assert_eq!(
        out.code,
        Some(2),
        "some failed, others landed:\n{}",
        out.all()
    );
    assert!(out.stdout.contains("collect partial"), "{}", out.stdout);
    assert!(out.stdout.contains("parse_error"), "{}", out.stdout);

    let db = env.db();
    let failed = db.strings(
        "SELECT request_key || ' ' || outcome || ' ' || (body IS NOT NULL) FROM raw_responses WHERE outcome NOT IN ('ok', 'no_data') ORDER BY 1",
    );
    assert_eq!(failed.len(), 3, "one per year of the go tag: {failed:?}");
    assert!(
        failed.iter().all(
            |f| f.starts_with("stackexchange/questions/go/") && f.ends_with("parse_error true")
        )
    );
    assert_eq!(
        db.int(
            "SELECT count(*) FROM observations WHERE tech_id = 'go' AND source = 'stackexchange' AND metric = 'questions'"
        ),
        0
    );
    assert!(
        db.int("SELECT count(*) FROM observations WHERE tech_id = 'go' AND source = 'github'") > 0
    );
    assert!(db.int("SELECT count(*) FROM observations WHERE source = 'wikimedia'") > 0);
    let error: String = db.strings("SELECT error FROM runs")[0].clone();
    assert!(error.contains("stackexchange"), "{error}");
}

#[test]
fn a_broken_config_is_refused_naming_the_file_and_key() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    std::fs::write(
        &env.config,
        "contact = \"x@example.org\"\nfirst_yeer = 2015\n[sources.stackexchange]\nbase_url = \"http://127.0.0.1:1\"\n",
    )
    .expect("write config");
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("trends.toml"), "{}", out.stderr);
    assert!(out.stderr.contains("first_yeer"), "{}", out.stderr);
    assert!(
        !env.db_path.exists(),
        "nothing is created on a config error"
    );
}

#[test]
fn report_without_a_database_says_what_to_run() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends(&["report", "--year", "2023"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("trends collect"), "{}", out.stderr);
}

#[test]
fn a_second_run_the_same_day_fetches_nothing_already_stored() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let first = env.db().int("SELECT count(*) FROM raw_responses");
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains("collect ok: 0 requests"),
        "{}",
        out.stdout
    );
    assert_eq!(env.db().int("SELECT count(*) FROM raw_responses"), first);
    // --refresh asks again for everything.
    let out = env.trends(&["collect", "--refresh", "--sources", "stackexchange"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let so_requests = env
        .db()
        .int("SELECT count(*) FROM raw_responses WHERE source = 'stackexchange'");
    assert_eq!(
        env.db().int("SELECT count(*) FROM raw_responses"),
        first + so_requests / 2
    );
}

#[test]
fn dry_run_prints_the_plan_without_secrets_and_changes_nothing() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends_with_env(
        &["collect", "--dry-run", "--techs", "python,django"],
        &[
            ("GITHUB_TOKEN", "ghp_SECRETSECRET"),
            ("STACKEXCHANGE_KEY", "SEKEYSECRET"),
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    // Years: the two before this one, and this one unless today is January 1.
    let years = if chrono::Utc::now().format("%m-%d").to_string() == "01-01" {
        2
    } else {
        3
    };
    // With a token: python: SO per year + 1 GraphQL language search (every
    // year in one query) + 1 article; django: SO per year + 1 GraphQL
    // repository query + 1 GraphQL topic search + 1 article; and one Stack
    // Exchange batch of both tags' all-time totals; and django's star
    // history: pages back to the year-end before the first year (210 days a
    // page, two weeks of slack) and the count.
    let today = chrono::Utc::now().date_naive();
    let oldest =
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - 3, 12, 31).expect("date");
    let pages = ((today - oldest).num_days() + 14 + 209) / 210;
    let expected = 2 * years + 6 + i32::try_from(pages).expect("pages") + 1;
    assert!(
        out.stdout
            .contains(&format!("dry run: {expected} requests would be made")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("/se/2.3/questions?tagged=python&site=stackoverflow&fromdate="),
        "{}",
        out.stdout
    );
    assert!(!out.all().contains("SECRET"), "{}", out.all());
    assert!(!env.db_path.exists());
}

#[test]
fn tokens_reach_the_apis_but_never_the_database_or_the_output() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends_with_env(
        &["-vv", "collect"],
        &[
            ("GITHUB_TOKEN", "ghp_SECRETSECRET"),
            ("STACKEXCHANGE_KEY", "SEKEYSECRET"),
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(!out.all().contains("SECRET"), "{}", out.all());
    let bytes = std::fs::read(&env.db_path).expect("database file");
    assert!(!bytes.windows(6).any(|w| w == b"SECRET"));
    let db = env.db();
    assert_eq!(db.int("SELECT count(*) FROM raw_responses WHERE url LIKE '%SECRET%' OR request LIKE '%SECRET%'"), 0);
    assert!(
        apis.saw_secret("ghp_SECRETSECRET", "SEKEYSECRET"),
        "the secrets were sent to the APIs"
    );
    // With a token, both repositories' counts came in one GraphQL query,
    // the same numbers REST gives (see the first test).
    assert_eq!(
        db.strings("SELECT request_key FROM raw_responses WHERE source = 'github' AND request_key NOT LIKE 'github/%search%' AND request_key NOT LIKE 'github/star_%'"),
        [format!(
            "github/graphql_repos/django/django;pallets/flask/{}",
            trends_core::Period::snapshot(chrono::Utc::now().date_naive())
        )]
    );
    assert_eq!(
        db.float("SELECT value FROM observations WHERE tech_id = 'django' AND metric = 'stars'"),
        80_000.0
    );
}

#[test]
fn graphql_search_with_a_token_stores_the_numbers_rest_search_stores() {
    let counts = |token: Option<&str>| {
        let apis = Apis::start(Default::default());
        let env = Env::new(&apis);
        let out = match token {
            Some(t) => {
                env.trends_with_env(&["collect", "--sources", "github"], &[("GITHUB_TOKEN", t)])
            }
            None => env.trends(&["collect", "--sources", "github"]),
        };
        assert_eq!(out.code, Some(0), "{}", out.all());
        let db = env.db();
        let searches =
            db.int("SELECT count(*) FROM raw_responses WHERE request_key LIKE 'github/%search%'");
        let rows = db.strings(
            "SELECT tech_id || ' ' || metric || ' ' || period_start || '..' || period_end || ' ' || value
             FROM observations WHERE metric LIKE '%repos_created' ORDER BY ALL",
        );
        (searches, rows)
    };
    let (rest_requests, rest) = counts(None);
    let (graphql_requests, graphql) = counts(Some("ghp_SECRETSECRET"));
    assert!(!rest.is_empty());
    assert_eq!(graphql, rest, "both paths store the same numbers");
    // One query per topic or language instead of one search per year.
    assert!(
        graphql_requests * 2 <= rest_requests,
        "{graphql_requests} GraphQL vs {rest_requests} REST searches"
    );
}

#[test]
fn a_second_collect_while_one_runs_exits_3_naming_the_lock_and_changes_nothing() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let lock_path = env.db_path.with_extension("duckdb.lock");
    let holder = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&lock_path)
        .expect("lock file");
    holder
        .try_lock()
        .expect("take the lock as another run would");
    std::fs::write(&lock_path, "4242").expect("holder pid");
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(out.stderr.contains("trends.duckdb.lock"), "{}", out.stderr);
    assert!(out.stderr.contains("pid 4242"), "{}", out.stderr);
    assert!(!env.db_path.exists(), "nothing changed");
}

const OBSERVATIONS: &str = "SELECT tech_id || '|' || source || '|' || metric || '|' || grain || '|' || period_start || '|' || period_end || '|' || value FROM observations ORDER BY ALL";

/// After a run cut short (`what`: killed, interrupted): `db` holds part of
/// the `expected` observations of an uninterrupted run and nothing else,
/// each pointing at its archived answer; then the next run, with the lock
/// free, completes the tables to exactly `expected`.
fn cut_short_then_completed(env: &Env, db: support::Db, expected: &[String], what: &str) {
    let stored = db.strings(OBSERVATIONS);
    assert!(stored.len() < expected.len(), "the {what} came mid-run");
    assert!(
        stored.iter().all(|o| expected.contains(o)),
        "what landed is what an uninterrupted run has"
    );
    assert_eq!(
        db.int("SELECT count(*) FROM observations o LEFT JOIN raw_responses r ON r.id = o.raw_id WHERE r.id IS NULL"),
        0,
        "every observation that landed points at an archived response"
    );
    drop(db);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), expected);
}

#[test]
fn a_killed_run_followed_by_a_normal_run_gives_the_tables_of_an_uninterrupted_run() {
    // The reference: one uninterrupted run.
    let apis = Apis::start(Default::default());
    let reference = Env::new(&apis);
    assert_eq!(reference.trends(&["collect"]).code, Some(0));
    let expected = reference.db().strings(OBSERVATIONS);

    // A slow Stack Exchange so that the kill lands mid-run.
    let slow = Apis::start(support::Faults {
        se_delay_ms: 150,
        ..Default::default()
    });
    let env = Env::new(&slow);
    let mut child = env.command(&["collect"]).spawn().expect("start collect");
    // Killed once requests are being answered (so the run has begun and
    // some answers are stored), however slow the machine is today.
    let waiting = std::time::Instant::now();
    while slow.request_count() < 12 && waiting.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("kill -9"); // SIGKILL on Unix
    let status = child.wait().expect("reaped");
    assert!(!status.success(), "the run was killed before it finished");

    assert!(
        !env.db_path.exists(),
        "a first run that never ended publishes nothing for analysts"
    );
    let db = env.work_db();
    let running =
        db.int("SELECT count(*) FROM runs WHERE status = 'running' AND finished_at IS NULL");
    assert_eq!(running, 1, "the killed run is visible as never finished");
    cut_short_then_completed(&env, db, &expected, "kill");
}

#[test]
fn renormalize_rebuilds_the_same_observations_from_the_archive() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let before = env.db().strings(OBSERVATIONS);
    env.work_db()
        .strings("DELETE FROM observations RETURNING tech_id");
    assert_eq!(env.work_db().int("SELECT count(*) FROM observations"), 0);
    let requests = apis.request_count();
    let out = env.trends(&["renormalize"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), before);
    assert_eq!(apis.request_count(), requests, "no network");
}

#[test]
fn status_shows_runs_failures_and_coverage() {
    let apis = Apis::start(support::Faults {
        truncate_so_tag: Some("rust"),
        ..Default::default()
    });
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(2));
    let out = env.trends(&["status"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("partial"), "{}", out.stdout);
    assert!(out.stdout.contains("parse_error"), "{}", out.stdout);
    assert!(out.stdout.contains("tagged=rust"), "{}", out.stdout);
    let y = env.last_year;
    assert!(
        out.stdout.contains(&format!("{y}:4/100%")),
        "{}",
        out.stdout
    );
    // What a first collect of the catalog costs without a key.
    assert!(
        out.stdout
            .contains("a first collect of the catalog without a key:"),
        "{}",
        out.stdout
    );
    let line = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("stackexchange ") && l.contains(" requests at "))
        .unwrap_or_default();
    assert!(line.contains(" a day: 1 day ("), "{line}");
}

#[test]
fn json_logs_are_one_object_per_line_for_cron() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends(&["-v", "--log-format", "json", "collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
    // Not a terminal: no progress bars on stdout.
    assert!(!out.stdout.contains('['), "{}", out.stdout);
}

#[test]
fn an_unknown_technology_or_source_is_refused_before_anything_runs() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends(&["collect", "--techs", "python,cobol"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("cobol"), "{}", out.stderr);
    let out = env.trends(&["collect", "--sources", "myspace"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("unknown source `myspace`"),
        "{}",
        out.stderr
    );
    assert!(!env.db_path.exists());
    assert_eq!(apis.request_count(), 0);
}

#[test]
fn sources_lists_every_source_with_signals_limits_and_auth() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    let out = env.trends_with_env(&["sources"], &[("GITHUB_TOKEN", "ghp_SECRETSECRET")]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    for line in [
        "stackexchange (enabled)",
        "github (enabled)",
        "wikimedia (enabled)",
        "stackexchange_questions",
        "github_stars",
        "snapshot",
        "GITHUB_TOKEN (set)",
        "STACKEXCHANGE_KEY (not set)",
    ] {
        assert!(
            out.stdout.contains(line),
            "missing {line:?} in\n{}",
            out.stdout
        );
    }
    assert!(!out.all().contains("SECRET"));
}

#[test]
fn report_all_years_and_every_format() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let out = env.trends(&["report", "--all-years", "--format", "csv"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let rows = read_csv(&out.stdout);
    let years: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let y = env.last_year;
    // The collected years, and the year-end before them that the star
    // history gives (the first year's gain needs it).
    let expected: std::collections::BTreeSet<String> = [y - 2, y - 1, y, y + 1]
        .iter()
        .map(|y| y.to_string())
        .collect();
    assert_eq!(years, expected.iter().map(String::as_str).collect());
    let out = env.trends(&["report", "--year", &y.to_string(), "--format", "md"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains(&format!("## {y} languages")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("| 1 | Python |"), "{}", out.stdout);
    let out = env.trends(&[
        "report",
        "--year",
        &y.to_string(),
        "--format",
        "json",
        "--category",
        "framework",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON report");
    let ids: Vec<&str> = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["tech"].as_str())
        .collect();
    assert_eq!(ids, ["django", "flask"]);
    let out_file = env.db_path.with_file_name("ranking.csv");
    let out = env.trends(&[
        "report",
        "--year",
        &y.to_string(),
        "--out",
        out_file.to_str().expect("path"),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let text = std::fs::read_to_string(&out_file).expect("written");
    assert!(
        text.starts_with("year,category,rank,technology,tech_id,score,"),
        "{text}"
    );
}

/// The report's fixed CSV columns (the per-signal values are in
/// `yearly_signals`), as `trends report --all-years --format csv` prints them.
const RANKING_COLUMNS: [&str; 18] = [
    "year",
    "category",
    "rank",
    "technology",
    "tech_id",
    "score",
    "signals_used",
    "coverage",
    "partial",
    "rank_change",
    "score_change",
    "momentum",
    "driver",
    "signal_rank_best",
    "signal_rank_worst",
    "disputed",
    "low_coverage",
    "unranked_reason",
];

/// Asserts that the `rankings` table holds `trends report --all-years
/// --format csv` row for row, and returns the rows.
fn rankings_table_is_the_report(env: &Env) -> Vec<String> {
    let out = env.trends(&["report", "--all-years", "--format", "csv"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let rows = read_csv(&out.stdout);
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect("column");
    let from_report: Vec<String> = rows[1..]
        .iter()
        .map(|r| {
            RANKING_COLUMNS
                .iter()
                .map(|c| r[col(c)].as_str())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    let cell = |c: &str| match c {
        "score" | "coverage" | "score_change" | "momentum" => {
            format!("coalesce(printf('%.2f', {c}), '')")
        }
        _ => format!("coalesce(CAST({c} AS VARCHAR), '')"),
    };
    let cells: Vec<String> = RANKING_COLUMNS.iter().map(|c| cell(c)).collect();
    let from_table = env.db().strings(&format!(
        "SELECT {} FROM rankings
         ORDER BY year, CASE category WHEN 'language' THEN 1 WHEN 'framework' THEN 2 ELSE 3 END,
                  rank NULLS LAST, tech_id",
        cells.join(" || '|' || ")
    ));
    assert_eq!(from_table, from_report);
    assert!(!from_table.is_empty());
    from_table
}

#[test]
fn the_rankings_table_is_the_report() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    rankings_table_is_the_report(&env);
    let db = env.db();
    assert_eq!(
        db.strings("SELECT DISTINCT method || '|' || weights || '|' || min_signals FROM rankings"),
        ["share||1"]
    );
}

#[test]
fn the_rankings_table_follows_the_configs_weights_and_min_signals() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let plain = rankings_table_is_the_report(&env);
    let mut text = std::fs::read_to_string(&env.config).expect("config");
    text.push_str(
        "[report]\nmin_signals = 3\n[report.weights]\nstackexchange_questions = 3.0\ngithub_stars_gain = 0.5\n",
    );
    std::fs::write(&env.config, text).expect("config");
    // Renormalize writes the database too, and ranks with the new config.
    let out = env.trends(&["renormalize"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let weighted = rankings_table_is_the_report(&env);
    assert_ne!(
        weighted, plain,
        "the weights and min_signals change the ranking"
    );
    let db = env.db();
    assert_eq!(
        db.strings("SELECT DISTINCT weights || '|' || min_signals FROM rankings"),
        ["github_stars_gain=0.5,stackexchange_questions=3|3"]
    );
    assert!(
        db.int("SELECT count(*) FROM rankings WHERE rank IS NULL AND signals_used < 3") > 0,
        "min_signals leaves technologies unranked, as the report does"
    );
}

#[test]
fn demo_fills_every_source_and_its_database_serves_the_analyst() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.duckdb");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new(support::trends_binary())
        .arg("--config")
        .arg(root.join("config/trends.toml"))
        .args(["demo", "--synthetic"])
        .arg("--db")
        .arg(&db)
        .env_remove("TRENDS_DB")
        .env_remove("RUST_LOG")
        .env("GITHUB_TOKEN", "ghp_SECRETSECRET")
        .output()
        .expect("run trends demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("SYNTHETIC"), "{stderr}");
    assert!(!stdout.contains("SECRET") && !stderr.contains("SECRET"));
    for heading in ["languages", "frameworks", "practices"] {
        assert!(
            stdout.contains(heading),
            "no {heading} ranking in\n{stdout}"
        );
    }
    assert!(
        trends_store::file::storage_number(&db)
            .expect("header")
            .is_some_and(|n| n <= trends_store::file::MAX_READABLE),
        "demo.duckdb is in a storage DuckDB 1.4 reads"
    );
    let db = support::Db::read_only(&db);
    let sources = db.strings("SELECT DISTINCT source FROM observations ORDER BY 1");
    let mut every: Vec<&str> = trends_sources::registry()
        .iter()
        .map(|s| s.id().as_str())
        .collect();
    every.sort_unstable();
    assert_eq!(sources, every, "trends demo covers every source");
    assert_eq!(
        db.int("SELECT count(*) FROM demo_provenance"),
        0,
        "no signal of the synthetic demo is marked real"
    );
    // The demo never sends a token (not even one from the environment), so
    // repository counts come the REST way a newcomer without one gets.
    assert_eq!(
        db.int(
            "SELECT count(*) FROM raw_responses WHERE request_key LIKE 'github/graphql_repos/%'"
        ),
        0
    );
    assert!(db.int("SELECT count(*) FROM observations WHERE metric = 'stars'") >= 17);
    assert_eq!(
        db.int("SELECT count(*) FROM raw_responses WHERE outcome NOT IN ('ok', 'no_data')"),
        0
    );

    // Every analyst example runs against the demo database and returns rows.
    let mut files: Vec<_> = std::fs::read_dir(root.join("sql/examples"))
        .expect("sql/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let sql = std::fs::read_to_string(&file).expect("read example");
        let rows = db
            .row_count(&sql)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(rows > 0, "{} returned no rows", file.display());
    }
    let path = dir.path().join("demo.duckdb");
    drop(db);

    // And Python duckdb 2.0 reads it as an analyst would.
    let text = support::python_analyst(&path);
    assert!(text.contains("ok: "), "{text}");

    // So do the clients analysts have: Python duckdb 1.4 LTS, 1.5, 2.0 and
    // the DuckDB CLI 1.4 and 1.5, every example and both views.
    for version in clients::PYTHON {
        let text = clients::python_examples(version, &path);
        assert!(
            text.contains(&format!("ok: duckdb {version}")),
            "{version}: {text}"
        );
    }
    for version in clients::CLI {
        for (name, sql) in clients::examples() {
            let lines = clients::cli_query(version, &path, &sql);
            assert!(
                lines.len() > 1,
                "DuckDB CLI {version}, {name}: no rows\n{lines:?}"
            );
        }
    }

    // The reports of a closed year are snapshots: a change of method or
    // data shows up as a reviewed diff (`cargo insta review`, or
    // INSTA_UPDATE=always and read the diff). 2023 is closed, so the demo's
    // synthetic numbers for it do not depend on the day of the run.
    for (format, ext) in [("csv", "csv"), ("md", "md"), ("json", "json")] {
        let out = std::process::Command::new(support::trends_binary())
            .args(["report", "--year", "2023", "--format", format, "--db"])
            .arg(&path)
            .output()
            .expect("run trends report");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::assert_snapshot!(
            format!("demo_report_2023_{ext}"),
            String::from_utf8_lossy(&out.stdout)
        );
    }

    // The catalog's groups rank as one technology each.
    let out = std::process::Command::new(support::trends_binary())
        .arg("--config")
        .arg(root.join("config/trends.toml"))
        .args([
            "report", "--year", "2023", "--group", "--format", "csv", "--db",
        ])
        .arg(&path)
        .output()
        .expect("run trends report --group");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = read_csv(&String::from_utf8_lossy(&out.stdout));
    let ids: Vec<&str> = rows.iter().skip(1).map(|r| r[4].as_str()).collect();
    assert!(
        ids.contains(&"javascript-typescript") && ids.contains(&"rust-web"),
        "{ids:?}"
    );
    assert!(
        !ids.contains(&"javascript") && !ids.contains(&"axum"),
        "{ids:?}"
    );

    // The methods can be compared on the data.
    let out = std::process::Command::new(support::trends_binary())
        .args(["report", "--compare-methods", "--db"])
        .arg(&path)
        .output()
        .expect("run trends report --compare-methods");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for method in ["share", "log-share", "percentile"] {
        assert!(text.contains(&format!("  {method} ")), "{text}");
    }

    // And a reader gets the charts.
    let charts = dir.path().join("charts");
    let out = std::process::Command::new(support::trends_binary())
        .args(["chart", "--tech", "django", "--db"])
        .arg(&path)
        .arg("--out")
        .arg(&charts)
        .output()
        .expect("run trends chart");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "ranks-language",
        "ranks-framework",
        "ranks-practice",
        "signals-django",
    ] {
        let svg = std::fs::read_to_string(charts.join(format!("{name}.svg"))).expect("svg written");
        assert!(svg.starts_with("<svg") && svg.contains("<circle"), "{name}");
    }

    // The Parquet export reads back with the same numbers per source and
    // year, partitioned as source=…/year=…/, and a second export replaces
    // the first.
    let export = dir.path().join("lake");
    let parquet = |target: &std::path::Path| {
        std::process::Command::new(support::trends_binary())
            .args(["export", "--db"])
            .arg(&path)
            .arg("--parquet")
            .arg(target)
            .output()
            .expect("run trends export")
    };
    for _ in 0..2 {
        let out = parquet(&export);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(export.join("_trends_export.json").is_file());
    assert!(
        export
            .join("observations/source=wikimedia/year=2020")
            .is_dir()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let db = support::Db::from(duckdb::Connection::open(&path).expect("reopen demo.duckdb"));
    let per_year = |from: &str| {
        db.strings(&format!(
            "SELECT source || '|' || year || '|' || count(*) || '|' || printf('%.1f', sum(value))
             FROM {from} GROUP BY source, year ORDER BY source, year"
        ))
    };
    let glob = |table: &str| {
        format!(
            "read_parquet('{}/{table}/**/*.parquet', hive_partitioning = true)",
            export.display()
        )
    };
    let stored = per_year("(SELECT *, year(period_start) AS year FROM observations)");
    assert!(stored.len() > 13, "{stored:?}");
    assert_eq!(per_year(&glob("observations")), stored);
    assert_eq!(
        per_year(&glob("yearly_signals")),
        per_year("yearly_signals")
    );
    drop(db);

    // A folder holding something else is refused and left as it was.
    let foreign = dir.path().join("charts");
    let out = parquet(&foreign);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is not empty and is not an earlier trends export"),
        "{stderr}"
    );
    assert!(foreign.join("signals-django.svg").is_file());
}

#[test]
fn the_benchmarks_run_and_report_what_they_measured() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bench = |args: &[&str]| {
        let out = std::process::Command::new(support::trends_binary())
            .arg("--config")
            .arg(root.join("config/trends.toml"))
            .arg("bench")
            .args(args)
            .output()
            .expect("run trends bench");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    // The load path through collect's own code, then the engine alone.
    let load = bench(&["--observations", "2400", "--batch", "7"]);
    assert!(load.contains("20 responses, 2400 observations"), "{load}");
    assert!(load.contains("observations/s overall"), "{load}");
    assert!(
        load.contains("engine alone, 2400 pre-staged rows in transactions of 840"),
        "{load}"
    );
    let report = bench(&["--report", "--observations", "30000"]);
    assert!(
        report.contains("report: every category and year"),
        "{report}"
    );
}
