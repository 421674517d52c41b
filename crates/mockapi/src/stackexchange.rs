//! Stack Exchange API 2.3: `GET /2.3/questions?...&filter=!.UE8F0bVg4M-_Ii4`.
//!
//! Answers `{"quota_remaining":299,"total":N}` (that filter keeps the
//! wrapper's `.backoff`, `.quota_remaining` and `.total`; the demo never
//! asks for a backoff and does not count its quota down) with
//! `content-type: application/json; charset=utf-8`. Errors use the
//! API's own body, `{"error_id":400,"error_message":"site is required",
//! "error_name":"bad_parameter"}`, with the HTTP status of `error_id`.
//!
//! The demo server is stricter than the API: it needs `tagged`, `fromdate`,
//! `todate` and that filter (the only form `trends` asks for); without
//! them it answers `bad_parameter` naming the parameter. `key` is accepted
//! and ignored.
//!
//! With [`Figures::Real`], `questions` answers the bundle's real count
//! ([`crate::recorded::Bundle::questions`]) and anything the bundle does not cover (other
//! tags and years, `tags/{tags}/info`) gets a `not_found` error instead of
//! a number.

use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

use crate::numbers::synthetic_questions_between;
use crate::recorded::Figures;
use crate::{js, object};

/// `GET /2.3/tags/{t1;t2;..}/info?site=stackoverflow`: the wrapper with one
/// item per tag (in the order asked; a tag starting with `nonexistent-` is
/// left out, as the API leaves out unknown tags), `count` the tag's
/// synthetic questions from 2008 to now, 30 items a page unless `pagesize`
/// says otherwise.
fn tags_info(request: &Request, tags: &str) -> ResponseTemplate {
    let param = |name: &str| {
        request
            .url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("site").as_deref() != Some("stackoverflow") {
        return bad_parameter("site is required");
    }
    let tags: Vec<String> = tags
        .split(';')
        .map(|t| {
            percent_encoding::percent_decode_str(t)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if tags.len() > 100 {
        return bad_parameter("tags");
    }
    let pagesize: usize = param("pagesize").and_then(|p| p.parse().ok()).unwrap_or(30);
    let now = chrono::Utc::now().timestamp();
    let known: Vec<&String> = tags
        .iter()
        .filter(|t| !t.starts_with("nonexistent-"))
        .collect();
    let items: Vec<String> = known
        .iter()
        .take(pagesize)
        .map(|tag| {
            object(&[
                ("has_synonyms", js(false)),
                ("is_moderator_only", js(false)),
                ("is_required", js(false)),
                (
                    "count",
                    js(synthetic_questions_between(tag, 1_199_145_600, now)),
                ),
                ("name", js(tag)),
            ])
        })
        .collect();
    let body = object(&[
        ("items", format!("[{}]", items.join(","))),
        ("has_more", js(known.len() > pagesize)),
        ("quota_max", js(300)),
        ("quota_remaining", js(299)),
    ]);
    ResponseTemplate::new(200).set_body_raw(body, JSON)
}

const JSON: &str = "application/json; charset=utf-8";

/// The filter `trends` asks `questions` with (its source's `QUESTIONS_FILTER`).
const FILTER: &str = "!.UE8F0bVg4M-_Ii4";

/// Answers the Stack Exchange routes, with synthetic numbers or the
/// bundled real counts ([`Figures::Real`]).
#[derive(Debug, Default)]
pub(crate) struct StackExchange {
    pub(crate) figures: Figures,
}

impl Respond for StackExchange {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method.as_str() == "GET"
            && let Some(tags) = request
                .url
                .path()
                .strip_prefix("/2.3/tags/")
                .and_then(|rest| rest.strip_suffix("/info"))
        {
            if matches!(self.figures, Figures::Real(_)) {
                return no_figures();
            }
            return tags_info(request, tags);
        }
        if request.method.as_str() != "GET" || request.url.path() != "/2.3/questions" {
            // What the API answers for a method it does not have.
            return error(404, "no method found with this name", "no_method");
        }
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        for required in ["site", "tagged", "fromdate", "todate", "filter"] {
            if param(required).is_none_or(|v| v.is_empty()) {
                return bad_parameter(&format!("{required} is required"));
            }
        }
        if param("site").as_deref() != Some("stackoverflow") {
            return bad_parameter("site");
        }
        if param("filter").as_deref() != Some(FILTER) {
            return bad_parameter("filter");
        }
        let date = |name: &str| param(name).and_then(|v| v.parse::<i64>().ok());
        let (Some(from), Some(to)) = (date("fromdate"), date("todate")) else {
            let bad = if date("fromdate").is_none() {
                "fromdate"
            } else {
                "todate"
            };
            return bad_parameter(bad);
        };
        let tag = param("tagged").unwrap_or_default();
        let total = match &self.figures {
            Figures::Synthetic => synthetic_questions_between(&tag, from, to),
            Figures::Real(bundle) => match bundle.questions(&tag, from, to) {
                Some(total) => total,
                None => return no_figures(),
            },
        };
        let body = object(&[("quota_remaining", js(299)), ("total", js(total))]);
        ResponseTemplate::new(200).set_body_raw(body, JSON)
    }
}

/// What the real demo answers a request its bundle has no figure for (it
/// never asks one: see [`crate::recorded::Bundle::answers`]): an error, never a number.
fn no_figures() -> ResponseTemplate {
    error(
        404,
        "the demo's recorded figures do not cover this request",
        "not_found",
    )
}

fn bad_parameter(message: &str) -> ResponseTemplate {
    error(400, message, "bad_parameter")
}

fn error(id: u16, message: &str, name: &str) -> ResponseTemplate {
    let body = json!({ "error_id": id, "error_message": message, "error_name": name });
    ResponseTemplate::new(id).set_body_raw(body.to_string(), JSON)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::DemoServer;
    use crate::numbers::synthetic_questions;
    use crate::tests::get;
    use trends_core::SourceId;

    const YEAR_2023: &str = "fromdate=1672531200&todate=1704067199";

    async fn ask(server: &DemoServer, query: &str) -> (u16, String, Value) {
        let url = format!(
            "{}/2.3/questions?{query}",
            server
                .base_url(SourceId::new("stackexchange"))
                .expect("served")
        );
        let (status, headers, body) = get(&url).await;
        let ct = headers
            .get("content-type")
            .map(|v| v.to_owned())
            .unwrap_or_default();
        (status, ct, serde_json::from_str(&body).expect("json body"))
    }

    #[tokio::test]
    async fn total_for_a_tag_and_year() {
        let server = DemoServer::start().await;
        let q = format!("tagged=python&site=stackoverflow&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4");
        let (status, ct, body) = ask(&server, &q).await;
        assert_eq!(status, 200);
        assert_eq!(ct, "application/json; charset=utf-8");
        let obj = body.as_object().expect("object");
        assert_eq!(obj.len(), 2, "only the quota and `total`: {body}");
        assert_eq!(body["quota_remaining"].as_u64(), Some(299));
        assert_eq!(
            body["total"].as_u64(),
            Some(synthetic_questions("python", 2023))
        );

        // Same request, same number; a key changes nothing.
        let (_, _, again) = ask(&server, &format!("{q}&key=abc")).await;
        assert_eq!(again, body);
    }

    #[tokio::test]
    async fn current_year_is_a_share_of_the_year() {
        let server = DemoServer::start().await;
        // 2024-01-01 .. 2024-07-01 (exclusive): 182 of 366 days.
        let q = "tagged=c%23&site=stackoverflow&fromdate=1704067200&todate=1719791999&filter=%21.UE8F0bVg4M-_Ii4";
        let (_, _, body) = ask(&server, q).await;
        let full = synthetic_questions("c#", 2024);
        assert_eq!(body["total"].as_u64(), Some(full * 182 / 366));
    }

    #[tokio::test]
    async fn missing_parameters_get_the_api_error_body() {
        let server = DemoServer::start().await;
        for (query, message) in [
            (
                format!("tagged=python&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4"),
                "site is required",
            ),
            (
                format!("site=stackoverflow&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4"),
                "tagged is required",
            ),
            (
                format!("tagged=python&site=stackoverflow&{YEAR_2023}&filter=withbody"),
                "filter",
            ),
            (
                "tagged=python&site=stackoverflow&fromdate=x&todate=1&filter=%21.UE8F0bVg4M-_Ii4"
                    .into(),
                "fromdate",
            ),
        ] {
            let (status, ct, body) = ask(&server, &query).await;
            assert_eq!(status, 400, "{query}");
            assert_eq!(ct, "application/json; charset=utf-8");
            assert_eq!(
                body,
                serde_json::json!({"error_id": 400, "error_message": message, "error_name": "bad_parameter"})
            );
        }
    }
}
