//! The demo route of GitHub REST: `GET /repos/{owner}/{repo}` and `GET
//! /search/repositories` (the star history and count under `/stargazers/`
//! are in `stars.rs`, the synthetic counts in `numbers.rs`); GitHub
//! GraphQL: `POST /graphql` for the aliased repository and search queries
//! `trends` sends with a token (`graphql.rs`).
//!
//! Bodies follow GitHub's own recordings (octokit/fixtures,
//! `scenarios/api.github.com/get-repository`), as an unauthenticated client
//! sees them: no `permissions`, no merge settings, `temp_clone_token: null`.
//! The templates in `templates/` keep the real field order and indentation;
//! owner, name, URLs, ids, dates and counts are filled in. A search item is
//! the same repository without `temp_clone_token`, `organization`,
//! `network_count` and `subscribers_count`, with `"score": 1.0`.
//!
//! Every answer carries the rate-limit headers GitHub sends to a client
//! without a token (`core`: 60 an hour, `search`: 10 a minute). `remaining`
//! counts down with the requests but never reaches 0, so a client that
//! honours it never has to wait for the demo server; the windows count
//! from the server's start.
//!
//! The demo server is stricter than GitHub: a search needs a `q` with one
//! `topic:` or `language:` qualifier and a `created:FIRST..LAST` range,
//! otherwise it answers 422 "Validation Failed" with GitHub's body shape.
//! Every repository name exists and is owned by an organization.

mod graphql;
pub mod numbers;
pub mod stars;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::demo::kit::small_hash;
use crate::demo::{Demo, DemoAnswer, DemoRequest, DemoRoute, js, object};
use graphql::graphql;
pub use numbers::{
    Qualifier, RepoCounts, synthetic_repo_counts, synthetic_repos_created,
    synthetic_repos_created_between,
};

pub(crate) const JSON: &str = "application/json; charset=utf-8";
const API_VERSION: &str = "2022-11-28";
const REPOSITORY: &str = include_str!("templates/repository.json");
const SEARCH_ITEM: &str = include_str!("templates/search-item.json");
const SEARCH_DOCS: &str = "https://docs.github.com/v3/search/";

/// The GitHub demo (REST and GraphQL on one server).
#[derive(Debug, Clone, Copy)]
pub struct Api;

impl Demo for Api {
    fn synthetic(&self) -> Box<dyn DemoRoute> {
        Box::new(Route {
            core: Limit::new("core", 60, 3600),
            search: Limit::new("search", 10, 60),
            graphql: Limit::new("graphql", 5000, 3600),
        })
    }
}

/// Answers the GitHub routes; counts the requests of each rate limit.
#[derive(Debug)]
struct Route {
    core: Limit,
    search: Limit,
    graphql: Limit,
}

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let path = request.path();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let get = request.is_get();
        let (limit, answer) = match segments.as_slice() {
            ["repos", owner, name] if get && valid_name(owner) && valid_name(name) => {
                (&self.core, answer(200, repository(owner, name)))
            }
            ["repos", owner, name, "stargazers", what]
                if get && valid_name(owner) && valid_name(name) =>
            {
                let full_name = format!("{owner}/{name}");
                let answer = match *what {
                    "history" => stars::history(request, &full_name),
                    "count" => stars::count(&full_name),
                    _ => answer(404, not_found()),
                };
                (&self.core, answer)
            }
            ["search", "repositories"] if get => (&self.search, search(request)),
            ["graphql"] if request.method == "POST" => (&self.graphql, graphql(request)),
            _ => (&self.core, answer(404, not_found())),
        };
        limit.headers(answer, request)
    }
}

/// A per-resource rate-limit window, counted from the server's start.
#[derive(Debug)]
struct Limit {
    resource: &'static str,
    limit: u64,
    window_secs: i64,
    requests: AtomicU64,
}

impl Limit {
    fn new(resource: &'static str, limit: u64, window_secs: i64) -> Limit {
        Limit {
            resource,
            limit,
            window_secs,
            requests: AtomicU64::new(0),
        }
    }

    fn headers(&self, response: DemoAnswer, request: &DemoRequest) -> DemoAnswer {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        // 1..=limit-1 used, so at least one request always remains.
        let used = 1 + n % (self.limit - 1);
        let started = request.started.timestamp();
        let elapsed = (request.now.timestamp() - started).max(0);
        let reset = started + (elapsed / self.window_secs + 1) * self.window_secs;
        response
            .with_header("x-github-api-version-selected", API_VERSION)
            .with_header("x-github-media-type", "github.v3; format=json")
            .with_header("x-ratelimit-limit", self.limit.to_string())
            .with_header("x-ratelimit-remaining", (self.limit - used).to_string())
            .with_header("x-ratelimit-reset", reset.to_string())
            .with_header("x-ratelimit-used", used.to_string())
            .with_header("x-ratelimit-resource", self.resource)
    }
}

