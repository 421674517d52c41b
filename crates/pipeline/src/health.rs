//! What an operator reads first about a run and a database: the run's
//! failures grouped by their cause (one line per cause, however many
//! sources it stopped), and which sources are stale (no new observation
//! for longer than their cadence).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use trends_core::{Config, SourceId};
use trends_store::Store;

use crate::{Error, Tally};

/// A cause's text is cut to this many characters (an API's error body can
/// be long): `runs.error` and the summary stay short.
const CAUSE_CHARS: usize = 160;

/// The failed sources of a run, one line per distinct cause: the first
/// failure of each source without its URL (or, for a source that stopped
/// without a failure, such as a spent quota, why it stopped). A host that
/// does not resolve is one cause whatever the host: when it stopped every
/// source of the run, the line says there is no network.
pub fn causes(sources: &BTreeMap<SourceId, Tally>) -> Vec<String> {
    let mut groups: BTreeMap<String, Vec<(SourceId, &Tally)>> = BTreeMap::new();
    for (source, t) in sources.iter().filter(|(_, t)| t.failed()) {
        groups.entry(cause_of(t)).or_default().push((*source, t));
    }
    let ran = sources.values().filter(|t| t.planned > 0).count();
    let mut lines: Vec<(usize, String)> = groups
        .into_iter()
        .map(|(cause, members)| (members.len(), line(&cause, &members, ran)))
        .collect();
    // The cause that stopped the most sources first.
    lines.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    lines.into_iter().map(|(_, line)| line).collect()
}

/// What sources are grouped by.
fn cause_of(t: &Tally) -> String {
    let cause = t
        .first_cause
        .clone()
        .or_else(|| t.halted.clone())
        .unwrap_or_default();
    if is_unresolved(&cause) {
        return UNRESOLVED.to_owned();
    }
    if cause.chars().count() > CAUSE_CHARS {
        let cut: String = cause.chars().take(CAUSE_CHARS).collect();
        format!("{cut}…")
    } else {
        cause
    }
}

/// The key of "the host did not resolve", whatever the host.
const UNRESOLVED: &str = "failed to resolve the host";

/// A DNS failure as reqwest and hyper word it (`dns error: failed to
/// lookup address information: …`).
fn is_unresolved(cause: &str) -> bool {
    cause.contains("dns error")
}

fn line(cause: &str, members: &[(SourceId, &Tally)], ran: usize) -> String {
    let names: Vec<&str> = members.iter().map(|(s, _)| s.as_str()).collect();
    let failed: u64 = members.iter().map(|(_, t)| t.failed).sum();
    let n = members.len();
    if cause == UNRESOLVED {
        return if n == ran && n > 1 {
            format!("no network: every source failed to resolve its host ({n} sources)")
        } else if n == 1 {
            format!("{}: failed to resolve its host", names[0])
        } else {
            format!(
                "{n} sources failed to resolve their host ({})",
                names.join(", ")
            )
        };
    }
    match (n, failed) {
        // A source that stopped without a failure (a spent quota).
        (1, 0) => format!("{}: {cause}", names[0]),
        (1, _) => match members[0].1.halted.as_deref().filter(|r| says_more(r)) {
            Some(halt) => format!("{}: {failed} failed ({cause}); stopped: {halt}", names[0]),
            None => format!("{}: {failed} failed ({cause})", names[0]),
        },
        _ => format!(
            "{n} sources, {failed} failed: {cause} ({})",
            names.join(", ")
        ),
    }
}

/// Whether a source's halt says more than its first failure: a
/// `Retry-After` past `max_retry_wait_secs`, a spent rate limit; not
/// failures in a row, which repeat the failure's own message.
fn says_more(halt: &str) -> bool {
    !halt.contains("requests in a row failed")
}

/// Whether a source brings new observations as often as expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub source: SourceId,
    /// When an answer last wrote one of its observations (the newest
    /// `observations.observed_at`); `None`: it never has.
    pub newest: Option<DateTime<Utc>>,
    /// Days allowed without one: `[sources.<s>] stale_after_days`, else
    /// the source's own cadence (`Source::stale_after_days`).
    pub stale_after_days: u32,
    /// No new observation within `stale_after_days` (or none ever).
    pub stale: bool,
}

impl Freshness {
    /// One line, e.g. `wikimedia: no new observation for 40 days (since
    /// 2026-10-29; expected within 35)`.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match self.newest {
            Some(at) => format!(
                "{}: no new observation for {} days (since {}; expected within {})",
                self.source,
                (now - at).num_days(),
                at.format("%Y-%m-%d"),
                self.stale_after_days
            ),
            None => format!("{}: no observation ever stored", self.source),
        }
    }
}

