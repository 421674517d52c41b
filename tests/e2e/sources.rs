//! Each source against a local wiremock server that answers, for three
//! technologies of a catalog, the real recorded body, the API's own error
//! answer, and a malformed body. One `trends collect` per source checks the
//! real planner, client, normalizer and store together: the good answer
//! lands as observations, the error is archived as `http_error` quoting the
//! API's message, the malformed one as `parse_error`, and neither of the
//! two failures stores a number.

use std::path::Path;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::Env;

pub(crate) fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// The first half of a body: what a cut connection or a changed format
/// leaves.
fn cut(body: &str) -> String {
    body[..body.len() / 2].to_owned()
}

pub(crate) struct Case {
    pub(crate) source: &'static str,
    /// The catalog key, and its value for the good, the error and the
    /// malformed technology.
    pub(crate) key: &'static str,
    pub(crate) values: [&'static str; 3],
    /// Answers every request; routes on the values above.
    pub(crate) answer: fn(&Request) -> ResponseTemplate,
    /// What the error's message must contain.
    pub(crate) error: &'static str,
}

fn run(case: &Case) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(case.answer)
            .mount(&server)
            .await;
        server
    });
    let catalog: String = ["good", "error", "broken"]
        .iter()
        .zip(case.values)
        .map(|(id, value)| {
            format!(
                "[[technology]]\nid = \"{id}\"\nname = \"{id}\"\ncategory = \"framework\"\n{} = \"{value}\"\n",
                case.key
            )
        })
        .collect();
    let this_year = chrono::Datelike::year(&Utc::now().date_naive());
    let env = Env::one_source(case.source, &server.uri(), this_year - 3, &catalog);
    let out = env.trends(&["collect"]);
    assert_eq!(
        out.code,
        Some(2),
        "{}: partial run\n{}",
        case.source,
        out.all()
    );
    let db = env.db();
    let outcomes = db.strings(
        // Batches (several subjects, `;`-joined keys) are not per technology.
        "SELECT DISTINCT regexp_extract(request_key, '^[^/]+/[^/]+/(.*)/[^/]+$', 1) || ' ' || outcome \
         FROM raw_responses WHERE request_key NOT LIKE '%;%' ORDER BY 1",
    );
    let _ = &runtime;
    let expect = |value: &str, outcome: &str| {
        assert!(
            outcomes.contains(&format!("{value} {outcome}")),
            "{}: `{value}` should be {outcome}: {outcomes:?}\n{}",
            case.source,
            out.all()
        );
    };
    expect(case.values[0], "ok");
    expect(case.values[1], "http_error");
    expect(case.values[2], "parse_error");
    // The good technology's other periods may hold no data (a recorded
    // series covers a few days); nothing else may show up.
    let good_no_data = format!("{} no_data", case.values[0]);
    let others: Vec<&String> = outcomes.iter().filter(|o| **o != good_no_data).collect();
    assert_eq!(
        others.len(),
        3,
        "{}: one outcome per technology: {outcomes:?}",
        case.source
    );
    let errors = db.strings("SELECT error FROM raw_responses WHERE outcome = 'http_error'");
    assert!(
        errors.iter().all(|e| e.contains(case.error)),
        "{}: the API's message is quoted: {errors:?}",
        case.source
    );
    let techs = db.strings("SELECT DISTINCT tech_id FROM observations");
    assert_eq!(
        techs,
        ["good"],
        "{}: only the good answer stores numbers",
        case.source
    );
    assert!(
        db.int("SELECT count(*) FROM observations WHERE value IS NULL OR value < 0") == 0,
        "{}",
        case.source
    );
}

fn json_ok(body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into(), "application/json")
}