pub(crate) fn answer(status: u16, body: String) -> DemoAnswer {
    DemoAnswer::new(status, JSON, body)
}

/// GitHub's owner and repository names: ASCII letters, digits, `-`, `_`, `.`.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn not_found() -> String {
    object(&[
        ("message", js("Not Found")),
        ("documentation_url", js("https://docs.github.com/rest")),
        ("status", js("404")),
    ])
}

/// GitHub's 422 body around one error object (a JSON text).
fn validation_failed(error: String) -> String {
    object(&[
        ("message", js("Validation Failed")),
        ("errors", format!("[{error}]")),
        ("documentation_url", js(SEARCH_DOCS)),
        ("status", js("422")),
    ])
}

/// The repository object of `owner/name`, counts from
/// [`synthetic_repo_counts`].
pub(crate) fn repository(owner: &str, name: &str) -> String {
    let full_name = format!("{owner}/{name}");
    let counts = synthetic_repo_counts(&full_name);
    let key = full_name.to_lowercase();
    let created = stars::repo_created(&full_name);
    let pushed = day_between(&key, "pushed", (2024, 1, 1), (2024, 12, 31));
    let fields = Fields {
        owner,
        name,
        owner_type: "Organization",
        created_at: created,
        pushed_at: pushed,
        language: Value::Null,
        topics: Vec::new(),
        stars: counts.stars,
        forks: counts.forks,
        open_issues: counts.open_issues,
        subscribers: counts.subscribers,
    };
    fields.fill(REPOSITORY)
}

/// The values a repository template is filled with.
struct Fields<'a> {
    owner: &'a str,
    name: &'a str,
    owner_type: &'a str,
    created_at: NaiveDate,
    pushed_at: NaiveDate,
    language: Value,
    topics: Vec<String>,
    stars: u64,
    forks: u64,
    open_issues: u64,
    subscribers: u64,
}

impl Fields<'_> {
    fn fill(&self, template: &str) -> String {
        let full_name = format!("{}/{}", self.owner, self.name);
        let key = full_name.to_lowercase();
        let id = 1_000_000 + small_hash(&["repo id", &key]) % 900_000_000;
        let owner_id = 10_000 + small_hash(&["owner id", &self.owner.to_lowercase()]) % 200_000_000;
        let owner_kind = if self.owner_type == "Organization" {
            "012:Organization"
        } else {
            "04:User"
        };
        let stamp = |d: NaiveDate, secs: u64| {
            format!(
                "{}T{:02}:{:02}:{:02}Z",
                d,
                secs / 3600 % 24,
                secs / 60 % 60,
                secs % 60
            )
        };
        let clock = small_hash(&["clock", &key]);
        let values = [
            ("full_name", full_name.clone()),
            ("owner_type", self.owner_type.to_owned()),
            ("owner_node_id", base64(&format!("{owner_kind}{owner_id}"))),
            ("owner_id", owner_id.to_string()),
            ("owner", self.owner.to_owned()),
            ("name", self.name.to_owned()),
            ("node_id", base64(&format!("010:Repository{id}"))),
            ("id", id.to_string()),
            ("created_at", stamp(self.created_at, clock)),
            ("updated_at", stamp(self.pushed_at, clock / 7)),
            ("pushed_at", stamp(self.pushed_at, clock / 3)),
            (
                "size",
                (self.stars / 3 + small_hash(&["size", &key]) % 50_000).to_string(),
            ),
            ("stars", self.stars.to_string()),
            ("forks", self.forks.to_string()),
            ("open_issues", self.open_issues.to_string()),
            ("subscribers", self.subscribers.to_string()),
            ("language", js(&self.language)),
            ("topics", js(&self.topics)),
        ];
        let mut out = template.to_owned();
        for (name, value) in &values {
            out = out.replace(&format!("{{{{{name}}}}}"), value);
        }
        out
    }
}

/// A day between two dates, the same for the same key.
fn day_between(key: &str, what: &str, from: (i32, u32, u32), to: (i32, u32, u32)) -> NaiveDate {
    let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    let (from, to) = (day(from), day(to));
    let span = (to - from).num_days().max(1) as u64;
    from + Duration::days((small_hash(&[what, key]) % span) as i64)
}

