//! Each parser on each recorded fixture, as an insta snapshot: the verdict
//! (outcome and error) and every observation (technology, metric, grain,
//! period, value, and its exactness when it is not exact). A changed parse shows as a diff of the snapshot in
//! `src/snapshots/`; `cargo insta review` (or `INSTA_UPDATE=always`) takes
//! a deliberate change.

use std::fmt::Write as _;

use trends_core::{Period, RequestSpec, SourceId, Subject, TechId};

use crate::normalize;
use crate::testing::{day, fixture};

/// One fixture, the request it answers and the status it came with.
struct Case {
    file: &'static str,
    status: u16,
    spec: RequestSpec,
}

fn ask(source: SourceId, endpoint: &str, keys: &[&str], period: Period) -> RequestSpec {
    RequestSpec {
        source,
        endpoint: endpoint.into(),
        subjects: keys
            .iter()
            .map(|k| Subject {
                tech: TechId(k.to_lowercase().replace(['/', ' ', '(', ')'], "_")),
                key: (*k).to_owned(),
            })
            .collect(),
        period,
    }
}

fn span(start: (i32, u32, u32), end: (i32, u32, u32)) -> Period {
    Period {
        start: day(start.0, start.1, start.2),
        end: day(end.0, end.1, end.2),
    }
}

fn case(file: &'static str, status: u16, spec: RequestSpec) -> Case {
    Case { file, status, spec }
}