pub(crate) fn packagist_rubygems_and_cratesio() -> [Case; 3] {
    [
        Case {
            source: "packagist",
            key: "packagist_package",
            values: ["monolog/monolog", "acme/missing", "acme/broken"],
            answer: |r| {
                let body = fixture("packagist/stats_all_monthly.json");
                match r.url.path() {
                    "/packages/monolog/monolog/stats/all.json" => json_ok(body),
                    "/packages/acme/missing/stats/all.json" => ResponseTemplate::new(404)
                        .set_body_raw(
                            fixture("packagist/error_not_found.json"),
                            "application/json",
                        ),
                    _ => json_ok(body.replace("\"values\"", "\"valeurs\"")),
                }
            },
            error: "Package not found",
        },
        Case {
            source: "rubygems",
            key: "rubygems_gem",
            values: ["business", "missing", "broken"],
            answer: |r| match r.url.path() {
                "/api/v1/gems/business.json" => json_ok(fixture("rubygems/gem.json")),
                "/api/v1/gems/missing.json" => ResponseTemplate::new(404).set_body_raw(
                    fixture("rubygems/error_not_found.txt"),
                    "text/plain; charset=utf-8",
                ),
                _ => json_ok(cut(
                    &fixture("rubygems/gem.json").replace("business", "broken")
                )),
            },
            error: "This rubygem could not be found.",
        },
        Case {
            source: "cratesio",
            key: "cratesio_crate",
            values: ["foo_show", "missing", "broken"],
            answer: |r| {
                // The recorded days moved to the last days, so the window keeps them.
                let recent = || {
                    let mut v: Value =
                        serde_json::from_str(&fixture("cratesio/downloads.json")).expect("JSON");
                    let today = Utc::now().date_naive();
                    let mut rows = Vec::new();
                    for age in 1..=70u64 {
                        let day = today.checked_sub_days(Days::new(age)).expect("day");
                        let mut row = v["version_downloads"][0].clone();
                        row["date"] = json!(day.to_string());
                        rows.push(row);
                    }
                    v["version_downloads"] = Value::Array(rows);
                    v.to_string()
                };
                match r.url.path() {
                    "/api/v1/crates/foo_show" => json_ok(fixture("cratesio/crate.json")),
                    "/api/v1/crates/foo_show/downloads" => json_ok(recent()),
                    p if p.starts_with("/api/v1/crates/missing") => ResponseTemplate::new(404)
                        .set_body_raw(
                            fixture("cratesio/error_not_found.json").replace("bar", "missing"),
                            "application/json; charset=utf-8",
                        ),
                    _ => json_ok(cut(&fixture("cratesio/crate.json"))),
                }
            },
            error: "crate `missing` does not exist",
        },
    ]
}

#[test]
fn packagist_rubygems_and_cratesio_good_error_and_malformed() {
    for case in &packagist_rubygems_and_cratesio() {
        run(case);
    }
}

fn query(r: &Request, key: &str) -> String {
    r.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

pub(crate) fn stackexchange_hackernews_and_dockerhub() -> [Case; 3] {
    [
        Case {
            source: "stackexchange",
            key: "stackoverflow_tag",
            values: ["python", "missing", "broken"],
            answer: |r| match query(r, "tagged").as_str() {
                // The batch of all-time totals.
                "" if r.url.path().ends_with("/info") => {
                    json_ok(fixture("stackexchange/tags_info.json").replace("docker", "python"))
                }
                "python" => json_ok(fixture("stackexchange/questions_total.json")),
                "missing" => ResponseTemplate::new(400).set_body_raw(
                    fixture("stackexchange/error_bad_parameter.json"),
                    "application/json; charset=utf-8",
                ),
                _ => json_ok(cut(&fixture("stackexchange/questions_total.json"))),
            },
            error: "bad_parameter",
        },
        Case {
            source: "hackernews",
            key: "hackernews_query",
            values: ["golang", "missing", "broken"],
            answer: |r| match query(r, "query").as_str() {
                "golang" => json_ok(fixture("hackernews/search_nbhits.json")),
                "missing" => ResponseTemplate::new(400).set_body_raw(
                    fixture("hackernews/error_invalid.json"),
                    "application/json; charset=utf-8",
                ),
                _ => json_ok(
                    fixture("hackernews/search_nbhits.json").replace("nbHits", "hits_count"),
                ),
            },
            error: "invalid numeric attribute",
        },
        Case {
            source: "dockerhub",
            key: "dockerhub_image",
            values: [
                "ebusinessdocker/disney",
                "library/missing",
                "library/broken",
            ],
            answer: |r| match r.url.path() {
                "/v2/repositories/ebusinessdocker/disney/" => {
                    json_ok(fixture("dockerhub/repository.json"))
                }
                "/v2/repositories/library/missing/" => ResponseTemplate::new(404).set_body_raw(
                    fixture("dockerhub/error_not_found.json"),
                    "application/json",
                ),
                _ => json_ok(cut(&fixture("dockerhub/repository.json"))),
            },
            error: "object not found",
        },
    ]
}

#[test]
fn stackexchange_hackernews_and_dockerhub_good_error_and_malformed() {
    for case in &stackexchange_hackernews_and_dockerhub() {
        run(case);
    }
}

fn html(status: u16, body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into(), "text/html; charset=utf-8")
}