/// Standard base64 (with padding), for GitHub's legacy `node_id`s.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What a search query asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) qualifier: Qualifier,
    pub(crate) value: String,
    pub(crate) first: NaiveDate,
    pub(crate) last: NaiveDate,
}

fn search(request: &DemoRequest) -> DemoAnswer {
    let q = request.param("q").unwrap_or_default();
    if q.trim().is_empty() {
        let error = object(&[
            ("resource", js("Search")),
            ("field", js("q")),
            ("code", js("missing")),
        ]);
        return answer(422, validation_failed(error));
    }
    let query = match parse_query(&q) {
        Ok(query) => query,
        Err(message) => {
            let error = object(&[
                ("message", js(message)),
                ("resource", js("Search")),
                ("field", js("q")),
                ("code", js("invalid")),
            ]);
            return answer(422, validation_failed(error));
        }
    };
    let total =
        synthetic_repos_created_between(query.qualifier, &query.value, query.first, query.last);
    let items = if total == 0 {
        "[]".to_owned()
    } else {
        let item = search_item(&query);
        let indented: Vec<String> = item.lines().map(|l| format!("    {l}")).collect();
        format!("[\n{}\n  ]", indented.join("\n"))
    };
    let body = format!(
        "{{\n  \"total_count\": {total},\n  \"incomplete_results\": false,\n  \"items\": {items}\n}}\n"
    );
    answer(200, body)
}

/// One plausible repository matching the query, created on its first day.
fn search_item(query: &Query) -> String {
    let slug: String = query
        .value
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "demo" } else { slug };
    let name = format!("{slug}-{}", query.first.year());
    let counts = synthetic_repo_counts(&format!("trends-demo/{name}"));
    let (language, topics) = match query.qualifier {
        Qualifier::Language => (json!(query.value), Vec::new()),
        Qualifier::Topic => (Value::Null, vec![query.value.to_lowercase()]),
    };
    Fields {
        owner: "trends-demo",
        name: &name,
        owner_type: "User",
        created_at: query.first,
        pushed_at: query.last,
        language,
        topics,
        stars: counts.stars,
        forks: counts.forks,
        open_issues: counts.open_issues,
        subscribers: counts.subscribers,
    }
    .fill(SEARCH_ITEM)
}

