//! RubyGems.org: `GET /api/v1/gems/{name}.json` answers the gem with
//! `downloads` (all versions, all time), read as a snapshot on the day of
//! the run. There is no per-period series in the API.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    catalog
        .with_key(SourceKey::RubyGem)
        .map(|(tech, gem)| {
            Planned::get(
                crate::rubygems::ID,
                Endpoint::Gem.as_str(),
                vec![subject(tech, gem)],
                Period::snapshot(window.today),
                join(base, &["api", "v1", "gems", &format!("{gem}.json")]),
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
    fn one_snapshot_request_per_gem() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"rails\"\nname = \"Rails\"\ncategory = \"framework\"\nrubygems_gem = \"rails\"\n",
        );
        let base = Url::parse("https://rubygems.org").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(
            plan[0].url.as_str(),
            "https://rubygems.org/api/v1/gems/rails.json"
        );
        assert_eq!(plan[0].spec.period, Period::snapshot(today));
    }
}
