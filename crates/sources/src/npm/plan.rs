//! npm download counts: downloads per day, asked per calendar year.
//!
//! `GET /downloads/range/{start}:{end}/{package}` answers one package's days;
//! the bulk form `/downloads/range/{start}:{end}/{p1,p2,...}` answers up to
//! 128 *unscoped* packages at once for at most 365 days, so the unscoped
//! packages of the catalog cost one request a year together. Scoped
//! packages (`@nestjs/core`) are not allowed in bulk and go one by one. Data
//! starts 2015-01-10; a single-package request may span 18 months, a year
//! always fits. The current year ends yesterday (today's counts land after
//! midnight UTC).

use super::Endpoint;
use chrono::NaiveDate;
use trends_core::{Catalog, Period, SourceKey, Subject};
use url::Url;

use trends_contract::planning::{last_day, year_periods};
use trends_contract::{PlanWindow, Planned, join};

/// The bulk endpoint's package limit.
pub const BULK_MAX: usize = 128;

pub fn plan(base: &Url, catalog: &Catalog, window: PlanWindow) -> Vec<Planned> {
    let Some(data_start) = NaiveDate::from_ymd_opt(2015, 1, 10) else {
        return Vec::new();
    };
    let subjects: Vec<Subject> = catalog
        .with_key(SourceKey::NpmPackage)
        .map(|(t, p)| Subject {
            tech: t.id.clone(),
            key: p.to_owned(),
        })
        .collect();
    let (scoped, unscoped): (Vec<Subject>, Vec<Subject>) =
        subjects.into_iter().partition(|s| s.key.starts_with('@'));
    let mut out = Vec::new();
    for (_, year) in year_periods(window) {
        if year.end <= data_start {
            continue;
        }
        let period = Period {
            start: year.start.max(data_start),
            end: year.end,
        };
        let range = format!("{}:{}", period.start, last_day(period));
        for chunk in unscoped.chunks(BULK_MAX) {
            let names: Vec<&str> = chunk.iter().map(|s| s.key.as_str()).collect();
            out.push(planned(
                join(base, &["downloads", "range", &range, &names.join(",")]),
                chunk.to_vec(),
                period,
            ));
        }
        for s in &scoped {
            // `@scope/name` stays two path segments, as the API shows it.
            let mut segments = vec!["downloads", "range", range.as_str()];
            segments.extend(s.key.split('/'));
            out.push(planned(join(base, &segments), vec![s.clone()], period));
        }
    }
    out
}

fn planned(url: Url, subjects: Vec<Subject>, period: Period) -> Planned {
    Planned::get(
        crate::npm::ID,
        Endpoint::Range.as_str(),
        subjects,
        period,
        url,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_2015, test_catalog};

    #[test]
    fn unscoped_packages_share_one_bulk_request_a_year_scoped_go_alone() {
        let catalog = test_catalog(
            r#"
[[technology]]
id = "express"
name = "Express"
category = "framework"
npm_package = "express"

[[technology]]
id = "koa"
name = "Koa"
category = "framework"
npm_package = "koa"

[[technology]]
id = "nestjs"
name = "NestJS"
category = "framework"
npm_package = "@nestjs/core"
"#,
        );
        let base = Url::parse("https://api.npmjs.org").expect("url");
        let window = from_2015(NaiveDate::from_ymd_opt(2016, 3, 2).expect("date"));
        let plan = plan(&base, &catalog, window);
        let urls: Vec<&str> = plan.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.npmjs.org/downloads/range/2015-01-10:2015-12-31/express,koa",
                "https://api.npmjs.org/downloads/range/2015-01-10:2015-12-31/@nestjs/core",
                "https://api.npmjs.org/downloads/range/2016-01-01:2016-03-01/express,koa",
                "https://api.npmjs.org/downloads/range/2016-01-01:2016-03-01/@nestjs/core",
            ]
        );
        assert_eq!(plan[0].spec.subjects.len(), 2);
        assert_eq!(
            plan[0].spec.period.start,
            NaiveDate::from_ymd_opt(2015, 1, 10).expect("date")
        );
    }
}
