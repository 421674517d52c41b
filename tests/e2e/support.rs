//! Local stand-ins for the three APIs, serving the recorded bodies of
//! tests/fixtures with the numbers a test needs, and helpers to run the
//! binary and read its DuckDB file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn fixture(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", p.display()))
}

pub fn this_year() -> i32 {
    Utc::now().year()
}

/// Stack Overflow questions for a tag in a year: Python leads; Go passes
/// Rust in the last complete year.
pub fn so_total(tag: &str, year: i32) -> u64 {
    let last = this_year() - 1;
    match (tag, year == last) {
        ("python", _) => 10_000 + year as u64,
        ("go", true) => 5_000,
        ("go", false) => 3_000,
        ("rust", true) => 4_500,
        ("rust", false) => 4_000,
        ("django", _) => 2_000,
        ("flask", _) => 1_000,
        _ => 100,
    }
}

fn language_repos(lang: &str, year: i32) -> u64 {
    let last = this_year() - 1;
    match (lang, year == last) {
        ("Python", _) => 900_000,
        ("Go", true) => 300_000,
        ("Go", false) => 200_000,
        ("Rust", true) => 260_000,
        ("Rust", false) => 250_000,
        _ => 10,
    }
}

fn topic_repos(topic: &str) -> u64 {
    match topic {
        "django" => 5_000,
        "flask" => 3_000,
        _ => 10,
    }
}

fn monthly_views(article: &str, year: i32) -> u64 {
    let last = this_year() - 1;
    match (article, year == last) {
        ("Python_(programming_language)", _) => 500_000,
        ("Go_(programming_language)", true) => 120_000,
        ("Go_(programming_language)", false) => 90_000,
        ("Rust_(programming_language)", true) => 110_000,
        ("Rust_(programming_language)", false) => 100_000,
        ("Django_(web_framework)", _) => 60_000,
        _ => 1,
    }
}

/// Faults a test injects.
#[derive(Debug, Default, Clone, Copy)]
pub struct Faults {
    /// Answer this Stack Overflow tag with a truncated body.
    pub truncate_so_tag: Option<&'static str>,
    /// Delay every Stack Exchange answer by this many milliseconds.
    pub se_delay_ms: u64,
    /// The first Stack Exchange questions answer asks for a `backoff` of
    /// this many seconds (as the recorded `questions_backoff.json`).
    pub se_backoff_secs: Option<u64>,
}

struct StackExchange {
    faults: Faults,
    /// The day's quota left (`quota_remaining`), counted down per answer;
    /// shared with [`Apis::set_se_quota`].
    quota: Arc<Mutex<u64>>,
    answered: Arc<Mutex<u64>>,
}

impl Respond for StackExchange {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let (Some(tag), Some(from)) = (q("tagged"), q("fromdate")) else {
            return ResponseTemplate::new(400)
                .set_body_json(fixture("stackexchange/error_bad_parameter.json"));
        };
        assert_eq!(q("filter").as_deref(), Some("!.UE8F0bVg4M-_Ii4"));
        assert_eq!(q("site").as_deref(), Some("stackoverflow"));
        if self.faults.truncate_so_tag == Some(tag.as_str()) {
            return ResponseTemplate::new(200)
                .insert_header("content-type", "application/json; charset=utf-8")
                .set_body_string("{\"total\": 12");
        }
        let from: i64 = from.parse().expect("fromdate is unix seconds");
        let year = chrono::DateTime::from_timestamp(from, 0)
            .expect("valid")
            .year();
        let first = self
            .answered
            .lock()
            .map(|mut n| {
                *n += 1;
                *n == 1
            })
            .unwrap_or(false);
        let mut body = match self.faults.se_backoff_secs {
            Some(secs) if first => {
                let mut body = fixture("stackexchange/questions_backoff.json");
                body["backoff"] = json!(secs);
                body
            }
            _ => fixture("stackexchange/questions_total.json"),
        };
        body["total"] = json!(so_total(&tag, year));
        if let Ok(mut left) = self.quota.lock() {
            *left = left.saturating_sub(1);
            body["quota_remaining"] = json!(*left);
        }
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json; charset=utf-8")
            .set_body_json(body)
            .set_delay(std::time::Duration::from_millis(self.faults.se_delay_ms))
    }
}

