//! The `wikimedia` source, Wikimedia REST pageviews (wikimedia.org/api/rest_v1): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;

use trends_contract::Planned;
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("wikimedia");

/// English Wikipedia article views by users in the period.
pub const PAGEVIEWS: Metric = Metric::flow(ID, "pageviews");

crate::endpoints! {
    Pageviews => "pageviews",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Wikimedia;

impl Source for Wikimedia {
    fn id(&self) -> SourceId {
        ID
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::WikipediaArticle]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Wikimedia REST pageviews (wikimedia.org/api/rest_v1)",
            history: "2015-07 on, per month",
            limits: "a descriptive User-Agent is required; keep to a modest rate",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[MetricDef {
            metric: PAGEVIEWS,
            description: "English Wikipedia article views by users in the period",
        }]
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::Api)
    }

    /// A month's pageviews are asked once, after the month ends.
    fn stale_after_days(&self) -> u32 {
        35
    }
}

impl Parser for Wikimedia {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }

    fn no_data(&self, status: u16, body: &[u8]) -> Option<String> {
        parse::no_data(status, body)
    }
}

/// The answer for article `Article_{i}` (technology `t{i}`): `months` monthly
/// counts from `start`, in the API's exact format, for `trends bench`'s
/// load figures (the same parser and store path as a real run).
pub fn synthetic_answer(
    i: usize,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    months: usize,
) -> (RequestSpec, Vec<u8>) {
    use chrono::Datelike;
    let article = format!("Article_{i}");
    let items: Vec<String> = (0..months)
        .map(|m| {
            let d = start
                .checked_add_months(chrono::Months::new(m as u32))
                .unwrap_or(start);
            format!(
                r#"{{"project":"en.wikipedia","article":"{article}","granularity":"monthly","timestamp":"{:04}{:02}0100","access":"all-access","agent":"user","views":{}}}"#,
                d.year(),
                d.month(),
                1000 + (i * 7 + m * 13) % 100_000
            )
        })
        .collect();
    let spec = RequestSpec {
        source: ID,
        endpoint: Endpoint::Pageviews.as_str().into(),
        subjects: vec![trends_core::Subject {
            tech: trends_core::TechId(format!("t{i}")),
            key: article,
        }],
        period: trends_core::Period { start, end },
    };
    (
        spec,
        format!(r#"{{"items":[{}]}}"#, items.join(",")).into_bytes(),
    )
}
