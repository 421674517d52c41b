//! GitHub Innovation Graph CSV: `data/languages.csv`
//! (`num_pushers,language,language_type,iso2_code,year,quarter`, CRLF line
//! ends) and `data/topics.csv` (`num_pushers,topic,iso2_code,year,quarter`),
//! one row per name, economy and quarter. The columns are found by their
//! header name, so a reordered file still reads and a renamed or missing
//! column is a parse error naming the file and the column.
//!
//! For each asked name (case-insensitive, as GitHub treats languages and
//! topics) the economies' `num_pushers` are summed per quarter: a developer
//! belongs to one economy a quarter, so nobody is counted twice, except in
//! the aggregates ([`AGGREGATES`], `EU` = the sum of its 27 members), which
//! are left out. An economy below GitHub's publishing threshold (100
//! developers) has no row: the sum is that of the published economies.
//! Only the quarters that end inside the request's period are read; a
//! name without any row there has no observation (never a 0).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use trends_core::{Exactness, Grain, Metric, Observation, Period, RequestSpec, TechId};
use trends_normalizer::{NormalizeError, Parsed, shape, unknown_endpoint};

use super::Endpoint;

/// Economy codes that are sums of other rows of the same file, left out so
/// that nothing is counted twice. `EU` is the only one in the files (its
/// rows equal the sums of its member states' rows).
pub(crate) const AGGREGATES: &[&str] = &["EU"];

/// What one file is: its path in the repository, the column naming the
/// language or topic, and the metric its counts are.
struct Layout {
    file: &'static str,
    name: &'static str,
    metric: Metric,
}

fn layout(spec: &RequestSpec) -> Result<Layout, NormalizeError> {
    match Endpoint::of(spec) {
        Some(Endpoint::Languages) => Ok(Layout {
            file: "data/languages.csv",
            name: "language",
            metric: super::LANGUAGE_PUSHERS,
        }),
        Some(Endpoint::Topics) => Ok(Layout {
            file: "data/topics.csv",
            name: "topic",
            metric: super::TOPIC_PUSHERS,
        }),
        None => Err(unknown_endpoint(spec)),
    }
}

/// The positions of the columns the parser reads.
struct Columns {
    count: usize,
    name: usize,
    economy: usize,
    year: usize,
    quarter: usize,
}

fn columns(
    spec: &RequestSpec,
    layout: &Layout,
    header: &csv::StringRecord,
) -> Result<Columns, NormalizeError> {
    let names: Vec<&str> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}'))
        .collect();
    let find = |column: &str| {
        names.iter().position(|h| *h == column).ok_or_else(|| {
            shape(
                spec,
                format!(
                    "{} has no column `{column}` in its header `{}`: the published format \
                     changed; the parser reads num_pushers, {}, iso2_code, year and quarter by name",
                    layout.file,
                    names.join(","),
                    layout.name
                ),
            )
        })
    };
    Ok(Columns {
        count: find("num_pushers")?,
        name: find(layout.name)?,
        economy: find("iso2_code")?,
        year: find("year")?,
        quarter: find("quarter")?,
    })
}

pub(crate) fn parse(spec: &RequestSpec, body: &str) -> Result<Parsed, NormalizeError> {
    let layout = layout(spec)?;
    let sums = sums(spec, &layout, body)?;
    let mut out = Vec::new();
    for subject in &spec.subjects {
        let key = subject.key.to_lowercase();
        for ((name, _), (period, value)) in sums.range((key.clone(), NaiveDate::MIN)..) {
            if *name != key {
                break;
            }
            out.push(observation(&subject.tech, &layout, *period, *value));
        }
    }
    if out.is_empty() {
        let keys: Vec<&str> = spec.subjects.iter().map(|s| s.key.as_str()).collect();
        return Ok(Parsed::NoData(format!(
            "{} has no row for {} in the quarters of {}",
            layout.file,
            keys.join(", "),
            spec.period
        )));
    }
    Ok(Parsed::Observations(out))
}

fn observation(tech: &TechId, layout: &Layout, period: Period, value: f64) -> Observation {
    Observation {
        tech: tech.clone(),
        metric: layout.metric,
        grain: Grain::Quarter,
        period,
        value,
        exactness: Exactness::Exact,
    }
}

/// (lowercase name, quarter start) -> (quarter, developers summed over the
/// economies), for the asked names and the quarters inside the period.
type Sums = BTreeMap<(String, NaiveDate), (Period, f64)>;

