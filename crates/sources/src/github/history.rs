//! GitHub's star history, asked once a year per catalog repository.
//!
//! - `GET /repos/{owner}/{repo}/stargazers/history?per_page=30&page=P`
//!   (since 2026-09-04; `X-GitHub-Api-Version: 2026-03-10`): a JSON array
//!   of weeks, newest first, each `{"week": <Unix seconds of its first
//!   day>, "total": <stars added that week>, "days": [7 daily counts]}`.
//!   At most 30 weeks a page (`per_page`) and 100 pages. It counts the stars
//!   a repository still has, by the day they were given; the buckets add up
//!   to today's count. Core limit (60 an hour without a token), no token
//!   needed for a public repository.
//! - `GET /repos/{owner}/{repo}/stargazers/count`: `{"count": N}`, today's
//!   stars, the anchor: a year-end level is the count less the stars added
//!   since that year-end.
//!
//! A page is positioned from the day it is asked (page 1 is the latest 30
//! weeks), so its request is keyed by the year it is asked in: page P's
//! period is the 210 days ending `210·(P−1)` days before January 1 of that
//! year, and the count's the whole span asked. Both are closed periods, so
//! a repository's history is asked on the first run and again each year.
//!
//! Budget: [`PAGE_BUDGET`] pages and one count, 20 requests a repository.
//! The pages back to the year-end before the run's first year are asked
//! when they fit; otherwise the newest ones densely and the rest spread
//! evenly to the oldest (see [`pages`]). The answers are combined into
//! year-end `stars` by [`super::yearend`]; an answer alone gives no number.

use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;
use trends_contract::planning::subject;
use trends_contract::{Lane, PlanWindow, Planned, join};
use trends_core::{Catalog, Period, RequestSpec, SourceKey};
use trends_normalizer::{NormalizeError, Parsed, object, required, shape};
use url::Url;

use super::Endpoint;

/// Weeks on a page: the endpoint's largest `per_page`.
pub const PER_PAGE: u32 = 30;
/// The endpoint's last page.
pub const MAX_PAGE: u32 = 100;
/// History pages asked per repository (plus one count: 20 requests).
pub const PAGE_BUDGET: u32 = 19;
/// The days one page covers.
pub const PAGE_DAYS: u64 = 7 * PER_PAGE as u64;
/// The API version the star-history endpoints were released in.
const API_VERSION: &str = "2026-03-10";

/// Every catalog repository's history pages and count.
pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let today = window.today;
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let oldest = NaiveDate::from_ymd_opt(window.first_year - 1, 12, 31).unwrap_or(today);
    let needed = pages_back_to(today, oldest);
    let mut out = Vec::new();
    for (tech, repo) in catalog.with_key(SourceKey::GitHubRepo) {
        let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
        let history = join(base, &["repos", owner, name, "stargazers", "history"]);
        for page in pages(needed, PAGE_BUDGET) {
            let mut url = history.clone();
            url.query_pairs_mut()
                .append_pair("per_page", &PER_PAGE.to_string())
                .append_pair("page", &page.to_string());
            out.push(planned(
                url,
                Endpoint::StarHistory,
                subject(tech, repo),
                page_period(jan1, page),
            ));
        }
        let span = Period {
            start: jan1 - Days::new(PAGE_DAYS * u64::from(needed)),
            end: jan1,
        };
        out.push(planned(
            join(base, &["repos", owner, name, "stargazers", "count"]),
            Endpoint::StarCount,
            subject(tech, repo),
            span,
        ));
    }
    out
}

/// The pages from `today` back past `oldest` (a week of slack on each end:
/// the current week is partial and weeks need not start on UTC midnight).
pub fn pages_back_to(today: NaiveDate, oldest: NaiveDate) -> u32 {
    let days = u64::try_from((today - oldest).num_days()).unwrap_or(0) + 14;
    u32::try_from(days.div_ceil(PAGE_DAYS))
        .unwrap_or(MAX_PAGE)
        .clamp(1, MAX_PAGE)
}

/// Which of pages `1..=needed` to ask within `budget`: all when they fit;
/// otherwise pages 1 to `dense` (exact year-ends as far back as they
/// reach) and `budget − dense` more spread evenly up to `needed` (the
/// oldest is always asked), `dense = 2·budget − needed` but at least half
/// the budget. The pages between are interpolated.
pub fn pages(needed: u32, budget: u32) -> Vec<u32> {
    if needed <= budget {
        return (1..=needed).collect();
    }
    let dense = (2 * budget)
        .saturating_sub(needed)
        .clamp(budget / 2, budget);
    let sparse = budget - dense;
    let mut out: Vec<u32> = (1..=dense).collect();
    for i in 1..=sparse {
        let step = f64::from(i) * f64::from(needed - dense) / f64::from(sparse);
        out.push(dense + step.round() as u32);
    }
    out.dedup();
    out
}

/// Page `page`'s key period: its 210 days as of January 1 of the year.
pub fn page_period(jan1: NaiveDate, page: u32) -> Period {
    let end = jan1 - Days::new(PAGE_DAYS * u64::from(page - 1));
    Period {
        start: end - Days::new(PAGE_DAYS),
        end,
    }
}