/// Reads `topic:T` or `language:L` (possibly quoted) and
/// `created:YYYY-MM-DD..YYYY-MM-DD` from a decoded `q`.
pub(crate) fn parse_query(q: &str) -> Result<Query, String> {
    let mut qualifier = None;
    let mut range = None;
    for token in tokens(q) {
        let Some((name, value)) = token.split_once(':') else {
            continue;
        };
        let value = value.trim_matches('"');
        match name.to_ascii_lowercase().as_str() {
            "topic" | "language" if qualifier.is_some() => {
                return Err(
                    "the demo server answers one topic: or language: qualifier per query".into(),
                );
            }
            "topic" => qualifier = Some((Qualifier::Topic, value.to_owned())),
            "language" => qualifier = Some((Qualifier::Language, value.to_owned())),
            "created" => {
                let parsed = value.split_once("..").and_then(|(a, b)| {
                    let a = NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()?;
                    let b = NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()?;
                    Some((a, b))
                });
                match parsed {
                    Some(r) => range = Some(r),
                    None => {
                        return Err(format!(
                            "\"{value}\" is not a date range of the form YYYY-MM-DD..YYYY-MM-DD"
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    let Some((qualifier, value)) = qualifier.filter(|(_, v)| !v.is_empty()) else {
        return Err("the demo server needs a topic: or language: qualifier".into());
    };
    let Some((first, last)) = range else {
        return Err("the demo server needs a created:YYYY-MM-DD..YYYY-MM-DD range".into());
    };
    Ok(Query {
        qualifier,
        value,
        first,
        last,
    })
}

/// Splits on whitespace outside double quotes; quotes stay in the tokens.
fn tokens(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::testing::{BASE, get, now, read, request};

    #[test]
    fn graphql_answers_each_alias_and_needs_a_token() {
        let route = Api.synthetic();
        let url = format!("{BASE}/graphql");
        let query = r#"query { r0: repository(owner: "django", name: "django") { nameWithOwner stargazerCount forkCount watchers { totalCount } issues(states: OPEN) { totalCount } pullRequests(states: OPEN) { totalCount } } r1: repository(owner: "acme", name: "nonexistent-x") { nameWithOwner } rateLimit { cost remaining resetAt } }"#;
        let body = serde_json::json!({ "query": query }).to_string();
        let mut post = request(&url);
        post.method = "POST".to_owned();
        post.body = body.into_bytes();
        let (status, _, _) = read(route.answer(&post));
        assert_eq!(status, 401);
        post.headers
            .push(("authorization".to_owned(), "Bearer t".to_owned()));
        let (status, headers, text) = read(route.answer(&post));
        assert_eq!(status, 200);
        assert_eq!(headers["x-ratelimit-resource"], "graphql");
        let v: Value = serde_json::from_str(&text).expect("JSON");
        let counts = synthetic_repo_counts("django/django");
        assert_eq!(
            v["data"]["r0"]["stargazerCount"].as_u64(),
            Some(counts.stars)
        );
        assert_eq!(
            v["data"]["r0"]["issues"]["totalCount"]
                .as_u64()
                .expect("issues")
                + v["data"]["r0"]["pullRequests"]["totalCount"]
                    .as_u64()
                    .expect("prs"),
            counts.open_issues
        );
        assert!(v["data"]["r1"].is_null());
        assert_eq!(v["errors"][0]["type"], "NOT_FOUND");
        assert_eq!(v["errors"][0]["path"][0], "r1");
        assert!(v["data"]["rateLimit"]["remaining"].is_u64());
    }

    fn ask(route: &dyn DemoRoute, path_and_query: &str) -> (u16, Vec<(String, String)>, Value) {
        let (status, headers, body) = get(route, &format!("{BASE}{path_and_query}"));
        let headers = headers.into_iter().collect();
        (
            status,
            headers,
            serde_json::from_str(&body).expect("json body"),
        )
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
    }

    #[test]
    fn repository_object_has_real_shape_and_synthetic_counts() {
        let route = Api.synthetic();
        let (status, headers, body) = ask(&*route, "/repos/django/django");
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "content-type"),
            "application/json; charset=utf-8"
        );
        assert_eq!(header(&headers, "x-ratelimit-limit"), "60");
        assert_eq!(header(&headers, "x-ratelimit-resource"), "core");
        assert_eq!(
            header(&headers, "x-github-api-version-selected"),
            "2022-11-28"
        );
        let remaining: u64 = header(&headers, "x-ratelimit-remaining")
            .parse()
            .expect("number");
        let used: u64 = header(&headers, "x-ratelimit-used")
            .parse()
            .expect("number");
        assert_eq!(remaining + used, 60);
        let reset: i64 = header(&headers, "x-ratelimit-reset")
            .parse()
            .expect("number");
        assert!(reset > now().timestamp() - 5);

        let c = synthetic_repo_counts("django/django");
        assert_eq!(body["full_name"], "django/django");
        assert_eq!(body["name"], "django");
        assert_eq!(body["owner"]["login"], "django");
        assert_eq!(body["url"], "https://api.github.com/repos/django/django");
        assert_eq!(body["stargazers_count"], c.stars);
        assert_eq!(body["watchers_count"], c.stars);
        assert_eq!(body["watchers"], c.stars);
        assert_eq!(body["forks_count"], c.forks);
        assert_eq!(body["forks"], c.forks);
        assert_eq!(body["open_issues_count"], c.open_issues);
        assert_eq!(body["open_issues"], c.open_issues);
        assert_eq!(body["subscribers_count"], c.subscribers);
        assert_eq!(body["archived"], false);
        assert!(
            body["created_at"]
                .as_str()
                .is_some_and(|s| s.ends_with('Z') && s.len() == 20)
        );
        assert!(body["id"].is_u64() && body["owner"]["id"].is_u64());
        assert_eq!(body["temp_clone_token"], Value::Null);
        assert!(body.get("permissions").is_none());

        let (_, _, again) = ask(&*route, "/repos/django/django");
        assert_eq!(again, body);
    }

    #[test]
    fn templates_are_filled_completely() {
        let repo = repository("pallets", "flask");
        assert!(!repo.contains("{{"), "{repo}");
        let value: Value = serde_json::from_str(&repo).expect("valid json");
        let keys: Vec<&String> = value.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 82, "{keys:?}");
        // Field order is the recording's: id first, subscribers_count last.
        assert!(repo.trim_start().starts_with("{\n  \"id\": "));
        assert!(repo.trim_end().ends_with(&format!(
            "\"subscribers_count\": {}\n}}",
            synthetic_repo_counts("pallets/flask").subscribers
        )));
    }

    #[test]
    fn node_ids_are_base64_like_githubs() {
        assert_eq!(
            base64("010:Repository103703892"),
            "MDEwOlJlcG9zaXRvcnkxMDM3MDM4OTI="
        );
        assert_eq!(
            base64("012:Organization31898100"),
            "MDEyOk9yZ2FuaXphdGlvbjMxODk4MTAw"
        );
        assert_eq!(base64("ab"), "YWI=");
    }

    #[test]
    fn search_by_topic_and_by_quoted_language() {
        let route = Api.synthetic();
        let (status, headers, body) = ask(
            &*route,
            "/search/repositories?q=topic%3Adjango+created%3A2023-01-01..2023-12-31&per_page=1",
        );
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "x-ratelimit-resource"), "search");
        assert_eq!(header(&headers, "x-ratelimit-limit"), "10");
        assert_eq!(
            body["total_count"],
            synthetic_repos_created(Qualifier::Topic, "django", 2023)
        );
        assert_eq!(body["incomplete_results"], false);
        let items = body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["score"], 1.0);
        assert_eq!(items[0]["topics"], json!(["django"]));
        assert!(items[0].get("subscribers_count").is_none());
        assert!(items[0]["full_name"].is_string());

        let (status, _, body) = ask(
            &*route,
            "/search/repositories?q=language%3A%22C%23%22+created%3A2024-01-01..2024-02-09&per_page=1",
        );
        assert_eq!(status, 200);
        let expected = synthetic_repos_created_between(
            Qualifier::Language,
            "C#",
            NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
            NaiveDate::from_ymd_opt(2024, 2, 9).expect("date"),
        );
        assert_eq!(body["total_count"], expected);
        // 40 of 366 days of the year.
        assert_eq!(
            expected,
            synthetic_repos_created(Qualifier::Language, "c#", 2024) * 40 / 366
        );
        assert_eq!(body["items"][0]["language"], "C#");
    }

    #[test]
    fn search_without_a_range_is_a_validation_failure() {
        let route = Api.synthetic();
        let (status, headers, body) =
            ask(&*route, "/search/repositories?q=topic%3Adjango&per_page=1");
        assert_eq!(status, 422);
        assert_eq!(header(&headers, "x-ratelimit-resource"), "search");
        assert_eq!(body["message"], "Validation Failed");
        assert_eq!(body["status"], "422");
        assert_eq!(body["documentation_url"], SEARCH_DOCS);
        assert_eq!(body["errors"][0]["resource"], "Search");
        assert_eq!(body["errors"][0]["field"], "q");
        assert_eq!(body["errors"][0]["code"], "invalid");

        let (status, _, body) = ask(&*route, "/search/repositories?per_page=1");
        assert_eq!(status, 422);
        assert_eq!(
            body["errors"],
            json!([{"resource": "Search", "field": "q", "code": "missing"}])
        );
    }

    #[test]
    fn unknown_paths_are_not_found() {
        let route = Api.synthetic();
        for path in [
            "/repos/django",
            "/users/octocat",
            "/repos/a/b/c",
            "/repos/bad%20name/x",
        ] {
            let (status, headers, body) = ask(&*route, path);
            assert_eq!(status, 404, "{path}");
            assert_eq!(header(&headers, "x-ratelimit-resource"), "core");
            assert_eq!(
                body,
                json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
            );
        }
    }

    #[test]
    fn remaining_never_reaches_zero() {
        let route = Api.synthetic();
        for _ in 0..25 {
            let (_, headers, _) = ask(
                &*route,
                "/search/repositories?q=language%3AGo+created%3A2020-01-01..2020-12-31&per_page=1",
            );
            let remaining: u64 = header(&headers, "x-ratelimit-remaining")
                .parse()
                .expect("number");
            assert!(remaining >= 1);
        }
    }

    #[test]
    fn query_parsing() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(
            parse_query("language:\"Visual Basic .NET\" created:2020-01-01..2020-12-31"),
            Ok(Query {
                qualifier: Qualifier::Language,
                value: "Visual Basic .NET".into(),
                first: day(2020, 1, 1),
                last: day(2020, 12, 31),
            })
        );
        assert!(parse_query("created:2020-01-01..2020-12-31").is_err());
        assert!(parse_query("topic:x created:2020").is_err());
        assert!(parse_query("topic:x language:y created:2020-01-01..2020-12-31").is_err());
    }
}
