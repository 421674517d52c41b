//! The fault matrix: every source against an API that fails in one way for
//! every request, beside a healthy source. Each case asserts that the run
//! ends in bounded time (a loose bound: it catches hangs) with exit 2, that
//! nothing the faulty API sent became a number, that its failures are
//! archived with their reason, and that the healthy source landed; then a
//! clean rerun converges to exactly the tables of a run that never failed.
//!
//! The API's own errors (a 404 for a removed package, a 400) are in
//! `sources.rs`, per source; a renamed GitHub repository (301) in
//! `faults.rs`. A changed schema is, per format, every JSON field renamed,
//! a page's recorded `changed_layout.html`, or a CSV's `changed_header.csv`.
//! Bytes that are not UTF-8 are tried twice: in the first string, which
//! the parser reads, and where the parser reads nothing (an added JSON
//! field or CSV column, a paragraph of a page), which only the
//! normalizer's whole-body check refuses.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::OBSERVATIONS;
use crate::sources::{self, Case, fixture};
use crate::support::{Broken, Env, RawServer};

/// TIOBE has one page for every language; its good answer.
fn tiobe() -> Case {
    Case {
        source: "tiobe",
        key: "tiobe_language",
        values: ["Python", "Python", "Python"],
        answer: |r| match r.url.path() {
            "/tiobe-index/" => ResponseTemplate::new(200)
                .set_body_raw(fixture("tiobe/index.html"), "text/html; charset=utf-8"),
            _ => ResponseTemplate::new(404),
        },
        error: "",
    }
}

fn every_source() -> Vec<Case> {
    let mut all: Vec<Case> = Vec::new();
    all.extend(sources::packagist_rubygems_and_cratesio());
    all.extend(sources::stackexchange_hackernews_and_dockerhub());
    all.extend(sources::gopkg_and_githubtopics());
    all.extend(sources::github_wikimedia_npm_and_pypi());
    all.push(tiobe());
    all.push(sources::innovationgraph());
    all
}

/// A recorded answer of the source, for the bodies that arrive broken.
fn recorded_body(source: &str) -> (Vec<u8>, &'static str) {
    let (file, kind) = match source {
        "stackexchange" => ("stackexchange/questions_total.json", "json"),
        "github" => ("github/repo.json", "json"),
        "wikimedia" => ("wikimedia/pageviews_monthly.json", "json"),
        "hackernews" => ("hackernews/search_nbhits.json", "json"),
        "npm" => ("npm/range_single.json", "json"),
        "pypi" => ("pypi/overall.json", "json"),
        "dockerhub" => ("dockerhub/repository.json", "json"),
        "packagist" => ("packagist/stats_all_monthly.json", "json"),
        "rubygems" => ("rubygems/gem.json", "json"),
        "cratesio" => ("cratesio/crate.json", "json"),
        "gopkg" => ("gopkg/module.html", "html"),
        "githubtopics" => ("githubtopics/topic.html", "html"),
        "tiobe" => ("tiobe/index.html", "html"),
        "innovationgraph" => ("innovationgraph/topics.csv", "csv"),
        other => panic!("no recorded body for {other}"),
    };
    let content_type = match kind {
        "json" => "application/json; charset=utf-8",
        // GitHub's raw files (the Innovation Graph's CSV) are plain text.
        "csv" => "text/plain; charset=utf-8",
        _ => "text/html; charset=utf-8",
    };
    (fixture(file).into_bytes(), content_type)
}

