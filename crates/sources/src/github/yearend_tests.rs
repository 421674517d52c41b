//! Year-end stars from star history pages: exact where every page after a
//! year-end was asked, interpolated where the budget skipped pages, and the
//! error of the interpolation on a repository whose whole history is known.

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use trends_core::{Exactness, Period, RequestSpec, Subject, TechId};

use super::history::{PAGE_BUDGET, PER_PAGE, page_period, pages, pages_back_to};
use super::yearend::combine;
use crate::{Combined, Kept};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A known history: stars added each day from `created` to `today`, a
/// launch burst, then growth with seasonal and weekly swings (the shape of
/// a real repository's curve, deterministic).
fn history(created: NaiveDate, today: NaiveDate) -> Vec<(NaiveDate, u64)> {
    let mut out = Vec::new();
    let mut d = created;
    let mut carry = 0.0;
    while d <= today {
        let t = (d - created).num_days() as f64;
        let rate = 3.0
            + 60.0 * (-t / 20.0).exp()
            + 0.004 * t
            + 2.5 * (t / 365.0 * std::f64::consts::TAU).sin()
            + if d.weekday().num_days_from_sunday() == 0 {
                -1.5
            } else {
                0.5
            }
            + if (d.ordinal() * 7919 + d.year() as u32).is_multiple_of(97) {
                80.0
            } else {
                0.0
            };
        carry += rate.max(0.0);
        out.push((d, carry.floor() as u64));
        carry -= carry.floor();
        d = d + Days::new(1);
    }
    out
}

/// The page GitHub would answer on `today` for `history`: weeks starting
/// on Sunday, newest first, 30 a page.
fn page_body(history: &[(NaiveDate, u64)], today: NaiveDate, page: u32) -> String {
    let sunday = today - Days::new(u64::from(today.weekday().num_days_from_sunday()));
    let created = history.first().map_or(today, |h| h.0);
    let mut weeks = Vec::new();
    for k in PER_PAGE * (page - 1)..PER_PAGE * page {
        let start = sunday - Days::new(7 * u64::from(k));
        if start + Days::new(6) < created {
            break;
        }
        let days: Vec<u64> = (0..7)
            .map(|i| {
                let d = start + Days::new(i);
                history.iter().find(|h| h.0 == d).map_or(0, |h| h.1)
            })
            .collect();
        let seconds = Utc
            .from_utc_datetime(&start.and_hms_opt(0, 0, 0).expect("midnight"))
            .timestamp();
        weeks.push(
            serde_json::json!({"week": seconds, "total": days.iter().sum::<u64>(), "days": days}),
        );
    }
    serde_json::Value::Array(weeks).to_string()
}

struct Asked {
    specs: Vec<RequestSpec>,
    urls: Vec<String>,
    bodies: Vec<String>,
}

/// The answers of asking `numbers` pages and the count on `today`.
fn ask(history: &[(NaiveDate, u64)], today: NaiveDate, numbers: &[u32]) -> Asked {
    let jan1 = day(today.year(), 1, 1);
    let subject = Subject {
        tech: TechId("django".into()),
        key: "django/django".into(),
    };
    let spec = |endpoint: &str, period| RequestSpec {
        source: crate::github::ID,
        endpoint: endpoint.into(),
        subjects: vec![subject.clone()],
        period,
    };
    let mut a = Asked {
        specs: Vec::new(),
        urls: Vec::new(),
        bodies: Vec::new(),
    };
    for &p in numbers {
        a.specs.push(spec("star_history", page_period(jan1, p)));
        a.urls.push(format!(
            "https://api.github.com/repos/django/django/stargazers/history?per_page=30&page={p}"
        ));
        a.bodies.push(page_body(history, today, p));
    }
    let total: u64 = history.iter().map(|h| h.1).sum();
    a.specs.push(spec(
        "star_count",
        Period {
            start: jan1,
            end: jan1,
        },
    ));
    a.urls
        .push("https://api.github.com/repos/django/django/stargazers/count".into());
    a.bodies.push(format!("{{\"count\":{total}}}"));
    a
}

fn combined(a: &Asked, today: NaiveDate) -> Vec<Combined> {
    let at = Utc.from_utc_datetime(&today.and_hms_opt(3, 17, 0).expect("time"));
    let kept: Vec<Kept<'_>> = (0..a.specs.len())
        .map(|i| Kept {
            raw_id: i as i64 + 1,
            spec: &a.specs[i],
            url: &a.urls[i],
            fetched_at: at,
            body: a.bodies[i].as_bytes(),
        })
        .collect();
    combine(&kept)
}

