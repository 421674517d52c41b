//! Wikimedia REST pageviews.
//!
//! `pageviews`: `{"items": [{"project", "article", "granularity",
//! "timestamp": "YYYYMMDDHH", "access", "agent", "views"}, ...]}`, one item
//! per month. A 404 in the problem+json format means no views were recorded
//! for the range: no data, not a failure.

use chrono::NaiveDate;
use serde::Deserialize;
use trends_core::{Grain, Metric, Observation, Period, RequestSpec};

use crate::{NormalizeError, Parsed, count, json, subject, unknown_endpoint};

#[derive(Deserialize)]
struct Items {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    timestamp: String,
    views: Option<i64>,
}

#[derive(Deserialize)]
struct Problem {
    title: Option<String>,
    detail: Option<serde_json::Value>,
}

pub(crate) fn parse(spec: &RequestSpec, body: &[u8]) -> Result<Parsed, NormalizeError> {
    if spec.endpoint != "pageviews" {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let items: Items = json(spec, body)?;
    if items.items.is_empty() {
        return Ok(Parsed::NoData("no pageviews in the range".into()));
    }
    let mut out = Vec::new();
    for item in items.items {
        let day = item
            .timestamp
            .get(..8)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
            .ok_or_else(|| NormalizeError::Shape {
                key: spec.request_key(),
                what: format!("timestamp `{}` is not YYYYMMDDHH", item.timestamp),
            })?;
        let month = Period::month_of(day);
        if month.start < spec.period.start || month.end > spec.period.end {
            continue;
        }
        out.push(Observation {
            tech: subject.tech.clone(),
            source: spec.source,
            metric: Metric::Pageviews,
            grain: Grain::Month,
            period: month,
            value: count(spec, "views", item.views)?,
        });
    }
    Ok(Parsed::Observations(out))
}

/// A 404 problem+json answer: the article has no views in the range (or
/// does not exist) — nothing recorded, not a failure.
pub(crate) fn no_data(status: u16, body: &[u8]) -> Option<String> {
    if status != 404 {
        return None;
    }
    let p: Problem = serde_json::from_slice(body).ok()?;
    Some(problem_text(&p))
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let p: Problem = serde_json::from_slice(body).ok()?;
    (p.title.is_some() || p.detail.is_some()).then(|| problem_text(&p))
}

fn problem_text(p: &Problem) -> String {
    let detail = match &p.detail {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    match (&p.title, detail.is_empty()) {
        (Some(t), false) => format!("{t}: {detail}"),
        (Some(t), true) => t.clone(),
        (None, _) => detail,
    }
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period, SourceId};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn pageviews(start: (i32, u32), end: (i32, u32)) -> trends_core::RequestSpec {
        spec(
            SourceId::Wikimedia,
            "pageviews",
            "django",
            "Django_(web_framework)",
            Period {
                start: day(start.0, start.1, 1),
                end: day(end.0, end.1, 1),
            },
        )
    }

    #[test]
    fn monthly_items_become_monthly_observations() {
        let body = fixture("wikimedia/pageviews_monthly.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let items = v["items"].as_array().expect("items");
        let n = normalize(&pageviews((2015, 7), (2030, 1)), 200, &body);
        assert_eq!(n.outcome, Outcome::Ok, "{:?}", n.error);
        assert_eq!(n.observations.len(), items.len());
        for (o, item) in n.observations.iter().zip(items) {
            assert_eq!(o.value, item["views"].as_f64().expect("views"));
            let ts = item["timestamp"].as_str().expect("timestamp");
            assert_eq!(o.period.start.format("%Y%m%d00").to_string(), ts);
            assert_eq!(o.grain, trends_core::Grain::Month);
        }
    }

    #[test]
    fn months_outside_the_asked_period_are_skipped() {
        let body = br#"{"items":[
            {"project":"en.wikipedia","article":"Django_(web_framework)","granularity":"monthly","timestamp":"2023010100","access":"all-access","agent":"user","views":10},
            {"project":"en.wikipedia","article":"Django_(web_framework)","granularity":"monthly","timestamp":"2023020100","access":"all-access","agent":"user","views":20}]}"#;
        let n = normalize(&pageviews((2023, 1), (2023, 2)), 200, body);
        assert_eq!(n.observations.len(), 1);
        assert_eq!(n.observations[0].period, Period::month_of(day(2023, 1, 1)));
    }

    #[test]
    fn not_found_is_no_data_other_errors_are_failures() {
        let n = normalize(
            &pageviews((2015, 7), (2024, 1)),
            404,
            &fixture("wikimedia/error_not_found.json"),
        );
        assert_eq!(n.outcome, Outcome::NoData);
        assert!(
            n.error
                .expect("reason")
                .to_lowercase()
                .contains("not found")
        );
        let n = normalize(
            &pageviews((2015, 7), (2024, 1)),
            500,
            b"upstream connect error",
        );
        assert_eq!(n.outcome, Outcome::HttpError);
        // A 404 that is not the API's problem+json (a proxy page) is a failure.
        let n = normalize(&pageviews((2015, 7), (2024, 1)), 404, b"<html>404</html>");
        assert_eq!(n.outcome, Outcome::HttpError);
    }

    #[test]
    fn bad_items_fail_the_whole_response() {
        let bad_ts = br#"{"items":[{"timestamp":"2023-01","views":3}]}"#;
        let no_views = br#"{"items":[{"timestamp":"2023010100"}]}"#;
        for body in [
            &bad_ts[..],
            no_views,
            b"{\"items\": \"x\"}",
            b"{\"items\": [",
        ] {
            let n = normalize(&pageviews((2015, 7), (2024, 1)), 200, body);
            assert_eq!(
                n.outcome,
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(n.observations.is_empty());
        }
        let n = normalize(&pageviews((2015, 7), (2024, 1)), 200, br#"{"items":[]}"#);
        assert_eq!(n.outcome, Outcome::NoData);
    }
}
