//! The demo route of the GitHub Innovation Graph's raw files, as raw.githubusercontent.com
//! serves them from the `github/innovationgraph` repository (recorded
//! format: `tests/fixtures/innovationgraph/`):
//!
//! - `GET /github/innovationgraph/main/data/languages.csv`:
//!   `num_pushers,language,language_type,iso2_code,year,quarter`, CRLF line
//!   ends, rows by quarter, then economy, then language type and count;
//! - `GET /github/innovationgraph/main/data/topics.csv`:
//!   `num_pushers,topic,iso2_code,year,quarter`, LF line ends, rows by
//!   quarter, then count;
//!
//! both `text/plain; charset=utf-8`, as raw files are. Every other path is
//! the plain-text `404: Not Found`.
//!
//! The names are the shipped catalog's `github_language` and
//! `github_topic` keys plus a few the catalog does not ask for; the
//! economies are a fixed list and `EU`, whose rows are the sums of the
//! listed member states (as the real file's are of all 27). Quarters run
//! from 2020 Q1 to two quarters before today's (GitHub publishes a quarter
//! about a quarter after it ends). A row below 100 developers is left out,
//! as GitHub's threshold does. Every count is synthetic.
//!
//! A real demo's bundle has `innovationgraph/languages.csv` and
//! `innovationgraph/topics.csv`, the Innovation Graph's files (the
//! catalog's rows of every economy of a release, byte for byte): the two
//! routes serve them instead, as raw.githubusercontent.com served them.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use trends_core::{Catalog, SourceKey};

use crate::demo::kit::small_hash;
use crate::demo::{Demo, DemoAnswer, DemoRequest, DemoRoute, Malformed, Recorded};

/// The repository and branch in the raw-file URL; part of the base URL.
pub(crate) const PREFIX: &str = "/github/innovationgraph/main";
const TEXT: &str = "text/plain; charset=utf-8";
const CATALOG: &str = include_str!("../../../../config/catalog.toml");
/// The bundle's files, each with the header it must open with.
const LANGUAGES: &str = "innovationgraph/languages.csv";
const TOPICS: &str = "innovationgraph/topics.csv";
const LANGUAGES_HEADER: &str = "num_pushers,language,language_type,iso2_code,year,quarter";
const TOPICS_HEADER: &str = "num_pushers,topic,iso2_code,year,quarter";

/// Economies with their share of the world's developers (synthetic), and
/// whether they are EU member states.
const ECONOMIES: [(&str, f64, bool); 16] = [
    ("BR", 0.05, false),
    ("CA", 0.025, false),
    ("CN", 0.09, false),
    ("DE", 0.045, true),
    ("ES", 0.02, true),
    ("FR", 0.03, true),
    ("GB", 0.04, false),
    ("ID", 0.03, false),
    ("IN", 0.17, false),
    ("IT", 0.015, true),
    ("JP", 0.03, false),
    ("KR", 0.02, false),
    ("NL", 0.012, true),
    ("PL", 0.015, true),
    ("SE", 0.008, true),
    ("US", 0.2, false),
];

/// Names the real files have beside the catalog's.
const OTHER_LANGUAGES: [&str; 2] = ["HTML", "Shell"];
const OTHER_TOPICS: [&str; 2] = ["python", "javascript"];

/// The Innovation Graph demo.
#[derive(Debug, Clone, Copy)]
pub struct Api;

impl Demo for Api {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn files(&self) -> &'static [&'static str] {
        &[LANGUAGES, TOPICS]
    }

    fn synthetic(&self) -> Box<dyn DemoRoute> {
        Box::new(Route { files: None })
    }

    fn real(&self, bundle: &Recorded) -> Result<Box<dyn DemoRoute>, Malformed> {
        let file = |name: &str, header: &str| {
            let body = bundle.file(name)?;
            if body.starts_with(header.as_bytes()) {
                Ok(body.to_vec())
            } else {
                Err(Malformed::new(
                    name,
                    format!("the header is not `{header}`"),
                ))
            }
        };
        Ok(Box::new(Route {
            files: Some(Files {
                languages: file(LANGUAGES, LANGUAGES_HEADER)?,
                topics: file(TOPICS, TOPICS_HEADER)?,
            }),
        }))
    }
}

/// A bundle's two files, as read.
#[derive(Debug)]
struct Files {
    languages: Vec<u8>,
    topics: Vec<u8>,
}

