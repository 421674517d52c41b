//! pypistats.org: `GET /api/packages/{package}/overall[?mirrors=false]`.
//!
//! Answers the last 180 days up to yesterday, `with_mirrors` and
//! `without_mirrors` rows per day (only the latter with `mirrors=false`),
//! in the API's key order. A package name starting with `nonexistent-` gets
//! a 404 page, as the real site answers.

use chrono::{Days, Utc};
use wiremock::{Request, Respond, ResponseTemplate};

use crate::numbers::synthetic_pypi_day;
use crate::{js, object};

#[derive(Debug, Default)]
pub(crate) struct PyPI;

impl Respond for PyPI {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let package = request
            .url
            .path()
            .strip_prefix("/api/packages/")
            .and_then(|rest| rest.strip_suffix("/overall"));
        let Some(package) = package.filter(|p| !p.starts_with("nonexistent-")) else {
            return ResponseTemplate::new(404).set_body_raw(
                "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n",
                "text/html; charset=utf-8",
            );
        };
        let mirrors = !request
            .url
            .query_pairs()
            .any(|(k, v)| k == "mirrors" && v == "false");
        let today = Utc::now().date_naive();
        let mut rows = Vec::new();
        for age in (1..=180u64).rev() {
            let Some(day) = today.checked_sub_days(Days::new(age)) else {
                continue;
            };
            let n = synthetic_pypi_day(package, day);
            let row = |category: &str, downloads: u64| {
                object(&[
                    ("category", js(category)),
                    ("date", js(day.to_string())),
                    ("downloads", js(downloads)),
                ])
            };
            if mirrors {
                rows.push(row("with_mirrors", n + n / 50));
            }
            rows.push(row("without_mirrors", n));
        }
        let body = object(&[
            ("data", format!("[{}]", rows.join(","))),
            ("package", js(package)),
            ("type", js("overall_downloads")),
        ]);
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use trends_core::SourceId;

    use crate::DemoServer;
    use crate::tests::get;

    #[tokio::test]
    async fn the_last_180_days_without_mirrors() {
        let server = DemoServer::start().await;
        let base = server.base_url(SourceId::new("pypi")).expect("served");
        let (status, _, body) =
            get(&format!("{base}/api/packages/django/overall?mirrors=false")).await;
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["type"], "overall_downloads");
        assert_eq!(v["data"].as_array().map(Vec::len), Some(180));
        assert!(
            v["data"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|r| r["category"] == "without_mirrors")
        );
        let (status, _, _) = get(&format!("{base}/api/packages/nonexistent-x/overall")).await;
        assert_eq!(status, 404);
    }
}
