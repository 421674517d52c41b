//! The shared loop against a local wiremock server: what is retried, what is
//! not, how pacing signals and secrets are handled.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::mpsc;
use trends_core::{Period, RequestSpec, Subject, TechId};
use url::Url;
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::{Answer, Pace, Pacer};

// Two names for the loop's tests; what the real sources' answers mean for
// pacing is tested with each source (`trends-sources`).
const GITHUB: SourceId = SourceId::new("github");
const STACKEXCHANGE: SourceId = SourceId::new("stackexchange");

/// Paces on test headers: `x-test-spent` (seconds until a spent limit
/// resets), `x-test-backoff` (seconds) and `x-test-halt` (a reason).
#[derive(Debug)]
struct TestPacer;

impl Pacer for TestPacer {
    fn pace(&self, answer: &Answer<'_>) -> Pace {
        let secs = |name: &str| {
            answer
                .header(name)
                .and_then(|v| v.parse().ok())
                .map(Duration::from_secs)
        };
        Pace {
            spent_for: secs("x-test-spent"),
            backoff: secs("x-test-backoff"),
            halt: answer.header("x-test-halt").map(str::to_owned),
        }
    }
}

fn config(server: &MockServer) -> Config {
    let text = format!(
        r#"
contact = "ops@example.org"
[http]
max_retries = 2
max_retry_wait_secs = 5
[sources.github]
base_url = "{uri}"
concurrency = 2
requests_per_minute = 6000
search_requests_per_minute = 6000
[sources.stackexchange]
base_url = "{uri}"
requests_per_minute = 6000
"#,
        uri = server.uri()
    );
    let known = trends_core::Known {
        sources: [(GITHUB, true), (STACKEXCHANGE, false)]
            .into_iter()
            .map(|(id, search_lane)| trends_core::KnownSource {
                id,
                search_lane,
                metrics: Vec::new(),
            })
            .collect(),
    };
    let mut config = Config::parse(&text, Path::new("trends.toml"), &known).expect("config parses");
    config.http.timeout = Duration::from_millis(300);
    config
}

fn planned(server: &MockServer, source: SourceId, route: &str) -> Planned {
    Planned {
        spec: RequestSpec {
            source,
            endpoint: "repo".into(),
            subjects: vec![Subject {
                tech: TechId("x".into()),
                key: route.into(),
            }],
            period: Period::snapshot(NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")),
        },
        url: Url::parse(&format!("{}{route}", server.uri())).expect("url"),
        headers: vec![("accept", "application/vnd.github+json".into())],
        lane: Lane::Core,
        body: None,
    }
}

async fn run(
    config: &Config,
    source: SourceId,
    auth: Auth,
    requests: Vec<Planned>,
) -> (Vec<Fetched>, SourceSummary) {
    run_until(config, source, auth, requests, &Stop::new()).await
}

async fn run_until(
    config: &Config,
    source: SourceId,
    auth: Auth,
    requests: Vec<Planned>,
    stop: &Stop,
) -> (Vec<Fetched>, SourceSummary) {
    let client = HttpClient::new(config).expect("client");
    let plan = SourcePlan {
        source,
        config: config.sources[&source].clone(),
        auth,
        requests,
        pacer: &TestPacer,
    };
    let (tx, mut rx) = mpsc::channel(16);
    let task = async move { collect(&client, vec![plan], tx, stop).await };
    let receive = async {
        let mut fetched = Vec::new();
        let mut summary = None;
        while let Some(event) = rx.recv().await {
            match event {
                Event::Fetched(f) => fetched.push(*f),
                Event::Finished(s) => summary = Some(s),
                Event::Started { .. } | Event::Halted { .. } => {}
            }
        }
        (fetched, summary.expect("a summary"))
    };
    let ((), out) = tokio::join!(task, receive);
    out
}

fn status(f: &Fetched) -> u16 {
    f.result.as_ref().map(|r| r.status).unwrap_or(0)
}

#[tokio::test]
async fn sends_user_agent_api_headers_and_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/a/b"))
        .and(header("user-agent", "trends/0.1.0 (+ops@example.org)"))
        .and(header("accept", "application/vnd.github+json"))
        .and(header("authorization", "Bearer s3cr3t-token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, summary) = run(
        &cfg,
        GITHUB,
        Auth::Bearer("s3cr3t-token".into()),
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    assert_eq!(fetched[0].attempts, 1);
    assert_eq!(summary.sent, 1);
    assert!(!format!("{fetched:?}").contains("s3cr3t"));
}

#[tokio::test]
async fn query_key_is_sent_but_never_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/2.3/questions"))
        .and(query_param("key", "k3y-value"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"total":5}"#))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, _) = run(
        &cfg,
        STACKEXCHANGE,
        Auth::QueryParam {
            name: "key",
            value: "k3y-value".into(),
        },
        vec![planned(&server, STACKEXCHANGE, "/2.3/questions?tagged=go")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    assert!(!fetched[0].url.contains("k3y"));
    assert!(fetched[0].url.ends_with("/2.3/questions?tagged=go"));
}

#[tokio::test]
async fn server_errors_are_retried_until_an_answer() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    assert_eq!(fetched[0].attempts, 2);
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_answer_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 503);
    assert_eq!(fetched[0].attempts, 3);
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let cfg = config(&server);
    let start = std::time::Instant::now();
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    // Behaviour, not speed: the second attempt came after the asked wait.
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(404).set_body_string(
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 404);
    assert_eq!(fetched[0].attempts, 1);
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_retry() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
        .expect(1)
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.http.max_body_bytes = 1024;
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    let err = fetched[0].result.as_ref().expect_err("refused");
    assert!(err.0.contains("max_body_bytes"), "{err}");
}

#[tokio::test]
async fn a_timeout_is_a_transport_error_after_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, _) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    let err = fetched[0].result.as_ref().expect_err("timed out");
    assert!(err.0.starts_with("timed out"), "{err}");
    assert!(!err.0.contains("127.0.0.1"), "no URL in the message: {err}");
}

