//! The demo route of Docker Hub: `GET /v2/repositories/{namespace}/{name}/` answers the
//! repository object in the recorded key order with a synthetic
//! `pull_count` and `star_count`; a name starting with `nonexistent-` gets
//! 404 `{"message":"object not found",...}`.

use crate::demo::kit::{REF_YEAR, Series};
use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json";

/// Docker Hub pulls (all time) of an image.
const PULLS: Series = Series::new("dockerhub_image", 10_000_000, 10_000_000_000);

/// All-time pulls of a Docker Hub image (a stock: the level of the
/// reference year, the same every day).
pub fn synthetic_pulls(image: &str) -> u64 {
    PULLS.yearly(&image.to_lowercase(), REF_YEAR)
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let path = request.path().trim_end_matches('/');
        let Some((namespace, name)) = path
            .strip_prefix("/v2/repositories/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(_, name)| !name.contains('/') && !name.starts_with("nonexistent-"))
        else {
            let body = object(&[
                ("message", js("object not found")),
                ("errinfo", object(&[])),
            ]);
            return DemoAnswer::new(404, JSON, body);
        };
        let pulls = synthetic_pulls(&format!("{namespace}/{name}"));
        let body = object(&[
            ("user", js(namespace)),
            ("name", js(name)),
            ("namespace", js(namespace)),
            ("repository_type", js("image")),
            ("status", js(1)),
            ("status_description", js("active")),
            (
                "description",
                js(format!("Synthetic demo image {namespace}/{name}.")),
            ),
            ("is_private", js(false)),
            ("is_automated", js(false)),
            ("star_count", js(pulls / 1_000_000)),
            ("pull_count", js(pulls)),
            ("last_updated", js("2026-01-01T00:00:00.000000Z")),
            ("last_modified", js("2026-01-01T00:00:00.000000Z")),
            ("date_registered", js("2014-06-05T00:00:00.000000Z")),
            ("collaborator_count", js(0)),
            ("affiliation", "null".into()),
            ("hub_user", js(namespace)),
            ("has_starred", js(false)),
            (
                "permissions",
                object(&[
                    ("read", js(true)),
                    ("write", js(false)),
                    ("admin", js(false)),
                ]),
            ),
            (
                "media_types",
                js(["application/vnd.oci.image.index.v1+json"]),
            ),
            ("content_types", js(["image"])),
            ("categories", "[]".into()),
            (
                "immutable_tags_settings",
                object(&[("enabled", js(false)), ("rules", js([".*"]))]),
            ),
            ("storage_size", js(1_007_407_794u64)),
            ("source", "null".into()),
        ]);
        DemoAnswer::new(200, JSON, body)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn repository_with_pull_count_and_404_for_unknown() {
        let route = API.synthetic();
        let base = BASE;
        let (status, _, body) = get(&*route, &format!("{base}/v2/repositories/library/python/"));
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            v["pull_count"].as_u64(),
            Some(synthetic_pulls("library/python"))
        );
        assert!(body.starts_with("{\"user\":\"library\",\"name\":\"python\""));
        let (status, _, body) = get(
            &*route,
            &format!("{base}/v2/repositories/library/nonexistent-x/"),
        );
        assert_eq!(status, 404);
        assert!(body.contains("object not found"));
    }
}
