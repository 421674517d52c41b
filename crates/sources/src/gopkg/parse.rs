//! pkg.go.dev `module` pages. The header holds
//! `<span class="go-Main-headerDetailItem" data-test-id="UnitHeader-importedby">
//! <a href="...?tab=importedby" aria-label="Imported By: 63"><span
//! class="go-textSubtle">Imported by: </span>63</a></span>`; its count
//! becomes a snapshot. The page's canonical link must name the asked module.
//! pkg.go.dev prints large counts as written (`19,638`) or rounded (`2000+`).

use super::Endpoint;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::html::{count, document, first, text};
use trends_normalizer::{NormalizeError, Parsed, shape, subject, unknown_endpoint};

pub(crate) const IMPORTED_BY: &str = r#"[data-test-id="UnitHeader-importedby"] a"#;

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Module) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let doc = document(spec, body)?;
    if let Ok(canonical) = first(spec, &doc, r#"link[rel="canonical"]"#)
        && let Some(href) = canonical.value().attr("href")
    {
        let path = href.split("pkg.go.dev/").nth(1).unwrap_or(href);
        let path = path.split(['@', '?', '#']).next().unwrap_or(path);
        if !path.eq_ignore_ascii_case(subject.key.trim_matches('/')) {
            return Err(shape(
                spec,
                format!("the page is about `{path}`, not `{}`", subject.key),
            ));
        }
    }
    let link = first(spec, &doc, IMPORTED_BY).map_err(|_| {
        shape(
            spec,
            format!(
                "selector `{IMPORTED_BY}` matches nothing on the page: the layout has changed, \
                 or `{}` is a module whose root is not a package (name a package path in go_module)",
                subject.key
            ),
        )
    })?;
    let label = text(link);
    let number = label.strip_prefix("Imported by:").ok_or_else(|| {
        shape(
            spec,
            format!("`{IMPORTED_BY}` reads `{label}`, not `Imported by: N`"),
        )
    })?;
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::gopkg::IMPORTED_BY,
        grain: Grain::Snapshot,
        period: spec.period,
        value: count(spec, "Imported by", number)?,
        exactness: trends_core::Exactness::Exact,
    }]))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn module(key: &str) -> trends_core::RequestSpec {
        spec(
            crate::gopkg::ID,
            "module",
            "x",
            key,
            Period::snapshot(day(2026, 9, 30)),
        )
    }

    #[test]
    fn imported_by_becomes_a_snapshot() {
        let n = normalize(
            &module("github.com/restatedev/sdk-go"),
            200,
            &fixture("gopkg/module.html"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations()[0].metric, crate::gopkg::IMPORTED_BY);
        // Not the "Imports: 15" item beside it.
        assert_eq!(n.observations()[0].value, 63.0);
    }

    #[test]
    fn a_changed_layout_or_another_module_is_a_named_parse_failure() {
        let n = normalize(
            &module("github.com/restatedev/sdk-go"),
            200,
            &fixture("gopkg/changed_layout.html"),
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
        let error = n.error().unwrap_or_default();
        assert!(
            error.contains("UnitHeader-importedby") && error.contains("layout"),
            "{error}"
        );
        assert!(n.observations().is_empty());
        let n = normalize(
            &module("github.com/gin-gonic/gin"),
            200,
            &fixture("gopkg/module.html"),
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
        for body in [
            &b"{\"imported_by\": 3}"[..],
            b"",
            &fixture("gopkg/module.html").replace_ascii("</span>63", "</span>many"),
        ] {
            assert_eq!(
                normalize(&module("github.com/restatedev/sdk-go"), 200, body).outcome(),
                Outcome::ParseError
            );
        }
        let n = normalize(
            &module("github.com/nope/nope"),
            404,
            b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body></body></html>",
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("gopkg 404: 404 Not Found"));
    }

    trait ReplaceAscii {
        fn replace_ascii(&self, from: &str, to: &str) -> Vec<u8>;
    }

    impl ReplaceAscii for Vec<u8> {
        fn replace_ascii(&self, from: &str, to: &str) -> Vec<u8> {
            String::from_utf8_lossy(self).replace(from, to).into_bytes()
        }
    }
}
