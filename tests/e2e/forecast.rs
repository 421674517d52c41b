//! `trends forecast` on the demo database: the forecast (its columns,
//! every category, each rank inside its interval), the backtest (both
//! methods per year and category, ρ within −1..1), the chart and the HTML
//! page's forecast section; and the clear errors of a bad year or format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::page::demo;
use crate::support::{self, Output, read_csv};

fn trends(db: &Path, args: &[&str]) -> Output {
    support::run(support::trends_bin().args(args).arg("--db").arg(db))
}

/// A CSV's rows as maps from column to cell.
fn records(text: &str) -> Vec<BTreeMap<String, String>> {
    let rows = read_csv(text);
    let header = rows.first().expect("a header").clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

#[test]
fn forecast_backtest_chart_and_page_on_the_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());

    let out = trends(&db, &["forecast", "--format", "csv"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let header = &read_csv(&out.stdout)[0];
    for col in [
        "year",
        "category",
        "technology",
        "rank",
        "score",
        "rank_low",
        "rank_high",
        "score_low",
        "score_high",
    ] {
        assert!(header.iter().any(|h| h == col), "no {col} in {header:?}");
    }
    let rows = records(&out.stdout);
    let categories: BTreeSet<&str> = rows.iter().map(|r| r["category"].as_str()).collect();
    assert_eq!(
        categories,
        BTreeSet::from(["framework", "language", "practice"])
    );
    let years: BTreeSet<&str> = rows.iter().map(|r| r["year"].as_str()).collect();
    assert_eq!(years.len(), 1, "{years:?}");
    let mut checked = 0;
    for r in &rows {
        let int = |c: &str| r[c].parse::<u32>().unwrap_or_else(|_| panic!("{c}: {r:?}"));
        let (rank, low, high) = (int("rank"), int("rank_low"), int("rank_high"));
        assert!(low <= rank && rank <= high, "{r:?}");
        let num = |c: &str| r[c].parse::<f64>().unwrap_or_else(|_| panic!("{c}: {r:?}"));
        assert!(num("score_low") <= num("score") && num("score") <= num("score_high"));
        assert!(r["fitted_through"] < r["year"], "{r:?}");
        checked += 1;
    }
    assert!(checked >= 30, "{checked} rows");
    // A past year, forecast from the years before it, reads as a table.
    let table = trends(&db, &["forecast", "--year", "2023", "--format", "table"]);
    assert_eq!(table.code, Some(0), "{}", table.all());
    assert!(
        table
            .stdout
            .contains("frameworks 2023: forecast from the years through 2022 (80% interval)"),
        "{}",
        table.stdout
    );

    let out = trends(&db, &["forecast", "--backtest", "--format", "csv"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(
        read_csv(&out.stdout)[0][..4],
        ["year", "category", "method", "rho"]
    );
    let mut methods: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut banded = 0;
    for r in records(&out.stdout) {
        // The share of actual ranks inside the interval: the forecast's only.
        match (r["method"].as_str(), r["in_band"].parse::<f64>()) {
            ("naive", band) => assert!(band.is_err(), "{r:?}"),
            (_, Ok(band)) => {
                assert!((0.0..=1.0).contains(&band), "{r:?}");
                banded += 1;
            }
            _ => {}
        }
        let rho: f64 = r["rho"].parse().expect("rho");
        assert!((-1.0..=1.0).contains(&rho), "{r:?}");
        methods
            .entry((r["year"].clone(), r["category"].clone()))
            .or_default()
            .insert(r["method"].clone());
    }
    let cats: BTreeSet<&str> = methods.keys().map(|k| k.1.as_str()).collect();
    assert_eq!(cats.len(), 3, "{methods:?}");
    assert!(methods.len() >= 3 * 5, "{methods:?}");
    assert!(banded >= 3 * 4, "{banded} forecast rows with an interval");
    for (key, m) in &methods {
        assert_eq!(
            m,
            &BTreeSet::from(["forecast".to_owned(), "naive".to_owned()]),
            "{key:?}"
        );
    }
    // Years without three before them are said, not errors.
    assert!(out.stderr.contains("not backtested"), "{}", out.stderr);
    let text = trends(&db, &["forecast", "--backtest", "--format", "table"]);
    assert!(
        text.stdout.contains("frameworks: mean ρ forecast "),
        "{}",
        text.all()
    );

    let charts = dir.path().join("charts");
    let out = support::run(
        support::trends_bin()
            .args(["chart", "--forecast", "--db"])
            .arg(&db)
            .arg("--out")
            .arg(&charts),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    for c in ["language", "framework", "practice"] {
        let svg = std::fs::read_to_string(charts.join(format!("ranks-{c}-forecast.svg")))
            .unwrap_or_else(|e| panic!("{c}: {e}\n{}", out.all()));
        assert!(svg.contains("80% band") && svg.contains("<rect"), "{c}");
    }

    let (_, html, _) = crate::page::html_report(dir.path(), &db, &[]);
    assert!(
        html.contains("<a href=\"#forecast\">forecast</a>"),
        "the page's navigation links the forecast"
    );
    let section = html
        .split("<section id=\"forecast\">")
        .nth(1)
        .expect("a forecast section")
        .split("</section>")
        .next()
        .unwrap_or_default();
    assert_eq!(section.matches("<table class=\"forecast\"").count(), 3);
    assert_eq!(
        section
            .matches("<figure class=\"chart forecast\"><svg")
            .count(),
        3
    );
    assert_eq!(section.matches("Backtest over ").count(), 3, "{section}");
}

#[test]
fn a_year_without_history_or_an_unknown_format_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let out = trends(&db, &["forecast", "--year", "1990"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr
            .contains("cannot forecast 1990: no closed year before it"),
        "{}",
        out.stderr
    );
    let out = trends(&db, &["forecast", "--year", "2099"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("at most 5 years past it"),
        "{}",
        out.stderr
    );
    let out = trends(&db, &["forecast", "--format", "xml"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("'xml'") && out.stderr.contains("csv"),
        "{}",
        out.stderr
    );
}