/// The freshness of every enabled source at `now`, in the config's order.
pub fn freshness(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<Freshness>, Error> {
    let newest: BTreeMap<String, DateTime<Utc>> =
        store.newest_observations()?.into_iter().collect();
    Ok(config
        .enabled_sources()
        .map(|(source, cfg)| {
            let days = cfg.stale_after_days.unwrap_or_else(|| {
                trends_sources::by_name(source.as_str()).map_or(2, |s| s.stale_after_days())
            });
            let newest = newest.get(source.as_str()).copied();
            judge(source, newest, days, now)
        })
        .collect())
}

fn judge(
    source: SourceId,
    newest: Option<DateTime<Utc>>,
    days: u32,
    now: DateTime<Utc>,
) -> Freshness {
    let stale = newest.is_none_or(|at| now - at > chrono::Duration::days(i64::from(days)));
    Freshness {
        source,
        newest,
        stale_after_days: days,
        stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(cause: &str) -> Tally {
        Tally {
            planned: 3,
            failed: 1,
            transport_error: 1,
            skipped: 2,
            first_cause: Some(cause.to_owned()),
            ..Tally::default()
        }
    }

    const DNS: &str = "transport_error: could not connect: client error (Connect): dns error: failed to lookup address information: Name or service not known";

    #[test]
    fn a_night_without_network_is_one_line() {
        let sources: BTreeMap<_, _> = ["github", "npm", "pypi"]
            .iter()
            .map(|s| (SourceId::intern(s), failed(DNS)))
            .collect();
        assert_eq!(
            causes(&sources),
            ["no network: every source failed to resolve its host (3 sources)"]
        );
    }

    #[test]
    fn distinct_causes_get_a_line_each_and_shared_ones_one() {
        let http = "http_error: HTTP 503: unavailable";
        let mut sources: BTreeMap<_, _> = [
            ("github", failed(DNS)),
            ("npm", failed(http)),
            ("pypi", failed(http)),
            (
                "cratesio",
                Tally {
                    planned: 2,
                    ok: 2,
                    ..Tally::default()
                },
            ),
        ]
        .into_iter()
        .map(|(s, t)| (SourceId::intern(s), t))
        .collect();
        assert_eq!(
            causes(&sources),
            [
                "2 sources, 2 failed: http_error: HTTP 503: unavailable (npm, pypi)",
                "github: failed to resolve its host",
            ]
        );
        let mut limited = failed("http_error: HTTP 429: (empty body)");
        limited.halted = Some("rate limited: npm asks to wait 3600s, more than max_retry_wait_secs (120s), 2 requests left for the next run".into());
        let mut in_a_row = failed(DNS);
        in_a_row.halted = Some(format!(
            "2 requests in a row failed ({DNS}), 1 requests left for the next run"
        ));
        let two: BTreeMap<_, _> = [("npm", limited), ("github", in_a_row)]
            .into_iter()
            .map(|(s, t)| (SourceId::intern(s), t))
            .collect();
        assert_eq!(
            causes(&two),
            [
                "github: failed to resolve its host",
                "npm: 1 failed (http_error: HTTP 429: (empty body)); stopped: rate limited: npm asks to wait 3600s, more than max_retry_wait_secs (120s), 2 requests left for the next run",
            ]
        );
        let long = format!("http_error: HTTP 500: {}", "x".repeat(500));
        sources.insert(SourceId::intern("npm"), failed(&long));
        let lines = causes(&sources);
        assert!(lines.iter().all(|l| l.chars().count() < 220), "{lines:?}");
    }

    #[test]
    fn a_source_is_stale_past_its_cadence_or_without_any_observation() {
        let now = DateTime::parse_from_rfc3339("2026-12-08T03:00:00Z")
            .expect("time")
            .to_utc();
        let s = SourceId::intern("wikimedia");
        let days_ago = |d: i64| Some(now - chrono::Duration::days(d));
        assert!(!judge(s, days_ago(35), 35, now).stale);
        let stale = judge(s, days_ago(40), 35, now);
        assert!(stale.stale);
        assert_eq!(
            stale.describe(now),
            "wikimedia: no new observation for 40 days (since 2026-10-29; expected within 35)"
        );
        assert!(judge(s, None, 2, now).stale);
    }
}