/// The true level at the end of each year.
fn truth(history: &[(NaiveDate, u64)], year: i32) -> f64 {
    history
        .iter()
        .filter(|h| h.0 <= day(year, 12, 31))
        .map(|h| h.1)
        .sum::<u64>() as f64
}

#[test]
fn every_page_asked_gives_exact_year_ends_back_to_the_creation() {
    let today = day(2026, 12, 2);
    let h = history(day(2019, 3, 14), today);
    let all: Vec<u32> = (1..=14).collect();
    let got = combined(&ask(&h, today, &all), today);
    let years: Vec<i32> = got
        .iter()
        .map(|c| c.observation.period.start.year())
        .collect();
    assert_eq!(years, (2019..=2025).collect::<Vec<_>>());
    for c in &got {
        let o = &c.observation;
        assert_eq!(
            o.period,
            Period::snapshot(day(o.period.start.year(), 12, 31))
        );
        assert_eq!(o.exactness, Exactness::Exact, "{o:?}");
        assert_eq!(o.value, truth(&h, o.period.start.year()), "{o:?}");
        assert_eq!(o.metric, crate::github::STARS);
    }
}

#[test]
fn skipped_pages_are_interpolated_and_marked_estimated() {
    let today = day(2026, 12, 2);
    let h = history(day(2009, 5, 1), today);
    // The default window (2015 on) needs 21 pages; 19 are asked.
    assert_eq!(pages_back_to(today, day(2014, 12, 31)), 21);
    let asked = pages(21, PAGE_BUDGET);
    let got = combined(&ask(&h, today, &asked), today);
    let years: Vec<i32> = got
        .iter()
        .map(|c| c.observation.period.start.year())
        .collect();
    assert_eq!(years.first(), Some(&2014));
    assert_eq!(years.last(), Some(&2025));
    for c in &got {
        let o = &c.observation;
        let y = o.period.start.year();
        let err = (o.value - truth(&h, y)).abs() / truth(&h, y);
        match o.exactness {
            Exactness::Exact => assert_eq!(o.value, truth(&h, y), "{y}"),
            _ => assert!(err < 0.01, "{y}: {} vs {}", o.value, truth(&h, y)),
        }
    }
    // Page 18 was skipped: the year-ends it and older pages hold are estimated.
    let estimated = got
        .iter()
        .filter(|c| c.observation.exactness == Exactness::Estimated)
        .count();
    assert!(estimated >= 1 && estimated < got.len(), "{estimated}");
}

/// The measured error (docs/method.md, "GitHub star history"): a repository with
/// a known 17-year history, asked within the budget for the default window
/// and for `--since 2009`; prints max and mean relative year-end error.
#[test]
fn star_history_error_within_the_budget() {
    let today = day(2026, 12, 2);
    let h = history(day(2008, 6, 1), today);
    for since in [2015, 2009] {
        let needed = pages_back_to(today, day(since - 1, 12, 31));
        let asked = pages(needed, PAGE_BUDGET);
        let got = combined(&ask(&h, today, &asked), today);
        let errors: Vec<f64> = got
            .iter()
            .map(|c| {
                let t = truth(&h, c.observation.period.start.year());
                (c.observation.value - t).abs() / t
            })
            .collect();
        let max = errors.iter().copied().fold(0.0, f64::max);
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        let exact = got
            .iter()
            .filter(|c| c.observation.exactness == Exactness::Exact)
            .count();
        println!(
            "since {since}: {} pages of {needed}, {} year-ends ({exact} exact): max error {:.3}%, mean {:.3}%",
            asked.len(),
            got.len(),
            max * 100.0,
            mean * 100.0
        );
        assert!(got.len() >= (2025 - since + 2) as usize, "{}", got.len());
        if since == 2015 {
            assert!(max < 0.05, "{max}");
        }
    }
}

#[test]
fn without_the_count_or_with_broken_pages_nothing_is_made_up() {
    let today = day(2026, 12, 2);
    let h = history(day(2020, 1, 5), today);
    let mut a = ask(&h, today, &[1, 2, 3]);
    // No count: no anchor, no level.
    let n = a.specs.len() - 1;
    a.bodies[n] = "{\"message\":\"Not Found\"}".into();
    assert!(combined(&a, today).is_empty());
    // Only the newest pages: year-ends older than them are not guessed.
    let a = ask(&h, today, &[1, 2]);
    let got = combined(&a, today);
    let oldest = got.first().map(|c| c.observation.period.start);
    assert!(oldest.is_some_and(|d| d >= day(2025, 12, 31)), "{oldest:?}");
}
