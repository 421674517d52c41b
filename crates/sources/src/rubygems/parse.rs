//! RubyGems.org `gem`: `{"name", "downloads", "version",
//! "version_downloads", ...}`; `downloads` (all versions, all time) becomes
//! a snapshot on the day of the request. An unknown gem is 404 with the
//! plain-text body `This rubygem could not be found.`, quoted as it is.

use super::Endpoint;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, object, required, shape, subject, unknown_endpoint,
};

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Gem) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let gem = object(spec, body)?;
    match gem.get("name").and_then(|v| v.as_str()) {
        Some(name) if name.eq_ignore_ascii_case(&subject.key) => {}
        Some(name) => {
            return Err(shape(
                spec,
                format!("the answer is about gem `{name}`, not `{}`", subject.key),
            ));
        }
        None => return Err(shape(spec, "missing field `name`")),
    }
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::rubygems::TOTAL_DOWNLOADS,
        grain: Grain::Snapshot,
        period: spec.period,
        value: required(spec, "downloads", gem.get("downloads"))?,
        exactness: trends_core::Exactness::Exact,
    }]))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn gem(name: &str) -> trends_core::RequestSpec {
        spec(
            crate::rubygems::ID,
            "gem",
            "x",
            name,
            Period::snapshot(day(2024, 7, 1)),
        )
    }

    #[test]
    fn downloads_become_a_snapshot() {
        let n = normalize(&gem("business"), 200, &fixture("rubygems/gem.json"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations().len(), 1);
        assert_eq!(n.observations()[0].metric, crate::rubygems::TOTAL_DOWNLOADS);
        // `downloads`, not the latest version's `version_downloads` (1992).
        assert_eq!(n.observations()[0].value, 45_874.0);
        assert_eq!(
            n.observations()[0].period,
            Period::snapshot(day(2024, 7, 1))
        );
    }

    #[test]
    fn errors_and_bad_shapes() {
        let n = normalize(&gem("rails"), 404, &fixture("rubygems/error_not_found.txt"));
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(
            n.error(),
            Some("rubygems 404: This rubygem could not be found.")
        );
        for body in [
            &fixture("rubygems/gem.json")[..],
            br#"{"name":"rails"}"#,
            br#"{"name":"rails","downloads":null}"#,
            br#"{"name":"rails","downloads":"12"}"#,
            br#"{"name":"rails","downloads":-3}"#,
            br#"["rails"]"#,
            b"<html>",
        ] {
            assert_eq!(
                normalize(&gem("rails"), 200, body).outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
