//! crates.io: two requests per crate.
//!
//! - `GET /api/v1/crates/{name}` answers `crate.downloads` (all versions,
//!   all time), read as a snapshot on the day of the run;
//! - `GET /api/v1/crates/{name}/downloads` answers the daily downloads of the
//!   last 90 days per version (it ignores date parameters), summed per month
//!   by the normalizer. Its period is the 90 days up to today.
//!
//! Their crawler policy asks for at most one request per second and a
//! User-Agent with contact details, which the client always sends.

use super::Endpoint;
use chrono::Days;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

/// How far back `/downloads` answers.
pub const HISTORY_DAYS: u64 = 90;

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let start = window
        .today
        .checked_sub_days(Days::new(HISTORY_DAYS))
        .unwrap_or(window.today);
    let mut out = Vec::new();
    for (tech, name) in catalog.with_key(SourceKey::Crate) {
        let crate_url = join(base, &["api", "v1", "crates", name]);
        out.push(Planned::get(
            crate::cratesio::ID,
            Endpoint::Crate.as_str(),
            vec![subject(tech, name)],
            Period::snapshot(window.today),
            crate_url,
        ));
        let downloads = Period {
            start,
            end: window.today,
        };
        let downloads_url = join(base, &["api", "v1", "crates", name, "downloads"]);
        out.push(Planned::get(
            crate::cratesio::ID,
            Endpoint::Downloads.as_str(),
            vec![subject(tech, name)],
            downloads,
            downloads_url,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};
    use chrono::NaiveDate;

    #[test]
    fn a_snapshot_and_the_last_90_days_per_crate() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"axum\"\nname = \"axum\"\ncategory = \"framework\"\ncratesio_crate = \"axum\"\n",
        );
        let base = Url::parse("https://crates.io").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        let urls: Vec<&str> = plan.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://crates.io/api/v1/crates/axum",
                "https://crates.io/api/v1/crates/axum/downloads"
            ]
        );
        assert_eq!(plan[0].spec.period, Period::snapshot(today));
        assert_eq!(
            plan[1].spec.period.start,
            NaiveDate::from_ymd_opt(2024, 4, 2).expect("date")
        );
        assert_eq!(plan[1].spec.period.end, today);
    }
}