/// Answers the raw-file routes: the bundled real files or synthetic ones.
#[derive(Debug)]
struct Route {
    files: Option<Files>,
}

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let file = request.path().strip_prefix(PREFIX);
        let body: Vec<u8> = match (&self.files, file) {
            (Some(f), Some("/data/languages.csv")) => f.languages.clone(),
            (Some(f), Some("/data/topics.csv")) => f.topics.clone(),
            (None, Some("/data/languages.csv")) => languages(last(request.today())).into_bytes(),
            (None, Some("/data/topics.csv")) => topics(last(request.today())).into_bytes(),
            _ => return DemoAnswer::new(404, TEXT, "404: Not Found"),
        };
        DemoAnswer::new(200, TEXT, body)
    }
}

/// The last quarter of the synthetic files: two before `today`'s.
fn last(today: NaiveDate) -> (i32, u32) {
    published_through(today.year(), today.month0() / 3 + 1)
}

/// The last quarter published during quarter `quarter` of `year`: two
/// quarters before it.
fn published_through(year: i32, quarter: u32) -> (i32, u32) {
    let index = year * 4 + quarter as i32 - 1 - 2;
    (index.div_euclid(4), index.rem_euclid(4) as u32 + 1)
}

/// The quarters from 2020 Q1 through `last`.
fn quarters(last: (i32, u32)) -> Vec<(i32, u32)> {
    (2020..=last.0)
        .flat_map(|y| (1..=4).map(move |q| (y, q)))
        .filter(|q| *q <= last)
        .collect()
}

/// The catalog's values of `key` and `others`, each once, in order.
fn names(key: SourceKey, others: &[&str]) -> Vec<String> {
    let catalog =
        Catalog::parse(CATALOG, std::path::Path::new("config/catalog.toml")).unwrap_or_default();
    let mut seen = BTreeSet::new();
    catalog
        .with_key(key)
        .map(|(_, v)| v.to_owned())
        .chain(others.iter().map(|s| (*s).to_owned()))
        .filter(|n| seen.insert(n.to_lowercase()))
        .collect()
}

/// Developers of `economy` pushing to `name` (a language or, `topic`, a
/// topic) in a quarter: a world level log-uniform in the kind's range, a
/// yearly trend in [-15 %, +30 %], the economy's share and ±4 % noise.
pub fn synthetic_pushers(topic: bool, name: &str, economy: &str, year: i32, quarter: u32) -> u64 {
    let kind = if topic { "topic" } else { "language" };
    let key = name.to_lowercase();
    let unit = |parts: &[&str]| small_hash(parts) as f64 / f64::from(u32::MAX);
    let (lo, hi): (f64, f64) = if topic {
        (1_500.0, 60_000.0)
    } else {
        (30_000.0, 3_000_000.0)
    };
    let level = (lo.ln() + (hi.ln() - lo.ln()) * unit(&["pushers", kind, key.as_str()])).exp();
    let growth = -0.15 + 0.45 * unit(&["pushers_growth", key.as_str()]);
    let t = f64::from(year - 2020) + f64::from(quarter - 1) / 4.0;
    let share = ECONOMIES
        .iter()
        .find(|(code, _, _)| *code == economy)
        .map_or(0.0, |(_, s, _)| *s);
    let when = format!("{year}-{quarter}");
    let noise = 0.96 + 0.08 * unit(&["pushers_noise", kind, key.as_str(), economy, when.as_str()]);
    (level * (growth * t).exp() * share * noise).round() as u64
}

