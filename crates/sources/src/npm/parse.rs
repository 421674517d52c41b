//! npm download counts.
//!
//! `range` for one package: `{"downloads": [{"day": "2014-02-27",
//! "downloads": 1904088}, ...], "start", "end", "package"}`; for several
//! (bulk) an object keyed by package name whose values have that shape, or
//! `null` for a package npm does not know. Days are summed per calendar
//! month: one observation per month, its period the days present (so the
//! current month grows run by run under the same key). npm lists every day
//! of the range, those without downloads as 0, so a month's first day is
//! always present and no month is dropped (crates.io and pypistats leave
//! such days out: see `whole_months`). Errors:
//! `{"error": "package foo not found"}`.

use std::collections::BTreeMap;

use super::Endpoint;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use trends_core::{Grain, Observation, Period, RequestSpec, Subject};

use trends_normalizer::{NormalizeError, Parsed, count, json, unknown_endpoint};

#[derive(Deserialize)]
struct Range {
    downloads: Vec<Day>,
}

#[derive(Deserialize)]
struct Day {
    day: String,
    downloads: Option<i64>,
}

#[derive(Deserialize)]
struct ApiError {
    error: String,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Range) {
        return Err(unknown_endpoint(spec));
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    match spec.subjects.as_slice() {
        [] => return Err(shape(spec, "the request names no package".into())),
        [one] => {
            let range: Range = json(spec, body)?;
            months(spec, one, &range, &mut out)?;
        }
        many => {
            let bulk: BTreeMap<String, Option<Range>> = json(spec, body)?;
            for subject in many {
                match bulk.get(&subject.key) {
                    Some(Some(range)) => months(spec, subject, range, &mut out)?,
                    Some(None) => missing.push(subject.key.as_str()),
                    None => {
                        return Err(shape(
                            spec,
                            format!("the bulk answer has no entry for `{}`", subject.key),
                        ));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        return Ok(Parsed::NoData(if missing.is_empty() {
            "no download days in the range".into()
        } else {
            format!("npm knows no package {}", missing.join(", "))
        }));
    }
    Ok(Parsed::Observations(out))
}

/// Sums one package's days per month, inside the asked period.
fn months(
    spec: &RequestSpec,
    subject: &Subject,
    range: &Range,
    out: &mut Vec<Observation>,
) -> Result<(), NormalizeError> {
    // month start -> (first day, last day, sum)
    let mut by_month: BTreeMap<NaiveDate, (NaiveDate, NaiveDate, f64)> = BTreeMap::new();
    for d in &range.downloads {
        let day = NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
            .map_err(|_| shape(spec, format!("day `{}` is not YYYY-MM-DD", d.day)))?;
        if day < spec.period.start || day >= spec.period.end {
            continue;
        }
        let n = count(spec, "downloads", d.downloads)?;
        let month = Period::month_of(day).start;
        let e = by_month.entry(month).or_insert((day, day, 0.0));
        e.0 = e.0.min(day);
        e.1 = e.1.max(day);
        e.2 += n;
    }
    for (first, last, sum) in by_month.into_values() {
        out.push(Observation {
            tech: subject.tech.clone(),
            metric: crate::npm::DOWNLOADS,
            grain: Grain::Month,
            period: Period {
                start: first,
                end: last.succ_opt().unwrap_or(last),
            },
            value: sum,
            exactness: trends_core::Exactness::Exact,
        });
        debug_assert_eq!(first.month(), last.month());
    }
    Ok(())
}

fn shape(spec: &RequestSpec, what: String) -> NormalizeError {
    NormalizeError::Shape {
        key: spec.request_key(),
        what,
    }
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(e.error)
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period, RequestSpec, Subject, TechId};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn single() -> RequestSpec {
        spec(
            crate::npm::ID,
            "range",
            "express",
            "express",
            Period {
                start: day(2014, 2, 1),
                end: day(2014, 4, 1),
            },
        )
    }

    fn bulk() -> RequestSpec {
        RequestSpec {
            source: crate::npm::ID,
            endpoint: "range".into(),
            subjects: ["express", "koa", "no-such-package-xyz"]
                .iter()
                .map(|p| Subject {
                    tech: TechId((*p).into()),
                    key: (*p).into(),
                })
                .collect(),
            period: Period {
                start: day(2014, 2, 1),
                end: day(2014, 4, 1),
            },
        }
    }

    #[test]
    fn days_are_summed_per_month() {
        let body = fixture("npm/range_single.json");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("fixture is JSON");
        let n = normalize(&single(), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let total: f64 = v["downloads"]
            .as_array()
            .expect("days")
            .iter()
            .map(|d| d["downloads"].as_f64().expect("count"))
            .sum();
        assert_eq!(n.observations().iter().map(|o| o.value).sum::<f64>(), total);
        // The fixture spans the end of February and the start of March.
        assert_eq!(n.observations().len(), 2);
        assert_eq!(n.observations()[0].period.start, day(2014, 2, 27));
        assert_eq!(n.observations()[0].period.end, day(2014, 3, 1));
        assert_eq!(n.observations()[1].period.start, day(2014, 3, 1));
    }

    #[test]
    fn npm_lists_days_without_downloads_so_no_month_is_dropped() {
        // npm answers every day of the range, 0 included (unlike crates.io
        // and pypistats); no month is dropped here, whatever its first day.
        let body = br#"{"start":"2014-02-01","end":"2014-03-31","package":"express","downloads":[{"day":"2014-02-01","downloads":0},{"day":"2014-02-02","downloads":3},{"day":"2014-03-01","downloads":0},{"day":"2014-03-31","downloads":2}]}"#;
        let n = normalize(&single(), 200, body);
        assert_eq!(
            crate::testing::periods(&n),
            [
                (day(2014, 2, 1), day(2014, 2, 3), 3.0),
                (day(2014, 3, 1), day(2014, 4, 1), 2.0),
            ]
        );
    }

    #[test]
    fn bulk_answers_are_split_per_package_and_unknown_ones_are_skipped() {
        let n = normalize(&bulk(), 200, &fixture("npm/range_bulk.json"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let techs: std::collections::BTreeSet<&str> =
            n.observations().iter().map(|o| o.tech.as_str()).collect();
        assert_eq!(techs.into_iter().collect::<Vec<_>>(), ["express", "koa"]);
    }

    #[test]
    fn errors_and_bad_shapes() {
        let n = normalize(&single(), 404, &fixture("npm/error_not_found.json"));
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert!(n.error().expect("message").contains("not found"));
        for body in [
            &b"{\"downloads\": [{\"day\": \"2014-02-30\", \"downloads\": 1}]}"[..],
            b"{\"downloads\": [{\"day\": \"2014-03-01\"}]}",
            b"{\"downloads\": 5}",
            b"{\"downloads\": [",
        ] {
            let n = normalize(&single(), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        // A bulk answer missing a package we asked for is not trusted.
        let n = normalize(&bulk(), 200, br#"{"express": null}"#);
        assert_eq!(n.outcome(), Outcome::ParseError);
        let n = normalize(&single(), 200, br#"{"downloads": [], "start": "2014-02-01", "end": "2014-03-31", "package": "express"}"#);
        assert_eq!(n.outcome(), Outcome::NoData);
    }
}