/// `/2.3/tags/{tags}/info`: the recorded wrapper, one item per asked tag.
struct StackExchangeTags;

impl Respond for StackExchangeTags {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let tags = req
            .url
            .path()
            .trim_start_matches("/se/2.3/tags/")
            .trim_end_matches("/info");
        let mut body = fixture("stackexchange/tags_info.json");
        let template = body["items"][0].clone();
        let items: Vec<Value> = tags
            .split(';')
            .map(|tag| {
                let mut item = template.clone();
                item["name"] = json!(percent_decode(tag));
                item["count"] = json!(so_total(&percent_decode(tag), this_year() - 1) * 10);
                item
            })
            .collect();
        body["items"] = Value::Array(items);
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json; charset=utf-8")
            .set_body_json(body)
    }
}

fn github_headers(t: ResponseTemplate, resource: &str) -> ResponseTemplate {
    t.insert_header("content-type", "application/json; charset=utf-8")
        .insert_header("x-github-api-version-selected", "2022-11-28")
        .insert_header("x-ratelimit-limit", "60")
        .insert_header("x-ratelimit-remaining", "59")
        .insert_header("x-ratelimit-reset", "4102444800")
        .insert_header("x-ratelimit-used", "1")
        .insert_header("x-ratelimit-resource", resource)
}

struct GitHubRepo;

impl Respond for GitHubRepo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let parts: Vec<&str> = req.url.path().trim_start_matches('/').split('/').collect();
        let (owner, name) = (parts[1], parts[2]);
        let stars = if name == "django" { 80_000 } else { 67_000 };
        let mut body = fixture("github/repo.json");
        body["name"] = json!(name);
        body["full_name"] = json!(format!("{owner}/{name}"));
        body["stargazers_count"] = json!(stars);
        body["watchers_count"] = json!(stars);
        body["forks_count"] = json!(stars / 3);
        body["subscribers_count"] = json!(stars / 40);
        body["open_issues_count"] = json!(stars / 200);
        github_headers(ResponseTemplate::new(200).set_body_json(body), "core")
    }
}

/// `GET /repos/{o}/{r}/stargazers/history` and `.../count`: a history that
/// adds up to the REST answer's stars (on the demo's `COMPLETE` day, none
/// after it), served as GitHub pages it, and that count.
struct GitHubStars;

/// Stars added a day, oldest first, from the repository's creation.
pub fn star_days(name: &str, today: chrono::NaiveDate) -> Vec<(chrono::NaiveDate, u64)> {
    let stars = if name == "django" { 80_000.0 } else { 67_000.0 };
    let created = if name == "django" {
        chrono::NaiveDate::from_ymd_opt(2012, 4, 28)
    } else {
        chrono::NaiveDate::from_ymd_opt(2010, 4, 6)
    }
    .expect("date");
    let growing = (trends_sources::github::demo::stars::COMPLETE - created).num_days() as usize + 1;
    let weight = |t: usize| {
        if t < growing {
            1.0 + t as f64 / 900.0
        } else {
            0.0
        }
    };
    let sum: f64 = (0..growing).map(weight).sum();
    let (mut cumulative, mut given) = (0.0, 0u64);
    let mut out = Vec::new();
    let mut day = created;
    for t in 0.. {
        if day > today {
            break;
        }
        cumulative += weight(t);
        let level = (stars * cumulative / sum).round() as u64;
        out.push((day, level - given));
        given = level;
        day = day.succ_opt().expect("day");
    }
    out
}

