//! github.com `topic` pages: `<h2 class="h3 color-fg-muted"> Here are 5,866
//! public repositories matching this topic...</h2>`; the count becomes a
//! snapshot. The sentence must be there around the number, so that another
//! `h2` in its place is a failed parse, not a count.

use super::Endpoint;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::html::{count, document, first, text};
use trends_normalizer::{NormalizeError, Parsed, shape, subject, unknown_endpoint};

pub(crate) const COUNT: &str = "h2.h3.color-fg-muted";

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Topic) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let doc = document(spec, body)?;
    let line = text(first(spec, &doc, COUNT)?);
    let number = ["Here are ", "Here is "]
        .iter()
        .find_map(|lead| line.strip_prefix(lead))
        .filter(|rest| rest.contains("matching this topic"))
        .and_then(|rest| rest.split(' ').next())
        .ok_or_else(|| {
            shape(
                spec,
                format!("`{COUNT}` reads `{line}`, not `Here are N public repositories matching this topic`"),
            )
        })?;
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::githubtopics::REPOSITORIES,
        grain: Grain::Snapshot,
        period: spec.period,
        value: count(spec, "repositories matching the topic", number)?,
        exactness: trends_core::Exactness::Exact,
    }]))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn topic(key: &str) -> trends_core::RequestSpec {
        spec(
            crate::githubtopics::ID,
            "topic",
            "x",
            key,
            Period::snapshot(day(2026, 3, 31)),
        )
    }

    #[test]
    fn the_repository_count_becomes_a_snapshot() {
        let n = normalize(&topic("pokemon"), 200, &fixture("githubtopics/topic.html"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(
            n.observations()[0].metric,
            crate::githubtopics::REPOSITORIES
        );
        assert_eq!(n.observations()[0].value, 5_866.0);
    }

    #[test]
    fn a_changed_layout_is_a_named_parse_failure() {
        let n = normalize(
            &topic("javascript"),
            200,
            &fixture("githubtopics/changed_layout.html"),
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
        let error = n.error().unwrap_or_default();
        assert!(
            error.contains("h2.h3.color-fg-muted") && error.contains("layout"),
            "{error}"
        );
        for body in [
            &b"<html><h2 class=\"h3 color-fg-muted\">Popular topics</h2></html>"[..],
            b"<html><h2 class=\"h3 color-fg-muted\">Here are many public repositories matching this topic...</h2></html>",
            b"{\"total_count\": 5}",
        ] {
            assert_eq!(normalize(&topic("x"), 200, body).outcome(), Outcome::ParseError);
        }
    }
}