fn sums(spec: &RequestSpec, layout: &Layout, body: &str) -> Result<Sums, NormalizeError> {
    let failed = |e: csv::Error| {
        shape(
            spec,
            format!("{} is not the CSV GitHub publishes: {e}", layout.file),
        )
    };
    let wanted: HashSet<String> = spec.subjects.iter().map(|s| s.key.to_lowercase()).collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes());
    let columns = columns(spec, layout, reader.headers().map_err(failed)?)?;
    let mut sums = Sums::new();
    let mut seen: HashSet<(String, String, NaiveDate)> = HashSet::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(failed)? {
        let line = record.position().map_or(0, csv::Position::line);
        let name = field(&record, columns.name).to_lowercase();
        if !wanted.contains(&name) {
            continue;
        }
        let row = Row {
            spec,
            layout,
            record: &record,
            line,
        };
        let economy = field(&record, columns.economy);
        if AGGREGATES.contains(&economy) {
            continue;
        }
        if !(economy.len() == 2 && economy.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(row.bad(
                "iso2_code",
                "not a two-letter economy code (an aggregate of economies belongs in \
                 AGGREGATES in crates/sources/src/innovationgraph/parse.rs)",
            ));
        }
        let year: i32 = row.number(columns.year, "year")?;
        let quarter: u32 = row.number(columns.quarter, "quarter")?;
        let period =
            Period::quarter(year, quarter).ok_or_else(|| row.bad("quarter", "not 1 to 4"))?;
        if period.start < spec.period.start || period.end > spec.period.end {
            continue;
        }
        let count: u64 = row.number(columns.count, "num_pushers")?;
        if !seen.insert((name.clone(), economy.to_owned(), period.start)) {
            return Err(row.bad(
                layout.name,
                "a second row for this name, economy and quarter",
            ));
        }
        sums.entry((name, period.start)).or_insert((period, 0.0)).1 += count as f64;
    }
    Ok(sums)
}

fn field(record: &csv::StringRecord, at: usize) -> &str {
    record.get(at).unwrap_or("").trim()
}

/// One data row, for reading its numbers and naming it in errors.
struct Row<'a> {
    spec: &'a RequestSpec,
    layout: &'a Layout,
    record: &'a csv::StringRecord,
    line: u64,
}

impl Row<'_> {
    fn number<T: std::str::FromStr>(&self, at: usize, column: &str) -> Result<T, NormalizeError> {
        field(self.record, at)
            .parse()
            .map_err(|_| self.bad(column, "not a whole number (a count, a year or a quarter)"))
    }

    fn bad(&self, column: &str, what: &str) -> NormalizeError {
        let row: Vec<&str> = self.record.iter().collect();
        shape(
            self.spec,
            format!(
                "{} line {}: `{column}` is {what}: `{}`",
                self.layout.file,
                self.line,
                row.join(",")
            ),
        )
    }
}

/// raw.githubusercontent.com answers errors in plain text, `404: Not Found`
/// or `400: Invalid request`: the text after the status.
pub(crate) fn describe_error(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    let (status, message) = text.split_once(": ")?;
    let plain = status.len() == 3
        && status.bytes().all(|b| b.is_ascii_digit())
        && !message.is_empty()
        && message.len() <= 100
        && !message.contains('\n');
    plain.then(|| message.to_owned())
}

#[cfg(test)]
mod tests {
    use trends_core::{Outcome, Period, RequestSpec, Subject, TechId};

    use crate::innovationgraph::{ID, LANGUAGE_PUSHERS, TOPIC_PUSHERS};
    use crate::normalize;
    use crate::testing::{day, fixture};

    fn ask(endpoint: &str, keys: &[&str], start: (i32, u32)) -> RequestSpec {
        RequestSpec {
            source: ID,
            endpoint: endpoint.into(),
            subjects: keys
                .iter()
                .map(|k| Subject {
                    tech: TechId(k.to_lowercase()),
                    key: (*k).to_owned(),
                })
                .collect(),
            period: Period {
                start: day(start.0, start.1, 1),
                end: day(2026, 3, 1),
            },
        }
    }

    fn rows(n: &trends_normalizer::Normalized) -> Vec<String> {
        n.observations()
            .iter()
            .map(|o| format!("{} {} {} {}", o.tech, o.grain, o.period.start, o.value))
            .collect()
    }

