//! Year-end `stars` from a repository's star history (see [`super::history`]).
//!
//! The level at the end of December 31 of year Y is today's count less
//! every star added from January 1 of Y+1 to the day of the count:
//! `stars(Y) = count − Σ added(d), Y-12-31 < d ≤ counted`. A day on an
//! asked page adds its own number. A day on a page not asked (the budget
//! skipped it, or its request failed) adds an estimate: the stars a day of
//! the nearest asked pages added on average (each page's mean over its 210
//! days, placed at its middle day), interpolated linearly between the
//! nearer newer and older page; a year-end that needs one estimated day is
//! `Estimated`, one made of asked days only `Exact`. When the asked pages
//! reach past the first star, the interpolated days are scaled to add up
//! to what the count leaves for them. Days before the
//! repository's first star (a page shorter than 30 weeks ends with its
//! first week; an empty page is past it) add 0, and year-ends before it get
//! no row: the repository had no stars to count yet. Nor does an estimated
//! year-end older than every asked week (between the oldest page with weeks
//! and an empty one, the first star's day is unknown). Only years before the count's are
//! given: the current year is the snapshots'.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use trends_core::{Exactness, Grain, Observation, Period, TechId};

use super::Endpoint;
use super::history::{self, PAGE_DAYS, PER_PAGE, Week};
use crate::{Combined, Kept};

/// An asked history page.
#[derive(Debug, Clone)]
pub struct Page {
    pub number: u32,
    pub raw_id: i64,
    pub weeks: Vec<Week>,
}

/// The anchor: `count` stars on day `on`.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    pub count: u64,
    pub on: NaiveDate,
    pub raw_id: i64,
}

/// One repository's answers of one year's asking.
#[derive(Default)]
struct Group {
    count: Option<Count>,
    pages: Vec<Page>,
}

/// The year-end observations of every repository whose count and pages
/// are in `answers` (the latest asking of each; answers that do not parse
/// are left out, as their own verdict already says).
pub fn combine(answers: &[Kept<'_>]) -> Vec<Combined> {
    let mut groups: BTreeMap<(TechId, NaiveDate), Group> = BTreeMap::new();
    for a in answers {
        let (Some(endpoint), Some(subject)) = (Endpoint::of(a.spec), a.spec.subjects.first())
        else {
            continue;
        };
        match endpoint {
            Endpoint::StarCount => {
                let Ok(count) = history::read_count(a.spec, a.body) else {
                    continue;
                };
                let group = groups
                    .entry((subject.tech.clone(), a.spec.period.end))
                    .or_default();
                group.count = Some(Count {
                    count,
                    on: a.fetched_at.date_naive(),
                    raw_id: a.raw_id,
                });
            }
            Endpoint::StarHistory => {
                let (Some(number), Ok(weeks)) =
                    (history::page_of(a.url), history::read_page(a.spec, a.body))
                else {
                    continue;
                };
                let jan1 = a.spec.period.end + Days::new(PAGE_DAYS * u64::from(number - 1));
                groups
                    .entry((subject.tech.clone(), jan1))
                    .or_default()
                    .pages
                    .push(Page {
                        number,
                        raw_id: a.raw_id,
                        weeks,
                    });
            }
            _ => {}
        }
    }
    // The latest asking of each repository that has its count.
    let mut latest: BTreeMap<TechId, Group> = BTreeMap::new();
    for ((tech, _), group) in groups {
        if group.count.is_some() {
            latest.insert(tech, group);
        }
    }
    latest
        .into_iter()
        .flat_map(|(tech, g)| match g.count {
            Some(count) => year_ends(&tech, count, &g.pages),
            None => Vec::new(),
        })
        .collect()
}

/// What the asked pages say, day by day.
struct Known {
    days: BTreeMap<NaiveDate, u64>,
    /// Each asked page's span and raw id.
    spans: Vec<(NaiveDate, NaiveDate, i64)>,
    /// (middle day, mean stars a day) of each asked page, oldest first.
    rates: Vec<(NaiveDate, f64)>,
    /// Days before this one are before the repository's first week.
    zero_before: Option<NaiveDate>,
}

impl Known {
    fn of(pages: &[Page]) -> Known {
        let weeks_before = |p: &Page| Days::new(7 * u64::from(PER_PAGE * (p.number - 1)));
        // The newest week's first day, as any non-empty page places it.
        let newest = pages
            .iter()
            .find_map(|p| p.weeks.first().map(|w| w.start + weeks_before(p)));
        let mut k = Known {
            days: BTreeMap::new(),
            spans: Vec::new(),
            rates: Vec::new(),
            zero_before: None,
        };
        for page in pages {
            if let (Some(oldest), Some(latest)) = (page.weeks.last(), page.weeks.first()) {
                let (from, to) = (oldest.start, latest.start + Days::new(6));
                let mut sum = 0;
                for week in &page.weeks {
                    for (i, n) in week.days.iter().enumerate() {
                        k.days.insert(week.start + Days::new(i as u64), *n);
                        sum += n;
                    }
                }
                let span = (to - from).num_days() + 1;
                let middle = from + Days::new(u64::try_from(span / 2).unwrap_or(0));
                k.rates.push((middle, sum as f64 / span as f64));
                k.spans.push((from, to, page.raw_id));
            }
            if page.weeks.len() < PER_PAGE as usize {
                // Nothing older exists: from the first star of this page's
                // oldest week, or for an empty page from the last week of
                // the page before.
                let boundary = match page.weeks.last() {
                    Some(w) => {
                        let first = w.days.iter().position(|n| *n > 0).unwrap_or(0);
                        Some(w.start + Days::new(first as u64))
                    }
                    None => newest.map(|n| n - weeks_before(page) + Days::new(7)),
                };
                if let Some(b) = boundary {
                    if page.weeks.is_empty() {
                        k.rates.push((b, 0.0));
                    }
                    k.zero_before = Some(k.zero_before.map_or(b, |z: NaiveDate| z.max(b)));
                }
            }
        }
        k.rates.sort_by_key(|(d, _)| *d);
        k
    }

    /// Stars added on `day`, and whether that is an estimate.
    fn added(&self, day: NaiveDate) -> (f64, bool) {
        if let Some(n) = self.days.get(&day) {
            return (*n as f64, false);
        }
        if self.zero_before.is_some_and(|z| day < z) {
            return (0.0, false);
        }
        (self.rate_at(day), true)
    }

    /// The mean daily stars interpolated linearly between the asked pages
    /// around `day` (the nearest one's beyond them).
    fn rate_at(&self, day: NaiveDate) -> f64 {
        let Some(&(first_day, first_rate)) = self.rates.first() else {
            return 0.0;
        };
        if day <= first_day {
            return first_rate;
        }
        for pair in self.rates.windows(2) {
            let ((d0, r0), (d1, r1)) = (pair[0], pair[1]);
            if day <= d1 {
                let t = (day - d0).num_days() as f64 / ((d1 - d0).num_days().max(1)) as f64;
                return r0 + (r1 - r0) * t;
            }
        }
        self.rates.last().map_or(0.0, |(_, r)| *r)
    }

    /// The oldest year-end these pages can speak for.
    fn oldest_day(&self) -> Option<NaiveDate> {
        let first = self.days.keys().next().copied();
        match (first, self.zero_before) {
            (Some(f), Some(z)) => Some(f.min(z)),
            (f, z) => f.or(z),
        }
    }

    fn raw_id_at(&self, day: NaiveDate) -> Option<i64> {
        self.spans
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&day))
            .map(|s| s.2)
    }
}

