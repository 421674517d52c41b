//! The `stackexchange` source, Stack Exchange API 2.3 (api.stackexchange.com): what to ask (`plan.rs`),
//! what the answer means (`parse.rs`), its metrics, endpoints, limits and pacing.

pub mod demo;
mod parse;
mod plan;
mod quota;

use std::time::Duration;

use trends_contract::{Answer, Auth, Pace, Pacer, Planned};
use trends_core::{Metric, MetricDef, RequestSpec, SourceId, SourceInfo, SourceKey, WithoutToken};
use trends_normalizer::{NormalizeError, Parsed, Parser};

use crate::{Ask, Source};

/// The source's name in the config, the database and signal names.
pub const ID: SourceId = SourceId::new("stackexchange");

/// Stack Overflow questions asked with the tag in the period.
pub const QUESTIONS: Metric = Metric::flow(ID, "questions");
/// Stack Overflow questions with the tag, all time.
pub const TAG_TOTAL: Metric = Metric::stock(ID, "total_questions");

crate::endpoints! {
    Questions => "questions",
    TagsInfo => "tags_info",
}

/// The source in the registry.
#[derive(Debug, Clone, Copy)]
pub struct StackExchange;

impl Source for StackExchange {
    fn id(&self) -> SourceId {
        ID
    }

    fn pacer(&self) -> &'static dyn Pacer {
        &StackExchange
    }

    fn keys(&self) -> &'static [SourceKey] {
        &[SourceKey::StackOverflowTag]
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            api: "Stack Exchange API 2.3 (api.stackexchange.com)",
            history: "2008 on, per calendar year",
            limits: "300 requests/day per IP without a key, 10,000 with; honours `backoff`, stops at `quota_remaining` 0",
        }
    }

    fn metrics(&self) -> &'static [MetricDef] {
        &[
            MetricDef {
                metric: QUESTIONS,
                description: "Stack Overflow questions asked with the tag in the period",
            },
            MetricDef {
                metric: TAG_TOTAL,
                description: "Stack Overflow questions with the tag, all time",
            },
        ]
    }

    fn without_token(&self) -> Option<WithoutToken> {
        Some(WithoutToken {
            effect: "300 requests a day per IP instead of 10,000",
            per_day: Some(300),
        })
    }

    fn auth(&self, token: Option<String>) -> Auth {
        token.map_or(Auth::None, |value| Auth::QueryParam { name: "key", value })
    }

    fn plan(&self, ask: &Ask<'_>) -> Vec<Planned> {
        plan::plan(ask.base, ask.catalog, ask.window)
    }

    fn demo(&self) -> Option<&'static dyn crate::demo::Demo> {
        Some(&demo::Api)
    }
}

impl Parser for StackExchange {
    fn parse(&self, spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
        parse::parse(spec, body)
    }

    fn describe_error(&self, body: &[u8]) -> Option<String> {
        parse::describe_error(body)
    }
}

/// A `backoff` field (in any answer) pauses the source that long; an
/// answer with `quota_remaining` 0 is stored and ends the source for this
/// run ("quota exhausted"), as does a `throttle_violation` error, since
/// asking again before the quota refills only prolongs it.
impl Pacer for StackExchange {
    fn pace(&self, answer: &Answer<'_>) -> Pace {
        let wrapper = quota::Wrapper::read(answer.body);
        Pace {
            backoff: wrapper.backoff.map(Duration::from_secs),
            halt: if answer.status >= 400 {
                quota::throttled(answer.body)
            } else {
                wrapper.exhausted()
            },
            ..Pace::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_pauses_and_a_spent_quota_or_a_throttle_halts() {
        let at = chrono::DateTime::from_timestamp(1_719_835_200, 0).expect("time");
        let body = br#"{"items":[],"backoff":10,"quota_remaining":5}"#;
        let pace = StackExchange.pace(&Answer::with_headers(200, &[], body, at));
        assert_eq!(pace.backoff, Some(Duration::from_secs(10)));
        assert_eq!(pace.halt, None);
        let spent = br#"{"quota_remaining":0,"total":1}"#;
        let pace = StackExchange.pace(&Answer::with_headers(200, &[], spent, at));
        assert_eq!(pace.halt.as_deref(), Some("quota exhausted"));
        let throttle = br#"{"error_id":502,"error_message":"too many requests from this IP, more requests available in 84268 seconds","error_name":"throttle_violation"}"#;
        let pace = StackExchange.pace(&Answer::with_headers(400, &[], throttle, at));
        assert_eq!(
            pace.halt.as_deref(),
            Some(
                "stack exchange quota spent: too many requests from this IP, more requests available in 84268 seconds"
            )
        );
    }
}
