//! Stack Exchange API 2.3.
//!
//! - Questions asked per tag per calendar year:
//!   `GET /2.3/questions?tagged=T&site=stackoverflow&fromdate=..&todate=..&filter=!.UE8F0bVg4M-_Ii4`
//!   answers `{"quota_remaining": Q, "total": N}` (and `backoff` when the
//!   API asks for one): [`QUESTIONS_FILTER`] keeps `.total` and the
//!   wrapper's pacing fields. `fromdate`/`todate` are Unix seconds, both
//!   inclusive, so `todate` is the last second of the period. The API has
//!   no per-period count for several tags at once, so this is one request
//!   per tag and year (closed years are asked once, ever).
//! - All-time totals, batched: `GET /2.3/tags/{t1;t2;..}/info?site=stackoverflow&pagesize=100`
//!   answers up to 100 tags' `count` in one request, read as snapshots.
//!
//! The optional key is added at send time (`Auth::QueryParam` named `key`, declared in `mod.rs`).

use super::Endpoint;
use chrono::{NaiveDate, NaiveTime};
use trends_core::{Catalog, Period, SourceKey, Subject};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::planning::year_periods;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let periods = year_periods(window);
    let mut out = Vec::new();
    for (tech, tag) in catalog.with_key(SourceKey::StackOverflowTag) {
        for &(_, period) in &periods {
            let mut url = join(base, &["2.3", "questions"]);
            url.query_pairs_mut()
                .append_pair("tagged", tag)
                .append_pair("site", "stackoverflow")
                .append_pair("fromdate", &unix(period.start).to_string())
                .append_pair("todate", &(unix(period.end) - 1).to_string())
                .append_pair("filter", QUESTIONS_FILTER);
            out.push(Planned::get(
                crate::stackexchange::ID,
                Endpoint::Questions.as_str(),
                vec![subject(tech, tag)],
                period,
                url,
            ));
        }
    }
    let tags: Vec<Subject> = catalog
        .with_key(SourceKey::StackOverflowTag)
        .map(|(tech, tag)| subject(tech, tag))
        .collect();
    for batch in tags.chunks(TAGS_PER_REQUEST) {
        let keys: Vec<&str> = batch.iter().map(|s| s.key.as_str()).collect();
        let mut url = join(base, &["2.3", "tags", &keys.join(";"), "info"]);
        url.query_pairs_mut()
            .append_pair("site", "stackoverflow")
            .append_pair("pagesize", &TAGS_PER_REQUEST.to_string());
        out.push(Planned::get(
            crate::stackexchange::ID,
            Endpoint::TagsInfo.as_str(),
            batch.to_vec(),
            Period::snapshot(window.today),
            url,
        ));
    }
    out
}

/// The filter of the `questions` requests: the wrapper's `.backoff`,
/// `.quota_remaining` and `.total`, nothing else (no `items`). Filters are
/// immutable and never expire, so it is baked in, as the API's docs advise.
/// It is the filter bmaupin/langtrends-data (`src/StackOverflow.ts`) has
/// asked `/search` with since 2018, described there as "only returns
/// backoff, quota_remaining, and total" (see tests/fixtures/stackexchange/
/// SOURCES.md). The built-in `total` filter it replaces drops the wrapper,
/// and with it the quota and `backoff`.
pub const QUESTIONS_FILTER: &str = "!.UE8F0bVg4M-_Ii4";

/// The most tags `/tags/{tags}/info` takes, and its largest page.
pub const TAGS_PER_REQUEST: usize = 100;

fn unix(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_catalog;

    #[test]
    fn one_request_per_tag_and_year_with_real_parameters() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"python\"\nname = \"Python\"\ncategory = \"language\"\nstackoverflow_tag = \"python\"\n\n[[technology]]\nid = \"cs\"\nname = \"C#\"\ncategory = \"language\"\nstackoverflow_tag = \"c#\"\n",
        );
        let base = Url::parse("https://api.stackexchange.com").expect("url");
        let window = PlanWindow {
            first_year: 2023,
            today: NaiveDate::from_ymd_opt(2024, 7, 1).expect("date"),
        };
        let plan = plan(&base, &catalog, window);
        assert_eq!(plan.len(), 5);
        // Then one batch for every tag's all-time total.
        assert_eq!(
            plan[4].url.as_str(),
            "https://api.stackexchange.com/2.3/tags/python;c%23/info?site=stackoverflow&pagesize=100"
        );
        assert_eq!(plan[4].spec.subjects.len(), 2);
        assert_eq!(
            plan[0].url.as_str(),
            "https://api.stackexchange.com/2.3/questions?tagged=python&site=stackoverflow&fromdate=1672531200&todate=1704067199&filter=%21.UE8F0bVg4M-_Ii4"
        );
        // The current year stops at the start of today.
        assert!(
            plan[1]
                .url
                .as_str()
                .contains("fromdate=1704067200&todate=1719791999")
        );
        assert!(plan[2].url.as_str().contains("tagged=c%23"));
        assert_eq!(
            plan[0].spec.request_key(),
            "stackexchange/questions/python/2023-01-01..2024-01-01"
        );
    }

    #[test]
    fn tag_totals_go_100_tags_a_request() {
        let text: String = (0..150)
            .map(|i| {
                format!("[[technology]]\nid = \"t{i}\"\nname = \"T{i}\"\ncategory = \"language\"\nstackoverflow_tag = \"t{i}\"\n\n")
            })
            .collect();
        let catalog = test_catalog(&text);
        let base = Url::parse("https://api.stackexchange.com").expect("url");
        let window = PlanWindow {
            first_year: 2024,
            today: NaiveDate::from_ymd_opt(2024, 7, 1).expect("date"),
        };
        let batches: Vec<usize> = plan(&base, &catalog, window)
            .iter()
            .filter(|p| p.spec.endpoint == "tags_info")
            .map(|p| p.spec.subjects.len())
            .collect();
        assert_eq!(batches, [100, 50]);
    }
}
