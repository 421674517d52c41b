//! The demo route of Packagist: `GET /packages/{vendor}/{name}/stats/all.json?average=monthly&from=..&to=..`,
//! computed as the server's `overallStatsAction` does: the days `from..=to`
//! grouped by month, each month's value the sum of its days divided by their
//! number, rounded up. Keys in the server's order (`labels`, `values`,
//! `average`), slashes escaped as Symfony's JsonResponse does, and
//! `Cache-Control: s-maxage=1800`. Another `average` gets 400; a package
//! whose name starts with `nonexistent-` gets 404 with the JSON routes'
//! `{"status":"error","message":"Package not found"}`.

use chrono::{Datelike, NaiveDate};

use crate::demo::kit::Series;

use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json";

/// Packagist installs per year of a package.
const DOWNLOADS: Series = Series::new("packagist_package", 1_000_000, 500_000_000);

/// Packagist installs of `package` on `day`.
pub fn synthetic_packagist_day(package: &str, day: NaiveDate) -> u64 {
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
            .strip_prefix("/packages/")
            .and_then(|rest| rest.strip_suffix("/stats/all.json"))
            .filter(|p| p.split('/').count() == 2);
        let Some(package) = package.filter(|p| !p.contains("/nonexistent-")) else {
            return DemoAnswer::new(
                404,
                JSON,
                object(&[
                    ("status", js("error")),
                    ("message", js("Package not found")),
                ]),
            );
        };
        let query = |key: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let date =
            |v: Option<String>| v.and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
        let today = request.today();
        let to = date(query("to")).unwrap_or(today - chrono::Days::new(2));
        let from =
            date(query("from")).unwrap_or(NaiveDate::from_ymd_opt(2012, 4, 13).unwrap_or(to));
        if query("average").as_deref() != Some("monthly") {
            return DemoAnswer::new(
                400,
                JSON,
                object(&[
                    ("status", js("error")),
                    (
                        "message",
                        js("The demo server answers average=monthly only"),
                    ),
                ]),
            );
        }
        // (label, sum, days)
        let mut months: Vec<(String, u64, u64)> = Vec::new();
        let mut day = from;
        while day <= to {
            let label = format!("{}-{:02}", day.year(), day.month());
            let n = synthetic_packagist_day(package, day);
            match months.last_mut() {
                Some(m) if m.0 == label => {
                    m.1 += n;
                    m.2 += 1;
                }
                _ => months.push((label, n, 1)),
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        let labels: Vec<String> = months.iter().map(|m| js(&m.0)).collect();
        let values: Vec<String> = months.iter().map(|m| js(m.1.div_ceil(m.2))).collect();
        let body = format!(
            "{{\"labels\":[{}],\"values\":{{{}:[{}]}},\"average\":\"monthly\"}}",
            labels.join(","),
            js(package).replace('/', "\\/"),
            values.join(",")
        );
        DemoAnswer::new(200, JSON, body).with_header("cache-control", "public, s-maxage=1800")
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn monthly_daily_averages_and_404() {
        let route = API.synthetic();
        let base = BASE;
        let (status, headers, body) = get(
            &*route,
            &format!(
                "{base}/packages/laravel/framework/stats/all.json?average=monthly&from=2023-01-01&to=2023-02-10"
            ),
        );
        assert_eq!(status, 200, "{body}");
        assert!(headers["cache-control"].contains("s-maxage=1800"));
        assert!(body.contains("\"laravel\\/framework\""), "{body}");
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["labels"], serde_json::json!(["2023-01", "2023-02"]));
        let feb: u64 = (1..=10)
            .map(|d| {
                synthetic_packagist_day(
                    "laravel/framework",
                    NaiveDate::from_ymd_opt(2023, 2, d).expect("date"),
                )
            })
            .sum();
        assert_eq!(
            v["values"]["laravel/framework"][1].as_u64(),
            Some(feb.div_ceil(10))
        );
        let (status, _, body) = get(
            &*route,
            &format!("{base}/packages/acme/nonexistent-x/stats/all.json?average=monthly"),
        );
        assert_eq!(status, 404);
        assert!(body.contains("Package not found"));
    }
}