    #[test]
    fn economies_are_summed_per_quarter_without_the_eu() {
        let spec = ask("languages", &["Go", "Rust", "Zig"], (2020, 1));
        let n = normalize(&spec, 200, &fixture("innovationgraph/languages.csv"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert!(
            n.observations()
                .iter()
                .all(|o| o.metric == LANGUAGE_PUSHERS)
        );
        // DE + FR + IN + US of the fixture (the EU rows left out); Zig has no row.
        assert_eq!(
            rows(&n),
            [
                "go quarter 2023-07-01 67191",
                "go quarter 2023-10-01 76091",
                "go quarter 2024-01-01 74075",
                "rust quarter 2023-07-01 43127",
                "rust quarter 2023-10-01 53845",
                "rust quarter 2024-01-01 51124",
            ]
        );
        assert_eq!(
            n.observations()[2].period,
            Period {
                start: day(2024, 1, 1),
                end: day(2024, 4, 1),
            }
        );
    }

    #[test]
    fn only_quarters_inside_the_period_and_names_case_insensitive() {
        let spec = ask("topics", &["Django", "docker"], (2025, 1));
        let n = normalize(&spec, 200, &fixture("innovationgraph/topics.csv"));
        assert_eq!(n.outcome(), Outcome::Ok, "{:?}", n.error());
        assert!(n.observations().iter().all(|o| o.metric == TOPIC_PUSHERS));
        assert_eq!(
            rows(&n),
            [
                "django quarter 2025-01-01 1881",
                "django quarter 2025-04-01 1899",
                "django quarter 2025-07-01 1906",
                "docker quarter 2025-01-01 5911",
                "docker quarter 2025-04-01 6120",
                "docker quarter 2025-07-01 6575",
            ]
        );
        let mut short = spec.clone();
        short.period.end = day(2025, 6, 30);
        let n = normalize(&short, 200, &fixture("innovationgraph/topics.csv"));
        assert_eq!(rows(&n)[..1], ["django quarter 2025-01-01 1881"]);
        assert_eq!(
            n.observations().len(),
            2,
            "the quarter ending 2025-07-01 is not in"
        );
    }

    #[test]
    fn no_row_for_any_name_is_no_data() {
        let spec = ask("topics", &["sinatra"], (2020, 1));
        let n = normalize(&spec, 200, &fixture("innovationgraph/topics.csv"));
        assert_eq!(n.outcome(), Outcome::NoData);
        assert!(
            n.error()
                .unwrap_or("")
                .contains("data/topics.csv has no row for sinatra"),
            "{:?}",
            n.error()
        );
    }

    #[test]
    fn a_changed_header_names_the_file_and_the_column() {
        let spec = ask("topics", &["django"], (2020, 1));
        let n = normalize(&spec, 200, &fixture("innovationgraph/changed_header.csv"));
        assert_eq!(n.outcome(), Outcome::ParseError);
        let error = n.error().unwrap_or_default();
        assert!(
            error.contains("data/topics.csv has no column `num_pushers` in its header `pushers,topic,iso2_code,year,quarter`"),
            "{error}"
        );
        // The languages file read as topics lacks `topic`.
        let n = normalize(&spec, 200, &fixture("innovationgraph/languages.csv"));
        assert!(
            n.error()
                .unwrap_or_default()
                .contains("has no column `topic`")
        );
    }

    #[test]
    fn malformed_rows_fail_naming_the_line() {
        let spec = ask("topics", &["django"], (2020, 1));
        let header = "num_pushers,topic,iso2_code,year,quarter\n";
        for (row, what) in [
            (
                "12x,django,US,2025,1",
                "`num_pushers` is not a whole number",
            ),
            ("-5,django,US,2025,1", "`num_pushers` is not a whole number"),
            ("120,django,US,2025,5", "`quarter` is not 1 to 4"),
            (
                "120,django,EU27,2025,1",
                "`iso2_code` is not a two-letter economy code",
            ),
            ("120,django,US,2025", "CSV GitHub publishes"),
            ("120,django,US,2025,1\n130,django,US,2025,1", "a second row"),
        ] {
            let body = format!("{header}{row}\n");
            let n = normalize(&spec, 200, body.as_bytes());
            assert_eq!(n.outcome(), Outcome::ParseError, "{row}");
            let error = n.error().unwrap_or_default();
            assert!(
                error.contains(what) && error.contains("data/topics.csv"),
                "{row}: {error}"
            );
        }
        let n = normalize(
            &spec,
            200,
            b"num_pushers,topic,iso2_code,year,quarter\n120,dj\xffango,US,2025,1\n",
        );
        assert_eq!(n.outcome(), Outcome::ParseError);
        assert_eq!(normalize(&spec, 200, b"").outcome(), Outcome::ParseError);
        assert_eq!(
            normalize(&spec, 200, b"<html>").outcome(),
            Outcome::ParseError
        );
        // A malformed row about a name not asked is not read.
        let other = format!("{header}12x,flask,US,2025,1\n120,django,US,2025,1\n");
        assert_eq!(
            normalize(&spec, 200, other.as_bytes()).outcome(),
            Outcome::Ok
        );
    }

    #[test]
    fn raw_github_errors_are_quoted() {
        let spec = ask("topics", &["django"], (2020, 1));
        let n = normalize(&spec, 404, &fixture("innovationgraph/error_not_found.txt"));
        assert_eq!(n.outcome(), Outcome::HttpError);
        assert_eq!(n.error(), Some("innovationgraph 404: Not Found"));
        let n = normalize(&spec, 400, b"400: Invalid request");
        assert_eq!(n.error(), Some("innovationgraph 400: Invalid request"));
    }
}
