//! The registry as a whole: names, metrics and endpoints are unique, every
//! source has its section in the shipped config and a fixture folder.

use std::collections::BTreeSet;
use std::path::Path;

use trends_core::{Config, SourceKey};

use crate::{by_name, known, metrics, registry};

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn names_and_signals_are_unique_and_found_by_name() {
    let names: BTreeSet<&str> = registry().iter().map(|s| s.id().as_str()).collect();
    assert_eq!(names.len(), registry().len());
    for s in registry() {
        assert_eq!(by_name(s.id().as_str()).map(|f| f.id()), Ok(s.id()));
        assert!(!s.metrics().is_empty(), "{} measures nothing", s.id());
        for m in s.metrics() {
            assert_eq!(
                m.metric.source(),
                s.id(),
                "{} declares {}",
                s.id(),
                m.metric
            );
            assert!(!m.description.is_empty());
        }
    }
    let signals: BTreeSet<String> = metrics().iter().map(|m| m.metric.signal_name()).collect();
    assert_eq!(signals.len(), metrics().len());
    let err = by_name("nope").expect_err("unknown");
    assert!(
        err.starts_with("unknown source `nope` (known: stackexchange, github"),
        "{err}"
    );
}

#[test]
fn the_shipped_config_has_every_source_in_registry_order() {
    let cfg =
        Config::load(&repo("config/trends.toml"), &known()).expect("config/trends.toml is valid");
    let order: Vec<_> = cfg.enabled_sources().map(|(id, _)| id).collect();
    let all: Vec<_> = registry().iter().map(|s| s.id()).collect();
    assert_eq!(order, all);
}

#[test]
fn every_source_has_recorded_fixtures() {
    for s in registry() {
        let dir = repo("tests/fixtures").join(s.id().as_str());
        assert!(
            dir.join("SOURCES.md").is_file(),
            "{} has no SOURCES.md",
            dir.display()
        );
    }
}

#[test]
fn every_catalog_key_is_read_by_a_source_of_the_registry() {
    for key in SourceKey::ALL {
        assert!(
            registry().iter().any(|s| s.keys().contains(&key)),
            "{key} is read by no source"
        );
    }
}

#[test]
fn a_source_plans_from_the_keys_it_declares_and_no_others() {
    // One technology with every key; then the same without the keys a
    // source declares: what the source plans must come from those keys.
    let every: String = SourceKey::ALL
        .iter()
        .map(|k| format!("{k} = \"{}\"\n", sample_key(*k)))
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    for s in registry() {
        let without: String = SourceKey::ALL
            .iter()
            .filter(|k| !s.keys().contains(k))
            .map(|k| format!("{k} = \"{}\"\n", sample_key(*k)))
            .collect();
        let plans = |keys: &str| {
            let catalog = crate::testing::test_catalog(&format!(
                "[[technology]]\nid = \"t\"\nname = \"T\"\ncategory = \"framework\"\n{keys}"
            ));
            let base = url::Url::parse("http://127.0.0.1:1/").expect("url");
            s.plan(&crate::Ask {
                base: &base,
                catalog: &catalog,
                window: crate::testing::from_2015(today),
                has_token: true,
            })
            .len()
        };
        assert!(plans(&every) > 0, "{} plans nothing from every key", s.id());
        assert_eq!(
            plans(&without),
            0,
            "{} plans from a key it does not declare",
            s.id()
        );
    }
}

/// A plausible value of `key` for a plan (the plan only names it).
fn sample_key(key: SourceKey) -> &'static str {
    match key {
        SourceKey::GitHubRepo => "django/django",
        SourceKey::DockerImage => "library/python",
        SourceKey::PackagistPackage => "laravel/framework",
        SourceKey::GoModule => "github.com/gin-gonic/gin",
        SourceKey::WikipediaArticle => "Django_(web_framework)",
        _ => "django",
    }
}
