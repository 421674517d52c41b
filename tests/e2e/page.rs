//! The reader's page and the reasons behind a rank: `trends report
//! --format html` rendered in a real browser (headless Chromium: the DOM,
//! the script, the console, a screenshot), `trends explain` adding up to
//! the report's score change, and the log-scale and group charts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::clients;
use crate::support::{self, Apis, Env, read_csv};

/// Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it).
fn chromium() -> PathBuf {
    let path = std::env::var_os("TRENDS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "the browser test needs Chromium at {} (Debian: `apt-get install chromium`, which .ci/run does; or set TRENDS_CHROMIUM)",
        path.display()
    );
    path
}

/// What the browser did with a page.
struct Rendered {
    /// The DOM after the page's scripts ran.
    dom: String,
    /// The browser's log: console messages and uncaught errors among it.
    log: String,
}

/// Runs headless Chromium on `page` with `args`, killed after a minute (a
/// hang fails the test instead of stalling the suite). Its output goes to
/// files, not pipes: a DOM of several hundred kilobytes fills a pipe that
/// nobody reads while the test waits, and the browser then blocks forever.
fn browse(page: &Path, profile: &Path, args: &[String]) -> Rendered {
    let dom_file = profile.with_extension("dom");
    let log_file = profile.with_extension("log");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&dom_file).expect("dom file"))
        .stderr(std::fs::File::create(&log_file).expect("log file"))
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("poll chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish {} within a minute; its log:\n{}",
                page.display(),
                std::fs::read_to_string(&log_file).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let read = |path: &Path| {
        String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
    };
    Rendered {
        dom: read(&dom_file),
        log: read(&log_file),
    }
}

/// The lines of the browser's log that report a page error.
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// A demo database (synthetic numbers, every category, several years).
pub(crate) fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.duckdb");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = support::run(
        support::trends_bin()
            .arg("--config")
            .arg(root.join("config/trends.toml"))
            .args(["demo", "--synthetic", "--db"])
            .arg(&db),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    db
}

/// `trends report --format html ARGS --db DB --out DIR/report.html`, which
/// must succeed: the page's path, its text and what the command printed.
pub(crate) fn html_report(
    dir: &Path,
    db: &Path,
    args: &[&str],
) -> (PathBuf, String, support::Output) {
    let page = dir.join("report.html");
    let out = support::run(
        support::trends_bin()
            .args(["report", "--format", "html"])
            .args(args)
            .arg("--db")
            .arg(db)
            .arg("--out")
            .arg(&page),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let html = std::fs::read_to_string(&page).expect("page written");
    (page, html, out)
}

#[test]
fn the_html_report_opens_offline_in_chromium_with_every_category() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let (page, html, out) = html_report(dir.path(), &db, &["--all-years"]);
    // The reader is told the demo's numbers are made up, under the title.
    assert!(
        html.contains(
            "<p class=\"origin\"><strong>A `trends demo` database with synthetic numbers"
        ),
        "{}",
        &html[..1500.min(html.len())]
    );
    assert!(out.stderr.contains("SYNTHETIC"), "{}", out.stderr);
    let years = html.matches("<option value=").count();
    assert!(years >= 3, "a year selector with every year: {years}");

    let profile = dir.path().join("profile");
    let seen = browse(&page, &profile, &["--dump-dom".to_owned()]);
    // The selector's script ran (it marks the body) and showed one year.
    assert!(
        seen.dom.contains("data-ready=\"yes\""),
        "{}",
        &seen.dom[..500.min(seen.dom.len())]
    );
    // Every category has a section per year: its ranking, or a note where
    // the category has no data yet (the demo's practices start a year late).
    let tables = seen.dom.matches("<table class=\"ranking\"").count();
    let empty = seen.dom.matches("<p class=\"note\">No data for ").count();
    assert_eq!(
        tables + empty,
        3 * years,
        "one section per category and year"
    );
    assert!(
        tables >= 3 * (years - 1),
        "{tables} rankings for {years} years"
    );
    assert_eq!(
        seen.dom.matches("<section class=\"year\"").count()
            - seen.dom.matches("hidden=\"\"").count(),
        3,
        "one year shown per category"
    );
    assert_eq!(
        seen.dom
            .matches("<figure class=\"chart bump\"><svg")
            .count(),
        3
    );
    assert!(seen.dom.matches("<svg class=\"sparkline\"").count() >= 10);
    assert!(console_errors(&seen.log).is_empty(), "{}", seen.log);

    // The check would see an error: a page whose script throws.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><p>x</p><script>notDefined();</script>",
    )
    .expect("write");
    let failing = browse(&broken, &profile, &["--dump-dom".to_owned()]);
    assert!(!console_errors(&failing.log).is_empty(), "{}", failing.log);

    // A screenshot at desktop and at phone width.
    for (name, size) in [("desktop", "1280,2400"), ("phone", "390,1800")] {
        let png = dir.path().join(format!("{name}.png"));
        browse(
            &page,
            &profile,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={size}"),
                "--hide-scrollbars".to_owned(),
            ],
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{name} screenshot: {e}"));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "{name}: {} bytes",
            bytes.len()
        );
        if let Some(keep) = std::env::var_os("TRENDS_SCREENSHOTS") {
            std::fs::copy(&png, Path::new(&keep).join(format!("report-{name}.png"))).expect("keep");
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn explain_adds_up_to_the_reports_score_change() {
    let apis = Apis::start(Default::default());
    let env = Env::new(&apis);
    assert_eq!(env.trends(&["collect"]).code, Some(0));
    let year = env.last_year.to_string();
    let report = env.trends(&["report", "--year", &year, "--format", "csv"]);
    assert_eq!(report.code, Some(0), "{}", report.all());
    let rows = read_csv(&report.stdout);
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect("column");
    let mut explained = 0;
    for row in &rows[1..] {
        let (tech, change, driver) = (
            &row[col("tech_id")],
            &row[col("score_change")],
            &row[col("driver")],
        );
        let out = env.trends(&["explain", tech, "--year", &year, "--format", "csv"]);
        assert_eq!(out.code, Some(0), "{}", out.all());
        let lines = read_csv(&out.stdout);
        assert_eq!(
            lines[0][..5],
            ["signal", "share_prev", "share", "weight", "contribution"]
        );
        let sum: f64 = lines[1..]
            .iter()
            .filter_map(|l| l[4].parse::<f64>().ok())
            .sum();
        if let Ok(change) = change.parse::<f64>() {
            // The report rounds to 2 decimals, the CSV's contributions to 4.
            assert!(
                (sum - change).abs() < 0.01,
                "{tech}: {sum} vs {change}\n{}",
                out.stdout
            );
            // The driver is the first (largest) contribution.
            assert_eq!(&lines[1][0], driver, "{tech}");
            explained += 1;
        }
    }
    assert!(
        explained >= 3,
        "{explained} technologies had a score change"
    );
    let table = env.trends(&["explain", "django", "--year", &year, "--format", "table"]);
    assert!(
        table.stdout.contains("total") && table.stdout.contains("Django"),
        "{}",
        table.all()
    );
    let unknown = env.trends(&["explain", "cobol", "--year", &year]);
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("`cobol`"), "{}", unknown.all());
}

