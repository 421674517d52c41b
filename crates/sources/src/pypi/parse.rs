//! pypistats.org `overall`: `{"data": [{"category": "with_mirrors" |
//! "without_mirrors", "date": "2020-05-01", "downloads": N}, ...],
//! "package", "type": "overall_downloads"}`.
//!
//! Only `without_mirrors` days count. Days are summed per calendar month,
//! and a month is kept only when its first day is in the data: the window
//! slides by a day each day, so its oldest month is always cut and its key
//! would change daily. The current month (from its 1st) grows run by run
//! under the same key. Errors: pypistats answers 404 with an HTML or JSON
//! page; the first line is quoted.

use super::Endpoint;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use trends_core::RequestSpec;

use trends_normalizer::{
    NormalizeError, Parsed, count, json, shape, subject, unknown_endpoint, whole_months,
};

#[derive(Deserialize)]
struct Overall {
    data: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    category: String,
    date: String,
    downloads: Option<i64>,
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    if Endpoint::of(spec) != Some(Endpoint::Overall) {
        return Err(unknown_endpoint(spec));
    }
    let subject = subject(spec)?;
    let overall: Overall = json(spec, body)?;
    let mut days = Vec::new();
    for row in overall
        .data
        .iter()
        .filter(|r| r.category == "without_mirrors")
    {
        let day = NaiveDate::parse_from_str(&row.date, "%Y-%m-%d")
            .map_err(|_| shape(spec, format!("date `{}` is not YYYY-MM-DD", row.date)))?;
        days.push((day, count(spec, "downloads", row.downloads)?));
    }
    let out = whole_months(spec, subject, crate::pypi::DOWNLOADS, &days);
    if out.is_empty() {
        return Ok(Parsed::NoData(
            "no whole month of downloads in the answer".into(),
        ));
    }
    debug_assert!(out.iter().all(|o| o.period.start.day() == 1));
    Ok(Parsed::Observations(out))
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period};

    use crate::normalize;
    use crate::testing::{day, fixture, spec};

    fn overall(start: (i32, u32, u32), end: (i32, u32, u32)) -> trends_core::RequestSpec {
        spec(
            crate::pypi::ID,
            "overall",
            "pip",
            "pip",
            Period {
                start: day(start.0, start.1, start.2),
                end: day(end.0, end.1, end.2),
            },
        )
    }

    #[test]
    fn without_mirrors_days_are_summed_per_whole_month() {
        let n = normalize(
            &overall((2019, 11, 15), (2020, 5, 10)),
            200,
            &fixture("pypi/overall.json"),
        );
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        // The fixture's days are 2020-05-01 and 2020-05-02; without mirrors:
        // 2083472 + 1475979.
        assert_eq!(n.observations().len(), 1);
        assert_eq!(n.observations()[0].value, 2_083_472.0 + 1_475_979.0);
        assert_eq!(n.observations()[0].period.start, day(2020, 5, 1));
        assert_eq!(n.observations()[0].period.end, day(2020, 5, 3));
    }

    fn days(rows: &[(&str, u64)]) -> Vec<u8> {
        let data: Vec<String> = rows
            .iter()
            .map(|(date, n)| {
                format!(r#"{{"category":"without_mirrors","date":"{date}","downloads":{n}}}"#)
            })
            .collect();
        format!(
            r#"{{"data":[{}],"package":"pip","type":"overall_downloads"}}"#,
            data.join(",")
        )
        .into_bytes()
    }

    #[test]
    fn a_month_cut_at_its_start_is_left_out() {
        // The 180 days from 2019-11-02: November is cut by the window.
        let body = days(&[("2019-11-02", 5), ("2019-11-30", 5), ("2019-12-01", 7)]);
        let n = normalize(&overall((2019, 11, 2), (2020, 5, 1)), 200, &body);
        assert_eq!(n.observations().len(), 1, "{:?}", n.observations());
        assert_eq!(n.observations()[0].period.start, day(2019, 12, 1));
        assert_eq!(n.observations()[0].value, 7.0);
        let only_cut = days(&[("2019-11-30", 5)]);
        assert_eq!(
            normalize(&overall((2019, 11, 2), (2020, 5, 1)), 200, &only_cut).outcome(),
            Outcome::NoData
        );
    }

    #[test]
    fn a_month_whose_first_days_had_no_downloads_stays_whole() {
        // pypistats has no row for a day without downloads: a small
        // package's December starts on the 5th, January on the 10th, and
        // both months are inside the window.
        let body = days(&[("2019-12-05", 3), ("2019-12-20", 4), ("2020-01-10", 2)]);
        let n = normalize(&overall((2019, 11, 2), (2020, 5, 1)), 200, &body);
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert_eq!(
            crate::testing::periods(&n),
            [
                (day(2019, 12, 1), day(2020, 1, 1), 7.0),
                (day(2020, 1, 1), day(2020, 2, 1), 2.0),
            ]
        );
    }

    #[test]
    fn errors_and_bad_shapes() {
        let n = normalize(
            &overall((2020, 1, 1), (2020, 6, 1)),
            404,
            b"<!DOCTYPE html><title>404 Not Found</title>",
        );
        assert_eq!(n.outcome(), Outcome::HttpError);
        for body in [
            &br#"{"data":[{"category":"without_mirrors","date":"May 1","downloads":1}]}"#[..],
            br#"{"data":[{"category":"without_mirrors","date":"2020-05-01","downloads":-1}]}"#,
            br#"{"data": {}}"#,
            b"{\"data\": [",
        ] {
            assert_eq!(
                normalize(&overall((2020, 1, 1), (2020, 6, 1)), 200, body).outcome(),
                Outcome::ParseError,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
