//! The demo route of Wikimedia REST (AQS): monthly per-article pageviews.
//!
//! `GET /api/rest_v1/metrics/pageviews/per-article/{project}/{access}/{agent}/{article}/monthly/{start}/{end}`
//! answers `{"items":[{"project":…,"article":…,"granularity":"monthly",
//! "timestamp":"YYYYMM0100","access":…,"agent":…,"views":N},…]}`, one item
//! per month from the month of `start` (2015-07 at the earliest, when the
//! data begins) through the month of `end`, leaving out every month that
//! has not ended before today. The article is echoed decoded, spaces as
//! underscores; views depend on the article only (not on project, access or
//! agent).
//!
//! Errors are `application/problem+json` in the shape the service answers
//! today (recorded in 2026):
//! `{"detail":"The date(s) you used are valid, but we either do not have data
//! for those date(s), …","method":"get","status":404,"title":"Not Found",
//! "type":"about:blank","uri":"/metrics/pageviews/per-article/…"}` when no
//! month is left, 400 "Bad Request" for a malformed timestamp or a start
//! after the end. The demo server answers only `monthly` granularity.
//!
//! Views follow the shared series ([`crate::demo::kit`]) by month, with a
//! mild seasonal swing.

use chrono::{Datelike, Months, NaiveDate};
use percent_encoding::percent_decode_str;

use crate::demo::kit::{REF_YEAR, Series};
use crate::demo::{Demo, DemoAnswer, DemoRequest, DemoRoute, js, object};

/// The path prefix the real service sits under; part of the base URL.
pub(crate) const PREFIX: &str = "/api/rest_v1";
/// English Wikipedia user pageviews per month of an article.
const PAGEVIEWS: Series = Series::new("wikipedia_article", 10_000, 1_000_000);
/// Relative amplitude of the pageviews' seasonal swing.
const SEASON: f64 = 0.06;
const ROUTE: &str = "/metrics/pageviews/per-article/";
const NO_DATA: &str = "The date(s) you used are valid, but we either do not have data for those date(s), or the project you asked for is not loaded yet. Please check documentation for more information";

/// User pageviews of `article` (title with underscores) in one month.
pub fn synthetic_monthly_views(article: &str, year: i32, month: u32) -> u64 {
    let p = PAGEVIEWS.profile(article);
    let t = f64::from(year - REF_YEAR) + (f64::from(month) - 6.5) / 12.0;
    let season =
        1.0 + SEASON * (std::f64::consts::TAU * f64::from(month.saturating_sub(1)) / 12.0).cos();
    let noise = PAGEVIEWS.noise(article, &format!("{year}-{month:02}"));
    PAGEVIEWS.clamp(p.level * (p.growth * t).exp() * season * noise)
}

/// The Wikimedia demo.
#[derive(Debug, Clone, Copy)]
pub struct Api;

impl Demo for Api {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn synthetic(&self) -> Box<dyn DemoRoute> {
        Box::new(Route)
    }
}

/// Answers the Wikimedia routes.
#[derive(Debug, Default)]
struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let path = request.path();
        let uri = path.strip_prefix(PREFIX).unwrap_or(path);
        let route = uri
            .strip_prefix(ROUTE)
            .map(|rest| rest.split('/').collect::<Vec<_>>());
        let Some([project, access, agent, article, granularity, start, end]) = route.as_deref()
        else {
            return problem(
                404,
                "Not Found",
                "the demo server answers only per-article pageviews",
                uri,
            );
        };
        if !request.is_get() || *granularity != "monthly" {
            return problem(
                404,
                "Not Found",
                "the demo server answers only monthly granularity",
                uri,
            );
        }
        let Some(start) = timestamp(start) else {
            return problem(
                400,
                "Bad Request",
                "start timestamp is invalid, must be a valid date in YYYYMMDD format",
                uri,
            );
        };
        let Some(end) = timestamp(end) else {
            return problem(
                400,
                "Bad Request",
                "end timestamp is invalid, must be a valid date in YYYYMMDD format",
                uri,
            );
        };
        if start > end {
            return problem(
                400,
                "Bad Request",
                "start timestamp should be before the end timestamp",
                uri,
            );
        }
        let article = percent_decode_str(article)
            .decode_utf8_lossy()
            .replace(' ', "_");
        let items: Vec<String> = closed_months(start, end, request.today())
            .into_iter()
            .map(|month| {
                object(&[
                    ("project", js(project)),
                    ("article", js(&article)),
                    ("granularity", js("monthly")),
                    ("timestamp", js(format!("{}00", month.format("%Y%m%d")))),
                    ("access", js(access)),
                    ("agent", js(agent)),
                    (
                        "views",
                        js(synthetic_monthly_views(
                            &article,
                            month.year(),
                            month.month(),
                        )),
                    ),
                ])
            })
            .collect();
        if items.is_empty() {
            return problem(404, "Not Found", NO_DATA, uri);
        }
        let body = format!("{{\"items\":[{}]}}", items.join(","));
        DemoAnswer::new(200, "application/json; charset=utf-8", body)
    }
}

