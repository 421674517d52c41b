//! A night that goes wrong, end to end: an API that is down or rate limits
//! forever, a run that hits its deadline, SIGTERM and Ctrl-C. Each run must
//! end in bounded time (the bounds are loose: they catch hangs, not speed),
//! store what arrived and nothing made up, say why, and leave a file the
//! next run completes to exactly the tables of a run that never failed.

use std::process::Child;
use std::time::{Duration, Instant};

use wiremock::ResponseTemplate;

use crate::OBSERVATIONS;
use crate::support::{Apis, Env, Faults, Output};

/// Stack Exchange's own error body (`error_id`, `error_message`,
/// `error_name`), as for every other error of its API.
fn se_internal_error() -> ResponseTemplate {
    ResponseTemplate::new(500).set_body_raw(
        r#"{"error_id":500,"error_message":"An internal error has occurred","error_name":"internal_error"}"#,
        "application/json; charset=utf-8",
    )
}

/// GitHub's secondary rate limit: 429 with `retry-after` and its message.
fn gh_secondary_limit() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", "1")
        .insert_header("content-type", "application/json; charset=utf-8")
        .set_body_string(r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#)
}

/// The observations of a run that never failed.
fn reference() -> Vec<String> {
    let apis = Apis::start(Faults::default());
    let env = Env::new(&apis);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    env.db().strings(OBSERVATIONS)
}

fn timed(env: &Env, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = env.trends(args);
    (out, start.elapsed())
}

/// Checks what a run left when `source` failed and the others did not.
fn only_the_others_landed(env: &Env, source: &str) {
    let db = env.db();
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) FROM observations WHERE source = '{source}'"
        )),
        0,
        "no number from a failed answer"
    );
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) FROM raw_responses WHERE source = '{source}' AND outcome IN ('ok', 'no_data')"
        )),
        0
    );
    assert!(
        db.int(&format!(
            "SELECT count(*) FROM raw_responses WHERE source = '{source}' AND outcome = 'http_error' AND error IS NOT NULL"
        )) > 0,
        "the failures are archived with their reason"
    );
    for other in ["stackexchange", "github", "wikimedia"]
        .into_iter()
        .filter(|s| *s != source)
    {
        assert!(
            db.int(&format!(
                "SELECT count(*) FROM observations WHERE source = '{other}'"
            )) > 0,
            "{other} landed"
        );
    }
    assert_eq!(
        db.strings("SELECT status FROM runs ORDER BY id DESC LIMIT 1"),
        ["partial"]
    );
}

#[test]
fn a_dead_source_is_given_up_after_five_failures_in_a_row_and_the_next_run_resumes() {
    let expected = reference();
    let apis = Apis::start(Faults::default());
    apis.answer_all("se", Some(se_internal_error()));
    let env = Env::new(&apis);
    let (out, took) = timed(&env, &["collect"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    eprintln!("a dead Stack Exchange cost {took:?}");
    assert!(
        out.stderr.contains(
            r#"stackexchange: 5 requests in a row failed (HTTP 500: {"error_id":500,"error_message":"An internal error has occurred","error_name":"internal_error"}); stopped, the rest is left for the next run"#
        ),
        "{}",
        out.all()
    );
    // 16 planned (5 tags x 3 years, and the tags' totals): 5 sent, each
    // tried twice (max_retries = 1); the other 11 not sent.
    assert_eq!(apis.request_count_of("se"), 10, "{}", out.all());
    assert!(out.stdout.contains("11 skipped"), "{}", out.all());
    only_the_others_landed(&env, "stackexchange");
    assert!(took < Duration::from_secs(60), "{took:?}");

    apis.answer_all("se", None);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), expected);
}

#[test]
fn a_spent_stack_exchange_quota_stops_the_source_cleanly_and_the_next_run_resumes() {
    let expected = reference();
    let apis = Apis::start(Faults::default());
    // 16 planned (5 tags x 3 years, and the tags' totals); the fourth
    // answer spends the day's quota.
    apis.set_se_quota(4);
    let env = Env::new(&apis);
    let (out, took) = timed(&env, &["collect"]);
    assert_eq!(out.code, Some(2), "a partial run: {}", out.all());
    let why = "quota exhausted, 12 requests left for the next run";
    assert!(
        out.stdout.contains(&format!("stackexchange: {why}")),
        "{}",
        out.all()
    );
    // Nothing is asked after the answer that spent it, and what arrived is
    // stored: four answers, four numbers, no failure.
    assert_eq!(apis.request_count_of("se"), 4, "{}", out.all());
    let db = env.db();
    assert_eq!(
        db.int("SELECT count(*) FROM observations WHERE source = 'stackexchange'"),
        4
    );
    assert_eq!(
        db.int(
            "SELECT count(*) FROM raw_responses WHERE source = 'stackexchange' AND outcome <> 'ok'"
        ),
        0
    );
    assert_eq!(
        db.strings("SELECT status || ': ' || error FROM runs ORDER BY id DESC LIMIT 1"),
        [format!("partial: stackexchange: {why}")]
    );
    assert!(
        db.int("SELECT count(*) FROM observations WHERE source = 'github'") > 0,
        "the others landed"
    );
    assert!(took < Duration::from_secs(60), "{took:?}");

    // The next day: the rest, and the tables of a run that never stopped.
    apis.set_se_quota(300);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), expected);
}

