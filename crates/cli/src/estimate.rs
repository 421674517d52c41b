//! How long a source's requests take at the least, under its configured
//! limits: the bound `trends bench --collect` holds a run to and `trends
//! config check` estimates a first collect with; and how many days a first
//! collect needs under a daily quota without a key (`config check`,
//! `status`).

use std::time::Duration;

use trends_fetcher::{Lane, SourcePlan};

/// A source's lower bounds on wall time, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// Held by the rate limit of its busiest lane.
    pub rate: f64,
    /// Held by `latency` per answer over its concurrency.
    pub latency: f64,
}

impl Bound {
    pub fn of(plan: &SourcePlan, latency: Duration) -> Bound {
        let n = plan.requests.len() as f64;
        let lane = |search: bool, rpm: u32| {
            let k = plan
                .requests
                .iter()
                .filter(|r| (r.lane == Lane::Search) == search)
                .count() as f64;
            // governor's quota lets a minute's worth through at once, then
            // one every 60/rpm seconds.
            (k - f64::from(rpm)).max(0.0) * 60.0 / f64::from(rpm)
        };
        let rate = lane(false, plan.config.requests_per_minute).max(lane(
            true,
            plan.config
                .search_requests_per_minute
                .unwrap_or(plan.config.requests_per_minute),
        ));
        Bound {
            rate,
            latency: n * latency.as_secs_f64() / plan.config.concurrency as f64,
        }
    }

    /// The larger of the two: the source cannot finish sooner.
    pub fn seconds(self) -> f64 {
        self.rate.max(self.latency)
    }
}

/// A first collect under a source's daily quota without a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeylessDays {
    pub requests: usize,
    /// Requests a day the API allows without a key.
    pub per_day: u32,
    /// Days (nightly runs) the requests need at that quota, at least 1.
    pub days: usize,
}

impl KeylessDays {
    /// `None` for a source whose API has no daily quota without a key.
    pub fn of(plan: &SourcePlan) -> Option<KeylessDays> {
        let per_day = trends_sources::source(plan.source)?
            .without_token()?
            .per_day?;
        Some(KeylessDays::at(plan.requests.len(), per_day))
    }

    fn at(requests: usize, per_day: u32) -> KeylessDays {
        KeylessDays {
            requests,
            per_day,
            days: requests.div_ceil(per_day.max(1) as usize).max(1),
        }
    }

    /// "2 days", "1 day".
    pub fn days_text(self) -> String {
        match self.days {
            1 => "1 day".to_owned(),
            n => format!("{n} days"),
        }
    }
}

/// `90` -> `1m30s`, `4000` -> `1h07m`.
pub fn human(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_would_say_them() {
        assert_eq!(human(0.2), "0s");
        assert_eq!(human(59.0), "59s");
        assert_eq!(human(90.0), "1m30s");
        assert_eq!(human(4000.0), "1h06m");
    }

    #[test]
    fn keyless_days_round_up_and_are_at_least_one() {
        let days = |requests: usize, per_day: u32| KeylessDays::at(requests, per_day).days_text();
        assert_eq!(days(348, 300), "2 days");
        assert_eq!(days(300, 300), "1 day");
        assert_eq!(days(0, 300), "1 day");
        assert_eq!(days(601, 300), "3 days");
    }
}
