//! The demo route of RubyGems.org: `GET /api/v1/gems/{name}.json` answers the gem object in
//! the key order of the API guide's example (`name`, `downloads`, `version`,
//! `version_downloads`, ...) with a synthetic all-time `downloads`; a name
//! starting with `nonexistent-` gets the real plain-text 404.

use crate::demo::kit::{REF_YEAR, Series};
use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

/// RubyGems downloads (all time) of a gem.
const DOWNLOADS: Series = Series::new("rubygems_gem", 1_000_000, 1_000_000_000);

/// All-time downloads of a RubyGems gem (a stock, the same every day).
pub fn synthetic_gem_downloads(gem: &str) -> u64 {
    DOWNLOADS.yearly(&gem.to_lowercase(), REF_YEAR)
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let gem = request
            .url
            .path()
            .strip_prefix("/api/v1/gems/")
            .and_then(|rest| rest.strip_suffix(".json"))
            .filter(|g| !g.contains('/') && !g.starts_with("nonexistent-"));
        let Some(gem) = gem else {
            return DemoAnswer::new(
                404,
                "text/plain; charset=utf-8",
                "This rubygem could not be found.",
            );
        };
        let downloads = synthetic_gem_downloads(gem);
        let version = "1.5.0";
        let body = object(&[
            ("name", js(gem)),
            ("downloads", js(downloads)),
            ("version", js(version)),
            ("version_downloads", js(downloads / 40)),
            ("platform", js("ruby")),
            ("authors", js("Synthetic Author")),
            ("info", js(format!("Synthetic demo gem {gem}."))),
            ("licenses", js(["MIT"])),
            ("metadata", object(&[])),
            ("sha", js(format!("{:064x}", downloads))),
            (
                "project_uri",
                js(format!("https://rubygems.org/gems/{gem}")),
            ),
            (
                "gem_uri",
                js(format!("https://rubygems.org/gems/{gem}-{version}.gem")),
            ),
            ("homepage_uri", "null".into()),
            ("wiki_uri", "null".into()),
            ("documentation_uri", "null".into()),
            ("mailing_list_uri", "null".into()),
            ("source_code_uri", "null".into()),
            ("bug_tracker_uri", "null".into()),
            (
                "dependencies",
                object(&[("development", "[]".into()), ("runtime", "[]".into())]),
            ),
        ]);
        DemoAnswer::new(200, "application/json; charset=utf-8", body)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn gem_with_downloads_and_plain_404() {
        let route = API.synthetic();
        let base = BASE;
        let (status, _, body) = get(&*route, &format!("{base}/api/v1/gems/rails.json"));
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            v["downloads"].as_u64(),
            Some(synthetic_gem_downloads("rails"))
        );
        assert!(body.starts_with("{\"name\":\"rails\",\"downloads\":"));
        let (status, headers, body) =
            get(&*route, &format!("{base}/api/v1/gems/nonexistent-gem.json"));
        assert_eq!(status, 404);
        assert_eq!(body, "This rubygem could not be found.");
        assert!(headers["content-type"].starts_with("text/plain"));
    }
}
