//! Whole runs in-process: an in-memory store, and a wiremock server answering
//! Stack Exchange and Hacker News with the recorded bodies of tests/fixtures
//! and the APIs' headers.

use std::path::Path;

use chrono::{Datelike, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use tokio::runtime::Runtime;

use super::*;
use crate::{Quiet, StopSignal, renormalize};

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn json_answer(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/json; charset=utf-8")
        .set_body_string(body)
}

/// `/2.3/tags/{a;b}/info`: the recorded wrapper with one item per asked tag.
fn tags_info(req: &Request) -> ResponseTemplate {
    let mut body: Value =
        serde_json::from_str(&fixture("stackexchange/tags_info.json")).expect("tags_info fixture");
    let template = body["items"][0].clone();
    let tags = req.url.path().trim_start_matches("/2.3/tags/");
    let tags = tags.trim_end_matches("/info").replace("%3B", ";");
    let items = tags.split(';').map(|tag| {
        let mut item = template.clone();
        item["name"] = json!(tag);
        item
    });
    body["items"] = Value::Array(items.collect());
    json_answer(body.to_string())
}

/// The wiremock server, on a runtime of its own beside the run's.
struct Apis {
    runtime: Runtime,
    server: MockServer,
}

impl Apis {
    /// A server answering both APIs well; `dead` answers 500 with its own
    /// error body to every request of that source instead.
    fn start(dead: &[&str]) -> Apis {
        Apis::slow(dead, Duration::ZERO)
    }

    /// [`Apis::start`] with Stack Exchange's questions answered after `delay`.
    fn slow(dead: &[&str], delay: Duration) -> Apis {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(mount(dead, delay));
        Apis { runtime, server }
    }

    fn received(&self) -> Vec<Request> {
        let requests = self.runtime.block_on(self.server.received_requests());
        requests.expect("recording")
    }
}

async fn mount(dead: &[&str], delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    if dead.contains(&"stackexchange") {
        Mock::given(path_regex("^/2.3/"))
            .respond_with(
                ResponseTemplate::new(500)
                    .insert_header("content-type", "application/json; charset=utf-8")
                    .set_body_string(r#"{"error_id":500,"error_message":"An internal error has occurred","error_name":"internal_error"}"#),
            )
            .mount(&server)
            .await;
    }
    if dead.contains(&"hackernews") {
        Mock::given(path("/api/v1/search"))
            .respond_with(ResponseTemplate::new(500).set_body_string("internal error"))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/2.3/questions"))
        .and(query_param("site", "stackoverflow"))
        .respond_with(json_answer(fixture("stackexchange/questions_total.json")).set_delay(delay))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/2.3/tags/.+/info$"))
        .respond_with(tags_info)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/search"))
        .respond_with(json_answer(fixture("hackernews/search_nbhits.json")))
        .mount(&server)
        .await;
    server
}

/// Both sources at `server`, from last year on, one request at a time, no
/// retries; a source stops after two failures in a row.
fn config(server: &MockServer) -> Config {
    let text = format!(
        r#"
contact = "ops@example.org"
first_year = {year}
[http]
max_retries = 0
max_consecutive_failures = 2
[sources.stackexchange]
base_url = "{uri}"
concurrency = 1
requests_per_minute = 60000
[sources.hackernews]
base_url = "{uri}"
concurrency = 1
requests_per_minute = 60000
"#,
        year = Utc::now().year() - 1,
        uri = server.uri()
    );
    Config::parse(&text, Path::new("trends.toml"), &trends_sources::known()).expect("config parses")
}

fn catalog() -> Catalog {
    let tech = |id: &str, name: &str| {
        format!(
            "[[technology]]\nid = \"{id}\"\nname = \"{name}\"\ncategory = \"language\"\nstackoverflow_tag = \"{id}\"\nhackernews_query = \"{id}\"\n\n"
        )
    };
    let text = tech("python", "Python") + &tech("rust", "Rust");
    Catalog::parse(&text, Path::new("catalog.toml")).expect("catalog parses")
}

fn options() -> RunOptions {
    RunOptions {
        command: "collect".into(),
        ..RunOptions::default()
    }
}

fn run(config: &Config, store: &mut Store, options: &RunOptions) -> Summary {
    collect(
        config,
        &catalog(),
        store,
        options,
        &RunStop::new(),
        &mut Quiet,
    )
    .expect("run")
}

fn planned(config: &Config) -> usize {
    let plans = plan(config, &catalog(), None, false).expect("plan");
    plans.iter().map(|p| p.requests.len()).sum()
}

fn tally<'a>(summary: &'a Summary, source: &str) -> &'a Tally {
    &summary.sources[&trends_sources::by_name(source).expect("a source").id()]
}

#[test]
fn a_run_where_every_request_succeeds_is_ok_and_accounts_for_each() {
    let apis = Apis::start(&[]);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config, &mut store, &options());
    assert_eq!(
        (summary.status, summary.error.as_deref()),
        (RunStatus::Ok, None)
    );
    assert_eq!(summary.sources.len(), 2);
    for (source, t) in &summary.sources {
        assert!(t.planned > 0, "{source}");
        assert_eq!(t.ok + t.no_data, t.planned as u64, "{source}: {t:?}");
        assert_eq!((t.failed, t.skipped, &t.halted), (0, 0, &None), "{source}");
    }
    let asked = planned(&config);
    assert_eq!(summary.counts.requests, asked as u64);
    assert_eq!(apis.received().len(), asked);
    let counts = store.counts().expect("counts");
    assert_eq!(counts.raw_responses, asked as i64);
    assert!(summary.counts.observations > 0);
    assert_eq!(counts.observations as u64, summary.added);
    assert_eq!(
        store.last_run_status().expect("runs").as_deref(),
        Some("ok")
    );
}

