//! github.com topic pages: `GET /topics/{topic}` is HTML saying "Here are
//! 12,345 public repositories matching this topic...". That is the all-time
//! count of public repositories with the topic, read as a snapshot on the
//! day of the run; it needs no token and does not count against the API's
//! search limit. The catalog's `github_topic` names the topic.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    catalog
        .with_key(SourceKey::GitHubTopic)
        .map(|(tech, topic)| Planned {
            headers: vec![("accept", "text/html".to_owned())],
            ..Planned::get(
                crate::githubtopics::ID,
                Endpoint::Topic.as_str(),
                vec![subject(tech, topic)],
                Period::snapshot(window.today),
                join(base, &["topics", topic]),
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
    fn one_page_per_topic() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"django\"\nname = \"Django\"\ncategory = \"framework\"\ngithub_topic = \"django\"\n",
        );
        let base = Url::parse("https://github.com").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].url.as_str(), "https://github.com/topics/django");
    }
}