const NOT_FOUND_PAGE: &str =
    "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body></body></html>";

pub(crate) fn gopkg_and_githubtopics() -> [Case; 2] {
    [
        Case {
            source: "gopkg",
            key: "go_module",
            values: [
                "github.com/restatedev/sdk-go",
                "github.com/acme/missing",
                "github.com/acme/changed",
            ],
            answer: |r| match r.url.path() {
                "/github.com/restatedev/sdk-go" => html(200, fixture("gopkg/module.html")),
                "/github.com/acme/missing" => html(404, NOT_FOUND_PAGE),
                _ => html(
                    200,
                    fixture("gopkg/changed_layout.html")
                        .replace("github.com/restatedev/sdk-go", "github.com/acme/changed"),
                ),
            },
            error: "404 Not Found",
        },
        Case {
            source: "githubtopics",
            key: "github_topic",
            values: ["pokemon", "missing", "javascript"],
            answer: |r| match r.url.path() {
                "/topics/pokemon" => html(200, fixture("githubtopics/topic.html")),
                "/topics/missing" => html(404, NOT_FOUND_PAGE),
                _ => html(200, fixture("githubtopics/changed_layout.html")),
            },
            error: "404 Not Found",
        },
    ]
}

#[test]
fn gopkg_and_githubtopics_pages_good_error_and_changed_layout() {
    for case in &gopkg_and_githubtopics() {
        run(case);
    }
}

/// TIOBE is one page for every language: the recorded page lands a rating
/// per listed language (none for the unlisted), a changed layout and an
/// error page land nothing (and, being all the run asked, exit 1).
#[test]
fn tiobe_index_good_changed_layout_and_error() {
    let catalog = "[[technology]]\nid = \"python\"\nname = \"Python\"\ncategory = \"language\"\ntiobe_language = \"Python\"\n\n\
                   [[technology]]\nid = \"kotlin\"\nname = \"Kotlin\"\ncategory = \"language\"\ntiobe_language = \"Kotlin\"\n\n\
                   [[technology]]\nid = \"zig\"\nname = \"Zig\"\ncategory = \"language\"\ntiobe_language = \"Zig\"\n";
    let this_year = chrono::Datelike::year(&Utc::now().date_naive());
    for (page, status, outcome, code) in [
        (fixture("tiobe/index.html"), 200, "ok", 0),
        (fixture("tiobe/changed_layout.html"), 200, "parse_error", 1),
        (NOT_FOUND_PAGE.to_owned(), 503, "http_error", 1),
    ] {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::path("/tiobe-index/"))
                .respond_with(html(status, page))
                .mount(&server)
                .await;
            server
        });
        let env = Env::one_source("tiobe", &server.uri(), this_year, catalog);
        let out = env.trends(&["collect"]);
        assert_eq!(out.code, Some(code), "{}", out.all());
        let db = env.db();
        assert_eq!(db.strings("SELECT outcome FROM raw_responses"), [outcome]);
        let rows = db.strings("SELECT tech_id || '=' || value FROM observations ORDER BY tech_id");
        if outcome == "ok" {
            assert_eq!(rows, ["kotlin=0.292", "python=24.45"]);
        } else {
            assert!(rows.is_empty(), "{rows:?}");
        }
    }
}