#[test]
fn a_source_answering_500_forever_is_given_up_and_the_others_are_stored() {
    let apis = Apis::start(&["stackexchange"]);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config, &mut store, &options());
    assert_eq!(summary.status, RunStatus::Partial);
    let se = tally(&summary, "stackexchange");
    assert_eq!(
        (se.ok, se.failed),
        (0, 2),
        "halted after two in a row: {se:?}"
    );
    assert_eq!(se.skipped, se.planned - 2);
    assert!(se.halted.is_some());
    let hn = tally(&summary, "hackernews").clone();
    assert_eq!((hn.ok, hn.failed), (hn.planned as u64, 0));
    let error = summary.error.unwrap_or_default();
    assert!(
        error.starts_with("stackexchange: 2 failed (http_error: HTTP 500: error 500 internal_error: An internal error has occurred)"),
        "{error}"
    );
    assert_eq!(
        store.counts().expect("counts").raw_responses,
        2 + hn.planned as i64
    );

    // Nothing lands anywhere: failed.
    let apis = Apis::start(&["stackexchange", "hackernews"]);
    let config = self::config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config, &mut store, &options());
    assert_eq!(summary.status, RunStatus::Failed);
    assert_eq!((summary.counts.responses_ok, summary.added), (0, 0));
}

/// The asked `/2.3/questions` and `/api/v1/search` requests about `key`.
fn asked_about(requests: &[Request], key: &str) -> usize {
    requests
        .iter()
        .filter(|r| {
            r.url
                .query_pairs()
                .any(|(n, v)| (n == "tagged" || n == "query") && v == key)
        })
        .count()
}

#[test]
fn a_second_run_does_not_ask_again_for_stored_periods_and_refresh_does() {
    let apis = Apis::start(&[]);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let python = RunOptions {
        techs: vec!["python".into()],
        ..options()
    };
    let first = run(&config, &mut store, &python);
    assert_eq!(first.status, RunStatus::Ok);
    let first_asked = apis.received().len();
    assert_eq!(
        asked_about(&apis.received(), "python"),
        first_asked - 1,
        "and one tags_info"
    );

    let second = run(&config, &mut store, &options());
    assert_eq!(second.status, RunStatus::Ok);
    let all = apis.received();
    let asked = &all[first_asked..];
    assert_eq!(
        asked_about(asked, "python"),
        0,
        "python's periods are stored"
    );
    assert!(asked_about(asked, "rust") > 0);
    assert_eq!(second.counts.requests as usize, asked.len());
    assert_eq!(asked.len(), planned(&config) - (first_asked - 1));

    let third = run(
        &config,
        &mut store,
        &RunOptions {
            refresh: true,
            ..options()
        },
    );
    assert_eq!(third.status, RunStatus::Ok);
    let all = apis.received();
    let asked = &all[first_asked + second.counts.requests as usize..];
    assert_eq!(asked.len(), planned(&config), "refresh asks for everything");
    assert!(asked_about(asked, "python") > 0);
    // Asked again, the periods are updated, not added twice.
    assert_eq!(third.added, 0);
    assert_eq!(third.updated, third.counts.observations);
}

