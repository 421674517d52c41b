//! The demo route of deps.dev: `GET /v3/systems/{system}/packages/{name}`
//! answers the package with three versions, the newest marked
//! `isDefault` (the others leave the field out, as protojson does for
//! `false`), and `GET /v3alpha/systems/{system}/packages/{name}/versions/
//! {version}:dependents` the synthetic counts of that version, in the
//! fields of the API's `Dependents` message. Any other path gets a 404
//! with an empty body (no recorded error body of the API was found, so
//! the demo does not make one up).

use chrono::Datelike;
use percent_encoding::percent_decode_str;

use crate::demo::kit::Series;
use crate::demo::{DemoAnswer, DemoRequest, DemoRoute, Stateless, js, object};

const JSON: &str = "application/json";

/// Packages known to depend on a package's default version.
const DEPENDENTS: Series = Series::new("depsdev_dependents", 50, 2_000_000);

/// The versions the demo lists, oldest first; the last is the default.
const VERSIONS: [&str; 3] = ["1.0.0", "1.1.0", "2.0.0"];

/// Dependents (direct or not) of `name`'s default version in `year`.
pub fn synthetic_dependents(name: &str, year: i32) -> u64 {
    DEPENDENTS.yearly(&name.to_lowercase(), year)
}

/// The direct ones among them: a share of 20 to 60 % by name.
pub fn synthetic_direct(name: &str, year: i32) -> u64 {
    let share = 0.2
        + 0.4
            * DEPENDENTS
                .noise(&name.to_lowercase(), "direct")
                .abs()
                .min(1.0);
    (synthetic_dependents(name, year) as f64 * share).round() as u64
}

/// The demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let segments: Vec<String> = request
            .path()
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let year = request.today().year();
        match segments.as_slice() {
            [v3, systems, system, packages, name]
                if v3 == "v3" && systems == "systems" && packages == "packages" =>
            {
                DemoAnswer::new(200, JSON, package(system, name))
            }
            [v3a, systems, _, packages, name, versions, version]
                if v3a == "v3alpha"
                    && systems == "systems"
                    && packages == "packages"
                    && versions == "versions"
                    && version.ends_with(":dependents") =>
            {
                let all = synthetic_dependents(name, year);
                let direct = synthetic_direct(name, year);
                let body = object(&[
                    ("dependentCount", js(all)),
                    ("directDependentCount", js(direct)),
                    ("indirectDependentCount", js(all - direct)),
                ]);
                DemoAnswer::new(200, JSON, body)
            }
            _ => DemoAnswer::new(404, "text/plain", ""),
        }
    }
}

fn package(system: &str, name: &str) -> String {
    let system = system.to_uppercase();
    let versions: Vec<String> = VERSIONS
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut fields = vec![
                (
                    "versionKey",
                    object(&[
                        ("system", js(&system)),
                        ("name", js(name)),
                        ("version", js(v)),
                    ]),
                ),
                ("publishedAt", js(format!("202{i}-03-01T00:00:00Z"))),
            ];
            if i + 1 == VERSIONS.len() {
                fields.push(("isDefault", js(true)));
            }
            object(&fields)
        })
        .collect();
    object(&[
        (
            "packageKey",
            object(&[("system", js(&system)), ("name", js(name))]),
        ),
        ("versions", format!("[{}]", versions.join(","))),
    ])
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn package_marks_its_default_and_dependents_count_it() {
        let route = API.synthetic();
        let (status, _, body) = get(
            &*route,
            &format!("{BASE}/v3/systems/NPM/packages/%40nestjs%2Fcore"),
        );
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["packageKey"]["name"], "@nestjs/core");
        let defaults: Vec<&Value> = v["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .filter(|v| v["isDefault"] == true)
            .collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0]["versionKey"]["version"], "2.0.0");

        let (status, _, body) = get(
            &*route,
            &format!(
                "{BASE}/v3alpha/systems/NPM/packages/%40nestjs%2Fcore/versions/2.0.0:dependents"
            ),
        );
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        let all = synthetic_dependents("@nestjs/core", 2026);
        let direct = synthetic_direct("@nestjs/core", 2026);
        assert_eq!(v["dependentCount"].as_u64(), Some(all));
        assert_eq!(v["directDependentCount"].as_u64(), Some(direct));
        assert!(direct <= all && direct > 0);

        let (status, _, body) = get(&*route, &format!("{BASE}/v3/systems"));
        assert_eq!((status, body.as_str()), (404, ""));
    }

    #[test]
    fn the_chain_through_the_demo_parses_to_the_demo_numbers() {
        use trends_core::{Outcome, Period};

        let route = API.synthetic();
        let base = url::Url::parse(BASE).expect("url");
        let name = "org.springframework.boot:spring-boot";
        let system = super::super::System::Maven;
        let spec = |endpoint: &str| {
            crate::testing::spec(
                super::super::ID,
                endpoint,
                "spring-boot",
                name,
                Period::snapshot(crate::testing::day(2026, 12, 8)),
            )
        };
        let url = super::super::package_url(&base, system, name).expect("url");
        let (_, _, body) = get(&*route, url.as_str());
        let version = super::super::parse::default_version(&spec("package"), &body)
            .expect("parses")
            .expect("a default");
        let url = super::super::dependents_url(&base, system, name, &version).expect("url");
        let (status, _, body) = get(&*route, url.as_str());
        assert_eq!(status, 200, "{url}");
        let n = trends_normalizer::normalize(
            &super::super::DepsDev,
            &spec("dependents"),
            200,
            body.as_bytes(),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let values: Vec<f64> = n.observations().iter().map(|o| o.value).collect();
        assert_eq!(
            values,
            [
                synthetic_dependents(name, 2026) as f64,
                synthetic_direct(name, 2026) as f64
            ]
        );
        let (status, _, body) = get(&*route, &format!("{BASE}/v3/systems"));
        assert_eq!((status, body.as_str()), (404, ""));
    }
}
