//! GitHub's star history end to end: `trends collect` against the demo
//! server, whose repositories each have a full synthetic history, lands
//! year-end `github_stars` for every past year back to the window's start
//! (exact where every page after the year-end was asked, estimated where the
//! budget skipped pages), the report has `github_stars_gain` for past years,
//! and the levels are measured against the histories the server knows.
//!
//! `cargo test --workspace --locked -- star_history --nocapture` prints the
//! measured error (docs/method.md, "GitHub star history").

use chrono::{Datelike, NaiveDate, Utc};

use crate::support::Env;

const REPOS: [&str; 4] = [
    "django/django",
    "pallets/flask",
    "rails/rails",
    "spring-projects/spring-boot",
];

fn truth(name: &str, today: NaiveDate, year: i32) -> f64 {
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
    trends_sources::github::demo::stars::synthetic_star_history(name, today)
        .iter()
        .filter(|d| d.0 <= end)
        .map(|d| d.1)
        .sum::<u64>() as f64
}

#[test]
fn star_history_gives_past_year_ends_and_their_error() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(trends_mockapi::DemoServer::start());
    let base = server
        .base_url(trends_core::SourceId::new("github"))
        .expect("served");
    let catalog: String = REPOS
        .iter()
        .map(|r| {
            let id = r.split('/').nth(1).unwrap_or(r);
            format!(
                "[[technology]]\nid = \"{id}\"\nname = \"{id}\"\ncategory = \"framework\"\ngithub_repo = \"{r}\"\n"
            )
        })
        .collect();
    for since in [2015, 2009] {
        let env = Env::one_source("github", &base, since, &catalog);
        let out = env.trends(&["collect"]);
        assert_eq!(out.code, Some(0), "{}", out.all());
        let today = Utc::now().date_naive();
        let db = env.db();
        // 20 requests a repository: 19 pages and the count.
        let asked =
            db.int("SELECT count(*) FROM raw_responses WHERE request_key LIKE 'github/star_%'");
        assert_eq!(asked, 20 * REPOS.len() as i64);
        let rows = db.strings(
            "SELECT tech_id || ' ' || year(period_start) || ' ' || CAST(value AS BIGINT) || ' ' || exactness \
             FROM observations WHERE metric = 'stars' AND period_start < make_date(year(observed_at)::INTEGER, 1, 1) \
             ORDER BY 1",
        );
        let mut errors = Vec::new();
        let mut exact = 0;
        for row in &rows {
            let f: Vec<&str> = row.split(' ').collect();
            let repo = REPOS
                .iter()
                .find(|r| r.ends_with(&format!("/{}", f[0])))
                .expect("repo");
            let year: i32 = f[1].parse().expect("year");
            let value: f64 = f[2].parse().expect("value");
            let t = truth(repo, today, year);
            let created = trends_sources::github::demo::stars::repo_created(repo).year();
            if f[3] == "exact" {
                assert!(year >= created, "{row}: before the repository existed");
                exact += 1;
                assert_eq!(value, t, "{row}: an exact year-end is the true one");
            } else {
                assert_eq!(f[3], "estimated", "{row}");
            }
            errors.push((value - t).abs() / t.max(1.0));
        }
        // Every past year from the window's start (or the creation) lands.
        for repo in REPOS {
            let id = repo.split('/').nth(1).unwrap_or(repo);
            let first =
                (since - 1).max(trends_sources::github::demo::stars::repo_created(repo).year());
            let years = rows
                .iter()
                .filter(|r| r.starts_with(&format!("{id} ")))
                .count();
            assert!(years as i32 >= today.year() - first, "{id}: {rows:?}");
        }
        let max = errors.iter().copied().fold(0.0, f64::max);
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        println!(
            "star history, since {since}: {} year-ends of {} repositories ({exact} exact): max error {:.2}%, mean {:.3}%",
            rows.len(),
            REPOS.len(),
            max * 100.0,
            mean * 100.0
        );
        // The default window needs 21 pages: two interpolated. Wider ones
        // (`--since 2009`: 32 pages, 13 interpolated) are measured only:
        // near a first star inside skipped pages the estimate is rough.
        if since == 2015 {
            assert!(max < 0.10, "max error {max}");
            assert!(mean < 0.01, "mean error {mean}");
        }
        // The report counts the level and the gain in past years.
        drop(db);
        let report = env.trends(&["report", "--year", "2020", "--format", "csv"]);
        assert_eq!(report.code, Some(0), "{}", report.all());
        let mut lines = report.stdout.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        let gain = header
            .iter()
            .position(|c| *c == "github_stars_gain")
            .expect("a github_stars_gain column");
        let gains: Vec<&str> = lines
            .map(|l| l.split(',').nth(gain).unwrap_or(""))
            .collect();
        assert!(
            gains
                .iter()
                .all(|g| g.parse::<f64>().is_ok_and(|g| g > 0.0)),
            "{gains:?}\n{}",
            report.stdout
        );
    }
    drop(server);
}
