//! What the sources' tests share: fixtures from `tests/fixtures`, request
//! specs, days, catalogs and plan windows.

use chrono::NaiveDate;
use trends_contract::PlanWindow;
use trends_core::{Catalog, Period, RequestSpec, SourceId, Subject, TechId};
use trends_normalizer::Normalized;

pub fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn spec(
    source: SourceId,
    endpoint: &str,
    tech: &str,
    key: &str,
    period: Period,
) -> RequestSpec {
    RequestSpec {
        source,
        endpoint: endpoint.into(),
        subjects: vec![Subject {
            tech: TechId(tech.into()),
            key: key.into(),
        }],
        period,
    }
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The periods and values a parse gave: (start, end, value) each.
pub fn periods(n: &Normalized) -> Vec<(NaiveDate, NaiveDate, f64)> {
    n.observations()
        .iter()
        .map(|o| (o.period.start, o.period.end, o.value))
        .collect()
}

/// A catalog from TOML text, which must be valid.
pub fn test_catalog(text: &str) -> Catalog {
    Catalog::parse(text, std::path::Path::new("catalog.toml")).expect("catalog parses")
}

/// The window of a plan made on `today` for every year since 2015.
pub fn from_2015(today: NaiveDate) -> PlanWindow {
    PlanWindow {
        first_year: 2015,
        today,
    }
}
