//! crates.io.
//!
//! - `crate`: `{"crate": {"name", "downloads", "recent_downloads", ...},
//!   "versions", "keywords", "categories"}`; `crate.downloads` (all versions,
//!   all time) becomes a snapshot on the day of the request.
//! - `downloads`: `{"version_downloads": [{"date", "downloads", "version"}],
//!   "meta": {"extra_downloads": [{"date", "downloads"}]}}` for the last 90
//!   days. A day's total is the sum of every version's downloads of that date
//!   plus the `extra_downloads` of that date (versions not listed); days are
//!   summed per whole month, as for PyPI ([`crate::whole_months`]).
//!
//! Errors: `{"errors": [{"detail": "..."}]}` (older servers sent the detail as
//! plain text, which is then quoted as it is).

use super::Endpoint;
use chrono::NaiveDate;
use serde_json::Value;
use trends_core::{Grain, Observation, RequestSpec};

use trends_normalizer::{
    NormalizeError, Parsed, kind, object, required, shape, subject, unknown_endpoint, whole_months,
};

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    match Endpoint::of(spec) {
        Some(Endpoint::Crate) => total(spec, body),
        Some(Endpoint::Downloads) => daily(spec, body),
        _ => Err(unknown_endpoint(spec)),
    }
}

/// crates.io treats `-` and `_` alike and ignores case in crate names.
fn same_crate(a: &str, b: &str) -> bool {
    let canon = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    canon(a) == canon(b)
}

fn total(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let subject = subject(spec)?;
    let answer = object(spec, body)?;
    let Some(Value::Object(krate)) = answer.get("crate") else {
        return Err(shape(spec, "missing object `crate`"));
    };
    match krate.get("name").and_then(Value::as_str) {
        Some(name) if same_crate(name, &subject.key) => {}
        Some(name) => {
            return Err(shape(
                spec,
                format!("the answer is about crate `{name}`, not `{}`", subject.key),
            ));
        }
        None => return Err(shape(spec, "missing field `crate.name`")),
    }
    Ok(Parsed::Observations(vec![Observation {
        tech: subject.tech.clone(),
        metric: crate::cratesio::TOTAL_DOWNLOADS,
        grain: Grain::Snapshot,
        period: spec.period,
        value: required(spec, "crate.downloads", krate.get("downloads"))?,
        exactness: trends_core::Exactness::Exact,
    }]))
}

fn daily(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let subject = subject(spec)?;
    let answer = object(spec, body)?;
    let versions = list(spec, "version_downloads", answer.get("version_downloads"))?
        .ok_or_else(|| shape(spec, "missing list `version_downloads`"))?;
    let extra = match answer.get("meta") {
        None | Some(Value::Null) => None,
        Some(Value::Object(meta)) => {
            list(spec, "meta.extra_downloads", meta.get("extra_downloads"))?
        }
        Some(other) => return Err(shape(spec, format!("`meta` is {}", kind(other)))),
    };
    let mut days = Vec::new();
    for (field, items) in [
        ("version_downloads", versions),
        ("meta.extra_downloads", extra.unwrap_or_default()),
    ] {
        for item in items {
            let Value::Object(item) = item else {
                return Err(shape(
                    spec,
                    format!("an item of `{field}` is {}", kind(item)),
                ));
            };
            let date = item
                .get("date")
                .and_then(Value::as_str)
                .ok_or_else(|| shape(spec, format!("an item of `{field}` has no `date`")))?;
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| shape(spec, format!("date `{date}` is not YYYY-MM-DD")))?;
            days.push((day, required(spec, "downloads", item.get("downloads"))?));
        }
    }
    let out = whole_months(spec, subject, crate::cratesio::DOWNLOADS, &days);
    if out.is_empty() {
        return Ok(Parsed::NoData(
            "no whole month of downloads in the answer".into(),
        ));
    }
    Ok(Parsed::Observations(out))
}

/// A list field that may be absent; present, it must be a list.
fn list<'a>(
    spec: &RequestSpec,
    field: &str,
    v: Option<&'a Value>,
) -> Result<Option<&'a [Value]>, NormalizeError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(shape(
            spec,
            format!("`{field}` is {}, not a list", kind(other)),
        )),
    }
}

pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let details: Vec<&str> = v
        .get("errors")?
        .as_array()?
        .iter()
        .filter_map(|e| e.get("detail").and_then(Value::as_str))
        .collect();
    (!details.is_empty()).then(|| details.join("; "))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn total(name: &str) -> trends_core::RequestSpec {
        spec(
            crate::cratesio::ID,
            "crate",
            "x",
            name,
            Period::snapshot(day(2024, 7, 1)),
        )
    }

    fn daily(start: (i32, u32, u32), end: (i32, u32, u32)) -> trends_core::RequestSpec {
        spec(
            crate::cratesio::ID,
            "downloads",
            "x",
            "foo",
            Period {
                start: day(start.0, start.1, start.2),
                end: day(end.0, end.1, end.2),
            },
        )
    }

    #[test]
    fn all_time_downloads_become_a_snapshot() {
        let n = normalize(&total("FOO-show"), 200, &fixture("cratesio/crate.json"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations()[0].metric, crate::cratesio::TOTAL_DOWNLOADS);
        // `crate.downloads`, not `recent_downloads` (10).
        assert_eq!(n.observations()[0].value, 20.0);
        assert_eq!(
            normalize(&total("serde"), 200, &fixture("cratesio/crate.json")).outcome(),
            Outcome::ParseError
        );
    }

    #[test]
    fn versions_and_extra_downloads_are_summed_per_day_and_month() {
        // The recorded snapshot: two versions on 2024-05-14, 1 + 3. The
        // answer leaves out the days without downloads; the asked 90 days
        // cover all of May, so May is whole: 4, up to the last day seen
        // (the API may not have the last days of the window yet).
        let n = normalize(
            &daily((2024, 4, 1), (2024, 6, 1)),
            200,
            &fixture("cratesio/downloads.json"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations().len(), 1);
        assert_eq!(n.observations()[0].value, 4.0);
        assert_eq!(n.observations()[0].period.start, day(2024, 5, 1));
        assert_eq!(n.observations()[0].period.end, day(2024, 5, 15));
        // The same answer when the window starts in May: May is cut.
        let n = normalize(
            &daily((2024, 5, 3), (2024, 8, 1)),
            200,
            &fixture("cratesio/downloads.json"),
        );
        assert_eq!(n.outcome(), Outcome::NoData, "{:?}", n.error());
        let body = br#"{"version_downloads":[{"date":"2024-05-01","downloads":1,"version":2},{"date":"2024-05-14","downloads":3,"version":1},{"date":"2024-04-30","downloads":50,"version":1}],"meta":{"extra_downloads":[{"date":"2024-05-14","downloads":10}]}}"#;
        let n = normalize(&daily((2024, 4, 10), (2024, 7, 1)), 200, body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(n.observations().len(), 1, "April is cut at its start");
        let may = &n.observations()[0];
        assert_eq!(may.metric, crate::cratesio::DOWNLOADS);
        assert_eq!(may.value, 14.0);
        assert_eq!(may.period.start, day(2024, 5, 1));
        // The window went on to the end of June: May is over.
        assert_eq!(may.period.end, day(2024, 6, 1));
    }

    #[test]
    fn a_small_crate_keeps_its_months_when_their_first_days_had_no_downloads() {
        // The last 90 days up to 2024-07-01 (2024-04-02..): crates.io lists
        // only the days with downloads. May and June are inside the window
        // although neither 1st is in the answer; April is cut by the window.
        let body = br#"{"version_downloads":[{"date":"2024-04-20","downloads":2,"version":7},{"date":"2024-05-09","downloads":1,"version":7},{"date":"2024-05-28","downloads":5,"version":7},{"date":"2024-06-17","downloads":3,"version":7}],"meta":{"extra_downloads":[{"date":"2024-06-17","downloads":1}]}}"#;
        let n = normalize(&daily((2024, 4, 2), (2024, 7, 1)), 200, body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(
            crate::testing::periods(&n),
            [
                (day(2024, 5, 1), day(2024, 6, 1), 6.0),
                // June ends with the window, which may lag: up to its last day seen.
                (day(2024, 6, 1), day(2024, 6, 18), 4.0),
            ]
        );
    }

    #[test]
    fn a_month_starting_within_the_slack_of_the_window_needs_its_first_day() {
        // crates.io answers the days after today - 90: a month whose 1st is
        // the asked period's first day (or the next) may not be in the
        // answer at all, so without that day in the data it is cut.
        let body = br#"{"version_downloads":[{"date":"2024-05-10","downloads":2,"version":7}]}"#;
        for start in [(2024, 5, 1), (2024, 4, 30)] {
            let n = normalize(&daily(start, (2024, 7, 29)), 200, body);
            assert_eq!(
                n.outcome(),
                Outcome::NoData,
                "{start:?}: {:?}",
                n.observations()
            );
        }
        let n = normalize(&daily((2024, 4, 29), (2024, 7, 28)), 200, body);
        assert_eq!(n.observations().len(), 1, "two days inside: May is whole");
        let with_first = br#"{"version_downloads":[{"date":"2024-05-01","downloads":1,"version":7},{"date":"2024-05-10","downloads":2,"version":7}]}"#;
        let n = normalize(&daily((2024, 5, 1), (2024, 7, 29)), 200, with_first);
        assert_eq!(n.observations()[0].value, 3.0);
    }

    #[test]
    fn errors_and_bad_shapes() {
        let n = normalize(
            &total("bar"),
            404,
            &fixture("cratesio/error_not_found.json"),
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("cratesio 404: crate `bar` does not exist"));
        let n = normalize(
            &total("bar"),
            403,
            &fixture("cratesio/error_no_user_agent.json"),
        );
        assert!(
            n.error().is_some_and(|e| e.starts_with(
                "cratesio 403: We require that all requests include a `User-Agent` header."
            )),
            "{:?}",
            n.error()
        );
        for body in [
            &br#"{"version_downloads":[{"date":"14 May","downloads":1,"version":2}],"meta":{"extra_downloads":[]}}"#[..],
            br#"{"version_downloads":[{"date":"2024-05-14","downloads":-1,"version":2}]}"#,
            br#"{"version_downloads":{},"meta":{"extra_downloads":[]}}"#,
            br#"{"meta":{"extra_downloads":[]}}"#,
            br#"{"version_downloads":[],"meta":{"extra_downloads":{}}}"#,
            b"[",
        ] {
            assert_eq!(
                normalize(&daily((2024, 4, 1), (2024, 6, 1)), 200, body).outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [
            &br#"{"crate":{"name":"bar"}}"#[..],
            br#"{"crates":[]}"#,
            b"",
        ] {
            assert_eq!(
                normalize(&total("bar"), 200, body).outcome(),
                Outcome::ParseError
            );
        }
    }
}