impl Respond for GitHubStars {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let parts: Vec<&str> = req.url.path().trim_start_matches('/').split('/').collect();
        let (name, what) = (parts[3], parts[5]);
        let today = Utc::now().date_naive();
        let days = star_days(name, today);
        let answer = if what == "count" {
            let count: u64 = days.iter().map(|d| d.1).sum();
            ResponseTemplate::new(200).set_body_json(json!({ "count": count }))
        } else {
            trends_mockapi::response(trends_sources::github::demo::stars::star_history_page(
                &trends_mockapi::demo_request(req, Utc::now()),
                &days,
                today,
            ))
        };
        github_headers(answer, "core")
    }
}

/// `POST /graphql` (with a token): each aliased repository with the same
/// counts as the REST answer gives.
struct GitHubGraphql;

impl Respond for GitHubGraphql {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        assert!(
            req.headers.contains_key("authorization"),
            "GraphQL needs the token"
        );
        let body: Value = serde_json::from_slice(&req.body).expect("JSON body");
        let query = body["query"].as_str().expect("query");
        let mut data = serde_json::Map::new();
        for (i, field) in query.split("repository(owner: ").skip(1).enumerate() {
            let mut quoted = field.split('"');
            let (_, name) = (quoted.nth(1).expect("owner"), quoted.nth(1).expect("name"));
            let stars = if name == "django" { 80_000 } else { 67_000 };
            data.insert(
                format!("r{i}"),
                json!({
                    "nameWithOwner": format!("{}/{name}", field.split('"').nth(1).unwrap_or("")),
                    "stargazerCount": stars,
                    "forkCount": stars / 3,
                    "watchers": {"totalCount": stars / 40},
                    "issues": {"totalCount": stars / 400},
                    "pullRequests": {"totalCount": stars / 200 - stars / 400},
                }),
            );
        }
        // `yYYYY: search(type: REPOSITORY, query: "Q", first: 1)`: REST's count for Q.
        for field in query.split("search(").skip(1) {
            let alias = field_alias(query, field);
            let q: String = field
                .split_once("query: ")
                .and_then(|(_, rest)| {
                    let end = rest.find(", first: 1)")?;
                    serde_json::from_str(&rest[..end]).ok()
                })
                .expect("a query string");
            let q = q.strip_suffix(" is:public").expect("is:public");
            let total = search_total(q).expect("a topic: or language: search");
            data.insert(alias, json!({ "repositoryCount": total }));
        }
        data.insert(
            "rateLimit".into(),
            json!({"cost": 1, "remaining": 4999, "resetAt": "2099-01-01T00:00:00Z"}),
        );
        github_headers(
            ResponseTemplate::new(200).set_body_json(json!({ "data": data })),
            "graphql",
        )
    }
}

/// The alias before a GraphQL field (`y2023: search(` → `y2023`).
fn field_alias(query: &str, field: &str) -> String {
    let at = query.find(field).expect("field in query");
    let before = query[..at].trim_end_matches("search(").trim_end();
    before
        .trim_end_matches(':')
        .rsplit([' ', '{'])
        .next()
        .expect("an alias")
        .to_owned()
}

/// What the search mock counts for a REST `q`
/// (`topic:T created:A..B` or `language:L created:A..B`).
fn search_total(q: &str) -> Option<u64> {
    let (qualifier, rest) = q.split_once(' ')?;
    let year: i32 = rest.trim_start_matches("created:").get(..4)?.parse().ok()?;
    match qualifier.split_once(':') {
        Some(("language", l)) => Some(language_repos(l.trim_matches('"'), year)),
        Some(("topic", t)) => Some(topic_repos(t)),
        _ => None,
    }
}

struct GitHubSearch;