/// The published rows of one name and quarter: each economy at or above
/// the threshold of 100, then `EU`, the sum of its listed members.
fn rows(topic: bool, name: &str, (year, quarter): (i32, u32)) -> Vec<(&'static str, u64)> {
    let mut out: Vec<(&'static str, u64)> = Vec::new();
    let mut eu = 0;
    for (code, _, member) in ECONOMIES {
        let n = synthetic_pushers(topic, name, code, year, quarter);
        if n >= 100 {
            out.push((code, n));
            if member {
                eu += n;
            }
        }
    }
    if eu >= 100 {
        out.push(("EU", eu));
    }
    out
}

fn languages(last: (i32, u32)) -> String {
    let mut body = format!("{LANGUAGES_HEADER}\r\n");
    let names = names(SourceKey::GitHubLanguage, &OTHER_LANGUAGES);
    for (year, quarter) in quarters(last) {
        // economy -> (type, count, name)
        let mut by_economy: Vec<(&str, &str, u64, &str)> = Vec::new();
        for name in &names {
            let kind = if name == "HTML" {
                "markup"
            } else {
                "programming"
            };
            for (economy, n) in rows(false, name, (year, quarter)) {
                by_economy.push((economy, kind, n, name));
            }
        }
        by_economy.sort_by(|a, b| (a.0, a.1, b.2).cmp(&(b.0, b.1, a.2)));
        for (economy, kind, n, name) in by_economy {
            body.push_str(&format!("{n},{name},{kind},{economy},{year},{quarter}\r\n"));
        }
    }
    body
}

fn topics(last: (i32, u32)) -> String {
    let mut body = format!("{TOPICS_HEADER}\n");
    let names = names(SourceKey::GitHubTopic, &OTHER_TOPICS);
    for (year, quarter) in quarters(last) {
        let mut all: Vec<(u64, &str, &str)> = Vec::new();
        for name in &names {
            for (economy, n) in rows(true, name, (year, quarter)) {
                all.push((n, name, economy));
            }
        }
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
        for (n, name, economy) in all {
            body.push_str(&format!("{n},{name},{economy},{year},{quarter}\n"));
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn a_quarter_is_published_two_quarters_later() {
        assert_eq!(published_through(2026, 1), (2025, 3));
        assert_eq!(published_through(2026, 3), (2026, 1));
        assert_eq!(quarters((2020, 2)), [(2020, 1), (2020, 2)]);
    }

    #[test]
    fn the_eu_row_is_the_sum_of_its_members() {
        let rows = rows(false, "Python", (2023, 4));
        let eu = rows.iter().find(|(e, _)| *e == "EU").map(|(_, n)| *n);
        let members: u64 = ["DE", "ES", "FR", "IT", "NL", "PL", "SE"]
            .iter()
            .filter_map(|m| rows.iter().find(|(e, _)| e == m).map(|(_, n)| *n))
            .sum();
        assert_eq!(eu, Some(members));
        assert!(rows.iter().all(|(_, n)| *n >= 100));
    }

    #[test]
    fn both_files_in_the_real_format_and_a_plain_404() {
        let route = Api.synthetic();
        let base = format!("{BASE}{}", Api.prefix());
        assert!(base.ends_with(PREFIX), "{base}");
        let (status, headers, body) = get(&*route, &format!("{base}/data/languages.csv"));
        assert_eq!(status, 200);
        assert!(headers["content-type"].starts_with("text/plain"));
        assert!(body.starts_with("num_pushers,language,language_type,iso2_code,year,quarter\r\n"));
        let go = synthetic_pushers(false, "Go", "US", 2020, 1);
        assert!(
            body.contains(&format!("\r\n{go},Go,programming,US,2020,1\r\n")),
            "{go}"
        );
        let (status, _, body) = get(&*route, &format!("{base}/data/topics.csv"));
        assert_eq!(status, 200);
        assert!(body.starts_with("num_pushers,topic,iso2_code,year,quarter\n"));
        assert!(body.contains(",django,US,2020,1\n"));
        let (status, headers, body) = get(&*route, &format!("{base}/data/nope.csv"));
        assert_eq!((status, body.as_str()), (404, "404: Not Found"));
        assert!(headers["content-type"].starts_with("text/plain"));
    }

    fn bundle(languages: &[u8]) -> Recorded {
        let fixture = |name: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/innovationgraph")
                .join(name);
            std::fs::read(&path).expect("fixture")
        };
        let files = BTreeMap::from([
            (LANGUAGES.to_owned(), languages.to_vec()),
            (TOPICS.to_owned(), fixture("topics.csv")),
        ]);
        Recorded::new(Vec::new(), files)
    }

    #[test]
    fn a_real_route_serves_the_bundled_files_byte_for_byte() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/innovationgraph/languages.csv");
        let languages = std::fs::read(path).expect("fixture");
        let route = Api.real(&bundle(&languages)).expect("route");
        let (status, _, body) = get(&*route, &format!("{BASE}{PREFIX}/data/languages.csv"));
        assert_eq!(status, 200);
        assert_eq!(body.as_bytes(), languages.as_slice());
        let err = Api
            .real(&bundle(b"pushers,language\n1,Go\n"))
            .expect_err("a wrong header");
        assert_eq!(err.file, LANGUAGES);
        assert!(err.what.contains("header"), "{}", err.what);
    }
}
