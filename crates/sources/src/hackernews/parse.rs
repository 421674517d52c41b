//! Hacker News Search by Algolia.
//!
//! `search` with `hitsPerPage=0`: the Algolia search wrapper (`hits`,
//! `nbHits`, `page`, `nbPages`, `hitsPerPage`, `exhaustiveNbHits`,
//! `exhaustive`, `query`, `params`, `processingTimeMS`, ...); `nbHits` is
//! the count of stories and comments matching in the period. When the
//! answer says the count is not exhaustive (`exhaustive.nbHits: false`, or
//! the older `exhaustiveNbHits: false` when `exhaustive` is absent),
//! `nbHits` is Algolia's approximation and the observation is stored as
//! [`Exactness::Approximate`]; an answer that says neither is taken as
//! exact. Errors:
//! `{"code": 400, "message": "..."}` (as recorded).

use super::Endpoint;
use serde::Deserialize;
use trends_core::{Exactness, Grain, Observation, RequestSpec};

use trends_normalizer::{NormalizeError, Parsed, count, json, subject, unknown_endpoint};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    nb_hits: Option<i64>,
    // Present in every search answer; checked so that another JSON object
    // with an `nbHits` is not taken for one.
    hits: Vec<serde_json::Value>,
    exhaustive: Option<Exhaustive>,
    exhaustive_nb_hits: Option<bool>,
}

/// Which parts of the answer Algolia computed exactly.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Exhaustive {
    nb_hits: Option<bool>,
}

impl Search {
    /// `exhaustive.nbHits`, else the deprecated `exhaustiveNbHits`.
    fn exactness(&self) -> Exactness {
        let exhaustive = self
            .exhaustive
            .as_ref()
            .and_then(|e| e.nb_hits)
            .or(self.exhaustive_nb_hits);
        match exhaustive {
            Some(false) => Exactness::Approximate,
            Some(true) | None => Exactness::Exact,
        }
    }
}

#[derive(Deserialize)]
struct ApiError {
    message: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Search) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let s: Search = json(spec, body)?;
    let _ = s.hits.len();
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::hackernews::MENTIONS,
        grain: Grain::Year,
        period: spec.period,
        value: count(spec, "nbHits", s.nb_hits)?,
        exactness: s.exactness(),
    }]))
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(e.message)
}

#[cfg(test)]
mod tests {
    use trends_core::{Exactness, Outcome, Period};

    use crate::normalize;
    use crate::testing::{fixture, spec};

    fn search() -> trends_core::RequestSpec {
        spec(
            crate::hackernews::ID,
            "search",
            "go",
            "golang",
            Period::year(2023),
        )
    }

    #[test]
    fn nb_hits_becomes_the_years_mentions() {
        let body = fixture("hackernews/search_nbhits.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let n = normalize(&search(), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations().len(), 1);
        assert_eq!(n.observations()[0].metric, crate::hackernews::MENTIONS);
        assert_eq!(
            n.observations()[0].value,
            v["nbHits"].as_f64().expect("nbHits")
        );
        assert_eq!(n.observations()[0].period, Period::year(2023));
        // The recorded answer says `exhaustive.nbHits: false`.
        assert_eq!(n.observations()[0].exactness, Exactness::Approximate);
    }

    #[test]
    fn an_exhaustive_count_is_exact_and_a_missing_flag_is_not_a_guess() {
        let n = normalize(
            &search(),
            200,
            &fixture("hackernews/search_exhaustive.json"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations()[0].exactness, Exactness::Exact);
        for (body, exactness) in [
            // `exhaustive` wins over the deprecated flag.
            (
                r#"{"exhaustive":{"nbHits":true},"exhaustiveNbHits":false,"hits":[],"nbHits":3}"#,
                Exactness::Exact,
            ),
            (
                r#"{"exhaustiveNbHits":false,"hits":[],"nbHits":3}"#,
                Exactness::Approximate,
            ),
            (r#"{"hits":[],"nbHits":3}"#, Exactness::Exact),
        ] {
            let n = normalize(&search(), 200, body.as_bytes());
            assert_eq!(n.observations()[0].exactness, exactness, "{body}");
        }
        // A flag that is not a boolean is a changed shape, not a guess.
        let n = normalize(
            &search(),
            200,
            br#"{"exhaustive":{"nbHits":"no"},"hits":[],"nbHits":3}"#,
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
    }

    #[test]
    fn errors_quote_the_message() {
        let n = normalize(&search(), 400, &fixture("hackernews/error_invalid.json"));
        assert_eq!(n.outcome(), Outcome::HttpError);
        let msg = n.error().expect("message");
        assert!(msg.starts_with("hackernews 400: "), "{msg}");
    }

    #[test]
    fn malformed_and_wrong_shapes_are_parse_errors() {
        for body in [
            &b"{\"nbHits\": 3"[..],
            b"{\"nbHits\": 3}",
            b"{\"hits\": [], \"nbHits\": \"3\"}",
            b"{\"hits\": []}",
        ] {
            let n = normalize(&search(), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations().is_empty());
        }
    }
}
