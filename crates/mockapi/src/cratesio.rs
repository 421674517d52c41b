//! crates.io: `GET /api/v1/crates/{name}` (the crate with a synthetic
//! all-time `downloads`) and `GET /api/v1/crates/{name}/downloads` (the last
//! 90 days up to yesterday, each day split over two versions and
//! `meta.extra_downloads`, summing to [`synthetic_crate_day`]).
//!
//! Like the real service it refuses a request without a User-Agent, or with
//! a library's default one, with its 403 JSON body, and answers a name
//! starting with `nonexistent-` with its 404 `crate ... does not exist`.

use chrono::{Days, Utc};
use wiremock::{Request, Respond, ResponseTemplate};

use crate::numbers::{synthetic_crate_day, synthetic_crate_total};
use crate::{js, object};

const JSON: &str = "application/json; charset=utf-8";

/// The real 403 body (tests/fixtures/cratesio/error_no_user_agent.json).
const NO_USER_AGENT: &str =
    include_str!("../../../tests/fixtures/cratesio/error_no_user_agent.json");

#[derive(Debug, Default)]
pub(crate) struct CratesIo;

fn error(status: u16, detail: &str) -> ResponseTemplate {
    let body = object(&[("errors", format!("[{}]", object(&[("detail", js(detail))])))]);
    ResponseTemplate::new(status).set_body_raw(body, JSON)
}

impl Respond for CratesIo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let agent = request
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if agent.is_empty()
            || ["reqwest/", "curl/", "Go-http-client/", "python-requests/"]
                .iter()
                .any(|lib| agent.starts_with(lib))
        {
            return ResponseTemplate::new(403).set_body_raw(NO_USER_AGENT.trim_end(), JSON);
        }
        let Some(rest) = request.url.path().strip_prefix("/api/v1/crates/") else {
            return error(404, "Not Found");
        };
        let (name, downloads) = match rest.split_once('/') {
            None => (rest, false),
            Some((name, "downloads")) => (name, true),
            Some(_) => return error(404, "Not Found"),
        };
        if name.starts_with("nonexistent-") {
            return error(404, &format!("crate `{name}` does not exist"));
        }
        let body = if downloads { daily(name) } else { krate(name) };
        ResponseTemplate::new(200).set_body_raw(body, JSON)
    }
}

fn krate(name: &str) -> String {
    let total = synthetic_crate_total(name);
    let link = |what: &str| js(format!("/api/v1/crates/{name}/{what}"));
    object(&[
        (
            "crate",
            object(&[
                ("badges", "[]".into()),
                ("categories", "[]".into()),
                ("created_at", js("2017-04-23T18:20:31.223344Z")),
                ("default_version", js("1.0.0")),
                ("description", js(format!("Synthetic demo crate {name}."))),
                ("documentation", "null".into()),
                ("downloads", js(total)),
                ("exact_match", js(false)),
                ("homepage", "null".into()),
                ("id", js(name)),
                ("keywords", "[]".into()),
                (
                    "links",
                    object(&[
                        ("owner_team", link("owner_team")),
                        ("owner_user", link("owner_user")),
                        ("owners", link("owners")),
                        ("reverse_dependencies", link("reverse_dependencies")),
                        ("version_downloads", link("downloads")),
                        ("versions", "null".into()),
                    ]),
                ),
                ("max_stable_version", js("1.0.0")),
                ("max_version", js("1.0.0")),
                ("name", js(name)),
                ("newest_version", js("1.0.0")),
                ("num_versions", js(2)),
                ("recent_downloads", js(total / 20)),
                ("repository", "null".into()),
                ("updated_at", js("2026-01-01T00:00:00.000000Z")),
                ("versions", js([2, 1])),
                ("yanked", js(false)),
            ]),
        ),
        ("versions", "[]".into()),
        ("keywords", "[]".into()),
        ("categories", "[]".into()),
    ])
}

fn daily(name: &str) -> String {
    let today = Utc::now().date_naive();
    let mut versions = Vec::new();
    let mut extra = Vec::new();
    for age in (1..=90u64).rev() {
        let Some(day) = today.checked_sub_days(Days::new(age)) else {
            continue;
        };
        let n = synthetic_crate_day(name, day);
        let (newest, older) = (n * 7 / 10, n / 5);
        let row = |downloads: u64, version: u64| {
            object(&[
                ("date", js(day.to_string())),
                ("downloads", js(downloads)),
                ("version", js(version)),
            ])
        };
        versions.push(row(newest, 2));
        versions.push(row(older, 1));
        extra.push(object(&[
            ("date", js(day.to_string())),
            ("downloads", js(n - newest - older)),
        ]));
    }
    object(&[
        ("version_downloads", format!("[{}]", versions.join(","))),
        (
            "meta",
            object(&[("extra_downloads", format!("[{}]", extra.join(",")))]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use chrono::{Days, Utc};
    use serde_json::Value;
    use trends_core::SourceId;

    use crate::DemoServer;
    use crate::numbers::{synthetic_crate_day, synthetic_crate_total};
    use crate::tests::get;

    #[tokio::test]
    async fn crate_downloads_and_errors() {
        let server = DemoServer::start().await;
        let base = server.base_url(SourceId::new("cratesio")).expect("served");
        // reqwest::get sends no User-Agent: refused, as crates.io does.
        let (status, _, body) = get(&format!("{base}/api/v1/crates/axum")).await;
        assert_eq!(status, 403);
        assert!(body.contains("User-Agent"));
        let client = reqwest::Client::builder()
            .user_agent("trends-test (test@example.org)")
            .build()
            .expect("client");
        let v: Value = client
            .get(format!("{base}/api/v1/crates/axum"))
            .send()
            .await
            .expect("answer")
            .text()
            .await
            .map(|t| serde_json::from_str(&t).expect("JSON"))
            .expect("body");
        assert_eq!(
            v["crate"]["downloads"].as_u64(),
            Some(synthetic_crate_total("axum"))
        );
        let v: Value = client
            .get(format!("{base}/api/v1/crates/axum/downloads"))
            .send()
            .await
            .expect("answer")
            .text()
            .await
            .map(|t| serde_json::from_str(&t).expect("JSON"))
            .expect("body");
        let yesterday = Utc::now()
            .date_naive()
            .checked_sub_days(Days::new(1))
            .expect("date");
        let day = yesterday.to_string();
        let sum: u64 = v["version_downloads"]
            .as_array()
            .expect("list")
            .iter()
            .chain(v["meta"]["extra_downloads"].as_array().expect("list"))
            .filter(|d| d["date"] == day.as_str())
            .map(|d| d["downloads"].as_u64().expect("count"))
            .sum();
        assert_eq!(sum, synthetic_crate_day("axum", yesterday));
        let r = client
            .get(format!("{base}/api/v1/crates/nonexistent-x"))
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status().as_u16(), 404);
        assert!(r.text().await.expect("body").contains("does not exist"));
    }
}
