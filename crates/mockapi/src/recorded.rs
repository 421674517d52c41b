//! The real figures `trends demo` serves when it has a bundle of them: a
//! folder (default `data/demo/`) that `scripts/build-demo-data.py` builds
//! from open datasets, read at run time ([`Bundle::load`]). The datasets
//! are not shipped with trends (see `data/demo/PROVENANCE.md`); without a
//! bundle the demo is synthetic.
//!
//! A bundle holds:
//!
//! - `provenance.csv`: `source,metric,dataset,repository,commit,licence,file,first_year,last_year`,
//!   one row per real signal; the demo prints it and stores it in
//!   `demo_provenance`. `first_year..=last_year` are the calendar years the
//!   bundle covers whole.
//! - `innovationgraph/languages.csv` and `innovationgraph/topics.csv`: the
//!   GitHub Innovation Graph's files (the catalog's rows of every economy,
//!   byte for byte): the `innovationgraph` route serves them as
//!   raw.githubusercontent.com served them.
//! - `stackoverflow/questions.csv`: `tag,year,quarter,questions`, Stack
//!   Overflow questions asked per tag and quarter: the `stackexchange` route
//!   answers `questions?tagged=T&fromdate=..&todate=..` with their sum when
//!   the bundle covers the tag and the whole period ([`Bundle::questions`]),
//!   and [`Bundle::answers`] tells the demo which requests those are, so it
//!   asks for nothing else (a year the data does not cover is not
//!   collected: NULL, never a made-up number or a 0).
//!
//! A signal without a row in `provenance.csv` is left out of the real demo
//! ([`Bundle::serves`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate};
use serde::Deserialize;
use trends_core::DemoProvenance;

/// Which numbers the demo server answers with.
#[derive(Debug, Clone, Default)]
pub enum Figures {
    /// A bundle's real figures, for the sources it has.
    Real(Arc<Bundle>),
    /// Deterministic made-up numbers for every source (tests, benchmarks).
    #[default]
    Synthetic,
}

impl Figures {
    /// The bundle, when real.
    pub fn bundle(&self) -> Option<&Bundle> {
        match self {
            Figures::Real(bundle) => Some(bundle),
            Figures::Synthetic => None,
        }
    }
}

/// A bundle that cannot be used, naming the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read {}: {source}; rebuild the bundle with scripts/build-demo-data.py (see data/demo/PROVENANCE.md)", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {what}; rebuild the bundle with scripts/build-demo-data.py (see data/demo/PROVENANCE.md)", path.display())]
    Malformed { path: PathBuf, what: String },
}

/// tag -> (year, quarter) -> questions asked.
type Counts = HashMap<String, BTreeMap<(i32, u32), u64>>;

const PROVENANCE_FILE: &str = "provenance.csv";
const LANGUAGES: &str = "innovationgraph/languages.csv";
const TOPICS: &str = "innovationgraph/topics.csv";
const QUESTIONS: &str = "stackoverflow/questions.csv";

/// The real figures of one bundle folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    provenance: Vec<DemoProvenance>,
    languages: Vec<u8>,
    topics: Vec<u8>,
    questions: Counts,
}

impl Bundle {
    /// Whether `dir` holds a bundle (its `provenance.csv`); [`Bundle::load`]
    /// then says what is wrong with it, if anything.
    pub fn exists(dir: &Path) -> bool {
        dir.join(PROVENANCE_FILE).is_file()
    }