/// Flips the run's stop (as the binary does on SIGTERM) once the first
/// answer is stored.
struct StopAfterFirst(RunStop);

impl Progress for StopAfterFirst {
    fn stored(&mut self, _source: SourceId, _tally: &Tally) {
        self.0.signal(StopSignal::Terminate);
    }
}

#[test]
fn a_stop_mid_run_is_interrupted_with_what_arrived_stored() {
    // Answers 50 ms apart, one at a time: the stop comes with requests left.
    let apis = Apis::slow(&[], Duration::from_millis(50));
    let mut config = config(&apis.server);
    config.sources.retain(|s, _| s.as_str() == "stackexchange");
    let mut store = Store::open_in_memory().expect("store");
    let stop = RunStop::new();
    let summary = collect(
        &config,
        &catalog(),
        &mut store,
        &options(),
        &stop,
        &mut StopAfterFirst(stop.clone()),
    )
    .expect("run");
    assert_eq!(summary.status, RunStatus::Interrupted);
    assert_eq!(
        summary.stopped,
        Some(Stopped::Signal(StopSignal::Terminate))
    );
    let se = tally(&summary, "stackexchange").clone();
    assert!(se.ok >= 1 && se.skipped >= 1, "{se:?}");
    assert_eq!(se.ok as usize + se.skipped, se.planned, "{se:?}");
    assert_eq!(store.counts().expect("counts").raw_responses, se.ok as i64);
    let error = summary.error.unwrap_or_default();
    let left = format!(
        "interrupted by SIGTERM: {} of {} planned requests left",
        se.skipped, se.planned
    );
    assert!(error.starts_with(&left), "{error}");
    assert_eq!(
        store.last_run_status().expect("runs").as_deref(),
        Some("interrupted")
    );
}

#[test]
fn renormalize_parses_the_archive_again() {
    let apis = Apis::start(&["hackernews"]);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config, &mut store, &options());
    let before = store.counts().expect("counts");
    let done = renormalize(&mut store).expect("renormalize");
    assert_eq!(done.responses, before.raw_responses as u64);
    assert_eq!(done.observations, summary.counts.observations);
    assert_eq!(
        done.verdicts_changed, 0,
        "the same parsers, the same verdicts"
    );
    assert_eq!(store.counts().expect("counts"), before);
}

#[test]
fn the_deadline_stops_sending_and_the_run_is_partial() {
    // Five answers 100 ms apart, one at a time, against a 150 ms deadline.
    let apis = Apis::slow(&[], Duration::from_millis(100));
    let mut config = config(&apis.server);
    config.sources.retain(|s, _| s.as_str() == "stackexchange");
    let mut store = Store::open_in_memory().expect("store");
    let options = RunOptions {
        max_run: Some(Duration::from_millis(150)),
        ..options()
    };
    let summary = run(&config, &mut store, &options);
    assert_eq!(summary.status, RunStatus::Partial);
    assert_eq!(
        summary.stopped,
        Some(Stopped::Deadline(Duration::from_millis(150)))
    );
    let se = tally(&summary, "stackexchange").clone();
    assert!(se.skipped >= 1, "{se:?}");
    assert_eq!(se.ok as usize + se.skipped, se.planned, "{se:?}");
    let error = summary.error.unwrap_or_default();
    assert!(
        error.starts_with("run deadline passed (max_run_secs = 0): "),
        "{error}"
    );
    assert_eq!(store.counts().expect("counts").raw_responses, se.ok as i64);
}

/// Stack Exchange answering its recorded filtered wrapper with the day's
/// quota counted down from `quota` (0 once spent) and a `backoff` of
/// `backoff` seconds on the first answer; Hacker News as usual.
fn quota_apis(quota: u64, backoff: Option<u64>) -> Apis {
    use std::sync::atomic::{AtomicU64, Ordering};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let left = AtomicU64::new(quota);
        let first = AtomicU64::new(1);
        Mock::given(path("/2.3/questions"))
            .respond_with(move |_: &Request| {
                let fixture = match backoff {
                    Some(_) if first.swap(0, Ordering::SeqCst) == 1 => "questions_backoff.json",
                    _ => "questions_total.json",
                };
                let mut body: Value =
                    serde_json::from_str(&fixture_of_se(fixture)).expect("fixture");
                let remaining = left.load(Ordering::SeqCst).saturating_sub(1);
                left.store(remaining, Ordering::SeqCst);
                body["quota_remaining"] = json!(remaining);
                let asks_backoff = body.get("backoff").is_some();
                if let Some(secs) = backoff
                    && asks_backoff
                {
                    body["backoff"] = json!(secs);
                }
                json_answer(body.to_string())
            })
            .mount(&server)
            .await;
        Mock::given(path_regex("^/2.3/tags/.+/info$"))
            .respond_with(tags_info)
            .mount(&server)
            .await;
        Mock::given(path("/api/v1/search"))
            .respond_with(json_answer(fixture("hackernews/search_nbhits.json")))
            .mount(&server)
            .await;
        server
    });
    Apis { runtime, server }
}

