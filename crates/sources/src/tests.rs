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
fn every_catalog_key_is_read_by_sources_of_the_registry() {
    for key in SourceKey::ALL {
        assert!(!key.sources().is_empty(), "{key} is read by no source");
        for id in key.sources() {
            assert!(
                by_name(id.as_str()).is_ok(),
                "{key} names `{id}`, which the registry does not have"
            );
        }
    }
}
