//! The demo route of GitHub's star history: `GET
//! /repos/{owner}/{repo}/stargazers/history?per_page=30&page=P` and
//! `GET /repos/{owner}/{repo}/stargazers/count`.
//!
//! The shape is the documented one (GitHub's REST reference, "Get
//! repository star history", as octocrab 0.54.7 models it: an array of
//! `{"week", "total", "days"}`, newest week first, at most 30 weeks a page
//! and 100 pages); weeks start on Sunday 00:00 UTC. Each repository has a
//! full synthetic history from its `created_at` whose days add up to its
//! `stargazers_count` ([`synthetic_repo_counts`]) on [`COMPLETE`] and add
//! nothing after it, so the history, the count and the repository object
//! agree on any day, and a past year-end is the same whenever the demo
//! runs (its report snapshots hold them). [`synthetic_star_history`] is
//! public: a test knows every day and measures year-end levels against it.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::json;

use super::numbers::synthetic_repo_counts;
use crate::demo::kit::small_hash;
use crate::demo::{DemoAnswer, DemoRequest};

/// Weeks on a page at most (the endpoint's largest `per_page`).
const PER_PAGE: u64 = 30;
/// The endpoint's last page.
const MAX_PAGE: u64 = 100;

/// The day repository `owner/name` was created (its `created_at`).
pub fn repo_created(full_name: &str) -> NaiveDate {
    let key = full_name.to_lowercase();
    let from = NaiveDate::from_ymd_opt(2008, 4, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(2019, 12, 31).unwrap_or(NaiveDate::MIN);
    let span = (to - from).num_days().max(1) as u64;
    from + Duration::days((small_hash(&["created", &key]) % span) as i64)
}

/// The day every synthetic history reaches its repository's stars.
pub const COMPLETE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 30) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Stars added each day from the creation to `today` (inclusive), oldest
/// first: a launch burst, growth, a weekly noise and a few spikes (a post
/// on a news site), adding up to the repository's stars on [`COMPLETE`],
/// 0 a day after it.
pub fn synthetic_star_history(full_name: &str, today: NaiveDate) -> Vec<(NaiveDate, u64)> {
    let key = full_name.to_lowercase();
    let created = repo_created(full_name);
    let stars = synthetic_repo_counts(full_name).stars;
    let growing = (COMPLETE - created).num_days().max(0) as usize + 1;
    let days = (today - created).num_days().max(0) as usize + 1;
    let mut weight = Vec::with_capacity(growing);
    for t in 0..growing {
        let week = (t / 7).to_string();
        let noise = 0.6 + 0.8 * (small_hash(&["star week", &key, &week]) % 1000) as f64 / 1000.0;
        let spike = if small_hash(&["star spike", &key, &t.to_string()]).is_multiple_of(211) {
            25.0
        } else {
            0.0
        };
        let t = t as f64;
        weight.push((1.0 + 30.0 * (-t / 25.0).exp() + t / 1500.0) * noise + spike);
    }
    let sum: f64 = weight.iter().sum();
    let mut out = Vec::with_capacity(days);
    let (mut cumulative, mut given) = (0.0, 0u64);
    for t in 0..days {
        cumulative += weight.get(t).copied().unwrap_or(0.0);
        let level = (stars as f64 * cumulative / sum).round() as u64;
        out.push((created + Duration::days(t as i64), level - given));
        given = level;
    }
    out
}

/// `GET .../stargazers/history` for repository `full_name`.
pub(crate) fn history(request: &DemoRequest, full_name: &str) -> DemoAnswer {
    let today = request.today();
    star_history_page(request, &synthetic_star_history(full_name, today), today)
}

/// GitHub's answer to `request` (its `per_page`, at most 30, and `page`,
/// at most 100) for a history of stars added a day (oldest first, from the
/// creation), asked on `today`: the page's weeks newest first, each
/// starting on Sunday, and GitHub's `Link` header while more pages follow.
pub fn star_history_page(
    request: &DemoRequest,
    days: &[(NaiveDate, u64)],
    today: NaiveDate,
) -> DemoAnswer {
    let url = &request.url;
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    let per_page = query("per_page").unwrap_or(PER_PAGE).clamp(1, PER_PAGE);
    let page = query("page").unwrap_or(1).clamp(1, MAX_PAGE);
    let created = days.first().map_or(today, |d| d.0);
    let sunday = today - Duration::days(i64::from(today.weekday().num_days_from_sunday()));
    let first_sunday =
        created - Duration::days(i64::from(created.weekday().num_days_from_sunday()));
    let weeks_total = (sunday - first_sunday).num_days().max(0) as u64 / 7 + 1;
    let mut weeks = Vec::new();
    for k in per_page * (page - 1)..(per_page * page).min(weeks_total) {
        let start = sunday - Duration::weeks(k as i64);
        let counts: Vec<u64> = (0..7)
            .map(|i| {
                let d = start + Duration::days(i);
                usize::try_from((d - created).num_days())
                    .ok()
                    .and_then(|t| days.get(t))
                    .filter(|(day, _)| *day <= today)
                    .map_or(0, |(_, n)| *n)
            })
            .collect();
        let week = start
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
        weeks.push(json!({"week": week, "total": counts.iter().sum::<u64>(), "days": counts}));
    }
    let last = weeks_total.div_ceil(per_page).min(MAX_PAGE);
    let mut response = DemoAnswer::new(200, JSON, serde_json::Value::Array(weeks).to_string());
    if page < last {
        let link = |p: u64, rel: &str| {
            let mut url = url.clone();
            url.query_pairs_mut()
                .clear()
                .append_pair("per_page", &per_page.to_string())
                .append_pair("page", &p.to_string());
            format!("<{url}>; rel=\"{rel}\"")
        };
        response = response.with_header(
            "link",
            format!("{}, {}", link(page + 1, "next"), link(last, "last")),
        );
    }
    response
}

/// `GET .../stargazers/count`: `{"count": N}`, the repository's stars.
pub(crate) fn count(full_name: &str) -> DemoAnswer {
    let count = synthetic_repo_counts(full_name).stars;
    DemoAnswer::new(200, JSON, json!({ "count": count }).to_string())
}

const JSON: &str = "application/json; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_adds_up_to_the_repositorys_stars() {
        for (name, today) in [
            (
                "django/django",
                NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"),
            ),
            ("pallets/flask", COMPLETE),
            (
                "golang/go",
                NaiveDate::from_ymd_opt(2031, 1, 9).expect("date"),
            ),
        ] {
            let h = synthetic_star_history(name, today);
            assert_eq!(h.first().map(|d| d.0), Some(repo_created(name)));
            assert_eq!(h.last().map(|d| d.0), Some(today));
            let sum: u64 = h.iter().map(|d| d.1).sum();
            assert_eq!(sum, synthetic_repo_counts(name).stars, "{name}");
        }
    }
}