fn fixture_of_se(name: &str) -> String {
    fixture(&format!("stackexchange/{name}"))
}

#[test]
fn a_spent_quota_stops_the_source_cleanly_and_the_next_run_asks_the_rest() {
    // Five Stack Exchange requests (four questions, one tags_info); the
    // second answer says the quota is spent.
    let apis = quota_apis(2, None);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config, &mut store, &options());
    assert_eq!(summary.status, RunStatus::Partial);
    let se = tally(&summary, "stackexchange").clone();
    assert_eq!((se.ok, se.failed, se.skipped), (2, 0, 3), "{se:?}");
    assert_eq!(
        se.halted.as_deref(),
        Some("quota exhausted, 3 requests left for the next run")
    );
    let error = summary.error.clone().unwrap_or_default();
    assert_eq!(
        error,
        "stackexchange: quota exhausted, 3 requests left for the next run"
    );
    // Both answers that arrived are stored with their numbers; nothing
    // was sent after the one that spent the quota.
    let hn = tally(&summary, "hackernews").clone();
    assert_eq!(apis.received().len(), 2 + hn.planned);
    assert_eq!(
        store.counts().expect("counts").raw_responses,
        2 + hn.planned as i64
    );
    assert_eq!(se.observations, 2);

    // The quota refilled: the next run asks for what is missing, and the
    // tables end as a run that never stopped would leave them.
    let apis = quota_apis(300, None);
    let config = self::config(&apis.server);
    let again = run(&config, &mut store, &options());
    assert_eq!(again.status, RunStatus::Ok, "{:?}", again.error);
    let mut clean = Store::open_in_memory().expect("store");
    let apis = quota_apis(300, None);
    let whole = run(&self::config(&apis.server), &mut clean, &options());
    assert_eq!(whole.status, RunStatus::Ok);
    assert_eq!(
        store.counts().expect("counts").observations,
        clean.counts().expect("counts").observations
    );
}

#[test]
fn a_backoff_in_an_answer_delays_the_next_request_of_the_source() {
    let quick = quota_apis(300, None);
    let started = std::time::Instant::now();
    let mut store = Store::open_in_memory().expect("store");
    assert_eq!(
        run(&config(&quick.server), &mut store, &options()).status,
        RunStatus::Ok
    );
    let without = started.elapsed();

    let apis = quota_apis(300, Some(1));
    let started = std::time::Instant::now();
    let mut store = Store::open_in_memory().expect("store");
    let summary = run(&config(&apis.server), &mut store, &options());
    let with = started.elapsed();
    assert_eq!(summary.status, RunStatus::Ok, "{:?}", summary.error);
    // One second asked for; loose bounds for a busy machine.
    assert!(with >= Duration::from_secs(1), "{with:?}");
    assert!(
        with < without + Duration::from_secs(15),
        "{with:?} vs {without:?}"
    );
}

#[test]
fn a_keep_filter_leaves_requests_out_of_the_plan_and_the_run_stays_ok() {
    let apis = Apis::start(&[]);
    let config = config(&apis.server);
    let mut store = Store::open_in_memory().expect("store");
    // Only Python's Stack Exchange questions, nothing of Hacker News.
    let keep = crate::Keep(std::sync::Arc::new(|source: SourceId, url: &str| {
        source.as_str() == "stackexchange" && url.contains("/questions?tagged=python&")
    }));
    let options = RunOptions {
        keep: Some(keep),
        ..options()
    };
    let summary = run(&config, &mut store, &options);
    assert_eq!(summary.status, RunStatus::Ok, "{:?}", summary.error);
    let years = (config.first_year..=Utc::now().year()).count();
    assert_eq!(tally(&summary, "stackexchange").planned, years);
    assert_eq!(tally(&summary, "hackernews").planned, 0);
    let received = apis.received();
    assert_eq!(received.len(), years);
    assert!(
        received
            .iter()
            .all(|r| r.url.query().is_some_and(|q| q.contains("tagged=python")))
    );
}
