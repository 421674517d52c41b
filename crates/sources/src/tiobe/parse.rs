//! The TIOBE index page: `table#top20` (columns: this month's rank, last
//! year's, change arrow, `td.td-top20` logo, language, rating `24.45%`,
//! change) and `table#otherPL` (ranks 21 to 50: rank, language, rating). One
//! answer covers every language of the catalog; each one found becomes a
//! rating snapshot. A language outside the top 50 has no rating (no
//! observation, never 0). Either table missing, or a row in another shape,
//! is a failed parse naming the selector.

use std::collections::BTreeMap;

use super::Endpoint;
use scraper::ElementRef;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::html::{document, first, selector, text};
use trends_normalizer::{NormalizeError, Parsed, shape, unknown_endpoint};

pub(crate) const TOP20: &str = "table#top20 > tbody > tr";
pub(crate) const OTHERS: &str = "table#otherPL > tbody > tr";

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Index) {
        return Err(unknown_endpoint(spec));
    }
    let doc = document(spec, body)?;
    // language -> rating
    let mut ratings: BTreeMap<String, f64> = BTreeMap::new();
    first(spec, &doc, TOP20)?;
    for row in doc.select(&selector(spec, TOP20)?) {
        let cells = cells(row);
        if cells.len() != 7 || row.select(&selector(spec, "td.td-top20")?).next().is_none() {
            return Err(shape(
                spec,
                format!(
                    "a `{TOP20}` row has {} cells and no logo cell where 7 with `td.td-top20` were expected: the page layout has changed",
                    cells.len()
                ),
            ));
        }
        ratings.insert(cells[4].clone(), rating(spec, &cells[4], &cells[5])?);
    }
    first(spec, &doc, OTHERS)?;
    for row in doc.select(&selector(spec, OTHERS)?) {
        let cells = cells(row);
        if cells.len() != 3 {
            return Err(shape(
                spec,
                format!(
                    "a `{OTHERS}` row has {} cells where 3 were expected: the page layout has changed",
                    cells.len()
                ),
            ));
        }
        ratings.insert(cells[1].clone(), rating(spec, &cells[1], &cells[2])?);
    }
    let out: Vec<Observation> = spec
        .subjects
        .iter()
        .filter_map(|s| {
            ratings.get(&s.key).map(|value| Observation {
                tech: s.tech.clone(),
                metric: crate::tiobe::RATING,
                grain: Grain::Snapshot,
                period: spec.period,
                value: *value,
                exactness: trends_core::Exactness::Exact,
            })
        })
        .collect();
    if out.is_empty() {
        return Ok(Parsed::NoData(
            "none of the catalog's languages is in the TIOBE top 50".into(),
        ));
    }
    Ok(Parsed::Observations(out))
}

fn cells(row: ElementRef<'_>) -> Vec<String> {
    row.children()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "td")
        .map(text)
        .collect()
}

/// `24.45%` (two decimals today, three in older pages) as 24.45.
fn rating(spec: &RequestSpec, language: &str, cell: &str) -> Result<f64, NormalizeError> {
    cell.strip_suffix('%')
        .and_then(|n| n.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
        .ok_or_else(|| {
            shape(
                spec,
                format!("the rating of {language} is `{cell}`, not a percentage"),
            )
        })
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period, RequestSpec, Subject, TechId};

    use crate::normalize;
    use crate::testing::{day, fixture};

    fn index(languages: &[&str]) -> RequestSpec {
        RequestSpec {
            source: crate::tiobe::ID,
            endpoint: "index".into(),
            subjects: languages
                .iter()
                .map(|l| Subject {
                    tech: TechId(l.to_lowercase()),
                    key: (*l).to_owned(),
                })
                .collect(),
            period: Period::snapshot(day(2025, 10, 15)),
        }
    }

    #[test]
    fn ratings_of_both_tables_and_none_for_the_unlisted() {
        let n = normalize(
            &index(&["Python", "C#", "Go", "Kotlin", "Zig-not-listed"]),
            200,
            &fixture("tiobe/index.html"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let got: Vec<(String, f64)> = n
            .observations()
            .iter()
            .map(|o| (o.tech.to_string(), o.value))
            .collect();
        assert_eq!(
            got,
            [
                ("python".to_owned(), 24.45),
                ("c#".to_owned(), 6.94),
                ("go".to_owned(), 1.92),
                // From the 21-50 table.
                ("kotlin".to_owned(), 0.292),
            ]
        );
        assert_eq!(
            normalize(
                &index(&["Zig-not-listed"]),
                200,
                &fixture("tiobe/index.html")
            )
            .outcome(),
            Outcome::NoData
        );
    }

    #[test]
    fn a_changed_layout_is_a_named_parse_failure() {
        let n = normalize(
            &index(&["Python"]),
            200,
            &fixture("tiobe/changed_layout.html"),
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert!(
            n.error().unwrap_or_default().contains("layout"),
            "{:?}",
            n.error()
        );
        let page = String::from_utf8_lossy(&fixture("tiobe/index.html")).into_owned();
        for body in [
            page.replace("24.45%", "24,45 %"),
            page.replace("id=\"otherPL\"", "id=\"others\""),
            page.replace("td-top20", "td-logo"),
            "Python 24.45%".to_owned(),
        ] {
            let n = normalize(&index(&["Python"]), 200, body.as_bytes());
            assert_eq!(n.outcome(), Outcome::ParseError, "{:?}", n.error());
        }
    }
}