#[test]
fn charts_draw_ranks_on_a_log_scale_and_a_groups_members_side_by_side() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let charts = dir.path().join("charts");
    let out = support::run(
        support::trends_bin()
            .arg("--config")
            .arg(root.join("config/trends.toml"))
            .args([
                "chart",
                "--log",
                "--groups",
                "--category",
                "language",
                "--db",
            ])
            .arg(&db)
            .arg("--out")
            .arg(&charts),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let log = std::fs::read_to_string(charts.join("ranks-language-log.svg")).expect("bump");
    assert!(log.contains("(log scale)"), "{}", &log[..300]);
    let group =
        std::fs::read_to_string(charts.join("group-javascript-typescript.svg")).expect("group");
    assert!(
        group.contains("members side by side") && group.contains("TypeScript"),
        "{}",
        &group[..300]
    );
}

/// The text of an HTML attribute value, unescaped (the page escapes `&`,
/// `<`, `>`, `"` and `'`).
fn unescape(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_pages_provenance_queries_find_the_shown_value_in_the_duckdb_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let (_, html, _) = html_report(dir.path(), &db, &[]);
    // Each value cell: <td class="num" title="SQL">[≈]VALUE</td>; one per
    // signal is enough to cover every source's query shape.
    let mut seen = std::collections::BTreeSet::new();
    let mut checked = 0;
    for cell in html.split("<td class=\"num\" title=\"SELECT ").skip(1) {
        let (title, rest) = cell.split_once("\">").expect("a closed title");
        let sql = unescape(&format!("SELECT {title}"));
        let metric = sql.split("AND metric = ").nth(1).expect("metric");
        let source = sql.split("AND source = ").nth(1).expect("source");
        if !seen.insert(format!("{source}{metric}")) {
            continue;
        }
        let shown: f64 = rest
            .split('<')
            .next()
            .expect("value")
            .trim_start_matches('≈')
            .replace(',', "")
            .parse()
            .expect("a number");
        let lines = clients::cli_query(clients::CLI[0], &db, &sql);
        let value: f64 = lines[1]
            .split(',')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{sql}\n{lines:?}"));
        assert!(
            (value - shown).abs() <= 0.005 * shown.abs().max(1.0),
            "{sql}: the page shows {shown}, the database {value}"
        );
        let answers = lines
            .iter()
            .position(|l| l.starts_with("period_start,value,run_id"))
            .unwrap_or_else(|| panic!("{sql}\n{lines:?}"));
        assert!(lines.len() > answers + 1, "no answers behind {sql}");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} signals' queries checked");
}