/// The source's own rate-limit page where one was recorded.
fn too_many_requests(source: &str, retry_after: &str) -> ResponseTemplate {
    let t = ResponseTemplate::new(429).insert_header("retry-after", retry_after);
    match source {
        "github" => t.set_body_raw(
            fixture("github/error_rate_limit.json"),
            "application/json; charset=utf-8",
        ),
        "pypi" => t.set_body_raw(
            fixture("pypi/error_rate_limited.html"),
            "text/html; charset=utf-8",
        ),
        "npm" => t.set_body_raw(
            fixture("npm/rate_limited_cloudflare.html"),
            "text/html; charset=UTF-8",
        ),
        "dockerhub" => t.set_body_raw(fixture("dockerhub/rate_limited_haproxy.txt"), "text/plain"),
        _ => t,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// 429 with `Retry-After: 1`, forever.
    TooManyForever,
    /// 503, forever.
    UnavailableForever,
    /// 429 asking to wait an hour, past `max_retry_wait_secs`.
    WaitTooLong,
    /// The body trickles in slower than `timeout_secs`.
    SlowBody,
    /// The connection closes before the announced body is complete.
    Truncated,
    /// A TCP reset in the middle of the body.
    ResetMidBody,
    /// A body past `max_body_bytes`.
    TooLarge,
    /// The recorded body with bytes that are not UTF-8 inside its first
    /// string (or, for a page, its first attribute value).
    InvalidUtf8,
    /// The recorded body with bytes that are not UTF-8 where the parser
    /// reads nothing ([`unread_bad_bytes`]): serde skips an unread string
    /// without checking it, so only the whole-body check refuses it.
    InvalidUtf8Unread,
    /// The API changed its schema: every field of the recorded JSON body
    /// renamed; for a page, the source's recorded `changed_layout.html`.
    RenamedField,
}

impl Fault {
    /// Whether the archived reason is worded the same on every run.
    fn worded_by_us(self) -> bool {
        !matches!(
            self,
            Fault::SlowBody | Fault::Truncated | Fault::ResetMidBody
        )
    }

    /// The outcome every archived answer of the faulty source has, and
    /// what its `error` starts with.
    fn archived(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Fault::TooManyForever | Fault::WaitTooLong => ("http_error", &[""]),
            Fault::UnavailableForever => ("http_error", &[""]),
            Fault::SlowBody => ("transport_error", &["timed out"]),
            Fault::Truncated | Fault::ResetMidBody => (
                "transport_error",
                &["failed reading the body", "request failed"],
            ),
            Fault::TooLarge => ("transport_error", &["body"]),
            Fault::InvalidUtf8 | Fault::InvalidUtf8Unread | Fault::RenamedField => {
                ("parse_error", &[""])
            }
        }
    }
}

/// A server answering every request of the faulty source with `fault`.
enum Faulty {
    Mock(MockServer),
    Raw(RawServer),
}

impl Faulty {
    fn uri(&self) -> String {
        match self {
            Faulty::Mock(m) => m.uri(),
            Faulty::Raw(r) => r.uri(),
        }
    }
}

/// `body` (a recorded good answer) with the bytes 0xFF 0xFE, which are not
/// UTF-8, where its parser reads nothing (the sources' own tests plant them
/// the same way): the format from the answer's content type.
fn unread_bad_bytes(body: &[u8], content_type: &str) -> (Vec<u8>, usize) {
    use trends_sources::fault_kit::Format;
    let format = if content_type.starts_with("text/html") {
        Format::Html
    } else if content_type.starts_with("text/plain") {
        Format::Csv
    } else {
        Format::Json
    };
    trends_sources::fault_kit::unread_bad_bytes(format, body)
}

/// `value` with every object key renamed (`total` -> `total_v2`), as an
/// API that changed its schema answers.
fn renamed(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (format!("{k}_v2"), renamed(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(renamed).collect()),
        other => other,
    }
}

