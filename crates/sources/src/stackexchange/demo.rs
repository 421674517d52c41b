//! The demo route of Stack Exchange API 2.3:
//! `GET /2.3/questions?...&filter=!.UE8F0bVg4M-_Ii4`.
//!
//! Answers `{"quota_remaining":299,"total":N}` (that filter keeps the
//! wrapper's `.backoff`, `.quota_remaining` and `.total`; the demo never
//! asks for a backoff and does not count its quota down) with
//! `content-type: application/json; charset=utf-8`. Errors use the
//! API's own body, `{"error_id":400,"error_message":"site is required",
//! "error_name":"bad_parameter"}`, with the HTTP status of `error_id`.
//!
//! The demo server is stricter than the API: it needs `tagged`, `fromdate`,
//! `todate` and that filter (the only form `trends` asks for); without
//! them it answers `bad_parameter` naming the parameter. `key` is accepted
//! and ignored.
//!
//! A real demo's bundle has `stackoverflow/questions.csv`:
//! `tag,year,quarter,questions`, Stack Overflow questions asked per tag and
//! quarter (Languish's counts). Then `questions` answers their sum when the
//! bundle covers the tag and the whole period ([`Figures::questions`]),
//! [`DemoRoute::has_figure`] tells the demo which requests those are, so it
//! asks for nothing else (a year the data does not cover is not
//! collected: NULL, never a made-up number or a 0), and anything else
//! (other tags and years, `tags/{tags}/info`) gets a `not_found` error
//! instead of a number.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::ID;
use super::plan::QUESTIONS_FILTER;
use crate::demo::kit::Series;
use crate::demo::{Demo, DemoAnswer, DemoRequest, DemoRoute, Malformed, Recorded, js, object};

/// Stack Overflow questions asked per year with a tag.
const QUESTIONS: Series = Series::new("stackoverflow_tag", 1_000, 300_000);
/// The bundle's questions per tag and quarter.
const QUESTIONS_FILE: &str = "stackoverflow/questions.csv";
const JSON: &str = "application/json; charset=utf-8";

/// Questions asked with `tag` in the whole calendar `year`.
pub fn synthetic_questions(tag: &str, year: i32) -> u64 {
    QUESTIONS.yearly(tag, year)
}

/// What `GET /2.3/questions?tagged=TAG&fromdate=F&todate=T&filter=..`
/// answers as `total`: `fromdate` and `todate` are Unix seconds, both
/// inclusive (as the API reads them). 0 when `todate < fromdate`.
pub fn synthetic_questions_between(tag: &str, fromdate: i64, todate: i64) -> u64 {
    QUESTIONS.between(tag, fromdate, todate.saturating_add(1))
}

/// The Stack Exchange demo.
#[derive(Debug, Clone, Copy)]
pub struct Api;

impl Demo for Api {
    fn files(&self) -> &'static [&'static str] {
        &[QUESTIONS_FILE]
    }

    fn synthetic(&self) -> Box<dyn DemoRoute> {
        Box::new(Route { figures: None })
    }

    fn real(&self, bundle: &Recorded) -> Result<Box<dyn DemoRoute>, Malformed> {
        let counts = parse_questions(bundle.file(QUESTIONS_FILE)?)
            .map_err(|what| Malformed::new(QUESTIONS_FILE, what))?;
        let span = bundle
            .signal(ID, "questions")
            .map(|p| (p.first_year, p.last_year));
        Ok(Box::new(Route {
            figures: Some(Figures { span, counts }),
        }))
    }
}

/// tag -> (year, quarter) -> questions asked.
type Counts = HashMap<String, BTreeMap<(i32, u32), u64>>;

/// A bundle's questions and the years its provenance says they cover whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    span: Option<(i32, i32)>,
    counts: Counts,
}

