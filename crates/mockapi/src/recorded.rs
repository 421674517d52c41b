//! The real figures `trends demo` serves when it has a bundle of them: a
//! folder (default `data/demo/`) that `scripts/build-demo-data.py` builds
//! from open datasets, read at run time ([`Bundle::load`]). The datasets
//! are not shipped with trends (see `data/demo/PROVENANCE.md`); without a
//! bundle the demo is synthetic.
//!
//! A bundle holds `provenance.csv`:
//! `source,metric,dataset,repository,commit,licence,file,first_year,last_year`,
//! one row per real signal (the demo prints it and stores it in
//! `demo_provenance`; `first_year..=last_year` are the calendar years the
//! bundle covers whole), and the files the sources' demo routes read their
//! figures from (each route says which, `Demo::files`, and what they hold:
//! `crates/sources/src/<source>/demo.rs`). This module reads them, names the
//! file that is missing or malformed, and builds each source's real route.
//!
//! A signal without a row in `provenance.csv` is left out of the real demo
//! ([`Bundle::serves`]), and a request a route has no figure for is not
//! asked ([`Bundle::answers`]): NULL, never a made-up number or a 0.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use trends_core::{DemoProvenance, SourceId};
use trends_sources::demo::{DemoRoute, Recorded};

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

const PROVENANCE_FILE: &str = "provenance.csv";

/// The real figures of one bundle folder, and every source's route
/// answering from them.
#[derive(Debug, Clone)]
pub struct Bundle {
    recorded: Recorded,
    routes: Vec<(SourceId, Arc<dyn DemoRoute>)>,
}

impl Bundle {
    /// Whether `dir` holds a bundle (its `provenance.csv`); [`Bundle::load`]
    /// then says what is wrong with it, if anything.
    pub fn exists(dir: &Path) -> bool {
        dir.join(PROVENANCE_FILE).is_file()
    }

    /// Reads the bundle in `dir`: `provenance.csv` and every file a
    /// source's demo route reads. Every file must be there and well formed.
    pub fn load(dir: &Path) -> Result<Bundle, BundleError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| BundleError::Read { path, source })
        };
        let provenance =
            parse_provenance(&read(PROVENANCE_FILE)?).map_err(|what| BundleError::Malformed {
                path: dir.join(PROVENANCE_FILE),
                what,
            })?;
        let demos: Vec<_> = trends_sources::registry()
            .iter()
            .filter_map(|s| Some((s.id(), s.demo()?)))
            .collect();
        let mut files = BTreeMap::new();
        for name in demos.iter().flat_map(|(_, demo)| demo.files()) {
            files.insert((*name).to_owned(), read(name)?);
        }
        let recorded = Recorded::new(provenance, files);
        let mut routes = Vec::new();
        for (source, demo) in demos {
            let route = demo.real(&recorded).map_err(|m| BundleError::Malformed {
                path: dir.join(&m.file),
                what: m.what,
            })?;
            routes.push((source, Arc::from(route)));
        }
        Ok(Bundle { recorded, routes })
    }

    /// Every real signal, as `provenance.csv` lists them.
    pub fn provenance(&self) -> &[DemoProvenance] {
        self.recorded.provenance()
    }

    /// Whether the bundle has figures of `source` (the others are left out).
    pub fn serves(&self, source: &str) -> bool {
        self.provenance().iter().any(|p| p.source == source)
    }

    /// The latest year every real signal covers whole: the real demo's
    /// default year.
    pub fn latest_full_year(&self) -> Option<i32> {
        self.provenance().iter().map(|p| p.last_year).min()
    }

    /// The first year any real signal covers.
    pub fn first_year(&self) -> Option<i32> {
        self.provenance().iter().map(|p| p.first_year).min()
    }

    /// A bundled file as read (its path inside the folder).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.recorded.file(path).ok()
    }

    /// The route of `source` answering from this bundle.
    pub(crate) fn route(&self, source: SourceId) -> Option<Arc<dyn DemoRoute>> {
        self.routes
            .iter()
            .find(|(s, _)| *s == source)
            .map(|(_, r)| Arc::clone(r))
    }

    /// Whether the bundle has the figures to answer this request of
    /// `source` (its full URL): the source has a real signal and its route
    /// a figure for the request (`DemoRoute::has_figure`). Nothing else.
    pub fn answers(&self, source: &str, url: &str) -> bool {
        let Ok(url) = url::Url::parse(url) else {
            return false;
        };
        self.serves(source)
            && self
                .routes
                .iter()
                .find(|(s, _)| s.as_str() == source)
                .is_some_and(|(_, r)| r.has_figure(&url))
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
            dir.path().join("stackoverflow/questions.csv"),
            "tag,year,quarter,questions\npython,2020,1,62797\npython,2020,2,84338\n\
             python,2020,3,71254\npython,2020,4,67435\ngo,2019,4,76\n",
        )
        .expect("write");
        dir
    }

    #[test]
    fn a_bundle_answers_what_its_routes_have_figures_for() {
        let bundle = Bundle::load(bundle_dir().path()).expect("bundle");
        assert!(bundle.answers("stackexchange", PYTHON_2020));
        assert_eq!(bundle.latest_full_year(), Some(2020));
        assert_eq!(bundle.first_year(), Some(2019));
        assert!(bundle.serves("innovationgraph") && !bundle.serves("github"));
    }

    #[test]
    fn no_figure_outside_the_bundle() {
        let bundle = Bundle::load(bundle_dir().path()).expect("bundle");
        // 2021 is outside the years the provenance covers.
        assert!(!bundle.answers(
            "stackexchange",
            &PYTHON_2020.replace(
                "fromdate=1577836800&todate=1609459199",
                "fromdate=1609459200&todate=1640995199"
            )
        ));
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
            dir.path().join("stackoverflow/questions.csv"),
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
            dir.path().join("stackoverflow/questions.csv"),
            "tag,year,quarter,questions\npython,2020,x,5\n",
        )
        .expect("write");
        let err = Bundle::load(dir.path()).expect_err("bad row").to_string();
        assert!(err.contains("line 2"), "{err}");
        std::fs::write(
            dir.path().join("stackoverflow/questions.csv"),
            "tag,year,quarter,questions\npython,2020,1,5\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("innovationgraph/languages.csv"),
            "pushers,language\n1,Go\n",
        )
        .expect("write");
        let err = Bundle::load(dir.path())
            .expect_err("bad header")
            .to_string();
        assert!(
            err.contains("innovationgraph/languages.csv") && err.contains("header"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join("innovationgraph/topics.csv")).expect("rm");
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
        assert_eq!(
            Some(body.as_bytes()),
            bundle.file("innovationgraph/languages.csv")
        );
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