async fn mock(answer: impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

fn catalog(case: &Case, twin: &Case) -> String {
    format!(
        "[[technology]]\nid = \"good\"\nname = \"good\"\ncategory = \"framework\"\n{} = \"{}\"\n\n\
         [[technology]]\nid = \"twin\"\nname = \"twin\"\ncategory = \"framework\"\n{} = \"{}\"\n",
        case.key, case.values[0], twin.key, twin.values[0]
    )
}

fn tables(case: &Case, uri: &str, twin: &Case, twin_uri: &str) -> String {
    format!(
        r#"
[http]
max_retries = 1
timeout_secs = 1
max_retry_wait_secs = 5
max_consecutive_failures = 2
max_body_bytes = 1048576
[sources.{source}]
base_url = "{uri}"
requests_per_minute = 100000
[sources.{twin}]
base_url = "{twin_uri}"
requests_per_minute = 100000
"#,
        source = case.source,
        twin = twin.source,
    )
}

/// Runs `fault` against every source; returns the time each took to end.
fn matrix(fault: Fault) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    // As sources.rs: the recorded series (packagist) reach back that far.
    let first_year = Utc::now().year() - 3;
    let cases = every_source();
    let mut measured = Vec::new();
    let mut chains: Vec<String> = Vec::new();
    for case in &cases {
        let twin = cases
            .iter()
            .find(|c| {
                c.source
                    == if case.source == "rubygems" {
                        "dockerhub"
                    } else {
                        "rubygems"
                    }
            })
            .expect("twin");
        let healthy = runtime.block_on(mock(case.answer));
        let twin_server = runtime.block_on(mock(twin.answer));
        let catalog = catalog(case, twin);

        // The reference: a run that never failed.
        let reference = Env::custom(
            first_year,
            &catalog,
            &tables(case, &healthy.uri(), twin, &twin_server.uri()),
        );
        let out = reference.trends(&["collect"]);
        assert_eq!(
            out.code,
            Some(0),
            "{} reference\n{}",
            case.source,
            out.all()
        );
        let expected = reference.db().strings(OBSERVATIONS);
        assert!(
            expected.iter().any(|o| o.starts_with("good|")),
            "{}: the reference lands the source",
            case.source
        );

        let (body, content_type) = recorded_body(case.source);
        let unread = unread_bad_bytes(&body, content_type);
        let faulty = match fault {
            Fault::TooManyForever => {
                let source = case.source;
                Faulty::Mock(runtime.block_on(mock(move |_| too_many_requests(source, "1"))))
            }
            Fault::WaitTooLong => {
                let source = case.source;
                Faulty::Mock(runtime.block_on(mock(move |_| too_many_requests(source, "3600"))))
            }
            Fault::UnavailableForever => Faulty::Mock(runtime.block_on(mock(|_| {
                ResponseTemplate::new(503).set_body_raw(
                    "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
                    "text/html",
                )
            }))),
            Fault::TooLarge => {
                let mut big = body.clone();
                big.resize(2 * 1024 * 1024, b' ');
                Faulty::Mock(runtime.block_on(mock(move |_| {
                    ResponseTemplate::new(200).set_body_raw(big.clone(), content_type)
                })))
            }
            Fault::InvalidUtf8 => {
                let mut bad = body.clone();
                let at = if content_type.starts_with("text/plain") {
                    // CSV: inside the first data row's second field.
                    let row = bad.iter().position(|&b| b == b'\n').expect("a header") + 1;
                    row + bad[row..].iter().position(|&b| b == b',').expect("a comma") + 1
                } else {
                    bad.iter().position(|&b| b == b'"').expect("a quote") + 1
                };
                bad.splice(at..at, [0xff, 0xfe, 0xc3]);
                Faulty::Mock(runtime.block_on(mock(move |_| {
                    ResponseTemplate::new(200).set_body_raw(bad.clone(), content_type)
                })))
            }
            Fault::InvalidUtf8Unread => {
                let bad = unread.0.clone();
                Faulty::Mock(runtime.block_on(mock(move |_| {
                    ResponseTemplate::new(200).set_body_raw(bad.clone(), content_type)
                })))
            }
            Fault::RenamedField => {
                let changed = if content_type.starts_with("text/html") {
                    fixture(&format!("{}/changed_layout.html", case.source)).into_bytes()
                } else if content_type.starts_with("text/plain") {
                    // CSV: the recorded file with a renamed header column.
                    fixture(&format!("{}/changed_header.csv", case.source)).into_bytes()
                } else {
                    let value: serde_json::Value =
                        serde_json::from_slice(&body).expect("recorded JSON");
                    serde_json::to_vec(&renamed(value)).expect("JSON")
                };
                Faulty::Mock(runtime.block_on(mock(move |_| {
                    ResponseTemplate::new(200).set_body_raw(changed.clone(), content_type)
                })))
            }
            Fault::SlowBody => Faulty::Raw(RawServer::start(Broken::Trickle(body), content_type)),
            Fault::Truncated => {
                Faulty::Raw(RawServer::start(Broken::Truncate(body), content_type))
            }
            Fault::ResetMidBody => Faulty::Raw(RawServer::start(Broken::Reset(body), content_type)),
        };
        let env = Env::custom(
            first_year,
            &catalog,
            &tables(case, &faulty.uri(), twin, &twin_server.uri()),
        );
        let start = Instant::now();
        let out = env.trends(&["collect"]);
        let took = start.elapsed();
        let source = case.source;
        assert_eq!(out.code, Some(2), "{source} {fault:?}\n{}", out.all());
        assert!(
            took < Duration::from_secs(60),
            "{source} {fault:?}: {took:?}"
        );
        measured.push(format!("{source} {took:.1?}"));
        let db = env.db();
        assert_eq!(
            db.int(&format!(
                "SELECT count(*) FROM observations WHERE source = '{source}'"
            )),
            0,
            "{source} {fault:?}: no number from a faulty answer"
        );
        assert!(
            db.int(&format!(
                "SELECT count(*) FROM observations WHERE source = '{}'",
                twin.source
            )) > 0,
            "{source} {fault:?}: the healthy source landed\n{}",
            out.all()
        );
        let (outcome, starts) = fault.archived();
        let archived = db.strings(&format!(
            "SELECT outcome || '|' || coalesce(error, '') FROM raw_responses WHERE source = '{source}'"
        ));
        assert!(!archived.is_empty(), "{source} {fault:?}: archived");
        let mut reasons: Vec<String> = archived
            .iter()
            .map(|row| format!("{source}: {}", redact_ports(&without_request_key(row))))
            .collect();
        reasons.sort();
        reasons.dedup();
        chains.extend(reasons);
        for row in &archived {
            let (o, error) = row.split_once('|').expect("row");
            assert_eq!(o, outcome, "{source} {fault:?}: {archived:?}");
            assert!(
                !error.is_empty() && starts.iter().any(|s| error.starts_with(s)),
                "{source} {fault:?}: the reason is archived: {archived:?}"
            );
            if fault == Fault::InvalidUtf8Unread {
                let offset = format!(" at byte {} (", unread.1);
                assert!(
                    error.contains(&offset),
                    "{source} {fault:?}: the reason names the byte{offset}: {error}"
                );
            }
        }
        if fault == Fault::WaitTooLong {
            assert!(
                out.stdout.contains("asks to wait 3600s"),
                "{source}: {}",
                out.all()
            );
        }
        drop(db);

        // The API is back: the next run converges.
        env.rewrite(
            first_year,
            &tables(case, &healthy.uri(), twin, &twin_server.uri()),
        );
        let out = env.trends(&["collect"]);
        assert_eq!(out.code, Some(0), "{source} {fault:?} rerun\n{}", out.all());
        assert_eq!(
            env.db().strings(OBSERVATIONS),
            expected,
            "{source} {fault:?}: the rerun converges"
        );
    }
    eprintln!("{fault:?}: {}", measured.join(", "));
    // The archived reasons, as the operator reads them in `trends status`.
    // Transport failures mid-body are worded by the OS and the HTTP stack
    // (reset or truncated, timed out while connecting or reading), so only
    // the faults whose wording is ours or the API's are snapshots.
    if fault.worded_by_us() {
        insta::assert_snapshot!(format!("matrix_{fault:?}"), chains.join("\n"));
    }
}

