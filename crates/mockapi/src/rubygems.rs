//! RubyGems.org: `GET /api/v1/gems/{name}.json` answers the gem object in
//! the key order of the API guide's example (`name`, `downloads`, `version`,
//! `version_downloads`, ...) with a synthetic all-time `downloads`; a name
//! starting with `nonexistent-` gets the real plain-text 404.

use wiremock::{Request, Respond, ResponseTemplate};

use crate::numbers::synthetic_gem_downloads;
use crate::{js, object};

#[derive(Debug, Default)]
pub(crate) struct RubyGems;

impl Respond for RubyGems {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let gem = request
            .url
            .path()
            .strip_prefix("/api/v1/gems/")
            .and_then(|rest| rest.strip_suffix(".json"))
            .filter(|g| !g.contains('/') && !g.starts_with("nonexistent-"));
        let Some(gem) = gem else {
            return ResponseTemplate::new(404).set_body_raw(
                "This rubygem could not be found.",
                "text/plain; charset=utf-8",
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
        ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use trends_core::SourceId;

    use crate::DemoServer;
    use crate::numbers::synthetic_gem_downloads;
    use crate::tests::get;

    #[tokio::test]
    async fn gem_with_downloads_and_plain_404() {
        let server = DemoServer::start().await;
        let base = server.base_url(SourceId::new("rubygems")).expect("served");
        let (status, _, body) = get(&format!("{base}/api/v1/gems/rails.json")).await;
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            v["downloads"].as_u64(),
            Some(synthetic_gem_downloads("rails"))
        );
        assert!(body.starts_with("{\"name\":\"rails\",\"downloads\":"));
        let (status, headers, body) =
            get(&format!("{base}/api/v1/gems/nonexistent-gem.json")).await;
        assert_eq!(status, 404);
        assert_eq!(body, "This rubygem could not be found.");
        assert!(headers["content-type"].starts_with("text/plain"));
    }
}