#[test]
fn a_stack_exchange_backoff_is_waited_out_before_its_next_request() {
    let quick = Apis::start(Faults::default());
    let (out, without) = timed(
        &Env::new(&quick),
        &["collect", "--sources", "stackexchange"],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let apis = Apis::start(Faults {
        se_backoff_secs: Some(2),
        ..Faults::default()
    });
    let env = Env::new(&apis);
    let (out, with) = timed(&env, &["collect", "--sources", "stackexchange"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    eprintln!("a 2 s backoff: {with:?}, none: {without:?}");
    // Loose: at least the two seconds asked, and no hang.
    assert!(with >= Duration::from_secs(2), "{with:?}");
    assert!(with < without + Duration::from_secs(30), "{with:?}");
    assert_eq!(apis.request_count_of("se"), 16);
}

#[test]
fn an_api_answering_429_with_retry_after_forever_ends_in_bounded_time() {
    let expected = reference();
    let apis = Apis::start(Faults::default());
    apis.answer_all("gh", Some(gh_secondary_limit()));
    let env = Env::new(&apis);
    let (out, took) = timed(&env, &["collect"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    eprintln!("GitHub answering 429 forever cost {took:?}");
    assert!(
        out.stderr
            .contains("github: 5 requests in a row failed (HTTP 429: "),
        "{}",
        out.all()
    );
    // Every request ends after max_retries (1) honoured Retry-Afters; with
    // 4 in flight at once, at most 4 more than the 5 that stopped it.
    let sent = apis.request_count_of("gh");
    assert!((10..=18).contains(&sent), "{sent} requests\n{}", out.all());
    only_the_others_landed(&env, "github");
    assert!(took < Duration::from_secs(60), "{took:?}");

    apis.answer_all("gh", None);
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), expected);
}

#[test]
fn an_api_answering_503_forever_ends_in_bounded_time() {
    let apis = Apis::start(Faults::default());
    // Wikimedia's REST error document (as its 404, tests/fixtures), for 503.
    apis.answer_all(
        "wm",
        Some(ResponseTemplate::new(503).set_body_raw(
            r#"{"detail":"The service is unavailable, please try again later","method":"get","status":503,"title":"Service Unavailable","type":"about:blank","uri":"/metrics/pageviews/per-article/en.wikipedia/all-access/user/Django_(web_framework)/monthly/2015070100/2026103100"}"#,
            "application/problem+json",
        )),
    );
    let env = Env::new(&apis);
    let (out, took) = timed(&env, &["collect"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    eprintln!("Wikimedia answering 503 forever cost {took:?}");
    // The catalog has 4 articles: fewer than 5 requests, so all are tried
    // (each twice) and archived as failed; the run is not held up.
    assert_eq!(apis.request_count_of("wm"), 8, "{}", out.all());
    only_the_others_landed(&env, "wikimedia");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// Waits until the mock APIs have answered `n` requests (the run has
/// begun and stored some answers), however slow the machine is.
fn wait_for_requests(apis: &Apis, n: usize) {
    let waiting = Instant::now();
    while apis.request_count() < n && waiting.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
}

fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name}");
}

fn interrupted_then_resumed(name: &str, code: i32, twice: bool) {
    let expected = reference();
    let slow = Apis::start(Faults {
        se_delay_ms: 300,
        ..Default::default()
    });
    let env = Env::new(&slow);
    let child = env
        .command(&["collect"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start collect");
    wait_for_requests(&slow, 12);
    let sent = Instant::now();
    signal(&child, name);
    if twice {
        signal(&child, name);
    }
    let out = child.wait_with_output().expect("reaped");
    let took = sent.elapsed();
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{all}");
    assert!(took < Duration::from_secs(10), "{took:?} after the signal");
    eprintln!("{name}: the run ended {took:?} after the signal");

    // Quitting at once publishes nothing: what was stored is in the
    // working copy, as after kill -9.
    let db = if twice { env.work_db() } else { env.db() };
    if !twice {
        let run = db
            .strings("SELECT status || '|' || (finished_at IS NOT NULL) || '|' || error FROM runs");
        assert_eq!(run.len(), 1);
        assert!(
            run[0].starts_with("interrupted|true|interrupted by SIG"),
            "{run:?}"
        );
        assert!(all.contains("collect interrupted"), "{all}");
    }
    crate::cut_short_then_completed(&env, db, &expected, "signal");
}

#[test]
fn sigterm_stores_what_arrived_records_interrupted_and_exits_143() {
    interrupted_then_resumed("TERM", 143, false);
}

#[test]
fn ctrl_c_stores_what_arrived_records_interrupted_and_exits_130() {
    interrupted_then_resumed("INT", 130, false);
}

#[test]
fn a_second_ctrl_c_quits_at_once_and_the_file_stays_consistent() {
    interrupted_then_resumed("INT", 130, true);
}

#[test]
fn the_run_deadline_stops_sending_stores_what_arrived_and_records_partial() {
    let expected = reference();
    let slow = Apis::start(Faults {
        se_delay_ms: 400,
        ..Default::default()
    });
    let env = Env::new(&slow);
    let (out, took) = timed(&env, &["collect", "--max-run-secs", "2"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(
        out.stderr
            .contains("run deadline passed (max_run_secs = 2)"),
        "{}",
        out.all()
    );
    let db = env.db();
    let run = db.strings("SELECT status || '|' || error FROM runs");
    assert!(
        run[0].starts_with("partial|run deadline passed (max_run_secs = 2): "),
        "{run:?}"
    );
    let stored = db.strings(OBSERVATIONS);
    assert!(stored.len() < expected.len(), "the deadline came mid-run");
    assert!(stored.iter().all(|o| expected.contains(o)));
    drop(db);

    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(env.db().strings(OBSERVATIONS), expected);
}

/// GitHub answers a renamed or transferred repository's old name with 301
/// and the repository's id URL in `Location` (the body's shape is GitHub's
/// REST guide's, "follow redirects"); the client follows it, as the guide
/// asks, and the numbers land under the catalog's technology.
#[test]
fn a_renamed_github_repository_is_followed_to_where_it_moved() {
    use wiremock::matchers::{method, path, path_regex};
    use wiremock::{Mock, MockServer};
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(MockServer::start());
    let moved = format!("{}/repositories/103703892", server.uri());
    runtime.block_on(
        Mock::given(method("GET"))
            .and(path("/repos/octokit-fixture-org/old-name"))
            .respond_with(
                ResponseTemplate::new(301)
                    .insert_header("location", moved.as_str())
                    .set_body_raw(
                        format!(
                            r#"{{"message":"Moved Permanently","url":"{moved}","documentation_url":"https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"}}"#
                        ),
                        "application/json; charset=utf-8",
                    ),
            )
            .expect(1)
            .mount(&server),
    );
    runtime.block_on(
        Mock::given(method("GET"))
            .and(path("/repositories/103703892"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                crate::sources::fixture("github/repo.json"),
                "application/json; charset=utf-8",
            ))
            .expect(1)
            .mount(&server),
    );
    // Its star history moves with it: every `/repos/{old}/...` path answers
    // 301 to the same path under the id.
    let base = server.uri();
    runtime.block_on(
        Mock::given(method("GET"))
            .and(path_regex(
                r"^/repos/octokit-fixture-org/old-name/stargazers/(history|count)$",
            ))
            .respond_with(move |r: &wiremock::Request| {
                let what = r.url.path().rsplit('/').next().unwrap_or("");
                let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
                ResponseTemplate::new(301).insert_header(
                    "location",
                    format!("{base}/repositories/103703892/stargazers/{what}{query}"),
                )
            })
            .mount(&server),
    );
    runtime.block_on(
        Mock::given(method("GET"))
            .and(path_regex(
                r"^/repositories/103703892/stargazers/(history|count)$",
            ))
            .respond_with(|r: &wiremock::Request| {
                let body = if r.url.path().ends_with("/count") {
                    crate::sources::fixture("github/star_count.json")
                } else {
                    "[]".to_owned()
                };
                ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8")
            })
            .mount(&server),
    );
    let env = Env::custom(
        chrono::Datelike::year(&chrono::Utc::now()),
        "[[technology]]\nid = \"hello\"\nname = \"Hello\"\ncategory = \"framework\"\ngithub_repo = \"octokit-fixture-org/old-name\"\n",
        &format!(
            "[sources.github]\nbase_url = \"{}\"\nrequests_per_minute = 100000\n",
            server.uri()
        ),
    );
    let out = env.trends(&["collect"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let db = env.db();
    assert_eq!(
        db.float(
            "SELECT value FROM observations WHERE tech_id = 'hello' AND source = 'github' AND metric = 'stars'"
        ),
        81234.0,
        "the moved repository's stars, under the catalog's technology"
    );
    assert_eq!(
        db.int("SELECT count(*) FROM raw_responses WHERE source = 'github' AND outcome = 'ok'"),
        1
    );
    drop(db);
    runtime.block_on(server.verify());
    assert!(started.elapsed() < Duration::from_secs(60));
}