impl Respond for GitHubSearch {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = req
            .url
            .query_pairs()
            .find(|(n, _)| n == "q")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        assert!(
            req.url
                .query_pairs()
                .any(|(n, v)| n == "per_page" && v == "1")
        );
        let Some(total) = search_total(&q) else {
            return github_headers(
                ResponseTemplate::new(422).set_body_json(fixture("github/error_validation.json")),
                "search",
            );
        };
        let mut body = fixture("github/search_repositories.json");
        body["total_count"] = json!(total);
        body["incomplete_results"] = json!(false);
        github_headers(ResponseTemplate::new(200).set_body_json(body), "search")
    }
}

struct Wikimedia;

impl Respond for Wikimedia {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let segs: Vec<String> = req
            .url
            .path_segments()
            .expect("path")
            .map(percent_decode)
            .collect();
        // .../user/{article}/monthly/{start}/{end}
        let n = segs.len();
        let (article, start, end) = (&segs[n - 4], &segs[n - 2], &segs[n - 1]);
        let day = |ts: &str| NaiveDate::parse_from_str(&ts[..8], "%Y%m%d").expect("timestamp");
        let (start, end) = (day(start), day(end));
        let template = fixture("wikimedia/pageviews_monthly.json")["items"][0].clone();
        let mut items = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).expect("month");
        while month <= end {
            let mut item = template.clone();
            item["article"] = json!(article);
            item["timestamp"] = json!(format!("{}00", month.format("%Y%m%d")));
            item["views"] = json!(monthly_views(article, month.year()));
            items.push(item);
            month = month
                .checked_add_months(chrono::Months::new(1))
                .expect("next month");
        }
        if monthly_views(article, start.year()) == 1 {
            return ResponseTemplate::new(404)
                .insert_header("content-type", "application/problem+json")
                .set_body_json(fixture("wikimedia/error_not_found.json"));
        }
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json; charset=utf-8")
            .set_body_json(json!({ "items": items }))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 path")
}

/// An answer that replaces every answer of one API while it is set.
#[derive(Clone, Default)]
struct Override(Arc<Mutex<Option<ResponseTemplate>>>);

impl wiremock::Match for Override {
    fn matches(&self, _: &Request) -> bool {
        self.0.lock().is_ok_and(|o| o.is_some())
    }
}

impl Respond for Override {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0
            .lock()
            .ok()
            .and_then(|o| o.clone())
            .unwrap_or_else(|| ResponseTemplate::new(500))
    }
}

/// The three mock APIs on one local server, kept alive by their runtime.
pub struct Apis {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    /// Per API (`se`, `gh`, `wm`): an answer given instead of the real one.
    overrides: HashMap<&'static str, Override>,
    /// Stack Exchange's quota left for the day (10,000 unless a test sets it).
    se_quota: Arc<Mutex<u64>>,
}