/// The recorded TIOBE page as a Latin-1 server sends it: its charset
/// declared `iso-8859-1` and an `é` (byte 0xE9, not UTF-8) after it.
fn latin1_tiobe_page() -> Vec<u8> {
    let page = fixture("tiobe/index.html").replacen(
        r#"<meta charset="utf-8">"#,
        "<meta charset=\"iso-8859-1\"><!-- Caf\u{e9} -->",
        1,
    );
    assert!(page.contains("iso-8859-1") && page.contains('\u{e9}'));
    page.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect()
}

#[test]
fn a_latin1_page_is_archived_byte_for_byte_and_renormalizes_as_collected() {
    let catalog = "[[technology]]\nid = \"python\"\nname = \"Python\"\ncategory = \"language\"\ntiobe_language = \"Python\"\n\n\
                   [[technology]]\nid = \"kotlin\"\nname = \"Kotlin\"\ncategory = \"language\"\ntiobe_language = \"Kotlin\"\n";
    let page = latin1_tiobe_page();
    assert!(std::str::from_utf8(&page).is_err(), "not UTF-8");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::path("/tiobe-index/"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(page.clone(), "text/html; charset=iso-8859-1"),
            )
            .mount(&server)
            .await;
        server
    });
    let this_year = chrono::Datelike::year(&Utc::now().date_naive());
    let env = Env::one_source("tiobe", &server.uri(), this_year, catalog);
    let out = env.trends(&["collect"]);
    let db = env.db();
    assert_eq!(db.blobs("SELECT body FROM raw_responses"), [page]);
    assert_eq!(
        db.strings("SELECT (sha256(body) = sha256)::VARCHAR || ' ' || body_exact::VARCHAR FROM raw_responses"),
        ["true true"],
        "the body hashes to its sha256 and is marked exact"
    );
    let verdict =
        "SELECT outcome || ' ' || coalesce(error, '') || ' ' || observations FROM raw_responses";
    let observations = "SELECT tech_id || '=' || value FROM observations ORDER BY tech_id";
    let collected = (db.strings(verdict), db.strings(observations));
    // Decoded by the charset it declares, the page reads as the UTF-8 one.
    assert_eq!(collected.0, ["ok  2"], "{}", out.all());
    assert_eq!(collected.1, ["kotlin=0.292", "python=24.45"]);
    drop(db);
    let out = env.trends(&["renormalize"]);
    assert!(out.code.is_some(), "{}", out.all());
    let db = env.db();
    assert_eq!((db.strings(verdict), db.strings(observations)), collected);
    assert_eq!(
        db.blobs("SELECT body FROM raw_responses"),
        [latin1_tiobe_page()]
    );
}

/// A recorded daily series moved to the last `days` days (so the asked
/// window keeps it), each day a copy of the recorded first item.
fn recent_days(body: &str, list: &str, date_field: &str, days: u64) -> String {
    let mut v: Value = serde_json::from_str(body).expect("JSON");
    let template = v[list][0].clone();
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = (1..=days)
        .rev()
        .map(|age| {
            let mut row = template.clone();
            row[date_field] = json!(
                today
                    .checked_sub_days(Days::new(age))
                    .expect("day")
                    .to_string()
            );
            row
        })
        .collect();
    v[list] = Value::Array(rows);
    v.to_string()
}