fn cases() -> Vec<Case> {
    use crate::{
        cratesio, dockerhub, github, githubtopics, gopkg, hackernews, innovationgraph, npm,
        packagist, pypi, rubygems, stackexchange, tiobe, wikimedia,
    };
    let snap = |y, m, d| Period::snapshot(day(y, m, d));
    let se_q = ask(
        stackexchange::ID,
        "questions",
        &["python"],
        Period::year(2023),
    );
    let gh_repo = ask(
        github::ID,
        "repo",
        &["octokit-fixture-org/hello-world"],
        snap(2024, 5, 1),
    );
    let wm = ask(
        wikimedia::ID,
        "pageviews",
        &["Інтервальне_голодування"],
        span((2023, 1, 1), (2025, 1, 1)),
    );
    let npm_one = |k, s, e| ask(npm::ID, "range", &[k], span(s, e));
    let crate_total = ask(cratesio::ID, "crate", &["foo_show"], snap(2024, 7, 1));
    let crate_daily = ask(
        cratesio::ID,
        "downloads",
        &["foo_show"],
        span((2024, 4, 2), (2024, 7, 1)),
    );
    let pk = |k| {
        ask(
            packagist::ID,
            "stats",
            &[k],
            span((2023, 1, 1), (2023, 4, 1)),
        )
    };
    let html = |source, endpoint, keys: &[&str], p| ask(source, endpoint, keys, p);
    // As planned on 2026-03-17 with first_year 2020: every quarter to March.
    let ig = |endpoint, keys: &[&str]| {
        ask(
            innovationgraph::ID,
            endpoint,
            keys,
            span((2020, 1, 1), (2026, 3, 1)),
        )
    };
    let ig_topics = ig("topics", &["django", "docker", "kubernetes", "sinatra"]);
    vec![
        case("stackexchange/questions_total.json", 200, se_q.clone()),
        case(
            "stackexchange/tags_info.json",
            200,
            ask(
                stackexchange::ID,
                "tags_info",
                &["docker"],
                snap(2024, 7, 1),
            ),
        ),
        case("stackexchange/answers_backoff.json", 200, se_q.clone()),
        case("stackexchange/questions_backoff.json", 200, se_q.clone()),
        case(
            "stackexchange/questions_quota_spent.json",
            200,
            se_q.clone(),
        ),
        case("stackexchange/error_throttle.json", 400, se_q.clone()),
        case("stackexchange/error_bad_parameter.json", 400, se_q),
        case("github/repo.json", 200, gh_repo.clone()),
        case(
            "github/search_repositories.json",
            200,
            ask(github::ID, "search_topic", &["django"], Period::year(2023)),
        ),
        case(
            "github/graphql_not_found.json",
            200,
            ask(
                github::ID,
                "graphql_repos",
                &["octokit-fixture-org/hello-world", "nope/nope"],
                snap(2024, 5, 1),
            ),
        ),
        case(
            "github/graphql_search.json",
            200,
            ask(
                github::ID,
                "graphql_search_topic",
                &["django"],
                span((2023, 1, 1), (2024, 2, 10)),
            ),
        ),
        case("github/error_not_found.json", 404, gh_repo.clone()),
        case("github/error_rate_limit.json", 403, gh_repo.clone()),
        case("github/error_validation.json", 422, gh_repo),
        case(
            "github/star_history.json",
            200,
            ask(
                github::ID,
                "star_history",
                &["django/django"],
                span((2025, 6, 5), (2026, 1, 1)),
            ),
        ),
        case(
            "github/star_count.json",
            200,
            ask(
                github::ID,
                "star_count",
                &["django/django"],
                span((2014, 7, 1), (2026, 1, 1)),
            ),
        ),
        case("wikimedia/pageviews_monthly.json", 200, wm.clone()),
        case("wikimedia/error_not_found.json", 404, wm.clone()),
        case(
            "wikimedia/error_not_found_hyperswitch.json",
            404,
            wm.clone(),
        ),
        case("wikimedia/error_invalid_route.json", 404, wm.clone()),
        case("wikimedia/error_bad_request.json", 400, wm),
        case(
            "hackernews/search_nbhits.json",
            200,
            ask(hackernews::ID, "search", &["golang"], Period::year(2023)),
        ),
        case(
            "hackernews/search_exhaustive.json",
            200,
            ask(hackernews::ID, "search", &["fastapi"], Period::year(2023)),
        ),
        case(
            "hackernews/search_recorded.json",
            200,
            ask(hackernews::ID, "search", &["java"], Period::year(2023)),
        ),
        case(
            "hackernews/error_invalid.json",
            400,
            ask(hackernews::ID, "search", &["golang"], Period::year(2023)),
        ),
        case(
            "npm/range_single.json",
            200,
            npm_one("somepackage", (2014, 2, 27), (2014, 3, 5)),
        ),
        case(
            "npm/range_single_recorded.json",
            200,
            npm_one("strict-mode", (2017, 9, 22), (2017, 9, 29)),
        ),
        case(
            "npm/range_bulk.json",
            200,
            ask(
                npm::ID,
                "range",
                &["express", "koa", "no-such-package-xyz"],
                span((2014, 2, 27), (2014, 3, 2)),
            ),
        ),
        case(
            "npm/range_bulk_recorded.json",
            200,
            ask(
                npm::ID,
                "range",
                &["babel", "babel-core"],
                span((2017, 4, 11), (2017, 4, 18)),
            ),
        ),
        case(
            "npm/error_not_found.json",
            404,
            npm_one("express", (2014, 2, 1), (2014, 4, 1)),
        ),
        case(
            "npm/error_end_before_start.json",
            400,
            npm_one("express", (2014, 2, 1), (2014, 4, 1)),
        ),
        case(
            "npm/error_exceeded_max_days.json",
            400,
            npm_one("express", (2014, 2, 1), (2014, 4, 1)),
        ),
        case(
            "npm/error_scoped_in_bulk.json",
            400,
            npm_one("express", (2014, 2, 1), (2014, 4, 1)),
        ),
        case(
            "npm/rate_limited_cloudflare.html",
            429,
            npm_one("express", (2014, 2, 1), (2014, 4, 1)),
        ),
        case(
            "pypi/overall.json",
            200,
            ask(
                pypi::ID,
                "overall",
                &["pip"],
                span((2020, 5, 1), (2020, 5, 3)),
            ),
        ),
        case(
            "pypi/error_not_found.txt",
            404,
            ask(
                pypi::ID,
                "overall",
                &["nope"],
                span((2020, 5, 1), (2020, 5, 3)),
            ),
        ),
        case(
            "pypi/error_rate_limited.html",
            429,
            ask(
                pypi::ID,
                "overall",
                &["pip"],
                span((2020, 5, 1), (2020, 5, 3)),
            ),
        ),
        case(
            "dockerhub/repository.json",
            200,
            ask(
                dockerhub::ID,
                "repository",
                &["ebusinessdocker/disney"],
                snap(2024, 7, 1),
            ),
        ),
        case(
            "dockerhub/repository_library.json",
            200,
            ask(
                dockerhub::ID,
                "repository",
                &["library/nginx"],
                snap(2024, 7, 1),
            ),
        ),
        case(
            "dockerhub/error_not_found.json",
            404,
            ask(dockerhub::ID, "repository", &["a/b"], snap(2024, 7, 1)),
        ),
        case(
            "dockerhub/rate_limited_haproxy.txt",
            429,
            ask(dockerhub::ID, "repository", &["a/b"], snap(2024, 7, 1)),
        ),
        case(
            "packagist/stats_all_monthly.json",
            200,
            pk("monolog/monolog"),
        ),
        case("packagist/stats.json", 200, pk("symfony/polyfill")),
        case("packagist/error_not_found.json", 404, pk("acme/nope")),
        case(
            "rubygems/gem.json",
            200,
            ask(rubygems::ID, "gem", &["business"], snap(2024, 7, 1)),
        ),
        case(
            "rubygems/error_not_found.txt",
            404,
            ask(rubygems::ID, "gem", &["rails"], snap(2024, 7, 1)),
        ),
        case("cratesio/crate.json", 200, crate_total.clone()),
        case("cratesio/downloads.json", 200, crate_daily.clone()),
        case("cratesio/error_not_found.json", 404, crate_total.clone()),
        case(
            "cratesio/error_version_not_found.json",
            404,
            crate_total.clone(),
        ),
        case("cratesio/error_blocked_crawler.json", 403, crate_daily),
        case("cratesio/error_no_user_agent.json", 403, crate_total),
        case(
            "gopkg/module.html",
            200,
            html(
                gopkg::ID,
                "module",
                &["github.com/restatedev/sdk-go"],
                snap(2026, 9, 30),
            ),
        ),
        case(
            "gopkg/changed_layout.html",
            200,
            html(
                gopkg::ID,
                "module",
                &["github.com/restatedev/sdk-go"],
                snap(2026, 9, 30),
            ),
        ),
        case(
            "githubtopics/topic.html",
            200,
            html(githubtopics::ID, "topic", &["pokemon"], snap(2026, 3, 31)),
        ),
        case(
            "githubtopics/changed_layout.html",
            200,
            html(githubtopics::ID, "topic", &["pokemon"], snap(2026, 3, 31)),
        ),
        case(
            "tiobe/index.html",
            200,
            html(
                tiobe::ID,
                "index",
                &["Python", "C#", "Go", "Kotlin", "Zig-not-listed"],
                snap(2025, 10, 15),
            ),
        ),
        case(
            "tiobe/changed_layout.html",
            200,
            html(tiobe::ID, "index", &["Python"], snap(2025, 10, 15)),
        ),
        case(
            "innovationgraph/languages.csv",
            200,
            ig("languages", &["Go", "Python", "Rust", "Kotlin"]),
        ),
        case("innovationgraph/topics.csv", 200, ig_topics.clone()),
        case("innovationgraph/changed_header.csv", 200, ig_topics.clone()),
        case("innovationgraph/error_not_found.txt", 404, ig_topics),
    ]
}