impl Apis {
    pub fn start(faults: Faults) -> Apis {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let overrides: HashMap<&'static str, Override> = ["se", "gh", "wm"]
            .into_iter()
            .map(|api| (api, Override::default()))
            .collect();
        let se_quota = Arc::new(Mutex::new(10_000));
        let quota = se_quota.clone();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            for (api, o) in &overrides {
                Mock::given(path_regex(format!("^/{api}/")))
                    .and(o.clone())
                    .respond_with(o.clone())
                    .with_priority(1)
                    .mount(&server)
                    .await;
            }
            Mock::given(method("GET"))
                .and(path("/se/2.3/questions"))
                .respond_with(StackExchange {
                    faults,
                    quota,
                    answered: Arc::default(),
                })
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path_regex(r"^/se/2\.3/tags/[^/]+/info$"))
                .respond_with(StackExchangeTags)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path_regex(r"^/gh/repos/[^/]+/[^/]+$"))
                .respond_with(GitHubRepo)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path_regex(
                    r"^/gh/repos/[^/]+/[^/]+/stargazers/(history|count)$",
                ))
                .respond_with(GitHubStars)
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/gh/graphql"))
                .respond_with(GitHubGraphql)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/gh/search/repositories"))
                .respond_with(GitHubSearch)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path_regex(
                    r"^/wm/api/rest_v1/metrics/pageviews/per-article/en\.wikipedia/all-access/user/[^/]+/monthly/\d{10}/\d{10}$",
                ))
                .respond_with(Wikimedia)
                .mount(&server)
                .await;
            server
        });
        Apis {
            runtime,
            server,
            overrides,
            se_quota,
        }
    }

    /// Stack Exchange's quota left for the day from now on: each questions
    /// answer spends one and says what is left (`quota_remaining`).
    pub fn set_se_quota(&self, left: u64) {
        if let Ok(mut q) = self.se_quota.lock() {
            *q = left;
        }
    }

    /// From now on, `api` (`se`, `gh` or `wm`) answers every request with
    /// `answer`; `None` gives the real answers again.
    pub fn answer_all(&self, api: &str, answer: Option<ResponseTemplate>) {
        if let Some(o) = self.overrides.get(api)
            && let Ok(mut slot) = o.0.lock()
        {
            *slot = answer;
        }
    }

    /// How many requests the server has answered under `/{api}/`.
    pub fn request_count_of(&self, api: &str) -> usize {
        let prefix = format!("/{api}/");
        self.runtime
            .block_on(self.server.received_requests())
            .map_or(0, |r| {
                r.iter()
                    .filter(|r| r.url.path().starts_with(&prefix))
                    .count()
            })
    }

    /// Whether the GitHub token came as a bearer header and the Stack
    /// Exchange key as the `key` parameter.
    pub fn saw_secret(&self, token: &str, key: &str) -> bool {
        let requests = self
            .runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default();
        let bearer = format!("Bearer {token}");
        let gh = requests.iter().any(|r| {
            r.url.path().starts_with("/gh/")
                && r.headers
                    .get("authorization")
                    .is_some_and(|v| v.to_str().ok() == Some(bearer.as_str()))
        });
        let se = requests.iter().any(|r| {
            r.url.path().starts_with("/se/")
                && r.url.query_pairs().any(|(n, v)| n == "key" && v == key)
        });
        gh && se
    }

    /// How many requests the server has answered so far.
    pub fn request_count(&self) -> usize {
        self.runtime
            .block_on(self.server.received_requests())
            .map_or(0, |r| r.len())
    }

    pub fn uri(&self) -> String {
        let _ = &self.runtime;
        self.server.uri()
    }
}

/// The binary under test: `TRENDS_E2E_BIN` when set (a copy of this build
/// taken aside, for a target folder that another worktree's builds also
/// link `debug/trends` into), else the one cargo built for these tests.
pub fn trends_binary() -> PathBuf {
    std::env::var_os("TRENDS_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_trends")))
}

/// A working folder with a config and catalog pointing at the mock APIs.
pub struct Env {
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    pub db_path: PathBuf,
    pub last_year: i32,
}

pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

const CATALOG: &str = r#"
[[technology]]
id = "python"
name = "Python"
category = "language"
stackoverflow_tag = "python"
github_language = "Python"
wikipedia_article = "Python_(programming_language)"

[[technology]]
id = "go"
name = "Go"
category = "language"
stackoverflow_tag = "go"
github_language = "Go"
wikipedia_article = "Go_(programming_language)"

[[technology]]
id = "rust"
name = "Rust"
category = "language"
stackoverflow_tag = "rust"
github_language = "Rust"
wikipedia_article = "Rust_(programming_language)"

[[technology]]
id = "django"
name = "Django"
category = "framework"
stackoverflow_tag = "django"
github_repo = "django/django"
github_topic = "django"
wikipedia_article = "Django_(web_framework)"

[[technology]]
id = "flask"
name = "Flask"
category = "framework"
stackoverflow_tag = "flask"
github_repo = "pallets/flask"
github_topic = "flask"
"#;

