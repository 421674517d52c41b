//! Packagist: `GET /packages/{vendor}/{name}/stats/all.json?average=monthly&from=..&to=..`
//! answers one value per month for the whole window in one request (the
//! series the site's install chart draws). Each value is the month's
//! **daily average** over the days of the month inside `from..=to`, which
//! the normalizer turns back into a month total. `to` is inclusive; stats
//! start 2012-04-13. `average` and `from` are always sent, as the server
//! otherwise guesses them from the range. `to` is two days ago, the
//! server's own default: the nightly job that syncs the counts may not have
//! run for yesterday, whose zero would drag the month's average down.

use super::Endpoint;
use chrono::Days;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::last_day;
use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let period = Period {
        start: Period::year(window.first_year).start,
        end: window
            .today
            .checked_sub_days(Days::new(1))
            .unwrap_or(window.today),
    };
    if period.end <= period.start {
        return Vec::new();
    }
    catalog
        .with_key(SourceKey::PackagistPackage)
        .map(|(tech, package)| {
            let (vendor, name) = package.split_once('/').unwrap_or((package, ""));
            let mut url = join(base, &["packages", vendor, name, "stats", "all.json"]);
            url.query_pairs_mut()
                .append_pair("average", "monthly")
                .append_pair("from", &period.start.to_string())
                .append_pair("to", &last_day(period).to_string());
            Planned::get(
                crate::packagist::ID,
                Endpoint::Stats.as_str(),
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
    fn one_monthly_series_request_per_package() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"laravel\"\nname = \"Laravel\"\ncategory = \"framework\"\npackagist_package = \"laravel/framework\"\n",
        );
        let base = Url::parse("https://packagist.org").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(
            plan[0].url.as_str(),
            "https://packagist.org/packages/laravel/framework/stats/all.json?average=monthly&from=2015-01-01&to=2024-06-29"
        );
        assert_eq!(plan[0].spec.period.start, Period::year(2015).start);
        assert_eq!(
            plan[0].spec.period.end,
            NaiveDate::from_ymd_opt(2024, 6, 30).expect("date")
        );
    }
}
