//! The demo route of pypistats.org: `GET /api/packages/{package}/overall[?mirrors=false]`.
//!
//! Answers the last 180 days up to yesterday, `with_mirrors` and
//! `without_mirrors` rows per day (only the latter with `mirrors=false`),
//! in the API's key order. A package name starting with `nonexistent-` gets
//! a 404 page, as the real site answers.

use chrono::{Days, NaiveDate};

use crate::demo::kit::Series;

use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

/// PyPI downloads per year of a package.
const DOWNLOADS: Series = Series::new("pypi_package", 1_000_000, 1_000_000_000);

/// PyPI downloads (without mirrors) of `package` on `day`.
pub fn synthetic_pypi_day(package: &str, day: NaiveDate) -> u64 {
    DOWNLOADS.day(&package.to_lowercase(), day)
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let package = request
            .url
            .path()
            .strip_prefix("/api/packages/")
            .and_then(|rest| rest.strip_suffix("/overall"));
        let Some(package) = package.filter(|p| !p.starts_with("nonexistent-")) else {
            return DemoAnswer::new(
                404,
                "text/html; charset=utf-8",
                "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n",
            );
        };
        let mirrors = !request
            .url
            .query_pairs()
            .any(|(k, v)| k == "mirrors" && v == "false");
        let today = request.today();
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
        DemoAnswer::new(200, "application/json", body)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn the_last_180_days_without_mirrors() {
        let route = API.synthetic();
        let base = BASE;
        let (status, _, body) = get(
            &*route,
            &format!("{base}/api/packages/django/overall?mirrors=false"),
        );
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
        let (status, _, _) = get(
            &*route,
            &format!("{base}/api/packages/nonexistent-x/overall"),
        );
        assert_eq!(status, 404);
    }
}