pub(crate) fn github_wikimedia_npm_and_pypi() -> [Case; 4] {
    [
        Case {
            source: "github",
            key: "github_repo",
            values: [
                "octokit-fixture-org/hello-world",
                "acme/missing",
                "acme/broken",
            ],
            // The star history: its first page and count for the good
            // repository (no numbers alone, `no_data`), GitHub's 404 for
            // the missing one, a cut page for the broken one.
            answer: |r| match r.url.path() {
                "/repos/octokit-fixture-org/hello-world" => json_ok(fixture("github/repo.json")),
                "/repos/octokit-fixture-org/hello-world/stargazers/history" => {
                    if r.url.query().is_some_and(|q| q.ends_with("&page=1")) {
                        json_ok(fixture("github/star_history.json"))
                    } else {
                        json_ok("[]")
                    }
                }
                "/repos/octokit-fixture-org/hello-world/stargazers/count" => {
                    json_ok(fixture("github/star_count.json"))
                }
                p if p.starts_with("/repos/acme/missing") => ResponseTemplate::new(404)
                    .set_body_raw(
                        fixture("github/error_not_found.json"),
                        "application/json; charset=utf-8",
                    ),
                p if p.ends_with("/stargazers/history") => {
                    json_ok(cut(&fixture("github/star_history.json")))
                }
                _ => json_ok(cut(&fixture("github/repo.json"))),
            },
            error: "Not Found",
        },
        Case {
            source: "wikimedia",
            key: "wikipedia_article",
            values: ["Інтервальне_голодування", "Missing", "Broken"],
            answer: |r| {
                let path = r.url.path();
                if path.contains("/Missing/") {
                    ResponseTemplate::new(400).set_body_raw(
                        fixture("wikimedia/error_bad_request.json"),
                        "application/problem+json",
                    )
                } else if path.contains("/Broken/") {
                    json_ok(cut(&fixture("wikimedia/pageviews_monthly.json")))
                } else {
                    json_ok(fixture("wikimedia/pageviews_monthly.json"))
                }
            },
            error: "timestamp is invalid",
        },
        Case {
            source: "npm",
            key: "npm_package",
            // Scoped packages go one by one (no bulk), one request a year.
            values: ["@good/express", "@acme/missing", "@acme/broken"],
            answer: |r| {
                let path = r.url.path();
                if path.contains("missing") {
                    ResponseTemplate::new(404)
                        .set_body_raw(fixture("npm/error_not_found.json"), "application/json")
                } else if path.contains("broken") {
                    json_ok(
                        fixture("npm/range_single.json").replace("\"downloads\":[", "\"days\":["),
                    )
                } else {
                    json_ok(recent_days(
                        &fixture("npm/range_single.json"),
                        "downloads",
                        "day",
                        40,
                    ))
                }
            },
            error: "not found",
        },
        Case {
            source: "pypi",
            key: "pypi_package",
            values: ["django", "missing", "broken"],
            answer: |r| match r.url.path() {
                "/api/packages/django/overall" => {
                    let body = fixture("pypi/overall.json");
                    let v: Value = serde_json::from_str(&body).expect("JSON");
                    let without: Vec<Value> = v["data"]
                        .as_array()
                        .expect("data")
                        .iter()
                        .filter(|d| d["category"] == "without_mirrors")
                        .cloned()
                        .collect();
                    let one =
                        json!({ "data": without, "package": v["package"], "type": v["type"] });
                    json_ok(recent_days(&one.to_string(), "data", "date", 60))
                }
                "/api/packages/missing/overall" => ResponseTemplate::new(404).set_body_raw(
                    fixture("pypi/error_not_found.txt"),
                    "text/html; charset=utf-8",
                ),
                _ => json_ok(cut(&fixture("pypi/overall.json"))),
            },
            error: "pypi 404",
        },
    ]
}

#[test]
fn github_wikimedia_npm_and_pypi_good_error_and_malformed() {
    for case in &github_wikimedia_npm_and_pypi() {
        run(case);
    }
}

/// GitHub's raw files are served as plain text.
const RAW_TEXT: &str = "text/plain; charset=utf-8";

/// raw.githubusercontent.com's answer for a file that is not there.
fn raw_not_found() -> ResponseTemplate {
    ResponseTemplate::new(404)
        .set_body_raw(fixture("innovationgraph/error_not_found.txt"), RAW_TEXT)
}

/// The Innovation Graph for the fault matrix: the recorded topics file for
/// every technology (one file answers them all).
pub(crate) fn innovationgraph() -> Case {
    Case {
        source: "innovationgraph",
        key: "github_topic",
        values: ["django", "django", "django"],
        answer: |r| match r.url.path() {
            "/data/topics.csv" => ResponseTemplate::new(200)
                .set_body_raw(fixture("innovationgraph/topics.csv"), RAW_TEXT),
            _ => raw_not_found(),
        },
        error: "Not Found",
    }
}

