//! deps.dev: `GET /v3/systems/{system}/packages/{name}` answers the
//! package's versions, the default one marked `isDefault`; `GET
//! /v3alpha/systems/{system}/packages/{name}/versions/{version}:dependents`
//! answers how many packages depend on that version. Names and versions are
//! one path segment each, percent-encoded as `encodeURIComponent` does (the
//! API's documentation: `@colors/colors` is `%40colors%2Fcolors`; a Maven
//! name is `group:artifact`, whose `:` is encoded too).
//!
//! Dependent counts exist for npm, Cargo, Maven and PyPI only (the v3alpha
//! proto's `GetDependents`), so only those systems are planned; a Maven
//! package has no catalog key yet.

use super::Endpoint;
use trends_core::{Catalog, Period, SourceKey};
use url::Url;

use trends_contract::planning::subject;
use trends_contract::{PlanWindow, Planned};

/// A package system deps.dev counts dependents for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Npm,
    PyPI,
    Cargo,
    Maven,
}

impl System {
    /// Its name in the API's paths: the proto's `System` enum value (the
    /// path accepts it as the documentation's lowercase `npm` is accepted;
    /// recorded clients ask `/v3alpha/systems/MAVEN/packages/...`).
    pub fn as_str(self) -> &'static str {
        match self {
            System::Npm => "NPM",
            System::PyPI => "PYPI",
            System::Cargo => "CARGO",
            System::Maven => "MAVEN",
        }
    }
}

/// The catalog keys that name a package of a system deps.dev counts.
const KEYS: [(SourceKey, System); 3] = [
    (SourceKey::NpmPackage, System::Npm),
    (SourceKey::PypiPackage, System::PyPI),
    (SourceKey::Crate, System::Cargo),
];

/// One package request per catalog package, a snapshot on the day of the
/// run. The `:dependents` request of its default version can only be
/// planned from this answer (see the module's header).
pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let mut out = Vec::new();
    for (key, system) in KEYS {
        for (tech, name) in catalog.with_key(key) {
            let Some(url) = package_url(base, system, name) else {
                continue;
            };
            out.push(Planned::get(
                super::ID,
                Endpoint::Package.as_str(),
                vec![subject(tech, name)],
                Period::snapshot(window.today),
                url,
            ));
        }
    }
    out
}

/// `GET /v3/systems/{system}/packages/{name}`.
pub fn package_url(base: &Url, system: System, name: &str) -> Option<Url> {
    at(
        base,
        &format!("v3/systems/{}/packages/{}", system.as_str(), encode(name)),
    )
}

/// `GET /v3alpha/systems/{system}/packages/{name}/versions/{version}:dependents`.
pub fn dependents_url(base: &Url, system: System, name: &str, version: &str) -> Option<Url> {
    at(
        base,
        &format!(
            "v3alpha/systems/{}/packages/{}/versions/{}:dependents",
            system.as_str(),
            encode(name),
            encode(version)
        ),
    )
}

fn at(base: &Url, path: &str) -> Option<Url> {
    Url::parse(&format!("{}/{path}", base.as_str().trim_end_matches('/'))).ok()
}

/// Percent-encodes every byte but the unreserved ones (RFC 3986), as
/// `encodeURIComponent` does for these names.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};
    use chrono::NaiveDate;

    #[test]
    fn one_package_request_per_counted_system_with_names_encoded() {
        let catalog = test_catalog(
            r#"
[[technology]]
id = "nestjs"
name = "NestJS"
category = "framework"
npm_package = "@nestjs/core"

[[technology]]
id = "django"
name = "Django"
category = "framework"
pypi_package = "Django"

[[technology]]
id = "axum"
name = "Axum"
category = "framework"
cratesio_crate = "axum"

[[technology]]
id = "rails"
name = "Rails"
category = "framework"
rubygems_gem = "rails"
"#,
        );
        let base = Url::parse("https://api.deps.dev").expect("url");
        let today = NaiveDate::from_ymd_opt(2026, 12, 8).expect("date");
        let plan = plan(&base, &catalog, from_2015(today));
        let urls: Vec<&str> = plan.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.deps.dev/v3/systems/NPM/packages/%40nestjs%2Fcore",
                "https://api.deps.dev/v3/systems/PYPI/packages/Django",
                "https://api.deps.dev/v3/systems/CARGO/packages/axum",
            ]
        );
        assert!(
            plan.iter()
                .all(|p| p.spec.period == Period::snapshot(today))
        );
        assert_eq!(plan[0].spec.subjects[0].key, "@nestjs/core");
    }

    #[test]
    fn dependents_of_a_version_under_a_prefixed_base() {
        let base = Url::parse("http://127.0.0.1:9/depsdev/").expect("url");
        assert_eq!(
            dependents_url(
                &base,
                System::Maven,
                "org.springframework.boot:spring-boot",
                "3.4.0"
            )
            .expect("url")
            .as_str(),
            "http://127.0.0.1:9/depsdev/v3alpha/systems/MAVEN/packages/org.springframework.boot%3Aspring-boot/versions/3.4.0:dependents"
        );
    }
}
