//! PyPI downloads from pypistats.org: `GET /api/packages/{package}/overall?mirrors=false`
//! answers the daily downloads of the last 180 days (all it keeps), so one
//! request per package and run covers everything there is. Its period is the
//! 180 days up to today.

use super::Endpoint;
use chrono::Days;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

/// How far back pypistats keeps daily data.
pub const HISTORY_DAYS: u64 = 180;

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let start = window
        .today
        .checked_sub_days(Days::new(HISTORY_DAYS))
        .unwrap_or(window.today);
    catalog
        .with_key(SourceKey::PypiPackage)
        .map(|(tech, package)| {
            let mut url = join(base, &["api", "packages", package, "overall"]);
            url.query_pairs_mut().append_pair("mirrors", "false");
            let period = Period {
                start,
                end: window.today,
            };
            Planned::get(
                crate::pypi::ID,
                Endpoint::Overall.as_str(),
                vec![subject(tech, package)],
                period,
                url,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};
    use chrono::NaiveDate;

    #[test]
    fn one_request_per_package_for_the_last_180_days() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"django\"\nname = \"Django\"\ncategory = \"framework\"\npypi_package = \"django\"\n",
        );
        let base = Url::parse("https://pypistats.org").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(
            plan[0].url.as_str(),
            "https://pypistats.org/api/packages/django/overall?mirrors=false"
        );
        assert_eq!(
            plan[0].spec.period.start,
            NaiveDate::from_ymd_opt(2024, 1, 3).expect("date")
        );
        assert_eq!(plan[0].spec.period.end, today);
    }
}
