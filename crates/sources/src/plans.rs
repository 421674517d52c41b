//! Each source's plan as an insta snapshot: for a small catalog (one
//! technology per kind of catalog key) and a fixed day, every request the
//! planner makes — method, URL, extra headers, body, lane, endpoint,
//! subjects and period — without a token and, where a token changes the
//! plan, with one. A changed request shows as a diff in `src/snapshots/`.

use std::fmt::Write as _;

use trends_core::{Catalog, Config};

use crate::testing::day;
use crate::{Ask, known, registry};
use trends_contract::{PlanWindow, Planned};

fn repo(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The shipped catalog cut to technologies that, between them, carry every
/// kind of catalog key, so each source has something to ask.
fn small_catalog() -> Catalog {
    let full = Catalog::load(&repo("config/catalog.toml")).expect("config/catalog.toml is valid");
    let ids = ["go", "django", "express", "laravel", "rails", "axum", "gin"];
    full.select(&ids.map(String::from))
        .expect("the techs are in the catalog")
}

fn render(requests: &[Planned]) -> String {
    let mut out = String::new();
    for r in requests {
        let method = if r.body.is_some() { "POST" } else { "GET" };
        let subjects: Vec<String> = r
            .spec
            .subjects
            .iter()
            .map(|s| format!("{}={}", s.tech.0, s.key))
            .collect();
        let _ = writeln!(out, "{method} {}", r.url);
        let _ = writeln!(
            out,
            "  endpoint={} lane={} period={}..{} subjects=[{}]",
            r.spec.endpoint,
            r.lane.as_str(),
            r.spec.period.start,
            r.spec.period.end,
            subjects.join(", ")
        );
        for (name, value) in &r.headers {
            let _ = writeln!(out, "  header {name}: {value}");
        }
        if let Some(body) = &r.body {
            let _ = writeln!(out, "  body {body}");
        }
    }
    out
}

#[test]
fn every_source_plans_the_same_requests_as_its_snapshot() {
    let config =
        Config::load(&repo("config/trends.toml"), &known()).expect("config/trends.toml is valid");
    let catalog = small_catalog();
    // A fixed day inside a year, so the plan does not move with the clock.
    let window = PlanWindow {
        first_year: 2023,
        today: day(2026, 6, 15),
    };
    for source in registry() {
        let id = source.id();
        let cfg = config
            .sources
            .get(&id)
            .unwrap_or_else(|| panic!("config/trends.toml has no [sources.{id}]"));
        let ask = |has_token| Ask {
            base: &cfg.base_url,
            catalog: &catalog,
            window,
            has_token,
        };
        let without = source.plan(&ask(false));
        assert!(!without.is_empty(), "{id} plans nothing for the catalog");
        insta::assert_snapshot!(format!("plan_{id}"), render(&without));
        let with = source.plan(&ask(true));
        if render(&with) != render(&without) {
            insta::assert_snapshot!(format!("plan_{id}_with_token"), render(&with));
        }
    }
}