fn planned(url: Url, endpoint: Endpoint, subject: trends_core::Subject, period: Period) -> Planned {
    Planned {
        spec: RequestSpec {
            source: crate::github::ID,
            endpoint: endpoint.as_str().into(),
            subjects: vec![subject],
            period,
        },
        url,
        headers: vec![
            ("accept", "application/vnd.github+json".into()),
            ("x-github-api-version", API_VERSION.into()),
        ],
        lane: Lane::Core,
        body: None,
    }
}

/// One week of a history page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// Its first day (the `week` timestamp's UTC date).
    pub start: NaiveDate,
    /// Stars added on each of its 7 days.
    pub days: [u64; 7],
}

/// A history page read by field name: its weeks, newest first.
pub fn read_page(spec: &RequestSpec, body: &[u8]) -> Result<Vec<Week>, NormalizeError> {
    let weeks = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(weeks)) => weeks,
        Ok(other) => {
            return Err(shape(
                spec,
                format!(
                    "a star history page is an array of weeks, not {}",
                    trends_normalizer::kind(&other)
                ),
            ));
        }
        // Not JSON: the shared reader names the syntax error.
        Err(_) => return object(spec, body).map(|_| Vec::new()),
    };
    let mut out = Vec::with_capacity(weeks.len());
    for (i, week) in weeks.iter().enumerate() {
        let Value::Object(w) = week else {
            return Err(shape(spec, format!("week {i} is not an object")));
        };
        let at = |f: &str| format!("[{i}].{f}");
        let seconds = w
            .get("week")
            .and_then(Value::as_i64)
            .ok_or_else(|| shape(spec, format!("`{}` is not a Unix time", at("week"))))?;
        let start = chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| shape(spec, format!("`{}` is out of range", at("week"))))?
            .date_naive();
        let total = required(spec, &at("total"), w.get("total"))?;
        let days = match w.get("days") {
            Some(Value::Array(d)) if d.len() == 7 => d,
            _ => {
                return Err(shape(
                    spec,
                    format!("`{}` is not 7 daily counts", at("days")),
                ));
            }
        };
        let mut counts = [0u64; 7];
        for (n, day) in days.iter().enumerate() {
            counts[n] = required(spec, &format!("{}[{n}]", at("days")), Some(day))? as u64;
        }
        if counts.iter().sum::<u64>() as f64 != total {
            return Err(shape(
                spec,
                format!("`{}` is not the sum of its days", at("total")),
            ));
        }
        if out.last().is_some_and(|prev: &Week| prev.start <= start) {
            return Err(shape(
                spec,
                format!("week {i} is not older than the one before"),
            ));
        }
        out.push(Week {
            start,
            days: counts,
        });
    }
    Ok(out)
}

/// The count answer: `{"count": N}`.
pub fn read_count(spec: &RequestSpec, body: &[u8]) -> Result<u64, NormalizeError> {
    let answer = object(spec, body)?;
    Ok(required(spec, "count", answer.get("count"))? as u64)
}

/// An answer alone: checked, but its numbers come with the others'.
pub fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let what = if Endpoint::of(spec) == Some(Endpoint::StarCount) {
        format!("{} stars today", read_count(spec, body.as_bytes())?)
    } else {
        format!("{} weeks", read_page(spec, body.as_bytes())?.len())
    };
    Ok(Parsed::NoData(format!(
        "{what}: year-end stars are computed from the repository's history pages together"
    )))
}

/// The `page` query parameter of a history URL.
pub fn page_of(url: &str) -> Option<u32> {
    let url = Url::parse(url).ok()?;
    let page = url.query_pairs().find(|(k, _)| k == "page")?.1;
    page.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_catalog;

    #[test]
    fn pages_fit_the_budget_dense_first_then_spread_to_the_oldest() {
        assert_eq!(pages(5, 19), [1, 2, 3, 4, 5]);
        assert_eq!(pages(19, 19), (1..=19).collect::<Vec<_>>());
        let p = pages(22, 19);
        assert_eq!(p.len(), 19);
        assert_eq!(&p[14..], [15, 16, 18, 20, 22]);
        let p = pages(33, 19);
        assert_eq!(p.len(), 19);
        assert_eq!(&p[..9], (1..=9).collect::<Vec<_>>());
        assert_eq!(p.last(), Some(&33));
        assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
    }

    #[test]
    fn plans_pages_and_a_count_per_repository() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"django\"\nname = \"Django\"\ncategory = \"framework\"\ngithub_repo = \"django/django\"\n",
        );
        let base = Url::parse("https://api.github.com").expect("url");
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        let plan = plan(
            &base,
            &catalog,
            PlanWindow {
                first_year: 2015,
                today,
            },
        );
        assert_eq!(plan.len(), 20);
        assert_eq!(
            plan[0].url.as_str(),
            "https://api.github.com/repos/django/django/stargazers/history?per_page=30&page=1"
        );
        assert_eq!(
            plan[19].url.as_str(),
            "https://api.github.com/repos/django/django/stargazers/count"
        );
        assert!(
            plan[0]
                .headers
                .contains(&("x-github-api-version", "2026-03-10".into()))
        );
        // Keys are stable through the year and closed, so asked once.
        let jan1 = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        assert_eq!(plan[0].spec.period, page_period(jan1, 1));
        assert!(plan.iter().all(|p| p.spec.period.is_closed(jan1)));
        let keys: std::collections::BTreeSet<String> =
            plan.iter().map(|p| p.spec.request_key()).collect();
        assert_eq!(keys.len(), plan.len());
        assert_eq!(page_of(plan[18].url.as_str()), Some(21));
    }
}