/// The first days of the months the answer holds: from the month of
/// `start` (not before 2015-07) through the month of `end`, each ended
/// before `today`.
pub(crate) fn closed_months(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    let first_data = NaiveDate::from_ymd_opt(2015, 7, 1).unwrap_or(NaiveDate::MIN);
    let Some(mut month) = first_of_month(start.max(first_data)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while month <= end {
        let Some(next) = month.checked_add_months(Months::new(1)) else {
            break;
        };
        if next > today {
            break;
        }
        out.push(month);
        month = next;
    }
    out
}

fn first_of_month(day: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(day.year(), day.month(), 1)
}

/// `YYYYMMDD` or `YYYYMMDDHH`.
fn timestamp(s: &str) -> Option<NaiveDate> {
    if !(s.len() == 8 || s.len() == 10) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() == 10 && s[8..].parse::<u32>().ok()? > 23 {
        return None;
    }
    NaiveDate::parse_from_str(&s[..8], "%Y%m%d").ok()
}

fn problem(status: u16, title: &str, detail: &str, uri: &str) -> DemoAnswer {
    let body = object(&[
        ("detail", js(detail)),
        ("method", js("get")),
        ("status", js(status)),
        ("title", js(title)),
        ("type", js("about:blank")),
        ("uri", js(uri)),
    ]);
    DemoAnswer::new(status, "application/problem+json", body)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::demo::testing::{BASE, get, now};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn ask(route: &dyn DemoRoute, tail: &str) -> (u16, String, Value) {
        let url = format!(
            "{BASE}{PREFIX}/metrics/pageviews/per-article/en.wikipedia/all-access/user/{tail}"
        );
        let (status, headers, body) = get(route, &url);
        let ct = headers
            .get("content-type")
            .map(|v| v.to_owned())
            .unwrap_or_default();
        (status, ct, serde_json::from_str(&body).expect("json body"))
    }

    #[test]
    fn monthly_items_for_a_decoded_article() {
        let route = Api.synthetic();
        let (status, ct, body) = ask(
            &*route,
            "Django_%28web_framework%29/monthly/2015010100/2016063000",
        );
        assert_eq!(status, 200);
        assert_eq!(ct, "application/json; charset=utf-8");
        let items = body["items"].as_array().expect("items");
        // 2015-07 (data start) through 2016-06.
        assert_eq!(items.len(), 12);
        assert_eq!(
            items[0],
            json!({
                "project": "en.wikipedia",
                "article": "Django_(web_framework)",
                "granularity": "monthly",
                "timestamp": "2015070100",
                "access": "all-access",
                "agent": "user",
                "views": synthetic_monthly_views("Django_(web_framework)", 2015, 7),
            })
        );
        assert_eq!(items[11]["timestamp"], "2016060100");
        assert_eq!(
            items[11]["views"],
            synthetic_monthly_views("Django_(web_framework)", 2016, 6)
        );

        let (_, _, again) = ask(
            &*route,
            "Django_%28web_framework%29/monthly/2015010100/2016063000",
        );
        assert_eq!(again, body);
    }

    #[test]
    fn no_closed_month_is_the_problem_json_404() {
        let route = Api.synthetic();
        let today = now().date_naive();
        let start = format!("{}0100", today.format("%Y%m"));
        let end = format!("{}00", today.format("%Y%m%d"));
        let tail = format!("C_Sharp_%28programming_language%29/monthly/{start}/{end}");
        let (status, ct, body) = ask(&*route, &tail);
        assert_eq!(status, 404);
        assert_eq!(ct, "application/problem+json");
        assert_eq!(
            body,
            json!({
                "detail": NO_DATA,
                "method": "get",
                "status": 404,
                "title": "Not Found",
                "type": "about:blank",
                "uri": format!("/metrics/pageviews/per-article/en.wikipedia/all-access/user/{tail}"),
            })
        );
        // Before the data starts, too.
        let (status, _, _) = ask(&*route, "Rust/monthly/2010010100/2014123100");
        assert_eq!(status, 404);
    }

    #[test]
    fn bad_timestamps_are_400() {
        let route = Api.synthetic();
        for tail in [
            "Rust/monthly/2015133100/2016010100",
            "Rust/monthly/20160101/20150101",
            "Rust/monthly/x/2016010100",
        ] {
            let (status, ct, body) = ask(&*route, tail);
            assert_eq!(status, 400, "{tail}");
            assert_eq!(ct, "application/problem+json");
            assert_eq!(body["title"], "Bad Request");
        }
    }

    #[test]
    fn numbers_are_pinned_and_in_their_range() {
        // A change here changes every demo database: make it on purpose.
        assert_eq!(synthetic_monthly_views("Kubernetes", 2023, 1), 37364);
        for key in ["python", "c#", "go-gin", "ruby-on-rails", "x", ""] {
            for year in 2000..=2040 {
                let v = synthetic_monthly_views(key, year, 7);
                let (lo, hi) = PAGEVIEWS.range();
                assert!((lo..=hi).contains(&v), "{key} {year}: {v}");
            }
        }
    }

    #[test]
    fn months_stop_before_the_current_one() {
        let months = closed_months(day(2023, 11, 15), day(2024, 12, 31), day(2024, 3, 1));
        assert_eq!(
            months,
            vec![
                day(2023, 11, 1),
                day(2023, 12, 1),
                day(2024, 1, 1),
                day(2024, 2, 1)
            ]
        );
        assert!(closed_months(day(2024, 3, 1), day(2024, 3, 31), day(2024, 3, 31)).is_empty());
        assert_eq!(
            closed_months(day(2024, 3, 1), day(2024, 3, 1), day(2024, 4, 1)),
            vec![day(2024, 3, 1)]
        );
    }
}