#[tokio::test]
async fn a_rate_limit_spent_beyond_max_retry_wait_halts_the_source_and_skips_the_rest() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-test-spent", "3600")
                .set_body_string(r#"{"message":"API rate limit exceeded for 127.0.0.1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.sources.get_mut(&GITHUB).expect("github").concurrency = 1;
    let requests = vec![
        planned(&server, GITHUB, "/repos/a/b"),
        planned(&server, GITHUB, "/repos/c/d"),
        planned(&server, GITHUB, "/repos/e/f"),
    ];
    let (fetched, summary) = run(&cfg, GITHUB, Auth::None, requests).await;
    assert_eq!(fetched.len(), 1);
    assert_eq!(status(&fetched[0]), 403);
    assert_eq!(summary.skipped, 2);
    assert_eq!(
        summary.halted.as_deref(),
        Some("github core rate limit spent until its reset in 3600s")
    );
}

#[tokio::test]
async fn a_rate_limit_spent_briefly_pauses_the_lane_and_retries_the_403() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(403).insert_header("x-test-spent", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let cfg = config(&server);
    let started = std::time::Instant::now();
    let (fetched, summary) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    assert_eq!(fetched[0].attempts, 2);
    assert_eq!(summary.halted, None);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_secondary_rate_limit_403_waits_for_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "1")
                .set_body_string(r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let cfg = config(&server);
    let (fetched, summary) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    assert_eq!(status(&fetched[0]), 200);
    assert_eq!(fetched[0].attempts, 2);
    assert_eq!(summary.halted, None);
}

#[tokio::test]
async fn a_retry_after_longer_than_allowed_stops_the_source() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.sources.get_mut(&GITHUB).expect("github").concurrency = 1;
    let requests = vec![
        planned(&server, GITHUB, "/repos/a/b"),
        planned(&server, GITHUB, "/repos/c/d"),
    ];
    let (fetched, summary) = run(&cfg, GITHUB, Auth::None, requests).await;
    assert_eq!(fetched.len(), 1);
    assert_eq!(status(&fetched[0]), 429);
    assert_eq!(summary.skipped, 1);
    assert!(
        summary.halted.as_deref().unwrap_or("").contains("3600s"),
        "{summary:?}"
    );
}

