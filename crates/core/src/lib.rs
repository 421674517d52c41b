//! The shared model of `trends`: what a technology, a source, a metric, a
//! period and an observation are, plus the validated catalog and config.
//!
//! This crate does no IO beyond reading the two config files, knows nothing
//! of HTTP or DuckDB, and is what every other crate agrees on.

pub mod catalog;
pub mod config;
pub mod model;
mod names;
pub mod signals;

pub use catalog::{Catalog, CatalogError, Group, SourceKey, Technology};
pub use config::{Config, ConfigError, Known, KnownSource, ReportConfig, SourceConfig};
pub use model::{
    Category, DemoProvenance, Exactness, Grain, Metric, MetricDef, MetricKind, Observation,
    Outcome, Period, RequestSpec, SourceId, SourceInfo, Subject, TechId, WithoutToken,
    YearlySignal,
};
pub use signals::{Signal, signal_names, signals_of};
