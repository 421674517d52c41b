//! The TIOBE index: `GET /tiobe-index/` is one HTML page with the current
//! month's top 20 (`table#top20`) and ranks 21 to 50 (`table#otherPL`), so one
//! request serves every language of the catalog. Each rating is read as a
//! snapshot on the day of the run: the index in force that day.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey, Subject};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let subjects: Vec<Subject> = catalog
        .with_key(SourceKey::TiobeLanguage)
        .map(|(tech, name)| subject(tech, name))
        .collect();
    if subjects.is_empty() {
        return Vec::new();
    }
    // The trailing slash is the page's canonical address.
    let url = join(base, &["tiobe-index", ""]);
    vec![Planned {
        headers: vec![("accept", "text/html".to_owned())],
        ..Planned::get(
            crate::tiobe::ID,
            Endpoint::Index.as_str(),
            subjects,
            Period::snapshot(window.today),
            url,
        )
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};
    use chrono::NaiveDate;

    #[test]
    fn one_page_for_every_language() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"go\"\nname = \"Go\"\ncategory = \"language\"\ntiobe_language = \"Go\"\n\n[[technology]]\nid = \"csharp\"\nname = \"C#\"\ncategory = \"language\"\ntiobe_language = \"C#\"\n",
        );
        let base = Url::parse("https://www.tiobe.com").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].url.as_str(), "https://www.tiobe.com/tiobe-index/");
        assert_eq!(plan[0].spec.subjects.len(), 2);
    }
}
