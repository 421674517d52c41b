//! The demo route of Hacker News Search by Algolia: `GET /api/v1/search?query=..&tags=..&numericFilters=created_at_i>=X,created_at_i<Y&hitsPerPage=0`.
//!
//! Answers the Algolia search wrapper in the API's key order with `hits`
//! empty and a synthetic `nbHits`, exhaustive (`exhaustive.nbHits` and
//! `exhaustiveNbHits` true) below 10,000 hits and approximate from there
//! (Algolia's documented example of when it approximates); errors are `{"code": 400, "message":
//! "..."}` as the real API sends them. Stricter than the API: it needs `query` and both
//! `created_at_i` bounds (the only form `trends` asks for).

use crate::demo::kit::Series;
use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json; charset=UTF-8";

/// Counts below this are exhaustive, from it on approximate.
const EXHAUSTIVE_BELOW: u64 = 10_000;

/// Hacker News stories and comments per year matching a term.
const MENTIONS: Series = Series::new("hackernews_query", 200, 60_000);

/// What Hacker News search answers as `nbHits` for a term between two Unix
/// seconds (`created_at_i >= start`, `< end`).
pub fn synthetic_mentions_between(query: &str, start: i64, end: i64) -> u64 {
    MENTIONS.between(&query.to_lowercase(), start, end)
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        if !request.is_get() || request.path() != "/api/v1/search" {
            return error(404, "Not Found");
        }
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let Some(query) = param("query") else {
            return error(400, "query is required");
        };
        let filters = param("numericFilters").unwrap_or_default();
        let bound = |prefix: &str| {
            filters
                .split(',')
                .find_map(|f| f.strip_prefix(prefix))
                .and_then(|v| v.parse::<i64>().ok())
        };
        let (Some(start), Some(end)) = (bound("created_at_i>="), bound("created_at_i<")) else {
            return error(400, &format!("invalid numericFilters: {filters}"));
        };
        let hits = synthetic_mentions_between(&query, start, end);
        let exhaustive = hits < EXHAUSTIVE_BELOW;
        let params = request.url.query().unwrap_or_default().to_owned();
        let body = object(&[
            (
                "exhaustive",
                object(&[("nbHits", js(exhaustive)), ("typo", js(false))]),
            ),
            ("exhaustiveNbHits", js(exhaustive)),
            ("exhaustiveTypo", js(false)),
            ("hits", "[]".into()),
            ("hitsPerPage", js(0)),
            ("nbHits", js(hits)),
            ("nbPages", js(0)),
            ("page", js(0)),
            ("params", js(params)),
            ("processingTimeMS", js(3)),
            (
                "processingTimingsMS",
                object(&[
                    ("_request", object(&[("roundTrip", js(5))])),
                    ("total", js(3)),
                ]),
            ),
            ("query", js(&query)),
            ("serverTimeMS", js(4)),
        ]);
        DemoAnswer::new(200, JSON, body)
    }
}

fn error(status: u16, message: &str) -> DemoAnswer {
    let body = object(&[("code", js(status)), ("message", js(message))]);
    DemoAnswer::new(status, JSON, body)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn nb_hits_for_a_term_and_year() {
        let route = API.synthetic();
        let url = format!(
            "{BASE}/api/v1/search?query=golang&tags=%28story%2Ccomment%29&numericFilters=created_at_i%3E%3D1672531200%2Ccreated_at_i%3C1704067200&hitsPerPage=0"
        );
        let (status, headers, body) = get(&*route, &url);
        assert_eq!(status, 200);
        assert!(headers["content-type"].starts_with("application/json"));
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            v["nbHits"].as_u64(),
            Some(synthetic_mentions_between(
                "golang",
                1_672_531_200,
                1_704_067_200
            ))
        );
        assert_eq!(v["hits"], Value::Array(vec![]));
        assert!(body.starts_with("{\"exhaustive\""));
        let exhaustive = v["nbHits"].as_u64() < Some(super::EXHAUSTIVE_BELOW);
        assert_eq!(v["exhaustive"]["nbHits"], exhaustive);
        assert_eq!(v["exhaustiveNbHits"], exhaustive);
    }

    #[test]
    fn a_missing_filter_gets_the_api_error_body() {
        let route = API.synthetic();
        let url = format!("{BASE}/api/v1/search?query=golang");
        let (status, _, body) = get(&*route, &url);
        assert_eq!(status, 400);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["code"], 400);
        assert!(
            v["message"]
                .as_str()
                .is_some_and(|m| m.contains("numericFilters"))
        );
    }
}
