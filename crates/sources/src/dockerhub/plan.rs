//! Docker Hub: `GET /v2/repositories/{namespace}/{name}` answers the
//! repository with `pull_count` (all-time pulls), read as a snapshot on the
//! day of the run. Official images live in the `library` namespace.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    catalog
        .with_key(SourceKey::DockerImage)
        .map(|(tech, image)| {
            let (namespace, name) = image.split_once('/').unwrap_or(("library", image));
            // The trailing slash is how the API's own links name it.
            let url = join(base, &["v2", "repositories", namespace, name, ""]);
            Planned::get(
                crate::dockerhub::ID,
                Endpoint::Repository.as_str(),
                vec![subject(tech, image)],
                Period::snapshot(window.today),
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
    fn one_snapshot_request_per_image() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"python\"\nname = \"Python\"\ncategory = \"language\"\ndockerhub_image = \"library/python\"\n",
        );
        let base = Url::parse("https://hub.docker.com").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(
            plan[0].url.as_str(),
            "https://hub.docker.com/v2/repositories/library/python/"
        );
        assert_eq!(plan[0].spec.period, Period::snapshot(today));
    }
}
