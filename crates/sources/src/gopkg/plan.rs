//! pkg.go.dev: `GET /{module}` is the module's HTML page, whose header says
//! how many packages import it ("Imported by: 1,234"). Go has no download
//! counts; this is its usage signal. Read as a snapshot on the day of the
//! run, one page per module.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned, join};

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    catalog
        .with_key(SourceKey::GoModule)
        .map(|(tech, module)| {
            let segments: Vec<&str> = module.split('/').filter(|s| !s.is_empty()).collect();
            Planned {
                headers: vec![("accept", "text/html".to_owned())],
                ..Planned::get(
                    crate::gopkg::ID,
                    Endpoint::Module.as_str(),
                    vec![subject(tech, module)],
                    Period::snapshot(window.today),
                    join(base, &segments),
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};
    use chrono::NaiveDate;

    #[test]
    fn one_page_per_module() {
        let catalog = test_catalog(
            "[[technology]]\nid = \"gin\"\nname = \"Gin\"\ncategory = \"framework\"\ngo_module = \"github.com/gin-gonic/gin\"\n",
        );
        let base = Url::parse("https://pkg.go.dev").expect("url");
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        assert_eq!(plan.len(), 1);
        assert_eq!(
            plan[0].url.as_str(),
            "https://pkg.go.dev/github.com/gin-gonic/gin"
        );
        assert_eq!(plan[0].spec.period, Period::snapshot(today));
    }
}