impl Figures {
    /// Questions tagged `tag` from `from` to `to` (Unix seconds, both
    /// inclusive, as the API takes them): the sum of the bundle's quarters
    /// when the tag is in it and the period is whole quarters inside the
    /// years `stackexchange/questions` covers; a quarter without a row had
    /// no question. `None` otherwise: no figure.
    pub fn questions(&self, tag: &str, from: i64, to: i64) -> Option<u64> {
        let (first_year, last_year) = self.span?;
        let counts = self.counts.get(tag)?;
        let first = quarter_start(DateTime::from_timestamp(from, 0)?.date_naive())?;
        let end = quarter_start(DateTime::from_timestamp(to.checked_add(1)?, 0)?.date_naive())?;
        if first < (first_year, 1) || end > (last_year + 1, 1) || first >= end {
            return None;
        }
        Some(counts.range(first..end).map(|(_, n)| n).sum())
    }
}

/// Answers the Stack Exchange routes, with synthetic numbers or the
/// bundled real counts.
#[derive(Debug, Default)]
struct Route {
    figures: Option<Figures>,
}

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        if request.is_get()
            && let Some(tags) = request
                .path()
                .strip_prefix("/2.3/tags/")
                .and_then(|rest| rest.strip_suffix("/info"))
        {
            if self.figures.is_some() {
                return no_figures();
            }
            return tags_info(request, tags);
        }
        if !request.is_get() || request.path() != "/2.3/questions" {
            // What the API answers for a method it does not have.
            return error(404, "no method found with this name", "no_method");
        }
        for required in ["site", "tagged", "fromdate", "todate", "filter"] {
            if request.param(required).is_none_or(|v| v.is_empty()) {
                return bad_parameter(&format!("{required} is required"));
            }
        }
        if request.param("site").as_deref() != Some("stackoverflow") {
            return bad_parameter("site");
        }
        if request.param("filter").as_deref() != Some(QUESTIONS_FILTER) {
            return bad_parameter("filter");
        }
        let date = |name: &str| request.param(name).and_then(|v| v.parse::<i64>().ok());
        let (Some(from), Some(to)) = (date("fromdate"), date("todate")) else {
            let bad = if date("fromdate").is_none() {
                "fromdate"
            } else {
                "todate"
            };
            return bad_parameter(bad);
        };
        let tag = request.param("tagged").unwrap_or_default();
        let total = match &self.figures {
            None => synthetic_questions_between(&tag, from, to),
            Some(figures) => match figures.questions(&tag, from, to) {
                Some(total) => total,
                None => return no_figures(),
            },
        };
        let body = object(&[("quota_remaining", js(299)), ("total", js(total))]);
        DemoAnswer::new(200, JSON, body)
    }

    /// With real figures: the `questions` the bundle covers. Nothing else.
    fn has_figure(&self, url: &Url) -> bool {
        let Some(figures) = &self.figures else {
            return true;
        };
        if url.path() != "/2.3/questions" {
            return false;
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let date = |name: &str| param(name).and_then(|v| v.parse::<i64>().ok());
        match (param("tagged"), date("fromdate"), date("todate")) {
            (Some(tag), Some(from), Some(to)) => figures.questions(&tag, from, to).is_some(),
            _ => false,
        }
    }
}

