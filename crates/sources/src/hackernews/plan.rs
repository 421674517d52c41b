//! Hacker News Search by Algolia: stories and comments matching a term per
//! calendar year.
//!
//! `GET /api/v1/search?query=T&tags=(story,comment)&numericFilters=created_at_i>=X,created_at_i<Y&hitsPerPage=0`
//! answers the search wrapper with `nbHits` and no hits. The term comes from
//! the catalog (`hackernews_query`), so ambiguity ("Go" → `golang`) is
//! settled there. No key; 10,000 requests an hour per IP.

use super::Endpoint;
use chrono::{NaiveDate, NaiveTime};
use trends_core::{Catalog, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::planning::year_periods;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let periods = year_periods(window);
    let mut out = Vec::new();
    for (tech, query) in catalog.with_key(SourceKey::HackerNewsQuery) {
        for &(_, period) in &periods {
            let mut url = join(base, &["api", "v1", "search"]);
            url.query_pairs_mut()
                .append_pair("query", query)
                .append_pair("tags", "(story,comment)")
                .append_pair(
                    "numericFilters",
                    &format!(
                        "created_at_i>={},created_at_i<{}",
                        unix(period.start),
                        unix(period.end)
                    ),
                )
                .append_pair("hitsPerPage", "0");
            out.push(Planned::get(
                crate::hackernews::ID,
                Endpoint::Search.as_str(),
                vec![subject(tech, query)],
                period,
                url,
            ));
        }
    }
    out
}

fn unix(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_catalog;

    #[test]
    fn one_request_per_term_and_year_counting_stories_and_comments() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"go\"\nname = \"Go\"\ncategory = \"language\"\nhackernews_query = \"golang\"\n",
        );
        let base = Url::parse("https://hn.algolia.com").expect("url");
        let window = PlanWindow {
            first_year: 2023,
            today: NaiveDate::from_ymd_opt(2024, 2, 1).expect("date"),
        };
        let plan = plan(&base, &catalog, window);
        assert_eq!(plan.len(), 2);
        assert_eq!(
            plan[0].url.as_str(),
            "https://hn.algolia.com/api/v1/search?query=golang&tags=%28story%2Ccomment%29&numericFilters=created_at_i%3E%3D1672531200%2Ccreated_at_i%3C1704067200&hitsPerPage=0"
        );
        assert!(
            plan[1].url.as_str().contains("created_at_i%3C1706745600"),
            "{}",
            plan[1].url
        );
    }
}