/// When the pages reach past the repository's first star, the stars of
/// the days not asked are known in all (the count less the asked days):
/// the factor that makes the interpolated days add up to them (else 1).
fn residual_scale(known: &Known, count: Count) -> f64 {
    let Some(first) = known.zero_before else {
        return 1.0;
    };
    let (mut asked, mut guessed) = (0.0, 0.0);
    let mut day = first;
    while day <= count.on {
        match known.added(day) {
            (n, false) => asked += n,
            (n, true) => guessed += n,
        }
        day = day + Days::new(1);
    }
    let residual = count.count as f64 - asked;
    if guessed > 0.0 && residual >= 0.0 {
        residual / guessed
    } else {
        1.0
    }
}

/// The year-end levels of one repository from its count and pages.
pub fn year_ends(tech: &TechId, count: Count, pages: &[Page]) -> Vec<Combined> {
    let known = Known::of(pages);
    let Some(oldest) = known.oldest_day() else {
        return Vec::new();
    };
    let scale = residual_scale(&known, count);
    let mut out = Vec::new();
    let (mut added, mut estimated) = (0.0, false);
    let mut day = count.on;
    for year in (oldest.year() - 1..count.on.year()).rev() {
        let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
            break;
        };
        if end < oldest - Days::new(1) || known.zero_before.is_some_and(|z| end < z) {
            break;
        }
        while day > end {
            let (n, guess) = known.added(day);
            added += if guess { n * scale } else { n };
            estimated |= guess;
            day = day - Days::new(1);
        }
        let value = (count.count as f64 - added).round();
        // Older than every asked week with data, an estimate cannot tell
        // whether the repository existed yet.
        let before_data = known
            .days
            .keys()
            .next()
            .is_none_or(|d| end < *d - Days::new(1));
        if value < 0.0 || (estimated && before_data) {
            break;
        }
        out.push(Combined {
            raw_id: known.raw_id_at(end).unwrap_or(count.raw_id),
            observation: Observation {
                tech: tech.clone(),
                metric: crate::github::STARS,
                grain: Grain::Snapshot,
                period: Period::snapshot(end),
                value,
                exactness: if estimated {
                    Exactness::Estimated
                } else {
                    Exactness::Exact
                },
            },
        });
    }
    out.reverse();
    out
}
