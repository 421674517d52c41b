//! The demo route of crates.io: `GET /api/v1/crates/{name}` (the crate with a synthetic
//! all-time `downloads`) and `GET /api/v1/crates/{name}/downloads` (the last
//! 90 days up to yesterday, each day split over two versions and
//! `meta.extra_downloads`, summing to [`synthetic_crate_day`]).
//!
//! Like the real service it refuses a request without a User-Agent, or with
//! a library's default one, with its 403 JSON body, and answers a name
//! starting with `nonexistent-` with its 404 `crate ... does not exist`.

use chrono::{Days, NaiveDate};

use crate::demo::kit::{REF_YEAR, Series};

use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json; charset=utf-8";

/// The real 403 body (tests/fixtures/cratesio/error_no_user_agent.json).
const NO_USER_AGENT: &str =
    include_str!("../../../../tests/fixtures/cratesio/error_no_user_agent.json");

fn error(status: u16, detail: &str) -> DemoAnswer {
    let body = object(&[("errors", format!("[{}]", object(&[("detail", js(detail))])))]);
    DemoAnswer::new(status, JSON, body)
}

/// crates.io downloads (all time) of a crate.
const TOTAL: Series = Series::new("cratesio_crate_total", 100_000, 300_000_000);
/// crates.io downloads per year of a crate.
const DOWNLOADS: Series = Series::new("cratesio_crate", 100_000, 100_000_000);

/// All-time downloads of a crate (a stock, the same every day).
pub fn synthetic_crate_total(name: &str) -> u64 {
    TOTAL.yearly(&crate_name(name), REF_YEAR)
}

/// Downloads of a crate, all versions, on `day`.
pub fn synthetic_crate_day(name: &str, day: NaiveDate) -> u64 {
    DOWNLOADS.day(&crate_name(name), day)
}

/// crates.io ignores case and treats `-` and `_` alike.
fn crate_name(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let agent = request.header("user-agent").unwrap_or("");
        if agent.is_empty()
            || ["reqwest/", "curl/", "Go-http-client/", "python-requests/"]
                .iter()
                .any(|lib| agent.starts_with(lib))
        {
            return DemoAnswer::new(403, JSON, NO_USER_AGENT.trim_end());
        }
        let Some(rest) = request.path().strip_prefix("/api/v1/crates/") else {
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
        let body = if downloads {
            daily(name, request.today())
        } else {
            krate(name)
        };
        DemoAnswer::new(200, JSON, body)
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

fn daily(name: &str, today: NaiveDate) -> String {
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
    use chrono::Days;
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get, now, read, request};

    #[test]
    fn crate_downloads_and_errors() {
        let route = API.synthetic();
        let base = BASE;
        // A request without a User-Agent is refused, as crates.io does.
        let (status, _, body) = get(&*route, &format!("{base}/api/v1/crates/axum"));
        assert_eq!(status, 403);
        assert!(body.contains("User-Agent"));
        let ask = |url: String| {
            let mut request = request(&url);
            request.headers.push((
                "user-agent".to_owned(),
                "trends-test (test@example.org)".to_owned(),
            ));
            read(route.answer(&request))
        };
        let (_, _, text) = ask(format!("{base}/api/v1/crates/axum"));
        let v: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            v["crate"]["downloads"].as_u64(),
            Some(synthetic_crate_total("axum"))
        );
        let (_, _, text) = ask(format!("{base}/api/v1/crates/axum/downloads"));
        let v: Value = serde_json::from_str(&text).expect("JSON");
        let yesterday = now()
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
        let (status, _, body) = ask(format!("{base}/api/v1/crates/nonexistent-x"));
        assert_eq!(status, 404);
        assert!(body.contains("does not exist"));
        // A library's default agent is refused too.
        let mut curl = request(&format!("{base}/api/v1/crates/axum"));
        curl.headers
            .push(("user-agent".to_owned(), "curl/8.5.0".to_owned()));
        assert_eq!(route.answer(&curl).status, 403);
    }
}