impl Env {
    pub fn new(apis: &Apis) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("trends.toml");
        let db_path = dir.path().join("trends.duckdb");
        let last_year = this_year() - 1;
        let uri = apis.uri();
        std::fs::write(dir.path().join("catalog.toml"), CATALOG).expect("catalog");
        std::fs::write(
            &config,
            format!(
                r#"
database = "{db}"
catalog = "catalog.toml"
first_year = {first}
contact = "e2e@example.org"
[http]
max_retries = 1
[sources.stackexchange]
base_url = "{uri}/se"
requests_per_minute = 100000
token_env = "STACKEXCHANGE_KEY"
[sources.github]
base_url = "{uri}/gh"
token_env = "GITHUB_TOKEN"
concurrency = 4
requests_per_minute = 100000
search_requests_per_minute = 100000
[sources.wikimedia]
base_url = "{uri}/wm/api/rest_v1"
requests_per_minute = 100000
"#,
                db = db_path.display(),
                first = last_year - 1,
            ),
        )
        .expect("config");
        Env {
            _dir: dir,
            config,
            db_path,
            last_year,
        }
    }

    /// A folder with this catalog and a config of `first_year` and one
    /// `[sources.<source>]` table pointing at `base_url`.
    pub fn one_source(source: &str, base_url: &str, first_year: i32, catalog: &str) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("trends.toml");
        let db_path = dir.path().join("trends.duckdb");
        std::fs::write(dir.path().join("catalog.toml"), catalog).expect("catalog");
        std::fs::write(
            &config,
            format!(
                r#"
database = "{db}"
catalog = "catalog.toml"
first_year = {first_year}
contact = "e2e@example.org"
[http]
max_retries = 1
[sources.{source}]
base_url = "{base_url}"
requests_per_minute = 100000
"#,
                db = db_path.display(),
            ),
        )
        .expect("config");
        Env {
            _dir: dir,
            config,
            db_path,
            last_year: this_year() - 1,
        }
    }

    /// A folder with this catalog and a config of `first_year` whose
    /// tables (`[http]`, `[sources.*]`) are `tables`, as TOML.
    pub fn custom(first_year: i32, catalog: &str, tables: &str) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Env {
            config: dir.path().join("trends.toml"),
            db_path: dir.path().join("trends.duckdb"),
            _dir: dir,
            last_year: this_year() - 1,
        };
        std::fs::write(env.config.with_file_name("catalog.toml"), catalog).expect("catalog");
        env.rewrite(first_year, tables);
        env
    }

    /// Replaces the config's tables (the database and catalog stay).
    pub fn rewrite(&self, first_year: i32, tables: &str) {
        std::fs::write(
            &self.config,
            format!(
                "database = \"{db}\"\ncatalog = \"catalog.toml\"\nfirst_year = {first_year}\ncontact = \"e2e@example.org\"\n{tables}\n",
                db = self.db_path.display(),
            ),
        )
        .expect("config");
    }

    pub fn trends(&self, args: &[&str]) -> Output {
        self.trends_with_env(args, &[])
    }

    /// The command `trends` with this env's config, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = trends_bin();
        cmd.arg("--config").arg(&self.config).args(args);
        cmd
    }

    pub fn trends_with_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        run(cmd.envs(vars.iter().copied()))
    }

    /// The analysts' file, as the last run published it.
    pub fn db(&self) -> Db {
        Db(duckdb::Connection::open(&self.db_path).expect("open the database"))
    }

    /// The working copy runs write (`trends.duckdb.work`), published to
    /// [`Env::db`] when a run ends.
    pub fn work_db(&self) -> Db {
        let work = trends_store::file::working_path(&self.db_path);
        Db(duckdb::Connection::open(&work).expect("open the working copy"))
    }
}

