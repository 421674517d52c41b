//! The synthetic numbers' machinery the demo routes share, as pure
//! functions so tests can assert on them; each source's own series and
//! numbers are in its `demo.rs`.
//!
//! Every number is a deterministic function of the request (never of the
//! clock, never of a randomized hasher), built from a 64-bit FNV-1a hash:
//!
//! - **level**: each (series, key) gets a reference-year value drawn
//!   log-uniformly inside the series' range ([`Series::range`]), far enough
//!   from both ends that the trend stays inside it over 2015..=2026;
//! - **trend**: a yearly growth rate in [-22 %, +30 %] drawn from the key's
//!   *stem* (lowercased, `owner/` and `_(…)` dropped, `#` read as `sharp`,
//!   a trailing `js` dropped, only letters and digits kept), so the keys one
//!   technology has at several sources (`c#`, `C#`, `C_Sharp_(…)`) usually
//!   rise or fall together, plus a small per-key jitter;
//! - **noise**: ±4 % per (key, year) or (key, month).
//!
//! The value of year `y` is `level * exp(growth * (y - 2020)) * (1 + noise)`,
//! clamped to the series' range and rounded. A request covering part of a
//! year answers that year's value times the share of the year covered (in
//! seconds, floored), summed over the years it touches; a whole year answers
//! the yearly value exactly.

use chrono::{Datelike, NaiveDate, NaiveTime};

/// The year the level of every series is drawn for.
pub const REF_YEAR: i32 = 2020;
/// The span the level leaves room for: the trend stays inside the range
/// from `FIRST_YEAR` to `LAST_YEAR` (outside it the value is clamped).
const FIRST_YEAR: i32 = 2015;
const LAST_YEAR: i32 = 2026;
const GROWTH_MIN: f64 = -0.22;
const GROWTH_MAX: f64 = 0.30;
/// Per-key deviation from the stem's growth rate.
const GROWTH_JITTER: f64 = 0.04;
/// Relative amplitude of the per-period noise (±half of it).
const NOISE: f64 = 0.08;

/// A kind of synthetic number (questions per tag, downloads per package):
/// its own range and hash domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    domain: &'static str,
    lo: u64,
    hi: u64,
}

/// A series' level in the reference year and yearly growth rate for a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub level: f64,
    pub growth: f64,
}

impl Series {
    /// The series hashed under `domain` (a change renumbers it), every
    /// value in `lo..=hi`.
    pub const fn new(domain: &'static str, lo: u64, hi: u64) -> Series {
        Series { domain, lo, hi }
    }

    /// The plausible magnitudes (inclusive) every value of the series lies in.
    pub fn range(self) -> (u64, u64) {
        (self.lo, self.hi)
    }

    /// The level and growth of `key`.
    pub fn profile(self, key: &str) -> Profile {
        let (lo, hi) = self.range();
        // Leave room for the steepest trend in either direction over the span.
        let down = (GROWTH_MAX * f64::from(REF_YEAR - FIRST_YEAR))
            .max(-GROWTH_MIN * f64::from(LAST_YEAR - REF_YEAR));
        let up = (GROWTH_MAX * f64::from(LAST_YEAR - REF_YEAR))
            .max(-GROWTH_MIN * f64::from(REF_YEAR - FIRST_YEAR));
        let level = log_uniform(
            lo as f64 * down.exp(),
            hi as f64 * (-up).exp(),
            unit(hash(&[self.domain, key])),
        );
        let stem = stem(key);
        let growth = GROWTH_MIN
            + (GROWTH_MAX - GROWTH_MIN) * unit(hash(&["growth", &stem]))
            + GROWTH_JITTER * (unit(hash(&["jitter", self.domain, key])) - 0.5);
        Profile { level, growth }
    }

    /// The value of `key` in the whole calendar `year`.
    pub fn yearly(self, key: &str, year: i32) -> u64 {
        let p = self.profile(key);
        let noise = self.noise(key, &year.to_string());
        self.clamp(p.level * (p.growth * f64::from(year - REF_YEAR)).exp() * noise)
    }

