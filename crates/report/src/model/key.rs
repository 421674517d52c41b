//! [`SignalKey`]: which signal a column, a share or a weight is about (a
//! source's metric, or a stock's yearly gain), and its one string form,
//! `{source}_{metric}` with `_gain` appended for a gain: the report's
//! column headers and the config's `[report.weights]` keys.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use trends_core::{Metric, MetricKind, Signal, SourceId};

/// One signal of the report: a source's metric, its value in the year or
/// (a stock) the year's gain. Ordered as its string form is, so columns
/// keep the order they always had.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKey {
    source: SourceId,
    /// The metric's name within its source.
    metric: &'static str,
    /// The yearly gain of a stock rather than its value.
    gain: bool,
}

const GAIN: &str = "_gain";

impl SignalKey {
    pub fn new(source: SourceId, metric: &'static str, gain: bool) -> SignalKey {
        SignalKey {
            source,
            metric,
            gain,
        }
    }

    pub fn source(self) -> SourceId {
        self.source
    }

    /// The metric's name within its source (`stars` of `github_stars_gain`).
    pub fn metric(self) -> &'static str {
        self.metric
    }

    pub fn gain(self) -> bool {
        self.gain
    }

    /// The string form's bytes, without building it.
    fn bytes(self) -> impl Iterator<Item = u8> {
        let gain = if self.gain { GAIN } else { "" };
        self.source
            .as_str()
            .bytes()
            .chain(std::iter::once(b'_'))
            .chain(self.metric.bytes())
            .chain(gain.bytes())
    }
}

impl From<Signal> for SignalKey {
    fn from(s: Signal) -> SignalKey {
        SignalKey::new(s.metric.source(), s.metric.as_str(), s.gain)
    }
}

impl Ord for SignalKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl PartialOrd for SignalKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for SignalKey {
    /// Whether `name` is the key's string form.
    fn eq(&self, name: &str) -> bool {
        self.bytes().eq(name.bytes())
    }
}

impl PartialEq<&str> for SignalKey {
    fn eq(&self, name: &&str) -> bool {
        *self == **name
    }
}

impl fmt::Debug for SignalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignalKey({:?})", self.to_string())
    }
}

impl fmt::Display for SignalKey {
    /// `{source}_{metric}`, `_gain` appended for a gain (padded as a
    /// string is, so `{:<32}` lines columns up).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gain = if self.gain { GAIN } else { "" };
        f.pad(&format!("{}_{}{gain}", self.source, self.metric))
    }
}

impl FromStr for SignalKey {
    type Err = String;

    /// The string form back: the source is the part before the first `_`
    /// (source names have none), a trailing `_gain` is a gain. The one
    /// place a signal's name is split.
    fn from_str(s: &str) -> Result<SignalKey, String> {
        let bad = || format!("`{s}` is not a signal (`source_metric` or `source_metric_gain`)");
        let (source, rest) = s.split_once('_').ok_or_else(bad)?;
        let (metric, gain) = match rest.strip_suffix(GAIN) {
            Some(metric) => (metric, true),
            None => (rest, false),
        };
        if source.is_empty() || metric.is_empty() {
            return Err(bad());
        }
        let source = SourceId::intern(source);
        // Interned through core's table; the kind is not part of the key.
        let metric = Metric::intern(source, metric, MetricKind::Flow).as_str();
        Ok(SignalKey::new(source, metric, gain))
    }
}

impl serde::Serialize for SignalKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SignalKey {
        s.parse().expect("a signal")
    }

    #[test]
    fn the_string_form_goes_both_ways() {
        let stars = Metric::stock(SourceId::new("github"), "stars");
        let gain = SignalKey::from(Signal {
            metric: stars,
            gain: true,
        });
        assert_eq!(gain.to_string(), "github_stars_gain");
        assert_eq!(key("github_stars_gain"), gain);
        assert!(gain == "github_stars_gain" && gain != "github_stars");
        let repos = key("github_topic_repos_created");
        assert_eq!(
            (repos.source().as_str(), repos.metric(), repos.gain()),
            ("github", "topic_repos_created", false)
        );
        assert_eq!(
            format!("{:<20}|", key("npm_downloads")),
            "npm_downloads       |"
        );
        assert!("github".parse::<SignalKey>().is_err());
        assert!("_stars".parse::<SignalKey>().is_err());
    }

    #[test]
    fn keys_sort_as_their_names() {
        let names = [
            "github_stars",
            "github_stars_a",
            "github_stars_gain",
            "github_starsx",
            "github_topic_repos_created",
            "stack_x",
            "stackexchange_questions",
        ];
        let mut keys: Vec<SignalKey> = names.iter().rev().map(|n| key(n)).collect();
        keys.sort();
        let sorted: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let mut expected = names.map(str::to_owned).to_vec();
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