/// The built `trends`, without the variables of the user running the tests
/// (database, config, log filter, tokens).
pub fn trends_bin() -> Command {
    let mut cmd = Command::new(trends_binary());
    cmd.env_remove("TRENDS_DB")
        .env_remove("TRENDS_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("STACKEXCHANGE_KEY");
    cmd
}

/// Runs `cmd` to its end.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run trends");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A read handle on the database a run left.
pub struct Db(duckdb::Connection);

impl From<duckdb::Connection> for Db {
    fn from(conn: duckdb::Connection) -> Db {
        Db(conn)
    }
}

impl Db {
    /// Opens `path` read-only, as an analyst's notebook does.
    pub fn read_only(path: &std::path::Path) -> Db {
        let conn = duckdb::Connection::open_with_flags(
            path,
            duckdb::Config::default()
                .access_mode(duckdb::AccessMode::ReadOnly)
                .expect("read-only"),
        )
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        Db(conn)
    }

    pub fn strings(&self, sql: &str) -> Vec<String> {
        let mut stmt = self.0.prepare(sql).expect("prepare");
        stmt.query_map([], |r| r.get::<_, String>(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    pub fn int(&self, sql: &str) -> i64 {
        self.0.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    /// The first column of each row, as bytes (a BLOB).
    pub fn blobs(&self, sql: &str) -> Vec<Vec<u8>> {
        let mut stmt = self.0.prepare(sql).expect("prepare");
        stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// Runs a query and counts its rows.
    pub fn row_count(&self, sql: &str) -> Result<usize, duckdb::Error> {
        let mut stmt = self.0.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while rows.next()?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    pub fn float(&self, sql: &str) -> f64 {
        self.0.query_row(sql, [], |r| r.get(0)).expect("query")
    }
}

pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("csv record").iter().map(str::to_owned).collect())
        .collect()
}

/// Runs tests/python/analyst.py on a database with Python `duckdb` 2.0.0,
/// from its virtualenv under the build folder (made on first use).
pub fn python_analyst(db: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(crate::clients::python("2.0.0"))
        .arg(root.join("tests/python/analyst.py"))
        .arg(db)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "analyst.py failed:\n{text}");
    text
}

/// How a [`RawServer`] answers every request, with a body it never finishes
/// properly.
#[derive(Debug, Clone)]
pub enum Broken {
    /// Headers at once, then the body a byte every 300 ms: slower than any
    /// timeout a test sets.
    Trickle(Vec<u8>),
    /// The whole body announced (`content-length`), half sent, then the
    /// connection closed.
    Truncate(Vec<u8>),
    /// Half the body, then a TCP reset.
    Reset(Vec<u8>),
}

/// A bare HTTP/1.1 server for what wiremock cannot send: bodies cut short,
/// reset or trickled. Lives as long as the value.
pub struct RawServer {
    runtime: tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
}

impl RawServer {
    pub fn start(broken: Broken, content_type: &'static str) -> RawServer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let broken = broken.clone();
                tokio::spawn(async move {
                    // Read the request head; these requests have no body.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let body = match &broken {
                        Broken::Trickle(b) | Broken::Truncate(b) | Broken::Reset(b) => b,
                    };
                    let headers = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if socket.write_all(headers.as_bytes()).await.is_err() {
                        return;
                    }
                    match &broken {
                        Broken::Trickle(b) => {
                            for byte in b {
                                if socket.write_all(&[*byte]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                            }
                        }
                        Broken::Truncate(b) => {
                            let _ = socket.write_all(&b[..b.len() / 2]).await;
                            let _ = socket.shutdown().await;
                        }
                        Broken::Reset(b) => {
                            let _ = socket.write_all(&b[..b.len() / 2]).await;
                            let _ = socket.flush().await;
                            let _ = socket.set_zero_linger();
                            drop(socket);
                        }
                    }
                });
            }
        });
        RawServer { runtime, addr }
    }

    pub fn uri(&self) -> String {
        let _ = &self.runtime;
        format!("http://{}", self.addr)
    }
}
