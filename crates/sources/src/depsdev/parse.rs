//! deps.dev answers, read by the field names of the API's proto (its JSON
//! is protojson: camelCase names, and a proto3 field at its default value,
//! `false` or 0, is left out).
//!
//! - `package` (v3 `Package`): `{"packageKey": {"system", "name"},
//!   "versions": [{"versionKey": {"system", "name", "version"},
//!   "publishedAt", "isDefault", ...}]}`. The default version is the one
//!   with `isDefault: true` (the others leave the field out); none is
//!   possible ("with the default version marked if known"). The answer
//!   alone gives no number: it names the version whose dependents are
//!   asked.
//! - `dependents` (v3alpha `Dependents`): `{"dependentCount",
//!   "directDependentCount", "indirectDependentCount"}`, the packages known
//!   to depend on the version; `dependentCount` and `directDependentCount`
//!   become snapshots on the day of the request. A missing count is a
//!   parse error, never read as 0: no recorded answer shows one left out.
//! - A 404 is no data: an unknown package, or a version deps.dev has not
//!   computed yet (a new release takes hours, google/deps.dev#103). Error
//!   bodies are plain text (`no results match query`, google/deps.dev#110),
//!   quoted as they are.

use super::Endpoint;
use serde_json::Value;
use trends_core::{Exactness, Grain, Metric, Observation, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, object, required, shape, subject, unknown_endpoint,
};

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    match Endpoint::of(spec) {
        Some(Endpoint::Package) => Ok(Parsed::NoData(match default_version(spec, body)? {
            Some(v) => format!("the default version is {v}: its dependents are asked on their own"),
            None => "deps.dev marks no default version".to_owned(),
        })),
        Some(Endpoint::Dependents) => dependents(spec, body),
        None => Err(unknown_endpoint(spec)),
    }
}

pub(crate) fn no_data(status: u16, body: &[u8]) -> Option<String> {
    (status == 404).then(|| {
        format!(
            "deps.dev knows no such package or version (yet): {}",
            trends_normalizer::snippet(body)
        )
    })
}

/// The version a `package` answer marks `isDefault`, if any.
pub(crate) fn default_version(
    spec: &RequestSpec,
    body: &str,
) -> Result<Option<String>, NormalizeError> {
    let package = object(spec, body)?;
    let Some(Value::Array(versions)) = package.get("versions") else {
        return Err(shape(spec, "missing array `versions`"));
    };
    let mut found = None;
    for v in versions {
        match v.get("isDefault") {
            None | Some(Value::Bool(false)) => continue,
            Some(Value::Bool(true)) => {}
            Some(other) => {
                return Err(shape(
                    spec,
                    format!("`isDefault` is {}", trends_normalizer::kind(other)),
                ));
            }
        }
        let Some(version) = v.pointer("/versionKey/version").and_then(Value::as_str) else {
            return Err(shape(
                spec,
                "a default version without `versionKey.version`",
            ));
        };
        if found.replace(version.to_owned()).is_some() {
            return Err(shape(spec, "more than one version is marked `isDefault`"));
        }
    }
    Ok(found)
}

fn dependents(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let subject = subject(spec)?;
    let counts = object(spec, body)?;
    let observation = |metric: Metric, field: &str| -> Result<Observation, NormalizeError> {
        Ok(Observation {
            tech: subject.tech.clone(),
            metric,
            grain: Grain::Snapshot,
            period: spec.period,
            value: required(spec, field, counts.get(field))?,
            exactness: Exactness::Exact,
        })
    };
    Ok(Parsed::Observations(vec![
        observation(super::DEPENDENTS, "dependentCount")?,
        observation(super::DIRECT_DEPENDENTS, "directDependentCount")?,
    ]))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period, RequestSpec};
    use trends_normalizer::{Parsed, normalize};

    use super::super::DepsDev;
    use crate::testing::{day, fixture, spec};

    fn ask(endpoint: &str) -> RequestSpec {
        spec(
            super::super::ID,
            endpoint,
            "react",
            "react",
            Period::snapshot(day(2026, 9, 19)),
        )
    }

    #[test]
    fn dependents_become_two_snapshots() {
        let n = normalize(
            &DepsDev,
            &ask("dependents"),
            200,
            &fixture("depsdev/dependents.json"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let got: Vec<_> = n
            .observations()
            .iter()
            .map(|o| (o.metric, o.value))
            .collect();
        assert_eq!(
            got,
            [
                (super::super::DEPENDENTS, 17_051.0),
                (super::super::DIRECT_DEPENDENTS, 4_792.0)
            ]
        );
        assert!(
            n.observations()
                .iter()
                .all(|o| o.period == Period::snapshot(day(2026, 9, 19)))
        );
    }

    #[test]
    fn the_package_names_its_default_version_or_none() {
        let body = String::from_utf8(fixture("depsdev/package.json")).expect("utf-8");
        assert_eq!(
            super::default_version(&ask("package"), &body)
                .expect("parses")
                .as_deref(),
            Some("2.34.2")
        );
        let none = r#"{"versions":[{"versionKey":{"version":"1.0.0"},"isDefault":false}]}"#;
        assert_eq!(
            super::default_version(&ask("package"), none).expect("parses"),
            None
        );
        let n = normalize(&DepsDev, &ask("package"), 200, none.as_bytes());
        assert_eq!(n.outcome(), Outcome::NoData);
        assert!(matches!(
            super::parse(&ask("package"), &body),
            Ok(Parsed::NoData(why)) if why.contains("2.34.2")
        ));
    }

    #[test]
    fn errors_and_bad_shapes() {
        let error = fixture("depsdev/error_no_results.txt");
        let n = normalize(&DepsDev, &ask("dependents"), 404, &error);
        assert_eq!(n.outcome(), Outcome::NoData);
        assert!(n.observations().is_empty());
        assert_eq!(
            n.error(),
            Some("deps.dev knows no such package or version (yet): no results match query")
        );
        let n = normalize(&DepsDev, &ask("package"), 500, &error);
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("depsdev 500: no results match query"));
        for (endpoint, body) in [
            ("dependents", &br#"{"dependentCount":1}"#[..]),
            ("dependents", br#"{"dependentCount":-1,"directDependentCount":1}"#),
            ("dependents", br#"{"dependentCount":"9","directDependentCount":1}"#),
            ("dependents", b"[1,2]"),
            ("dependents", b"{\"dependentCount\":"),
            ("package", br#"{"packageKey":{}}"#),
            ("package", br#"{"versions":[{"isDefault":true}]}"#),
            ("package", br#"{"versions":[{"isDefault":"yes","versionKey":{"version":"1"}}]}"#),
            (
                "package",
                br#"{"versions":[{"isDefault":true,"versionKey":{"version":"1"}},{"isDefault":true,"versionKey":{"version":"2"}}]}"#,
            ),
        ] {
            assert_eq!(
                normalize(&DepsDev, &ask(endpoint), 200, body).outcome(),
                Outcome::ParseError,
                "{endpoint}: {}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