/// Recorded bodies of endpoints trends does not ask, kept for reference.
const NOT_ASKED: &[(&str, &str)] = &[(
    "packagist/package.json",
    "GET /packages/{name}.json: the package's metadata; trends asks stats/all.json",
)];

/// The verdict and its observations, one line each.
fn render(case: &Case) -> String {
    let n = normalize(&case.spec, case.status, &fixture(case.file));
    let mut out = format!(
        "request: {}\nstatus: {}\noutcome: {}\nerror: {}\n",
        case.spec.request_key(),
        case.status,
        n.outcome().as_str(),
        n.error().unwrap_or("-")
    );
    for o in n.observations() {
        // Exact is the rule; anything else is said.
        let exactness = match o.exactness {
            trends_core::Exactness::Exact => String::new(),
            other => format!(" ({})", other.as_str()),
        };
        let _ = writeln!(
            out,
            "{} {} {} {} {}{exactness}",
            o.tech,
            o.metric.signal_name(),
            o.grain,
            o.period,
            o.value
        );
    }
    out
}

#[test]
fn every_fixture_parses_to_its_snapshot() {
    let cases = cases();
    // Every recorded body of every source is here (SOURCES.md aside).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    for s in crate::registry() {
        let dir = root.join(s.id().as_str());
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let rel = format!("{}/{name}", s.id());
            assert!(
                name == "SOURCES.md"
                    || cases.iter().any(|c| c.file == rel)
                    || NOT_ASKED.iter().any(|(f, _)| *f == rel),
                "{rel} has no snapshot case: add it to cases()"
            );
        }
    }
    for case in &cases {
        insta::assert_snapshot!(case.file.replace(['/', '.'], "_"), render(case));
    }
}

#[test]
fn every_recorded_2xx_body_is_in_the_format_its_source_declares() {
    use trends_normalizer::Format;
    for case in cases().iter().filter(|c| (200..300).contains(&c.status)) {
        let source = crate::source(case.spec.source).expect("a source of the registry");
        let recorded = match case.file.rsplit('.').next() {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("html") => Format::Html,
            other => panic!("{}: no format for the extension {other:?}", case.file),
        };
        assert_eq!(source.format(&case.spec), recorded, "{}", case.file);
    }
}

#[test]
fn bad_bytes_where_a_parser_does_not_read_fail_the_answer() {
    use trends_core::Outcome;
    let mut tried = std::collections::BTreeSet::new();
    for case in cases() {
        let body = fixture(case.file);
        if normalize(&case.spec, case.status, &body).outcome() != Outcome::Ok {
            continue;
        }
        let source = crate::source(case.spec.source).expect("a source of the registry");
        let (bad, at) = crate::fault_kit::unread_bad_bytes(source.format(&case.spec), &body);
        // Valid bytes in the same place are read past: only the bytes fail.
        let fine = String::from_utf8_lossy(&bad).into_owned();
        assert_eq!(
            normalize(&case.spec, case.status, fine.as_bytes()).outcome(),
            Outcome::Ok,
            "{}",
            case.file
        );
        let n = normalize(&case.spec, case.status, &bad);
        assert_eq!(n.outcome(), Outcome::ParseError, "{}: {n:?}", case.file);
        assert!(n.observations().is_empty());
        let error = n.error().unwrap_or_default();
        assert!(
            error.contains(&format!(" at byte {at} (")),
            "{}: {error}",
            case.file
        );
        tried.insert(case.spec.source);
    }
    assert_eq!(tried.len(), crate::registry().len(), "{tried:?}");
}