#[tokio::test]
async fn a_refusal_read_by_the_pacer_stops_the_source_for_this_run() {
    let server = MockServer::start().await;
    Mock::given(path("/2.3/questions"))
        .respond_with(ResponseTemplate::new(400).insert_header("x-test-halt", "stackexchange quota spent").set_body_string(
            r#"{"error_id":502,"error_message":"too many requests from this IP, more requests available in 84268 seconds","error_name":"throttle_violation"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let requests = vec![
        planned(&server, STACKEXCHANGE, "/2.3/questions?tagged=go"),
        planned(&server, STACKEXCHANGE, "/2.3/questions?tagged=rust"),
    ];
    let (fetched, summary) = run(&cfg, STACKEXCHANGE, Auth::None, requests).await;
    assert_eq!(fetched.len(), 1);
    assert_eq!(summary.skipped, 1);
    assert!(
        summary
            .halted
            .as_deref()
            .unwrap_or("")
            .contains("quota spent")
    );
}

#[tokio::test]
async fn a_reset_connection_is_retried_then_recorded_as_a_transport_error() {
    // A server that accepts and closes every connection without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = std::sync::Arc::new(AtomicU32::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::Relaxed);
            drop(socket);
        }
    });
    let server = MockServer::start().await;
    let cfg = config(&server);
    let mut p = planned(&server, GITHUB, "/repos/a/b");
    p.url = Url::parse(&format!("http://{addr}/repos/a/b")).expect("url");
    let (fetched, _) = run(&cfg, GITHUB, Auth::None, vec![p]).await;
    let err = fetched[0].result.as_ref().expect_err("no answer");
    assert_eq!(fetched[0].attempts, 3, "{err}");
    assert_eq!(accepted.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn a_body_cut_short_is_a_transport_error() {
    // Announces 100 bytes, sends 10, closes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"total\": ")
                .await;
            drop(socket);
        }
    });
    let server = MockServer::start().await;
    let cfg = config(&server);
    let mut p = planned(&server, GITHUB, "/repos/a/b");
    p.url = Url::parse(&format!("http://{addr}/repos/a/b")).expect("url");
    let (fetched, _) = run(&cfg, GITHUB, Auth::None, vec![p]).await;
    let err = fetched[0].result.as_ref().expect_err("cut short");
    assert!(
        err.0.starts_with("failed reading the body") || err.0.starts_with("request failed"),
        "{err}"
    );
}

/// `n` requests to distinct routes under `/repos/`.
fn repos(server: &MockServer, source: SourceId, n: usize) -> Vec<Planned> {
    (0..n)
        .map(|i| planned(server, source, &format!("/repos/o/r{i}")))
        .collect()
}

fn one_at_a_time(cfg: &mut Config, source: SourceId) {
    cfg.sources.get_mut(&source).expect("source").concurrency = 1;
}