/// `GET /2.3/tags/{t1;t2;..}/info?site=stackoverflow`: the wrapper with one
/// item per tag (in the order asked; a tag starting with `nonexistent-` is
/// left out, as the API leaves out unknown tags), `count` the tag's
/// synthetic questions from 2008 to now, 30 items a page unless `pagesize`
/// says otherwise.
fn tags_info(request: &DemoRequest, tags: &str) -> DemoAnswer {
    if request.param("site").as_deref() != Some("stackoverflow") {
        return bad_parameter("site is required");
    }
    let tags: Vec<String> = tags
        .split(';')
        .map(|t| {
            percent_encoding::percent_decode_str(t)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if tags.len() > 100 {
        return bad_parameter("tags");
    }
    let pagesize: usize = request
        .param("pagesize")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30);
    let now = request.now.timestamp();
    let known: Vec<&String> = tags
        .iter()
        .filter(|t| !t.starts_with("nonexistent-"))
        .collect();
    let items: Vec<String> = known
        .iter()
        .take(pagesize)
        .map(|tag| {
            object(&[
                ("has_synonyms", js(false)),
                ("is_moderator_only", js(false)),
                ("is_required", js(false)),
                (
                    "count",
                    js(synthetic_questions_between(tag, 1_199_145_600, now)),
                ),
                ("name", js(tag)),
            ])
        })
        .collect();
    let body = object(&[
        ("items", format!("[{}]", items.join(","))),
        ("has_more", js(known.len() > pagesize)),
        ("quota_max", js(300)),
        ("quota_remaining", js(299)),
    ]);
    DemoAnswer::new(200, JSON, body)
}

/// What the real demo answers a request its bundle has no figure for (it
/// never asks one: see [`DemoRoute::has_figure`]): an error, never a number.
fn no_figures() -> DemoAnswer {
    error(
        404,
        "the demo's recorded figures do not cover this request",
        "not_found",
    )
}

fn bad_parameter(message: &str) -> DemoAnswer {
    error(400, message, "bad_parameter")
}

fn error(id: u16, message: &str, name: &str) -> DemoAnswer {
    let body = json!({ "error_id": id, "error_message": message, "error_name": name });
    DemoAnswer::new(id, JSON, body.to_string())
}

fn parse_questions(body: &[u8]) -> Result<Counts, String> {
    #[derive(Deserialize)]
    struct Row {
        tag: String,
        year: i32,
        quarter: u32,
        questions: u64,
    }
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    if header != vec!["tag", "year", "quarter", "questions"] {
        return Err("the header is not `tag,year,quarter,questions`".to_owned());
    }
    let mut out = Counts::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|e| format!("line {}: {e}", i + 2))?;
        if !(1..=4).contains(&row.quarter) {
            return Err(format!(
                "line {}: quarter {} is not 1 to 4",
                i + 2,
                row.quarter
            ));
        }
        out.entry(row.tag)
            .or_default()
            .insert((row.year, row.quarter), row.questions);
    }
    Ok(out)
}