    /// The yearly values' share of `[start, end)` (Unix seconds), year by year.
    pub fn between(self, key: &str, start: i64, end: i64) -> u64 {
        let Some(first) = year_of(start) else {
            return 0;
        };
        let Some(last) = year_of(end.saturating_sub(1)) else {
            return 0;
        };
        if end <= start {
            return 0;
        }
        let mut total: u64 = 0;
        for year in first..=last {
            let (Some(y0), Some(y1)) = (year_start(year), year_start(year + 1)) else {
                continue;
            };
            let covered = end.min(y1) - start.max(y0);
            if covered <= 0 {
                continue;
            }
            let value = u128::from(self.yearly(key, year));
            // Exact for a whole year, floored for a part of one.
            let share = value * covered as u128 / (y1 - y0) as u128;
            total = total.saturating_add(u64::try_from(share).unwrap_or(u64::MAX));
        }
        total
    }

    /// The value of `key` on `day`: its year's value spread over the
    /// year's days.
    pub fn day(self, key: &str, day: NaiveDate) -> u64 {
        let start = unix(day);
        self.between(key, start, start + 86_400)
    }

    /// The per-period noise factor of `key` in period `when`.
    pub fn noise(self, key: &str, when: &str) -> f64 {
        1.0 + NOISE * (unit(hash(&["noise", self.domain, key, when])) - 0.5)
    }

    /// `value` rounded into the series' range.
    pub fn clamp(self, value: f64) -> u64 {
        let (lo, hi) = self.range();
        (value.round() as u64).clamp(lo, hi)
    }
}

/// A number in `[0, 2^32)` derived from `parts`, for ids and dates that must
/// look varied but stay the same for the same key.
pub fn small_hash(parts: &[&str]) -> u64 {
    hash(parts) >> 32
}

/// Unix seconds of the start of `day` (UTC).
pub fn unix(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// The calendar year (UTC) of a Unix second, kept to years chrono handles
/// and a loop over them stays short.
fn year_of(secs: i64) -> Option<i32> {
    let year = chrono::DateTime::from_timestamp(secs, 0)?.year();
    (1970..=9999).contains(&year).then_some(year)
}

fn year_start(year: i32) -> Option<i64> {
    NaiveDate::from_ymd_opt(year, 1, 1).map(unix)
}

/// The value at `u` in `[0, 1)` of a log-uniform spread from `lo` to `hi`.
pub fn log_uniform(lo: f64, hi: f64, u: f64) -> f64 {
    lo * (hi / lo).powf(u)
}

/// The key's stem: what the keys of one technology at several sources share.
fn stem(key: &str) -> String {
    let key = key.to_lowercase();
    let name = key.rsplit('/').next().unwrap_or(&key);
    let name = name
        .split("_(")
        .next()
        .and_then(|s| s.split(" (").next())
        .unwrap_or(name);
    let mut stem: String = name
        .replace('#', "sharp")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if stem.len() > 4 && stem.ends_with("js") {
        stem.truncate(stem.len() - 2);
    }
    stem
}

/// 64-bit FNV-1a over the parts, each followed by a 0xff separator byte
/// (which never occurs in UTF-8), so `["ab", "c"]` and `["a", "bc"]` differ;
/// then a murmur3 finalizer, since FNV's bits mix poorly for short keys.
pub fn hash(parts: &[&str]) -> u64 {
    let bytes = parts.iter().flat_map(|p| p.bytes().chain([0xff]));
    let mut h = fnv1a(bytes);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .into_iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// A hash mapped to `[0, 1)`.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a_and_stable() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
    }

    #[test]
    fn keys_of_one_technology_share_a_stem() {
        assert_eq!(stem("C_Sharp_(programming_language)"), stem("c#"));
        assert_eq!(stem("C#"), "csharp");
        assert_eq!(stem("Node.js"), stem("nodejs"));
        assert_eq!(stem("Docker_(software)"), "docker");
        assert_eq!(stem("dotnet/aspnetcore"), stem("asp.net-core"));
        assert_eq!(stem("machine-learning"), stem("Machine_learning"));
    }
}
