//! Packagist `stats` (`stats/all.json?average=monthly`): `{"labels":
//! ["2023-01", ...], "values": {"vendor/name": [n, ...]}, "average":
//! "monthly"}` (slashes JSON-escaped as `\/`).
//!
//! Each value is the month's **daily average**: the server sums the days of
//! the month inside `from..=to` and divides by their number, rounding up
//! (`ceil`). So a month's total is the value times the days of the month
//! inside the asked period; it is high by less than one install per day.
//! Months before the first non-zero one are left out: a package that did not
//! exist yet has no installs to report, which is not a measured zero. A
//! package without stats in the range answers one label and `values` as a
//! list (`[[0]]`): no data. Errors: `{"status": "error", "message": "..."}`.

use super::Endpoint;
use chrono::NaiveDate;
use serde_json::Value;
use trends_core::{Grain, Observation, Period, RequestSpec};

use trends_normalizer::{NormalizeError, Parsed, kind, object, shape, subject, unknown_endpoint};

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Stats) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let answer = object(spec, body)?;
    match answer.get("average").and_then(Value::as_str) {
        Some("monthly") => {}
        Some(other) => {
            return Err(shape(
                spec,
                format!("`average` is `{other}`, the request asked for `monthly`"),
            ));
        }
        None => return Err(shape(spec, "missing field `average`")),
    }
    let labels = match answer.get("labels") {
        Some(Value::Array(labels)) => labels,
        Some(other) => return Err(shape(spec, format!("`labels` is {}", kind(other)))),
        None => return Err(shape(spec, "missing list `labels`")),
    };
    let series = match answer.get("values") {
        Some(Value::Object(by_name)) => by_name
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&subject.key))
            .map(|(_, values)| values)
            .ok_or_else(|| {
                shape(
                    spec,
                    format!("`values` has no series for `{}`", subject.key),
                )
            })?,
        Some(Value::Array(_)) => {
            return Ok(Parsed::NoData(format!(
                "Packagist has no install stats for `{}` in the range",
                subject.key
            )));
        }
        Some(other) => return Err(shape(spec, format!("`values` is {}", kind(other)))),
        None => return Err(shape(spec, "missing object `values`")),
    };
    let Value::Array(values) = series else {
        return Err(shape(
            spec,
            format!("`values.{}` is {}", subject.key, kind(series)),
        ));
    };
    if values.len() != labels.len() {
        return Err(shape(
            spec,
            format!(
                "{} labels but {} values for `{}`",
                labels.len(),
                values.len(),
                subject.key
            ),
        ));
    }
    let out = months(spec, subject, labels, values)?;
    if out.is_empty() {
        return Ok(Parsed::NoData(format!(
            "no installs of `{}` recorded in the range",
            subject.key
        )));
    }
    Ok(Parsed::Observations(out))
}

/// Each month's daily average times its days inside the asked period; the
/// zero months before the package's first install are left out.
fn months(
    spec: &RequestSpec,
    subject: &trends_core::Subject,
    labels: &[Value],
    values: &[Value],
) -> Result<Vec<Observation>, NormalizeError> {
    let mut out = Vec::new();
    for (label, value) in labels.iter().zip(values) {
        let text = label
            .as_str()
            .ok_or_else(|| shape(spec, format!("a label is {}", kind(label))))?;
        let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .map_err(|_| shape(spec, format!("label `{text}` is not YYYY-MM")))?;
        let average = value
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                shape(
                    spec,
                    format!("the value of {text} is {}, not a count", kind(value)),
                )
            })?;
        let month = Period::month_of(first);
        let period = Period {
            start: month.start.max(spec.period.start),
            end: month.end.min(spec.period.end),
        };
        if period.end <= period.start || (out.is_empty() && average == 0.0) {
            continue;
        }
        let days = (period.end - period.start).num_days() as f64;
        out.push(Observation {
            tech: subject.tech.clone(),
            metric: crate::packagist::DOWNLOADS,
            grain: Grain::Month,
            period,
            value: average * days,
            exactness: trends_core::Exactness::Exact,
        });
    }
    Ok(out)
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("message")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn stats(key: &str, start: (i32, u32, u32), end: (i32, u32, u32)) -> trends_core::RequestSpec {
        spec(
            crate::packagist::ID,
            "stats",
            "x",
            key,
            Period {
                start: day(start.0, start.1, start.2),
                end: day(end.0, end.1, end.2),
            },
        )
    }

    #[test]
    fn daily_averages_become_month_totals() {
        let n = normalize(
            &stats("monolog/monolog", (2023, 1, 1), (2023, 3, 16)),
            200,
            &fixture("packagist/stats_all_monthly.json"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        let got: Vec<(Period, f64)> = n
            .observations()
            .iter()
            .map(|o| (o.period, o.value))
            .collect();
        assert_eq!(
            got,
            [
                (Period::month_of(day(2023, 1, 1)), 412_503.0 * 31.0),
                (Period::month_of(day(2023, 2, 1)), 437_118.0 * 28.0),
                // March is cut at the 15th (the asked `to`): 15 days.
                (
                    Period {
                        start: day(2023, 3, 1),
                        end: day(2023, 3, 16)
                    },
                    429_870.0 * 15.0
                ),
            ]
        );
        assert!(
            n.observations()
                .iter()
                .all(|o| o.metric == crate::packagist::DOWNLOADS)
        );
    }

    #[test]
    fn leading_zero_months_are_not_measured_zeros() {
        let body = br#"{"labels":["2015-01","2015-02","2015-03","2015-04"],"values":{"acme\/web":[0,0,5,0.0]},"average":"monthly"}"#;
        let n = normalize(&stats("acme/web", (2015, 1, 1), (2015, 5, 1)), 200, body);
        let got: Vec<f64> = n.observations().iter().map(|o| o.value).collect();
        assert_eq!(got, [5.0 * 31.0, 0.0]);
        let none = br#"{"labels":["2026-11-25"],"values":[[0]],"average":"monthly"}"#;
        assert_eq!(
            normalize(&stats("acme/web", (2015, 1, 1), (2015, 5, 1)), 200, none).outcome(),
            Outcome::NoData
        );
    }

    #[test]
    fn errors_and_bad_shapes() {
        let n = normalize(
            &stats("acme/nope", (2015, 1, 1), (2015, 5, 1)),
            404,
            &fixture("packagist/error_not_found.json"),
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("packagist 404: Package not found"));
        for body in [
            &br#"{"labels":["2015-01"],"values":{"acme\/web":[1]},"average":"daily"}"#[..],
            br#"{"labels":["2015-01"],"values":{"other\/pkg":[1]},"average":"monthly"}"#,
            br#"{"labels":["2015-01","2015-02"],"values":{"acme\/web":[1]},"average":"monthly"}"#,
            br#"{"labels":["Jan 2015"],"values":{"acme\/web":[1]},"average":"monthly"}"#,
            br#"{"labels":["2015-01"],"values":{"acme\/web":[-1]},"average":"monthly"}"#,
            br#"{"labels":["2015-01"],"values":{"acme\/web":["1"]},"average":"monthly"}"#,
            br#"{"labels":"2015-01","values":{"acme\/web":[1]},"average":"monthly"}"#,
            b"<!DOCTYPE html>",
        ] {
            assert_eq!(
                normalize(&stats("acme/web", (2015, 1, 1), (2015, 5, 1)), 200, body).outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