/// `parse_error|npm/range/express/2023-01-01..2024-01-01: missing ..` →
/// `parse_error|missing ..`: the request key holds days relative to today.
fn without_request_key(row: &str) -> String {
    let (outcome, error) = row.split_once('|').unwrap_or(("", row));
    match error.split_once(": ") {
        Some((key, rest)) if key.contains("..") && key.contains('/') => format!("{outcome}|{rest}"),
        _ => row.to_owned(),
    }
}

/// `http://127.0.0.1:41234/x` → `http://127.0.0.1:PORT/x`: the servers'
/// ports change from run to run.
fn redact_ports(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        out.push_str(if digits > 0 { "PORT" } else { "" });
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn matrix_429_forever() {
    matrix(Fault::TooManyForever);
}

#[test]
fn matrix_503_forever() {
    matrix(Fault::UnavailableForever);
}

#[test]
fn matrix_retry_after_past_max_retry_wait() {
    matrix(Fault::WaitTooLong);
}

#[test]
fn matrix_body_slower_than_the_timeout() {
    matrix(Fault::SlowBody);
}

#[test]
fn matrix_truncated_body() {
    matrix(Fault::Truncated);
}

#[test]
fn matrix_reset_mid_body() {
    matrix(Fault::ResetMidBody);
}

#[test]
fn matrix_body_over_max_body_bytes() {
    matrix(Fault::TooLarge);
}

#[test]
fn matrix_invalid_utf8() {
    matrix(Fault::InvalidUtf8);
}

#[test]
fn matrix_invalid_utf8_where_the_parser_does_not_read() {
    matrix(Fault::InvalidUtf8Unread);
}

#[test]
fn matrix_renamed_fields() {
    matrix(Fault::RenamedField);
}