#[tokio::test]
async fn a_429_forever_with_retry_after_ends_after_max_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/a/b"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string(r#"{"message":"slow down"}"#),
        )
        .expect(3)
        .mount(&server)
        .await;
    let cfg = config(&server);
    let start = std::time::Instant::now();
    let (fetched, summary) = run(
        &cfg,
        GITHUB,
        Auth::None,
        vec![planned(&server, GITHUB, "/repos/a/b")],
    )
    .await;
    // max_retries = 2: the first attempt and two honoured Retry-Afters.
    assert_eq!(fetched[0].attempts, 3);
    assert_eq!(status(&fetched[0]), 429);
    assert_eq!(summary.sent, 1);
    // Hangs are what this catches, not speed: two 1 s waits.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_source_answering_503_forever_stops_after_max_consecutive_failures() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/repos/"))
        .respond_with(
            ResponseTemplate::new(503).set_body_string("Service Unavailable\nretry later"),
        )
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.http.max_consecutive_failures = 3;
    one_at_a_time(&mut cfg, GITHUB);
    let start = std::time::Instant::now();
    let (fetched, summary) = run(&cfg, GITHUB, Auth::None, repos(&server, GITHUB, 8)).await;
    assert_eq!(fetched.len(), 3, "three requests, then the stop");
    assert!(fetched.iter().all(|f| status(f) == 503 && f.attempts == 3));
    assert_eq!(summary.skipped, 5);
    assert_eq!(
        summary.halted.as_deref(),
        Some("3 requests in a row failed (HTTP 503: Service Unavailable)")
    );
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 9);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn an_answer_between_failures_starts_the_count_again() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/repos/o/r[0-9]$"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    Mock::given(path("/repos/ok/ok"))
        .respond_with(ResponseTemplate::new(404).set_body_string(r#"{"message":"Not Found"}"#))
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.http.max_consecutive_failures = 2;
    cfg.http.max_retries = 0;
    one_at_a_time(&mut cfg, GITHUB);
    let mut requests = repos(&server, GITHUB, 1);
    requests.push(planned(&server, GITHUB, "/repos/ok/ok"));
    requests.extend(repos(&server, GITHUB, 2));
    requests.push(planned(&server, GITHUB, "/repos/ok/ok"));
    let (fetched, summary) = run(&cfg, GITHUB, Auth::None, requests).await;
    let statuses: Vec<u16> = fetched.iter().map(status).collect();
    assert_eq!(statuses, [500, 404, 500, 500]);
    assert_eq!(summary.skipped, 1);
    assert!(summary.halted.is_some());
}

#[tokio::test]
async fn timeouts_in_a_row_stop_the_source_too() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/repos/"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.http.max_consecutive_failures = 2;
    cfg.http.max_retries = 0;
    one_at_a_time(&mut cfg, GITHUB);
    let start = std::time::Instant::now();
    let (fetched, summary) = run(&cfg, GITHUB, Auth::None, repos(&server, GITHUB, 5)).await;
    assert_eq!(fetched.len(), 2);
    assert_eq!(summary.skipped, 3);
    let halted = summary.halted.unwrap_or_default();
    assert!(
        halted.starts_with("2 requests in a row failed (timed out"),
        "{halted}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_stop_skips_what_is_left_and_drops_what_is_in_flight() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/o/r0"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/repos/o/r[1-9]$"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.http.timeout = Duration::from_secs(60);
    one_at_a_time(&mut cfg, GITHUB);
    let stop = Stop::new();
    let flip = {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            stop.stop();
        })
    };
    let start = std::time::Instant::now();
    let (fetched, summary) =
        run_until(&cfg, GITHUB, Auth::None, repos(&server, GITHUB, 4), &stop).await;
    flip.await.expect("flip");
    assert_eq!(fetched.len(), 1, "only the answer that arrived");
    assert_eq!(status(&fetched[0]), 200);
    assert_eq!((summary.sent, summary.skipped), (1, 3));
    assert_eq!(summary.halted, None);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn first_line_of_a_body_for_messages() {
    assert_eq!(first_line(b"\n  bad gateway \nmore"), "bad gateway");
    assert_eq!(first_line(b""), "(empty body)");
    assert_eq!(first_line("x".repeat(300).as_bytes()).chars().count(), 201);
}

#[test]
fn retry_after_as_seconds_date_or_unix_timestamp() {
    let now = chrono::DateTime::parse_from_rfc3339("2024-07-01T12:00:00Z")
        .expect("time")
        .to_utc();
    assert_eq!(retry_after_at("30", now), Some(Duration::from_secs(30)));
    assert_eq!(
        retry_after_at("Mon, 01 Jul 2024 12:01:00 GMT", now),
        Some(Duration::from_secs(60))
    );
    // Docker Hub has sent the instant as Unix seconds.
    let at = now.timestamp() + 90;
    assert_eq!(
        retry_after_at(&at.to_string(), now),
        Some(Duration::from_secs(90))
    );
    assert_eq!(retry_after_at("1000000001", now), Some(Duration::ZERO));
    assert_eq!(retry_after_at("soon", now), None);
}
