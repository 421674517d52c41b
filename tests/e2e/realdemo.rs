//! `trends demo` with a bundle of real figures (`--data DIR`, default
//! `data/demo/`): the Innovation Graph's files and Stack Overflow questions
//! per quarter, as `scripts/build-demo-data.py` writes them. trends ships
//! no bundle (the datasets are other projects'), so the test writes one in
//! the same format: the real files' header and line ends, test counts.
//! Run from a folder without a config, so the built-in copies are all the
//! demo has; without a bundle, the demo says so and is synthetic.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support;

const LANGUAGES: [(&str, u64); 3] = [
    ("Python", 90_000),
    ("JavaScript", 120_000),
    ("Ruby", 20_000),
];
const ECONOMIES: [(&str, u64); 2] = [("US", 3), ("DE", 1)];

/// Developers pushing in `language` in a quarter of one economy.
fn pushers(base: u64, share: u64, year: i32, quarter: u32) -> u64 {
    base * share / 4 + (year as u64 - 2020) * 1_000 + u64::from(quarter) * 10
}

/// Writes a bundle: Innovation Graph 2020 Q1 - 2023 Q1 (the EU aggregate
/// row included, as in the real file; CRLF), topics (LF), questions for
/// three tags 2019 - 2021 Q3, and its provenance.
fn write_bundle(dir: &Path) {
    std::fs::create_dir_all(dir.join("innovationgraph")).expect("mkdir");
    std::fs::create_dir_all(dir.join("stackoverflow")).expect("mkdir");
    let quarters: Vec<(i32, u32)> = (2020..=2023)
        .flat_map(|y| (1..=4).map(move |q| (y, q)))
        .filter(|&(y, q)| y < 2023 || q == 1)
        .collect();
    let mut languages =
        String::from("num_pushers,language,language_type,iso2_code,year,quarter\r\n");
    let mut topics = String::from("num_pushers,topic,iso2_code,year,quarter\n");
    for &(year, quarter) in &quarters {
        for (language, base) in LANGUAGES {
            for (economy, share) in ECONOMIES {
                let n = pushers(base, share, year, quarter);
                languages.push_str(&format!(
                    "{n},{language},programming,{economy},{year},{quarter}\r\n"
                ));
            }
            // The EU aggregate: counted already (DE), left out by the source.
            let n = pushers(base, 1, year, quarter);
            languages.push_str(&format!(
                "{n},{language},programming,EU,{year},{quarter}\r\n"
            ));
        }
        topics.push_str(&format!("{},django,US,{year},{quarter}\n", 5_000 + quarter));
    }
    std::fs::write(dir.join("innovationgraph/languages.csv"), languages).expect("write");
    std::fs::write(dir.join("innovationgraph/topics.csv"), topics).expect("write");
    let mut questions = String::from("tag,year,quarter,questions\n");
    for (tag, base) in [("python", 60_000), ("javascript", 50_000), ("ruby", 2_000)] {
        for year in 2019..=2021 {
            for quarter in 1..=4 {
                if year == 2021 && quarter == 4 {
                    continue;
                }
                let n = base + (year - 2019) * 100 + quarter;
                questions.push_str(&format!("{tag},{year},{quarter},{n}\n"));
            }
        }
    }
    std::fs::write(dir.join("stackoverflow/questions.csv"), questions).expect("write");
    std::fs::write(
        dir.join("provenance.csv"),
        "source,metric,dataset,repository,commit,licence,file,first_year,last_year\n\
         innovationgraph,language_pushers,\"Innovation Graph, test bundle\",https://github.com/github/innovationgraph,8f7b24a39d386e63bbeae067ac5185158c19996c,CC0-1.0,data/languages.csv,2020,2022\n\
         innovationgraph,topic_pushers,\"Innovation Graph, test bundle\",https://github.com/github/innovationgraph,8f7b24a39d386e63bbeae067ac5185158c19996c,CC0-1.0,data/topics.csv,2020,2022\n\
         stackexchange,questions,\"Stack Overflow questions, test bundle\",https://github.com/tjpalmer/languish,dd4ca2967164afba706abc8864028999086bf4be,ISC,scripts/data/so-tags.json,2019,2020\n",
    )
    .expect("write");
}

/// Developers pushing in `language` per quarter of `year`, summed over the
/// bundle file's economies without the `EU` aggregate, then averaged over
/// the quarters: computed here from the CSV, independently of the source.
fn pushers_from_the_bundle(bundle: &Path, language: &str, year: i32) -> f64 {
    let text =
        std::fs::read_to_string(bundle.join("innovationgraph/languages.csv")).expect("bundle");
    let mut quarters: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        if f[1] == language && f[3] != "EU" && f[4] == year.to_string() {
            *quarters.entry(f[5].to_owned()).or_default() += f[0].parse::<u64>().expect("count");
        }
    }
    assert_eq!(quarters.len(), 4, "{language} {year}: {quarters:?}");
    quarters.values().sum::<u64>() as f64 / 4.0
}