/// The (year, quarter) a day starts, when it is the first day of a quarter.
fn quarter_start(day: NaiveDate) -> Option<(i32, u32)> {
    (day.day() == 1 && day.month0().is_multiple_of(3)).then(|| (day.year(), day.month0() / 3 + 1))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;
    use trends_core::DemoProvenance;

    use super::*;
    use crate::demo::kit::unix;
    use crate::demo::testing::{BASE, get};

    const YEAR_2023: &str = "fromdate=1672531200&todate=1704067199";
    const PYTHON_2020: &str = "http://127.0.0.1:1/2.3/questions?tagged=python&site=stackoverflow&fromdate=1577836800&todate=1609459199&filter=%21.UE8F0bVg4M-_Ii4";

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn ask(route: &dyn DemoRoute, query: &str) -> (u16, String, Value) {
        let (status, headers, body) = get(route, &format!("{BASE}/2.3/questions?{query}"));
        let ct = headers.get("content-type").cloned().unwrap_or_default();
        (status, ct, serde_json::from_str(&body).expect("json body"))
    }

    /// A bundle as the server reads one: a provenance row and a few
    /// quarters of questions (test inputs).
    fn recorded(questions: &str) -> Recorded {
        let row = DemoProvenance {
            source: "stackexchange".into(),
            metric: "questions".into(),
            dataset: "questions per quarter".into(),
            repository: "https://github.com/tjpalmer/languish".into(),
            commit: "def5678".into(),
            licence: "ISC".into(),
            file: "scripts/data/so-tags.json".into(),
            first_year: 2019,
            last_year: 2020,
        };
        let files = BTreeMap::from([(QUESTIONS_FILE.to_owned(), questions.as_bytes().to_vec())]);
        Recorded::new(vec![row], files)
    }

    const QUARTERS: &str = "tag,year,quarter,questions\npython,2020,1,62797\npython,2020,2,84338\n\
         python,2020,3,71254\npython,2020,4,67435\ngo,2019,4,76\n";

    fn figures() -> Figures {
        Figures {
            span: Some((2019, 2020)),
            counts: parse_questions(QUARTERS.as_bytes()).expect("counts"),
        }
    }

    #[test]
    fn total_for_a_tag_and_year() {
        let route = Api.synthetic();
        let q = format!("tagged=python&site=stackoverflow&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4");
        let (status, ct, body) = ask(&*route, &q);
        assert_eq!(status, 200);
        assert_eq!(ct, "application/json; charset=utf-8");
        let obj = body.as_object().expect("object");
        assert_eq!(obj.len(), 2, "only the quota and `total`: {body}");
        assert_eq!(body["quota_remaining"].as_u64(), Some(299));
        assert_eq!(
            body["total"].as_u64(),
            Some(synthetic_questions("python", 2023))
        );

        // Same request, same number; a key changes nothing.
        let (_, _, again) = ask(&*route, &format!("{q}&key=abc"));
        assert_eq!(again, body);
    }

    #[test]
    fn current_year_is_a_share_of_the_year() {
        // 2024-01-01 .. 2024-07-01 (exclusive): 182 of 366 days.
        let q = "tagged=c%23&site=stackoverflow&fromdate=1704067200&todate=1719791999&filter=%21.UE8F0bVg4M-_Ii4";
        let (_, _, body) = ask(&*Api.synthetic(), q);
        let full = synthetic_questions("c#", 2024);
        assert_eq!(body["total"].as_u64(), Some(full * 182 / 366));
    }

    #[test]
    fn missing_parameters_get_the_api_error_body() {
        let route = Api.synthetic();
        for (query, message) in [
            (
                format!("tagged=python&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4"),
                "site is required",
            ),
            (
                format!("site=stackoverflow&{YEAR_2023}&filter=%21.UE8F0bVg4M-_Ii4"),
                "tagged is required",
            ),
            (
                format!("tagged=python&site=stackoverflow&{YEAR_2023}&filter=withbody"),
                "filter",
            ),
            (
                "tagged=python&site=stackoverflow&fromdate=x&todate=1&filter=%21.UE8F0bVg4M-_Ii4"
                    .into(),
                "fromdate",
            ),
        ] {
            let (status, ct, body) = ask(&*route, &query);
            assert_eq!(status, 400, "{query}");
            assert_eq!(ct, "application/json; charset=utf-8");
            assert_eq!(
                body,
                serde_json::json!({"error_id": 400, "error_message": message, "error_name": "bad_parameter"})
            );
        }
    }

    #[test]
    fn numbers_are_pinned() {
        // A change here changes every demo database: make it on purpose.
        assert_eq!(synthetic_questions("python", 2023), 36458);
        assert_eq!(synthetic_questions("php", 2023), 5082);
    }

    #[test]
    fn values_stay_in_their_ranges() {
        for key in ["python", "c#", "go-gin", "ruby-on-rails", "x", ""] {
            for year in 2000..=2040 {
                let v = synthetic_questions(key, year);
                let (lo, hi) = QUESTIONS.range();
                assert!((lo..=hi).contains(&v), "{key} {year}: {v}");
            }
        }
    }

    #[test]
    fn whole_year_is_exact_and_parts_add_up() {
        let full = synthetic_questions("rust", 2023);
        let from = unix(day(2023, 1, 1));
        let to = unix(day(2024, 1, 1)) - 1;
        assert_eq!(synthetic_questions_between("rust", from, to), full);
        let mid = unix(day(2023, 7, 1));
        let a = synthetic_questions_between("rust", from, mid - 1);
        let b = synthetic_questions_between("rust", mid, to);
        assert!(a + b <= full && a + b + 1 >= full, "{a} + {b} vs {full}");
        // Half a year is about half the year's questions.
        assert!((full as f64 * 0.49..=full as f64 * 0.5).contains(&(a as f64)));
        assert_eq!(synthetic_questions_between("rust", to, from), 0);
    }

    #[test]
    fn there_are_risers_and_fallers() {
        let tags = [
            "python",
            "php",
            "ruby",
            "go",
            "rust",
            "java",
            "kotlin",
            "c#",
            "javascript",
            "typescript",
        ];
        let rising = tags
            .iter()
            .filter(|t| synthetic_questions(t, 2025) > synthetic_questions(t, 2018))
            .count();
        assert!(
            rising > 0 && rising < tags.len(),
            "{rising} of {} rise",
            tags.len()
        );
    }

    #[test]
    fn a_year_is_the_sum_of_its_quarters_in_the_bundle() {
        let bundle = figures();
        assert_eq!(
            bundle.questions("python", 1_577_836_800, 1_609_459_199),
            Some(62_797 + 84_338 + 71_254 + 67_435)
        );
        let route = Api.real(&recorded(QUARTERS)).expect("route");
        assert!(route.has_figure(&Url::parse(PYTHON_2020).expect("url")));
        let (status, _, body) = get(&*route, PYTHON_2020);
        assert_eq!(status, 200);
        assert_eq!(body, r#"{"quota_remaining":299,"total":285824}"#);
        // A covered year without a row for the tag's quarters had none.
        assert_eq!(
            bundle.questions("go", 1_577_836_800, 1_609_459_199),
            Some(0)
        );
    }

    #[test]
    fn no_figure_outside_the_bundle() {
        let bundle = figures();
        // 2021 and 2018 are outside the years the provenance covers.
        assert_eq!(
            bundle.questions("python", 1_609_459_200, 1_640_995_199),
            None
        );
        assert_eq!(
            bundle.questions("python", 1_514_764_800, 1_546_300_799),
            None
        );
        // A tag not in the bundle, and a period that is not whole quarters.
        assert_eq!(
            bundle.questions("django", 1_577_836_800, 1_609_459_199),
            None
        );
        assert_eq!(
            bundle.questions("python", 1_577_836_800, 1_609_459_000),
            None
        );
        let route = Api.real(&recorded(QUARTERS)).expect("route");
        let tags = "http://127.0.0.1:1/2.3/tags/python/info?site=stackoverflow";
        assert!(!route.has_figure(&Url::parse(tags).expect("url")));
        assert_eq!(get(&*route, tags).0, 404);
        // 2022 is not in the bundle: not asked, and an error, not a number.
        let y2022 = "http://127.0.0.1:1/2.3/questions?tagged=python&site=stackoverflow&fromdate=1640995200&todate=1672531199&filter=%21.UE8F0bVg4M-_Ii4";
        assert!(!route.has_figure(&Url::parse(y2022).expect("url")));
        let (status, _, body) = get(&*route, y2022);
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("total"), "{body}");
    }

    #[test]
    fn a_malformed_questions_file_is_named() {
        let err = Api
            .real(&recorded("tag,year,questions\npython,2020,5\n"))
            .expect_err("bad header");
        assert_eq!(err.file, QUESTIONS_FILE);
        assert!(err.what.contains("header"), "{}", err.what);
        let err = Api
            .real(&recorded("tag,year,quarter,questions\npython,2020,x,5\n"))
            .expect_err("bad row");
        assert!(err.what.contains("line 2"), "{}", err.what);
        let err = Api
            .real(&recorded("tag,year,quarter,questions\npython,2020,5,5\n"))
            .expect_err("bad quarter");
        assert!(err.what.contains("quarter 5"), "{}", err.what);
    }
}