    /// Reads the bundle in `dir`. Every file must be there and well formed.
    pub fn load(dir: &Path) -> Result<Bundle, BundleError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| BundleError::Read { path, source })
        };
        let malformed = |name: &str, what: String| BundleError::Malformed {
            path: dir.join(name),
            what,
        };
        let provenance = parse_provenance(&read(PROVENANCE_FILE)?)
            .map_err(|what| malformed(PROVENANCE_FILE, what))?;
        let languages = read(LANGUAGES)?;
        let topics = read(TOPICS)?;
        for (name, body, header) in [
            (
                LANGUAGES,
                &languages,
                "num_pushers,language,language_type,iso2_code,year,quarter",
            ),
            (TOPICS, &topics, "num_pushers,topic,iso2_code,year,quarter"),
        ] {
            if !body.starts_with(header.as_bytes()) {
                return Err(malformed(name, format!("the header is not `{header}`")));
            }
        }
        let questions =
            parse_questions(&read(QUESTIONS)?).map_err(|what| malformed(QUESTIONS, what))?;
        Ok(Bundle {
            provenance,
            languages,
            topics,
            questions,
        })
    }

    /// Every real signal, as `provenance.csv` lists them.
    pub fn provenance(&self) -> &[DemoProvenance] {
        &self.provenance
    }

    /// Whether the bundle has figures of `source` (the others are left out).
    pub fn serves(&self, source: &str) -> bool {
        self.provenance.iter().any(|p| p.source == source)
    }

    /// The latest year every real signal covers whole: the real demo's
    /// default year.
    pub fn latest_full_year(&self) -> Option<i32> {
        self.provenance.iter().map(|p| p.last_year).min()
    }

    /// The first year any real signal covers.
    pub fn first_year(&self) -> Option<i32> {
        self.provenance.iter().map(|p| p.first_year).min()
    }

    /// The Innovation Graph's `languages.csv` as bundled.
    pub fn languages_csv(&self) -> &[u8] {
        &self.languages
    }

    /// The Innovation Graph's `topics.csv` as bundled.
    pub fn topics_csv(&self) -> &[u8] {
        &self.topics
    }

    /// Questions tagged `tag` from `from` to `to` (Unix seconds, both
    /// inclusive, as the API takes them): the sum of the bundle's quarters
    /// when the tag is in it and the period is whole quarters inside the
    /// years `stackexchange/questions` covers; a quarter without a row had
    /// no question. `None` otherwise: no figure.
    pub fn questions(&self, tag: &str, from: i64, to: i64) -> Option<u64> {
        let span = self
            .provenance
            .iter()
            .find(|p| p.source == "stackexchange" && p.metric == "questions")?;
        let counts = self.questions.get(tag)?;
        let first = quarter_start(DateTime::from_timestamp(from, 0)?.date_naive())?;
        let end = quarter_start(DateTime::from_timestamp(to.checked_add(1)?, 0)?.date_naive())?;
        if first < (span.first_year, 1) || end > (span.last_year + 1, 1) || first >= end {
            return None;
        }
        Some(counts.range(first..end).map(|(_, n)| n).sum())
    }

    /// Whether the bundle has the figures to answer this request of
    /// `source` (its full URL): the Innovation Graph's files, and the Stack
    /// Exchange `questions` that [`Bundle::questions`] covers. Nothing else.
    pub fn answers(&self, source: &str, url: &str) -> bool {
        let Ok(url) = url::Url::parse(url) else {
            return false;
        };
        match source {
            "innovationgraph" => self.serves(source),
            "stackexchange" if url.path() == "/2.3/questions" => {
                let param = |name: &str| {
                    url.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                };
                let date = |name: &str| param(name).and_then(|v| v.parse::<i64>().ok());
                match (param("tagged"), date("fromdate"), date("todate")) {
                    (Some(tag), Some(from), Some(to)) => self.questions(&tag, from, to).is_some(),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

fn parse_provenance(body: &[u8]) -> Result<Vec<DemoProvenance>, String> {
    let mut reader = csv::Reader::from_reader(body);
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<DemoProvenance>().enumerate() {
        out.push(row.map_err(|e| format!("line {}: {e}", i + 2))?);
    }
    if out.is_empty() {
        return Err("no signal listed".to_owned());
    }
    Ok(out)
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
pub(crate) mod tests {
    use super::*;

    const PYTHON_2020: &str = "http://127.0.0.1:1/2.3/questions?tagged=python&site=stackoverflow&fromdate=1577836800&todate=1609459199&filter=%21.UE8F0bVg4M-_Ii4";

    /// A bundle folder in the format the build script writes: the
    /// Innovation Graph fixtures cut from the real files, and a few
    /// quarters of questions (test inputs).
    pub(crate) fn bundle_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixtures =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/innovationgraph");
        std::fs::create_dir_all(dir.path().join("innovationgraph")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("stackoverflow")).expect("mkdir");
        for file in ["languages.csv", "topics.csv"] {
            std::fs::copy(
                fixtures.join(file),
                dir.path().join("innovationgraph").join(file),
            )
            .expect("copy fixture");
        }
        std::fs::write(
            dir.path().join(PROVENANCE_FILE),
            "source,metric,dataset,repository,commit,licence,file,first_year,last_year\n\
             innovationgraph,language_pushers,\"Innovation Graph, test cut\",https://github.com/github/innovationgraph,abc1234,CC0-1.0,data/languages.csv,2023,2023\n\
             stackexchange,questions,questions per quarter,https://github.com/tjpalmer/languish,def5678,ISC,scripts/data/so-tags.json,2019,2020\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join(QUESTIONS),
            "tag,year,quarter,questions\npython,2020,1,62797\npython,2020,2,84338\n\
             python,2020,3,71254\npython,2020,4,67435\ngo,2019,4,76\n",
        )
        .expect("write");
        dir
    }

    #[test]
    fn a_year_is_the_sum_of_its_quarters_in_the_bundle() {
        let bundle = Bundle::load(bundle_dir().path()).expect("bundle");
        assert_eq!(
            bundle.questions("python", 1_577_836_800, 1_609_459_199),
            Some(62_797 + 84_338 + 71_254 + 67_435)
        );
        assert!(bundle.answers("stackexchange", PYTHON_2020));
        // A covered year without a row for the tag's quarters had none.
        assert_eq!(
            bundle.questions("go", 1_577_836_800, 1_609_459_199),
            Some(0)
        );
        assert_eq!(bundle.latest_full_year(), Some(2020));
        assert_eq!(bundle.first_year(), Some(2019));
        assert!(bundle.serves("innovationgraph") && !bundle.serves("github"));
    }

    #[test]
    fn no_figure_outside_the_bundle() {
        let bundle = Bundle::load(bundle_dir().path()).expect("bundle");
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
        assert!(!bundle.answers(
            "stackexchange",
            "http://127.0.0.1:1/2.3/tags/python/info?site=stackoverflow"
        ));
        assert!(!bundle.answers("github", "http://127.0.0.1:1/repos/django/django"));
        assert!(bundle.answers(
            "innovationgraph",
            "http://127.0.0.1:1/github/innovationgraph/main/data/topics.csv"
        ));
    }

    #[test]
    fn a_broken_bundle_names_the_file_and_how_to_rebuild() {
        let dir = bundle_dir();
        std::fs::write(
            dir.path().join(QUESTIONS),
            "tag,year,questions\npython,2020,5\n",
        )
        .expect("write");
        let err = Bundle::load(dir.path())
            .expect_err("bad header")
            .to_string();
        assert!(
            err.contains("stackoverflow/questions.csv") && err.contains("header"),
            "{err}"
        );
        assert!(err.contains("scripts/build-demo-data.py"), "{err}");
        std::fs::write(
            dir.path().join(QUESTIONS),
            "tag,year,quarter,questions\npython,2020,x,5\n",
        )
        .expect("write");
        let err = Bundle::load(dir.path()).expect_err("bad row").to_string();
        assert!(err.contains("line 2"), "{err}");
        std::fs::remove_file(dir.path().join(TOPICS)).expect("rm");
        let err = Bundle::load(dir.path()).expect_err("missing").to_string();
        assert!(err.contains("innovationgraph/topics.csv"), "{err}");
        std::fs::write(dir.path().join(PROVENANCE_FILE), "source,metric\n").expect("write");
        assert!(Bundle::load(dir.path()).is_err());
        assert!(!Bundle::exists(&dir.path().join("nowhere")));
    }

    #[tokio::test]
    async fn the_real_server_serves_the_bundle_and_no_made_up_number() {
        use crate::DemoServer;
        use crate::tests::get;
        use trends_core::SourceId;
        let dir = bundle_dir();
        let bundle = Arc::new(Bundle::load(dir.path()).expect("bundle"));
        let server =
            DemoServer::start_with(Figures::Real(bundle.clone()), std::time::Duration::ZERO).await;
        let ig = server
            .base_url(SourceId::new("innovationgraph"))
            .expect("served");
        let (status, _, body) = get(&format!("{ig}/data/languages.csv")).await;
        assert_eq!(status, 200);
        assert_eq!(body.as_bytes(), bundle.languages_csv());
        assert!(body.starts_with("num_pushers,language,language_type,iso2_code,year,quarter"));
        let se = server
            .base_url(SourceId::new("stackexchange"))
            .expect("served");
        let (status, _, body) = get(&PYTHON_2020.replace("http://127.0.0.1:1", &se)).await;
        assert_eq!(status, 200);
        assert_eq!(body, r#"{"quota_remaining":299,"total":285824}"#);
        // 2022 is not in the bundle: an error, not a number.
        let (status, _, body) = get(&format!(
            "{se}/2.3/questions?tagged=python&site=stackoverflow&fromdate=1640995200&todate=1672531199&filter=%21.UE8F0bVg4M-_Ii4"
        ))
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("total"), "{body}");
        assert!(server.serves(SourceId::new("stackexchange")));
        assert!(!server.serves(SourceId::new("npm")));
    }
}