/// The Innovation Graph is two files for every technology and quarter: the
/// recorded files land per-quarter sums of the economies (the EU left out)
/// and nothing for a topic they lack; a rerun in the same month asks
/// nothing, `--refresh` asks again and upserts the same rows; a renamed
/// header and GitHub's plain 404 land nothing.
#[test]
fn innovationgraph_files_good_renamed_header_and_not_found() {
    let catalog = "[[technology]]\nid = \"go\"\nname = \"Go\"\ncategory = \"language\"\ngithub_language = \"Go\"\n\n\
                   [[technology]]\nid = \"django\"\nname = \"Django\"\ncategory = \"framework\"\ngithub_topic = \"django\"\n\n\
                   [[technology]]\nid = \"sinatra\"\nname = \"Sinatra\"\ncategory = \"framework\"\ngithub_topic = \"sinatra\"\n";
    let ok = |file: &str| {
        ResponseTemplate::new(200)
            .set_body_raw(fixture(&format!("innovationgraph/{file}")), RAW_TEXT)
    };
    let good = [
        "django|2024-10-01|2025-01-01|1907.0",
        "django|2025-01-01|2025-04-01|1881.0",
        "django|2025-04-01|2025-07-01|1899.0",
        "django|2025-07-01|2025-10-01|1906.0",
        "go|2023-07-01|2023-10-01|67191.0",
        "go|2023-10-01|2024-01-01|76091.0",
        "go|2024-01-01|2024-04-01|74075.0",
    ];
    let rows_sql = "SELECT tech_id || '|' || period_start || '|' || period_end || '|' || value \
                    FROM observations WHERE grain = 'quarter' ORDER BY ALL";
    for (topics, outcomes, code) in [
        (ok("topics.csv"), ["ok", "ok"], 0),
        (ok("changed_header.csv"), ["ok", "parse_error"], 2),
        (raw_not_found(), ["ok", "http_error"], 2),
    ] {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let languages = ok("languages.csv");
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::path("/data/languages.csv"))
                .respond_with(languages)
                .mount(&server)
                .await;
            Mock::given(wiremock::matchers::path("/data/topics.csv"))
                .respond_with(topics)
                .mount(&server)
                .await;
            server
        });
        let env = Env::one_source("innovationgraph", &server.uri(), 2023, catalog);
        let out = env.trends(&["collect"]);
        assert_eq!(out.code, Some(code), "{}", out.all());
        let db = env.db();
        let archived = db.strings("SELECT outcome FROM raw_responses ORDER BY url");
        assert_eq!(archived, outcomes, "languages, then topics");
        let rows = db.strings(rows_sql);
        if code == 0 {
            assert_eq!(rows, good);
            // A year is the mean of its quarters, covering the share of the
            // year they span.
            let yearly = db.strings(
                "SELECT year || '|' || round(value, 2) || '|' || round(coverage, 3) FROM yearly_signals \
                 WHERE tech_id = 'django' ORDER BY year",
            );
            assert_eq!(yearly, ["2024|1907.0|0.251", "2025|1895.33|0.748"]);
            drop(db);
            // The month's request is stored: a rerun asks nothing.
            let again = env.trends(&["collect"]);
            assert_eq!(again.code, Some(0), "{}", again.all());
            assert_eq!(env.db().int("SELECT count(*) FROM raw_responses"), 2);
            let refresh = env.trends(&["collect", "--refresh"]);
            assert_eq!(refresh.code, Some(0), "{}", refresh.all());
            let db = env.db();
            assert_eq!(db.int("SELECT count(*) FROM raw_responses"), 4);
            assert_eq!(db.strings(rows_sql), good, "the same rows, upserted");
        } else {
            assert_eq!(rows, &good[4..], "only the languages file lands");
            let error = db.strings("SELECT error FROM raw_responses WHERE outcome <> 'ok'");
            let expected = if outcomes[1] == "parse_error" {
                "data/topics.csv has no column `num_pushers`"
            } else {
                "innovationgraph 404: Not Found"
            };
            assert!(error[0].contains(expected), "{error:?}");
        }
    }
}
