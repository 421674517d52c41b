//! The demo route of npm download counts: `GET /downloads/range/{start}:{end}/{package}` and
//! the bulk form with comma-separated unscoped packages.
//!
//! One package answers `{"downloads":[{"day","downloads"}...],"start","end",
//! "package"}`; several answer an object keyed by package name. A package
//! name starting with `nonexistent-` is unknown: alone it gets the API's 404
//! `{"error":"package .. not found"}`, in bulk `null`. Days before
//! 2015-01-10 and after yesterday are not served, as on the real API.

use chrono::{Days, NaiveDate};

use crate::demo::kit::Series;

use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json; charset=utf-8";

/// npm downloads per year of a package.
const DOWNLOADS: Series = Series::new("npm_package", 1_000_000, 2_000_000_000);

/// npm downloads of `package` on `day`: its year's value spread over the
/// year's days.
pub fn synthetic_npm_day(package: &str, day: NaiveDate) -> u64 {
    DOWNLOADS.day(package, day)
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let Some(rest) = request.path().strip_prefix("/downloads/range/") else {
            return error(404, "end point not found");
        };
        let Some((range, packages)) = rest.split_once('/') else {
            return error(400, "no package given");
        };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let Some((Some(start), Some(end))) = range.split_once(':').map(|(a, b)| (day(a), day(b)))
        else {
            return error(400, "invalid date range");
        };
        let first = NaiveDate::from_ymd_opt(2015, 1, 10)
            .unwrap_or(start)
            .max(start);
        let yesterday = request.today().pred_opt().unwrap_or(end);
        let last = end.min(yesterday);
        if packages.contains(',') {
            let fields: Vec<(&str, String)> = packages
                .split(',')
                .map(|p| {
                    let value = if p.starts_with("nonexistent-") {
                        "null".to_owned()
                    } else {
                        range_body(p, first, last)
                    };
                    (p, value)
                })
                .collect();
            return DemoAnswer::new(200, JSON, object(&fields));
        }
        if packages.starts_with("nonexistent-") {
            return error(404, &format!("package {packages} not found"));
        }
        DemoAnswer::new(200, JSON, range_body(packages, first, last))
    }
}

fn range_body(package: &str, first: NaiveDate, last: NaiveDate) -> String {
    let mut days = Vec::new();
    let mut d = first;
    while d <= last {
        days.push(object(&[
            ("day", js(d.to_string())),
            ("downloads", js(synthetic_npm_day(package, d))),
        ]));
        let Some(next) = d.checked_add_days(Days::new(1)) else {
            break;
        };
        d = next;
    }
    object(&[
        ("downloads", format!("[{}]", days.join(","))),
        ("start", js(first.to_string())),
        ("end", js(last.to_string())),
        ("package", js(package)),
    ])
}

fn error(status: u16, message: &str) -> DemoAnswer {
    DemoAnswer::new(status, JSON, object(&[("error", js(message))]))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn single_bulk_and_unknown_packages() {
        let route = API.synthetic();
        let base = BASE;
        let (status, _, body) = get(
            &*route,
            &format!("{base}/downloads/range/2023-01-01:2023-01-31/@nestjs/core"),
        );
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["package"], "@nestjs/core");
        assert_eq!(v["downloads"].as_array().map(Vec::len), Some(31));
        let jan1 = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date");
        assert_eq!(
            v["downloads"][0]["downloads"].as_u64(),
            Some(synthetic_npm_day("@nestjs/core", jan1))
        );

        let (status, _, body) = get(
            &*route,
            &format!("{base}/downloads/range/2014-12-01:2015-01-31/express,nonexistent-x"),
        );
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["express"]["start"], "2015-01-10");
        assert_eq!(v["nonexistent-x"], Value::Null);

        let (status, _, body) = get(
            &*route,
            &format!("{base}/downloads/range/2023-01-01:2023-01-31/nonexistent-y"),
        );
        assert_eq!(status, 404);
        assert!(body.contains("package nonexistent-y not found"));
    }
}