fn demo(dir: &Path, args: &[&str]) -> support::Output {
    support::run(
        support::trends_bin()
            .current_dir(dir)
            .arg("demo")
            .args(args),
    )
}

#[test]
fn a_demo_with_a_bundle_ranks_its_real_figures_and_says_where_they_come_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("bundle");
    write_bundle(&bundle);
    let db = dir.path().join("demo.duckdb");
    let (bundle_arg, db_arg) = (bundle.to_str().expect("utf-8"), db.to_str().expect("utf-8"));
    let out = demo(dir.path(), &["--data", bundle_arg, "--db", db_arg]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    // The provenance before the ranking, the footnote after it.
    for said in [
        "REAL figures",
        "innovationgraph/language_pushers: 2020 - 2022",
        "github.com/github/innovationgraph/blob/8f7b24a/data/languages.csv, CC0-1.0",
        "stackexchange/questions: 2019 - 2020",
        "github.com/tjpalmer/languish/blob/dd4ca29/scripts/data/so-tags.json, ISC",
        "Ranking 2020: the latest year every real signal covers whole",
    ] {
        assert!(out.stderr.contains(said), "{said}\n{}", out.stderr);
    }
    assert!(!out.all().contains("SYNTHETIC"), "{}", out.all());
    assert!(
        out.stdout
            .contains("Real figures: innovationgraph/language_pushers (2020-2022)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--year 2020 "), "{}", out.stdout);

    let store = support::Db::read_only(&db);
    // Only the sources with a dataset; no failure, no stand-in.
    assert_eq!(
        store.strings("SELECT DISTINCT source FROM observations ORDER BY 1"),
        ["innovationgraph", "stackexchange"]
    );
    assert_eq!(
        store.strings("SELECT DISTINCT outcome FROM raw_responses"),
        ["ok"]
    );
    assert_eq!(store.strings("SELECT status FROM runs"), ["ok"]);
    // The bundle's quarters summed per year.
    let questions = |tag: &str, year: i32| {
        store.int(&format!(
            "SELECT value::BIGINT FROM observations WHERE source = 'stackexchange' \
             AND metric = 'questions' AND tech_id = '{tag}' AND year(period_start) = {year}"
        ))
    };
    assert_eq!(questions("python", 2020), 4 * 60_100 + 10);
    assert_eq!(questions("ruby", 2019), 4 * 2_000 + 10);
    // No year the bundle does not cover whole (2021 lacks Q4), no tag it
    // lacks, no all-time total: never asked, so NULL, not 0.
    assert_eq!(
        store.int(
            "SELECT count(*) FROM observations WHERE source = 'stackexchange' \
             AND (period_start >= DATE '2021-01-01' OR metric <> 'questions' \
             OR tech_id IN ('go', 'django'))"
        ),
        0
    );
    assert_eq!(
        store.int(
            "SELECT count(*) FROM yearly_signals WHERE source = 'stackexchange' AND year = 2021"
        ),
        0
    );
    // The Innovation Graph's file, parsed and summed by the source.
    let python = store.float(
        "SELECT value FROM yearly_signals WHERE tech_id = 'python' \
         AND metric = 'language_pushers' AND year = 2022",
    );
    assert_eq!(python, pushers_from_the_bundle(&bundle, "Python", 2022));
    // The ranking of 2020 from those figures.
    let rank = |tech: &str| {
        store.int(&format!(
            "SELECT rank FROM rankings WHERE year = 2020 AND tech_id = '{tech}'"
        ))
    };
    assert!(rank("python") < rank("ruby"), "{}", out.stdout);
    // The analyst finds the provenance in the database.
    assert_eq!(
        store.strings(
            "SELECT source || '/' || metric || ' ' || \"commit\" || ' ' || licence FROM demo_provenance ORDER BY 1"
        ),
        [
            "innovationgraph/language_pushers 8f7b24a39d386e63bbeae067ac5185158c19996c CC0-1.0",
            "innovationgraph/topic_pushers 8f7b24a39d386e63bbeae067ac5185158c19996c CC0-1.0",
            "stackexchange/questions dd4ca2967164afba706abc8864028999086bf4be ISC",
        ]
    );
    drop(store);

    // The report names the real signals.
    let report = support::run(support::trends_bin().current_dir(dir.path()).args([
        "report", "--year", "2020", "--format", "csv", "--db", db_arg,
    ]));
    assert_eq!(report.code, Some(0), "{}", report.all());
    assert!(
        report.stderr.contains(
            "is a `trends demo` database; real figures only for innovationgraph/language_pushers (2020-2022, https://github.com/github/innovationgraph at 8f7b24a, CC0-1.0)"
        ),
        "{}",
        report.stderr
    );
    insta::assert_snapshot!("realdemo_report_2020_csv", report.stdout);
    let page = dir.path().join("report.html");
    let html = support::run(support::trends_bin().current_dir(dir.path()).args([
        "report",
        "--year",
        "2020",
        "--format",
        "html",
        "--db",
        db_arg,
        "--out",
        page.to_str().expect("utf-8"),
    ]));
    assert_eq!(html.code, Some(0), "{}", html.all());
    let text = std::fs::read_to_string(&page).expect("page");
    assert!(
        text.contains("<p class=\"origin\"><strong>A `trends demo` database; real figures only for innovationgraph/language_pushers"),
        "{}",
        &text[..1500.min(text.len())]
    );

    // Synthetic numbers never land beside the real ones, nor the other way.
    let mixed = demo(dir.path(), &["--synthetic", "--db", db_arg]);
    assert_ne!(mixed.code, Some(0), "{}", mixed.all());
    assert!(
        mixed.stderr.contains("holds the real demo's figures"),
        "{}",
        mixed.stderr
    );
    let other = dir.path().join("synthetic.duckdb");
    let other_arg = other.to_str().expect("utf-8");
    let synthetic = demo(dir.path(), &["--synthetic", "--db", other_arg]);
    assert_eq!(synthetic.code, Some(0), "{}", synthetic.all());
    let real_after = demo(dir.path(), &["--data", bundle_arg, "--db", other_arg]);
    assert_ne!(real_after.code, Some(0), "{}", real_after.all());
    assert!(
        real_after
            .stderr
            .contains("holds numbers that are not a bundle's real figures"),
        "{}",
        real_after.stderr
    );
    // A second real demo into its own database is fine (nothing new to ask).
    let again = demo(dir.path(), &["--data", bundle_arg, "--db", db_arg]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    // Another bundle (here: another commit) into it is refused: its figures
    // for the stored closed periods would never be asked.
    let other_bundle = dir.path().join("bundle2");
    write_bundle(&other_bundle);
    let text = std::fs::read_to_string(other_bundle.join("provenance.csv")).expect("read");
    std::fs::write(
        other_bundle.join("provenance.csv"),
        text.replace(
            "8f7b24a39d386e63bbeae067ac5185158c19996c",
            "0123456789abcdef",
        ),
    )
    .expect("write");
    let two = demo(
        dir.path(),
        &[
            "--data",
            other_bundle.to_str().expect("utf-8"),
            "--db",
            db_arg,
        ],
    );
    assert_eq!(two.code, Some(1), "{}", two.all());
    assert!(
        two.stderr.contains("another bundle's figures"),
        "{}",
        two.stderr
    );
}

#[test]
fn without_a_bundle_the_demo_says_so_and_a_broken_one_is_refused_naming_its_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A fresh folder: no data/demo, so synthetic numbers, and it says why.
    let out = demo(dir.path(), &["--db", "demo.duckdb"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stderr
            .contains("no bundle of real figures in data/demo")
            && out.stderr.contains("scripts/build-demo-data.py")
            && out.stderr.contains("SYNTHETIC"),
        "{}",
        out.stderr
    );
    // A bundle with a file of the wrong layout: refused before anything runs.
    let bundle = dir.path().join("bundle");
    write_bundle(&bundle);
    std::fs::write(
        bundle.join("stackoverflow/questions.csv"),
        "tag,year,count\npython,2020,1\n",
    )
    .expect("write");
    let broken = demo(
        dir.path(),
        &[
            "--data",
            bundle.to_str().expect("utf-8"),
            "--db",
            "other.duckdb",
        ],
    );
    assert_eq!(broken.code, Some(1), "{}", broken.all());
    assert!(
        broken.stderr.contains("stackoverflow/questions.csv")
            && broken.stderr.contains("tag,year,quarter,questions"),
        "{}",
        broken.stderr
    );
    assert!(!dir.path().join("other.duckdb").exists());
}

#[test]
fn the_build_script_turns_raw_files_into_a_bundle_the_demo_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(&raw).expect("mkdir");
    // The raw files in their real layouts: the Innovation Graph's CSVs
    // (languages CRLF, topics LF), Languish's so-tags.json and keys.csv.
    let mut languages =
        String::from("num_pushers,language,language_type,iso2_code,year,quarter\r\n");
    let mut topics = String::from("num_pushers,topic,iso2_code,year,quarter\n");
    for (year, quarter) in [(2022, 1), (2022, 2), (2022, 3), (2022, 4), (2023, 1)] {
        for (language, n) in [("Python", 900), ("Ruby", 100), ("HTML", 500)] {
            for economy in ["US", "EU"] {
                languages.push_str(&format!(
                    "{n},{language},programming,{economy},{year},{quarter}\r\n"
                ));
            }
        }
        topics.push_str(&format!("{},django,US,{year},{quarter}\n", 300 + quarter));
    }
    std::fs::write(raw.join("languages.csv"), &languages).expect("write");
    std::fs::write(raw.join("topics.csv"), &topics).expect("write");
    let mut so = Vec::new();
    for (name, base) in [("Python", 1_000), ("Ruby", 50), ("JavaScript", 2_000)] {
        for year in 2019..=2021 {
            for quarter in 1..=4 {
                so.push(format!(
                    r#"{{"name": "{name}", "year": {year}, "quarter": {quarter}, "count": {}}}"#,
                    base + quarter
                ));
            }
        }
    }
    std::fs::write(raw.join("so-tags.json"), format!("[{}]", so.join(", "))).expect("write");
    std::fs::write(
        raw.join("keys.csv"),
        "\"key\",\"wikipedia\",\"reddit\",\"stackoverflow\"\n\
         \"Python\",\"Python (programming language)\",\"python\",\"python\"\n\
         \"Ruby\",\"Ruby (programming language)\",\"ruby\",\"ruby\"\n\
         \"JavaScript\",\"JavaScript\",\"javascript\",\"javascript|ecmascript\"\n",
    )
    .expect("write");
    let bundle = dir.path().join("bundle");
    let arg = |name: &str| raw.join(name).to_str().expect("utf-8").to_owned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = support::run(
        std::process::Command::new("python3")
            .arg(root.join("scripts/build-demo-data.py"))
            .arg("--catalog")
            .arg(root.join("config/catalog.toml"))
            .args([
                "--languages",
                &arg("languages.csv"),
                "--topics",
                &arg("topics.csv"),
            ])
            .args([
                "--so-tags",
                &arg("so-tags.json"),
                "--so-keys",
                &arg("keys.csv"),
            ])
            .arg("--out")
            .arg(&bundle),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    // The catalog's names of the whole years only, bytes (CRLF) kept.
    let kept = std::fs::read_to_string(bundle.join("innovationgraph/languages.csv")).expect("kept");
    assert!(kept.starts_with("num_pushers,language,language_type,iso2_code,year,quarter\r\n"));
    assert_eq!(kept.lines().count(), 1 + 4 * 2 * 2, "{kept}");
    assert!(!kept.contains("HTML") && !kept.contains(",2023,"), "{kept}");
    // Questions: the tags Languish counts as exactly one tag, through 2021 Q3.
    let questions =
        std::fs::read_to_string(bundle.join("stackoverflow/questions.csv")).expect("questions");
    assert!(
        questions.starts_with("tag,year,quarter,questions\n"),
        "{questions}"
    );
    assert!(!questions.contains("javascript"), "{questions}");
    assert!(questions.contains("python,2021,3,1003") && !questions.contains("python,2021,4"));
    let provenance = std::fs::read_to_string(bundle.join("provenance.csv")).expect("provenance");
    assert!(
        provenance.contains("CC0-1.0,data/languages.csv,2022,2022")
            && provenance.contains("ISC,scripts/data/so-tags.json,2019,2020"),
        "{provenance}"
    );
    // The demo reads what the script wrote.
    let db = dir.path().join("demo.duckdb");
    let demo = demo(
        dir.path(),
        &[
            "--data",
            bundle.to_str().expect("utf-8"),
            "--db",
            db.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(demo.code, Some(0), "{}", demo.all());
    assert!(demo.stderr.contains("Ranking 2020"), "{}", demo.stderr);
    let store = support::Db::read_only(&db);
    assert_eq!(
        store.int(
            "SELECT value::BIGINT FROM yearly_signals WHERE tech_id = 'python' \
             AND metric = 'questions' AND year = 2020"
        ),
        4 * 1_000 + 10
    );
    assert_eq!(
        store.float(
            "SELECT value FROM yearly_signals WHERE tech_id = 'python' \
             AND metric = 'language_pushers' AND year = 2022"
        ),
        900.0
    );
}
