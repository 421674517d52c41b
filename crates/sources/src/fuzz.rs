//! Property tests (fuzzing with proptest) of every parser: whatever bytes
//! arrive, `normalize` does not panic, a failure carries no observation, and
//! a success carries only finite, non-negative numbers for the asked
//! technology inside the asked period. `PROPTEST_CASES=100000 cargo test
//! --workspace -- fuzz` runs them longer.

use proptest::prelude::*;
use trends_core::{Outcome, Period, RequestSpec};

use crate::normalize;
use crate::testing::{day, fixture, spec};

fn specs() -> Vec<RequestSpec> {
    let year = Period::year(2023);
    vec![
        spec(crate::stackexchange::ID, "questions", "t", "t", year),
        spec(
            crate::github::ID,
            "repo",
            "t",
            "o/r",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(crate::github::ID, "search_topic", "t", "t", year),
        spec(crate::github::ID, "search_language", "t", "T", year),
        spec(crate::github::ID, "star_history", "t", "o/r", year),
        spec(crate::github::ID, "star_count", "t", "o/r", year),
        spec(crate::hackernews::ID, "search", "t", "t", year),
        spec(crate::npm::ID, "range", "t", "t", year),
        spec(crate::pypi::ID, "overall", "t", "t", year),
        spec(
            crate::dockerhub::ID,
            "repository",
            "t",
            "ebusinessdocker/disney",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(crate::packagist::ID, "stats", "t", "monolog/monolog", year),
        spec(
            crate::rubygems::ID,
            "gem",
            "t",
            "business",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(
            crate::cratesio::ID,
            "crate",
            "t",
            "foo_show",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(
            crate::cratesio::ID,
            "downloads",
            "t",
            "foo",
            Period {
                start: day(2024, 5, 1),
                end: day(2024, 6, 1),
            },
        ),
        spec(
            crate::gopkg::ID,
            "module",
            "t",
            "github.com/restatedev/sdk-go",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(
            crate::githubtopics::ID,
            "topic",
            "t",
            "pokemon",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(
            crate::tiobe::ID,
            "index",
            "t",
            "Python",
            Period::snapshot(day(2024, 1, 2)),
        ),
        spec(
            crate::innovationgraph::ID,
            "topics",
            "t",
            "django",
            Period {
                start: day(2020, 1, 1),
                end: day(2026, 3, 1),
            },
        ),
        spec(
            crate::innovationgraph::ID,
            "languages",
            "t",
            "Go",
            Period {
                start: day(2020, 1, 1),
                end: day(2026, 3, 1),
            },
        ),
        spec(
            crate::wikimedia::ID,
            "pageviews",
            "t",
            "T",
            Period {
                start: day(2015, 7, 1),
                end: day(2024, 1, 1),
            },
        ),
    ]
}

fn check(spec: &RequestSpec, status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let n = normalize(spec, status, body);
    if n.outcome() == Outcome::Ok {
        prop_assert!(!n.observations().is_empty());
        for o in n.observations() {
            prop_assert!(o.value.is_finite() && o.value >= 0.0, "{o:?}");
            prop_assert_eq!(&o.tech, &spec.subjects[0].tech);
            prop_assert!(
                o.period.start >= spec.period.start
                    && o.period.end <= spec.period.end.max(o.period.start)
            );
        }
    } else {
        prop_assert!(n.observations().is_empty());
        prop_assert!(n.error().is_some());
        prop_assert!(n.outcome() != Outcome::TransportError);
    }
    Ok(())
}

/// Real bodies with a byte changed, cut, or a number replaced.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<Vec<u8>> = [
        "stackexchange/questions_total.json",
        "stackexchange/error_throttle.json",
        "github/repo.json",
        "github/search_repositories.json",
        "github/error_not_found.json",
        "github/star_history.json",
        "wikimedia/pageviews_monthly.json",
        "wikimedia/error_not_found.json",
        "hackernews/search_nbhits.json",
        "npm/range_single.json",
        "pypi/overall.json",
        "dockerhub/repository.json",
        "packagist/stats_all_monthly.json",
        "rubygems/gem.json",
        "cratesio/crate.json",
        "cratesio/downloads.json",
        "gopkg/module.html",
        "githubtopics/topic.html",
        "tiobe/index.html",
        "innovationgraph/topics.csv",
        "innovationgraph/languages.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    (0..seeds.len(), any::<usize>(), any::<u8>(), 0..3u8).prop_map(move |(i, at, byte, how)| {
        let mut b = seeds[i].clone();
        let at = at % b.len().max(1);
        match how {
            0 => b[at] = byte,
            1 => b.truncate(at),
            _ => b.insert(at, byte),
        }
        b
    })
}

proptest! {
    #[test]
    fn any_bytes_never_panic_and_never_invent(body in proptest::collection::vec(any::<u8>(), 0..256), status in prop_oneof![Just(200u16), Just(404), Just(400), 100u16..600]) {
        for spec in specs() {
            check(&spec, status, &body)?;
        }
    }

    #[test]
    fn mutated_real_bodies_never_panic_and_never_invent(body in mutated(), status in prop_oneof![Just(200u16), Just(404), Just(400)]) {
        for spec in specs() {
            check(&spec, status, &body)?;
        }
    }

    #[test]
    fn json_with_odd_numbers_is_refused_or_kept_exactly(n in any::<i64>(), f in any::<f64>()) {
        for body in [
            format!("{{\"total\": {n}}}"),
            format!("{{\"total\": {f}}}"),
            format!("{{\"total_count\": {n}, \"incomplete_results\": false, \"items\": []}}"),
            format!("{{\"items\":[{{\"timestamp\":\"2020010100\",\"views\":{n}}}]}}"),
        ] {
            for spec in specs() {
                check(&spec, 200, body.as_bytes())?;
                let out = normalize(&spec, 200, body.as_bytes());
                if out.outcome() == Outcome::Ok && n >= 0 {
                    prop_assert!(out.observations().iter().any(|o| o.value == n as f64) || body.contains(&f.to_string()));
                }
            }
        }
    }
}
