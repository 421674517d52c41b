//! Wikimedia REST: monthly user pageviews of English Wikipedia articles.
//!
//! `GET /metrics/pageviews/per-article/en.wikipedia/all-access/user/{article}/monthly/{start}/{end}`
//! with timestamps `YYYYMMDD00`. Data starts 2015-07-01. One request per
//! article covers every closed month from the first year (or 2015-07) to the
//! end of last month; the month in progress is left for a later run.
//! The article title is percent-encoded as a path segment (`/`, `#`, `(`).

use super::Endpoint;
use chrono::{Datelike, NaiveDate};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::last_day;
use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned};

/// Unreserved characters (RFC 3986) stay; everything else is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let Some(period) = months_window(window) else {
        return Vec::new();
    };
    let start = format!("{}00", period.start.format("%Y%m%d"));
    let end = format!("{}00", last_day(period).format("%Y%m%d"));
    let prefix = base.path().trim_end_matches('/').to_owned();
    catalog
        .with_key(SourceKey::WikipediaArticle)
        .map(|(tech, article)| {
            let mut url = base.clone();
            url.set_path(&format!(
                "{prefix}/metrics/pageviews/per-article/en.wikipedia/all-access/user/{}/monthly/{start}/{end}",
                utf8_percent_encode(article, SEGMENT)
            ));
            Planned::get(crate::wikimedia::ID, Endpoint::Pageviews.as_str(), vec![subject(tech, article)], period, url)
        })
        .collect()
}

/// From the first month with data (2015-07 at the earliest) to the first
/// day of the current month; `None` when that holds no whole month.
fn months_window(window: PlanWindow) -> Option<Period> {
    let data_start = NaiveDate::from_ymd_opt(2015, 7, 1)?;
    let start = NaiveDate::from_ymd_opt(window.first_year, 1, 1)?.max(data_start);
    let end = NaiveDate::from_ymd_opt(window.today.year(), window.today.month(), 1)?;
    (start < end).then_some(Period { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};

    #[test]
    fn one_request_per_article_over_closed_months() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"django\"\nname = \"Django\"\ncategory = \"framework\"\nwikipedia_article = \"Django_(web_framework)\"\n\n[[technology]]\nid = \"csharp\"\nname = \"C#\"\ncategory = \"language\"\nwikipedia_article = \"C_Sharp_(programming_language)\"\n",
        );
        let base = Url::parse("https://wikimedia.org/api/rest_v1").expect("url");
        let window = from_2015(NaiveDate::from_ymd_opt(2024, 3, 15).expect("date"));
        let plan = plan(&base, &catalog, window);
        assert_eq!(plan.len(), 2);
        assert_eq!(
            plan[0].url.as_str(),
            "https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/Django_%28web_framework%29/monthly/2015070100/2024022900"
        );
        assert_eq!(
            plan[0].spec.period.end,
            NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")
        );
    }

    #[test]
    fn slash_and_hash_are_encoded() {
        assert_eq!(
            utf8_percent_encode("AC/DC#x", SEGMENT).to_string(),
            "AC%2FDC%23x"
        );
    }
}
